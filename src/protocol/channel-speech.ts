// Who may put a message into a channel (docs/commands.md), for every command that relays text or data to
// its members (PRIVMSG, NOTICE, PUBKEY): `+n` keeps outsiders out; ops and voiced members (and
// server operators) speak through `+m` and bans; others need neither to apply.
import type { ChannelRow, MemberRow } from '../store/store.js';
import { isBanned } from './channel-bans.js';
import type { Context } from './context.js';
import { ircError } from './errors.js';
import { isChanOp, isSecret, myMembership } from './lookup.js';
import { ERR } from '../model/numerics.js';

/** Why the caller may not speak in the channel ('+n', '+m', '+b'), or null. */
export async function cannotSend(
  ctx: Context,
  channel: ChannelRow,
  member: MemberRow | null,
): Promise<string | null> {
  if (!member && channel.modes.includes('n')) return '+n';
  if (isChanOp(ctx.session, member) || member?.modes.includes('v')) return null;
  if (channel.modes.includes('m')) return '+m';
  if (await isBanned(ctx, channel.id, ctx.session)) return '+b';
  return null;
}

/**
 * Refuses with 404 ERR_CANNOTSENDTOCHAN (or 403 as for an unknown name, when an outsider names a
 * secret channel) unless the caller may speak in the channel; `target` is the name as given.
 */
export async function requireCanSend(
  ctx: Context,
  channel: ChannelRow,
  target: string,
): Promise<void> {
  const member = await myMembership(ctx, channel);
  const why = await cannotSend(ctx, channel, member);
  if (!why) return;
  // an outsider must not learn that a secret channel exists: as for an unknown name
  if (!member && isSecret(channel)) throw ircError(ERR.NOSUCHCHANNEL, [target]);
  throw ircError(ERR.CANNOTSENDTOCHAN, [channel.name], `Cannot send to channel (${why})`);
}
