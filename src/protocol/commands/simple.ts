// PING and AWAY: small commands with one reply each (and AWAY's event for away-notify).
import type { Context } from '../context.js';
import { RPL } from '../../model/numerics.js';
import type { CommandInput } from '../../model/envelope.js';
import { firstText } from '../validate.js';

export async function ping(ctx: Context, input: CommandInput): Promise<void> {
  const token = firstText(input) ?? ctx.server;
  await ctx.replyEnvelope({
    command: 'PONG',
    from: ctx.server,
    to: ctx.session.nick,
    params: [ctx.server],
    body: [token],
  });
}

export async function away(ctx: Context, input: CommandInput): Promise<void> {
  const text = firstText(input) || null;
  const before = ctx.session.away;
  await ctx.tx.updateSession(ctx.session.id, { away: text });
  if (text) await ctx.reply(RPL.NOWAWAY, [], 'You have been marked as being away');
  else await ctx.reply(RPL.UNAWAY, [], 'You are no longer marked as being away');
  if (text === before) return;
  // IRCv3 away-notify: the change goes to everyone sharing a channel (and the session's own
  // clients), stored once like NICK; body [message] when away, [] when back.
  const channels = (await ctx.tx.listSessionChannels(ctx.session.id)).map((c) => c.channelId);
  await ctx.emit(ctx.fromMe('AWAY', ctx.session.nick, text === null ? [] : [text]), {
    kind: 'session',
    sessionId: ctx.session.id,
    alsoChannels: channels,
  });
}
