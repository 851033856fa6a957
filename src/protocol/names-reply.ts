// 353/366 (NAMES): names split over several 353 lines as IRC servers do, so no line outgrows what
// an IRC client (and our IRC listener later) can carry.
import type { ChannelRow } from '../store/store.js';
import type { Context } from './context.js';
import { channelType, isSecret, myMembership, prefixOf } from './lookup.js';
import { RPL } from './numerics.js';

const NAMES_LINE_BYTES = 400;

/** Queues the 353 lines for a channel (nothing for a secret channel the caller is not in). */
export async function replyNames(ctx: Context, channel: ChannelRow): Promise<void> {
  if (isSecret(channel) && !(await myMembership(ctx, channel))) return;
  const members = await ctx.tx.listMembers(channel.id);
  const names = members.map((m) => prefixOf(m.modes) + m.session.nick);
  let line = '';
  for (const name of names) {
    if (line && line.length + 1 + name.length > NAMES_LINE_BYTES) {
      await ctx.reply(RPL.NAMREPLY, [channelType(channel), channel.name], line);
      line = '';
    }
    line = line ? `${line} ${name}` : name;
  }
  if (line) await ctx.reply(RPL.NAMREPLY, [channelType(channel), channel.name], line);
}

export async function replyEndOfNames(ctx: Context, name: string): Promise<void> {
  await ctx.reply(RPL.ENDOFNAMES, [name], 'End of /NAMES list');
}
