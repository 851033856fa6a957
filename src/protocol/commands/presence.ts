// USERHOST and ISON (RFC 2812 §4.8, §4.9): who is online, in one reply line. Like WHOIS, they
// find invisible (+i) users too: the caller names the nicks it asks about.
import type { SessionRow } from '../../store/store.js';
import { fold } from '../../model/casefold.js';
import type { Context } from '../context.js';
import { ircError } from '../errors.js';
import { hostOf } from '../lookup.js';
import { ERR, RPL } from '../../model/numerics.js';
import { capList } from '../target-lists.js';
import type { CommandInput } from '../../model/envelope.js';

export async function userhost(ctx: Context, input: CommandInput): Promise<void> {
  // RFC 2812: "up to 5 nicknames" (TARGMAX USERHOST:5; more are refused with 407)
  const nicks = capList(nicksOf(input), 'USERHOST', ctx.env.settings.maxTargets);
  if (nicks.length === 0) throw ircError(ERR.NEEDMOREPARAMS, ['USERHOST']);
  const entries: string[] = [];
  for (const nick of nicks) {
    const s = await ctx.tx.getSessionByNick(fold(nick));
    if (s) entries.push(userhostEntry(ctx, s));
  }
  await ctx.reply(RPL.USERHOST, [], entries.join(' '));
}

export async function ison(ctx: Context, input: CommandInput): Promise<void> {
  const nicks = capList(nicksOf(input), 'ISON', ctx.env.settings.maxTargets);
  if (nicks.length === 0) throw ircError(ERR.NEEDMOREPARAMS, ['ISON']);
  const online: string[] = [];
  for (const nick of nicks) {
    const s = await ctx.tx.getSessionByNick(fold(nick));
    if (s) online.push(s.nick);
  }
  await ctx.reply(RPL.ISON, [], online.join(' '));
}

/** `nick[*]=[+|-]user@host`: `*` for an IRC operator, `-` when away. */
function userhostEntry(ctx: Context, s: SessionRow): string {
  const oper = s.modes.includes('o') ? '*' : '';
  const away = s.away === null ? '+' : '-';
  return `${s.nick}${oper}=${away}${s.user}@${hostOf(s, ctx.server)}`;
}

/**
 * The nicks asked about, in order: from `to`, `params` and text lines alike, each split on
 * spaces (an IRC client's `ISON :a b c` arrives as one text line) and commas.
 */
function nicksOf(input: CommandInput): string[] {
  const parts = [input.to ?? '', ...(input.params ?? [])];
  if (Array.isArray(input.body)) parts.push(...input.body);
  return parts.flatMap((p) => p.split(/[\s,]+/)).filter((n) => n.length > 0);
}
