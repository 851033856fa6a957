// WHO and WHOIS (docs/commands.md). Invisible (+i) users are only found by those sharing a channel.
import type { SessionRow } from '../../store/store.js';
import { fold } from '../../model/casefold.js';
import type { Context } from '../context.js';
import { unixSeconds } from '../envelope.js';
import { ircError } from '../errors.js';
import { allPrefixesOf, hostOf, isSecret, prefixOf, requireSession, BOT_MODE } from '../lookup.js';
import { requireMask } from '../name-syntax.js';
import { ERR, RPL } from '../../model/numerics.js';
import { targetList } from '../target-lists.js';
import type { CommandInput } from '../../model/envelope.js';
import { findVisibleChannel } from '../visible-channel.js';

export async function who(ctx: Context, input: CommandInput): Promise<void> {
  const mask = input.to ?? input.params?.[0] ?? '*';
  if (mask.startsWith('#')) await whoChannel(ctx, mask);
  else await whoMask(ctx, mask);
  await ctx.reply(RPL.ENDOFWHO, [mask], 'End of WHO list');
}

async function whoChannel(ctx: Context, name: string): Promise<void> {
  // unknown, or secret and the caller not in it: only 315
  const found = await findVisibleChannel(ctx, name);
  if (!found) return;
  const { channel } = found;
  const inside = found.member !== null;
  for (const m of await ctx.tx.listMembers(channel.id)) {
    if (!inside && m.session.modes.includes('i')) continue;
    if (!ctx.hasReplyRoom()) return ctx.tooManyMatches('WHO', name);
    const prefix = ctx.style.multiPrefix ? allPrefixesOf(m.modes) : prefixOf(m.modes);
    await replyWho(ctx, channel.name, m.session, prefix);
  }
}

async function whoMask(ctx: Context, mask: string): Promise<void> {
  const matches = requireMask(mask);
  const peers = new Set(await ctx.tx.listChannelPeers(ctx.session.id));
  // A mask without wildcards names one nick: look it up instead of scanning every session.
  const candidates = /[*?]/.test(mask)
    ? await ctx.tx.listSessions()
    : [await ctx.tx.getSessionByNick(fold(mask))].filter((s) => s !== null);
  for (const s of candidates) {
    if (!matches(s.nickFolded)) continue;
    if (s.modes.includes('i') && s.id !== ctx.session.id && !peers.has(s.id)) continue;
    if (!ctx.hasReplyRoom()) return ctx.tooManyMatches('WHO', mask);
    await replyWho(ctx, '*', s, '');
  }
}

async function replyWho(ctx: Context, channel: string, s: SessionRow, prefix: string) {
  // IRCv3 bot-mode: the bot mode letter among the flags, after the operator star
  const bot = s.modes.includes(BOT_MODE) ? BOT_MODE : '';
  const flags = (s.away ? 'G' : 'H') + (s.modes.includes('o') ? '*' : '') + bot + prefix;
  await ctx.reply(
    RPL.WHOREPLY,
    [channel, s.user, hostOf(s, ctx.server), ctx.server, s.nick, flags],
    `0 ${s.realname}`,
  );
}

export async function whois(ctx: Context, input: CommandInput): Promise<void> {
  const [nick] = targetList(ctx, 'WHOIS', input.to ?? input.params?.[0] ?? '');
  if (!nick) throw ircError(ERR.NONICKNAMEGIVEN);
  const s = await requireSession(ctx, nick);
  await ctx.reply(RPL.WHOISUSER, [s.nick, s.user, hostOf(s, ctx.server), '*'], s.realname);
  const mine = new Set((await ctx.tx.listSessionChannels(ctx.session.id)).map((c) => c.channelId));
  const shown = (await ctx.tx.listSessionChannels(s.id))
    .filter((c) => !isSecret(c.channel) || mine.has(c.channelId))
    .map((c) => prefixOf(c.modes) + c.channel.name);
  if (shown.length) await ctx.reply(RPL.WHOISCHANNELS, [s.nick], shown.join(' '));
  await ctx.reply(RPL.WHOISSERVER, [s.nick, ctx.server], `${ctx.env.settings.networkName} server`);
  if (s.away !== null) await ctx.reply(RPL.AWAY, [s.nick], s.away);
  if (s.modes.includes('o')) await ctx.reply(RPL.WHOISOPERATOR, [s.nick], 'is an IRC operator');
  if (s.modes.includes(BOT_MODE)) await ctx.reply(RPL.WHOISBOT, [s.nick], 'is a bot');
  if (s.account !== null) await ctx.reply(RPL.WHOISACCOUNT, [s.nick, s.account], 'is logged in as');
  const idle = Math.max(0, Math.floor((ctx.now() - s.lastMessageAt) / 1000));
  await ctx.reply(
    RPL.WHOISIDLE,
    [s.nick, String(idle), unixSeconds(s.createdAt)],
    'seconds idle, signon time',
  );
  await ctx.reply(RPL.ENDOFWHOIS, [s.nick], 'End of /WHOIS list');
}
