// What a client's queue gets when it attaches to a session (docs/sessions.md): the welcome
// burst, then (for a session that already has channels) the channel-state replay, and 306 when
// the session is away. A new client and a device logging in again get the same.
import type { Context } from './context.js';
import { RPL } from '../model/numerics.js';
import { replayChannelState } from './replay.js';
import { sendWelcome } from './welcome.js';

/** The seqs of the first and last rows of one arrival burst. */
export interface BurstRange {
  first: number;
  last: number;
}

/** Queues the arrival burst to the context's client. */
export async function queueArrival(ctx: Context): Promise<BurstRange> {
  const from = ctx.out.replies.length;
  await sendWelcome(ctx);
  await replayChannelState(ctx);
  if (ctx.session.away !== null) {
    await ctx.reply(RPL.NOWAWAY, [], 'You have been marked as being away');
  }
  const queued = ctx.out.replies.slice(from);
  const first = queued[0];
  const last = queued[queued.length - 1];
  // the welcome burst alone is several rows, so this cannot happen
  if (!first || !last) throw new Error('queueArrival: nothing was queued');
  return { first: first.seq, last: last.seq };
}
