// INVITE (docs/commands.md): `to` nick, `params` [#chan]. The inviter must be on the channel (442) and, on
// a `+i` channel, op (482; server operators count as op). The invite is stored per channel and
// session, and lets the invitee pass `+i` once. RFC 2812 allows inviting to a channel that does
// not exist, but an invite is kept by channel id, so such an INVITE is refused with 403.
import type { Context } from '../context.js';
import { ircError } from '../errors.js';
import { isChanOp, requireSession } from '../lookup.js';
import { ERR, RPL } from '../../model/numerics.js';
import type { CommandInput } from '../../model/envelope.js';
import { requireVisibleChannel } from '../visible-channel.js';

export async function invite(ctx: Context, input: CommandInput): Promise<void> {
  const nick = input.to;
  const name = input.params?.[0];
  if (!nick || !name) throw ircError(ERR.NEEDMOREPARAMS, ['INVITE']);
  const target = await requireSession(ctx, nick);
  // a secret channel the inviter is not in is 403, as if it did not exist
  const { channel, member } = await requireVisibleChannel(ctx, name);
  if (!member) throw ircError(ERR.NOTONCHANNEL, [channel.name]);
  if (channel.modes.includes('i') && !isChanOp(ctx.session, member)) {
    throw ircError(ERR.CHANOPRIVSNEEDED, [channel.name]);
  }
  if (await ctx.tx.getMembership(target.id, channel.id)) {
    throw ircError(ERR.USERONCHANNEL, [target.nick, channel.name]);
  }
  // Kept even when the channel is not +i yet (as InspIRCd does): it may become +i before the
  // invitee gets there.
  await ctx.tx.addInvite(channel.id, target.id, ctx.now());
  // Stored once for the invitee's clients and the channel's members (IRCv3 invite-notify: IRC
  // clients that asked for it see others' invites; our own clients show only their own).
  await ctx.emit(ctx.fromMe('INVITE', target.nick, [], { params: [channel.name] }), {
    kind: 'session',
    sessionId: target.id,
    alsoChannels: [channel.id],
  });
  // `341 <client> <nick> <channel>` (modern IRC docs; RFC 2812 had the two swapped): by docs/envelope-and-delivery.md
  // the last IRC parameter is body[0].
  await ctx.reply(RPL.INVITING, [target.nick], channel.name);
  if (target.away !== null) await ctx.reply(RPL.AWAY, [target.nick], target.away);
}
