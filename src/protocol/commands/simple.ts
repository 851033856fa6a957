// PING and AWAY: small commands with one reply each.
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
  const text = firstText(input);
  if (text) {
    await ctx.tx.updateSession(ctx.session.id, { away: text });
    await ctx.reply(RPL.NOWAWAY, [], 'You have been marked as being away');
  } else {
    await ctx.tx.updateSession(ctx.session.id, { away: null });
    await ctx.reply(RPL.UNAWAY, [], 'You are no longer marked as being away');
  }
}
