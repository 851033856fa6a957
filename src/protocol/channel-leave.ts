// Leaving a channel (PART, KICK, QUIT): the membership interval closes at the event that removed
// the member, so it still receives that event and nothing after; an empty channel is removed.
import type { ChannelRow } from '../store/store.js';
import type { Context } from './context.js';

export async function closeMembership(
  ctx: Context,
  sessionId: number,
  channel: ChannelRow,
  seq: number,
): Promise<void> {
  await ctx.tx.closeMembership(sessionId, channel.id, seq);
  if ((await ctx.tx.countMembers(channel.id)) === 0) {
    await ctx.tx.removeChannel(channel.id, ctx.now());
  }
}
