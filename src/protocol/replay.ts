// The channel-state replay (docs/api.md): for each channel the session is in, JOIN, 332/333, 353/366,
// queued to one client, so a device that attaches later knows where it is.
import type { Context } from './context.js';
import { replyEndOfNames, replyNames } from './namreply-lines.js';
import { replyTopic } from './topic-reply.js';

export async function replayChannelState(ctx: Context): Promise<void> {
  for (const { channel } of await ctx.tx.listSessionChannels(ctx.session.id)) {
    await ctx.replyEnvelope(ctx.fromMe('JOIN', channel.name));
    await replyTopic(ctx, channel);
    await replyNames(ctx, channel);
    await replyEndOfNames(ctx, channel.name);
  }
}
