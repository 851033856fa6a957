// Lookups and small rules several commands share.
import type { ChannelRow, MemberRow, SessionRow } from '../store/store.js';
import { fold } from '../model/casefold.js';
import type { Context } from './context.js';
import { ERR } from '../model/numerics.js';
import { ircError } from './errors.js';

export async function requireChannel(ctx: Context, name: string): Promise<ChannelRow> {
  const channel = name.startsWith('#') ? await ctx.tx.getChannelByName(fold(name)) : null;
  if (!channel) throw ircError(ERR.NOSUCHCHANNEL, [name]);
  return channel;
}

export async function requireSession(ctx: Context, nick: string): Promise<SessionRow> {
  const session = await ctx.tx.getSessionByNick(fold(nick));
  if (!session) throw ircError(ERR.NOSUCHNICK, [nick]);
  return session;
}

export function myMembership(ctx: Context, channel: ChannelRow): Promise<MemberRow | null> {
  return ctx.tx.getMembership(ctx.session.id, channel.id);
}

export function isSecret(channel: ChannelRow): boolean {
  return channel.modes.includes('s');
}

/** Server operators act as channel op everywhere (docs/commands.md). */
export function isChanOp(session: SessionRow, member: MemberRow | null): boolean {
  return Boolean(member?.modes.includes('o')) || session.modes.includes('o');
}

/** The highest member prefix: `@` op, `+` voice. */
/** Every prefix a member has, highest first (`@+`): the multi-prefix form. */
export function allPrefixesOf(memberModes: string): string {
  return (memberModes.includes('o') ? '@' : '') + (memberModes.includes('v') ? '+' : '');
}

export function prefixOf(memberModes: string): '@' | '+' | '' {
  if (memberModes.includes('o')) return '@';
  if (memberModes.includes('v')) return '+';
  return '';
}

/** `nick!user@host` (docs/envelope-and-delivery.md): the host never reveals an address. */
export function hostOf(session: SessionRow, serverName: string): string {
  return `s${session.id}.${serverName}`;
}

/** `nick!user@host` of a session, optionally under another nick (a NICK being checked). */
export function identityOf(session: SessionRow, serverName: string, nick = session.nick): string {
  return `${nick}!${session.user}@${hostOf(session, serverName)}`;
}

/** The sender fields of an event a session originates: its identity, and its account if any. */
export function senderOf(
  session: SessionRow,
  serverName: string,
): { source: string; account?: string; bot?: true } {
  const source = identityOf(session, serverName);
  const sender: { source: string; account?: string; bot?: true } = { source };
  if (session.account !== null) sender.account = session.account;
  if (session.modes.includes(BOT_MODE)) sender.bot = true;
  return sender;
}

/** The bot user mode (IRCv3 bot-mode: ISUPPORT BOT=B, WHOIS 335, the `bot` tag). */
export const BOT_MODE = 'B';

export function channelModeString(channel: ChannelRow): string {
  return '+' + channel.modes;
}

/** The NAMES channel type: `@` secret, `*` private, `=` public. */
export function channelType(channel: ChannelRow): '=' | '@' | '*' {
  if (channel.modes.includes('s')) return '@';
  if (channel.modes.includes('p')) return '*';
  return '=';
}

/** DM history key: the two session ids, smaller first. */
export function dmPair(a: number, b: number): string {
  return a < b ? `${a}:${b}` : `${b}:${a}`;
}

export function splitTargets(to: string): string[] {
  return to.split(',').filter((t) => t.length > 0);
}
