// 332/333 for a channel with a topic (JOIN, TOPIC query, state replay).
import type { ChannelRow } from '../store/store.js';
import type { Context } from './context.js';
import { unixSeconds } from './envelope.js';
import { RPL } from '../model/numerics.js';

export async function replyTopic(ctx: Context, channel: ChannelRow): Promise<boolean> {
  if (!channel.topic) return false;
  await ctx.reply(RPL.TOPIC, [channel.name], channel.topic);
  await ctx.reply(
    RPL.TOPICWHOTIME,
    [channel.name, channel.topicSetBy ?? ctx.server],
    unixSeconds(channel.topicSetAt ?? channel.createdAt),
  );
  return true;
}
