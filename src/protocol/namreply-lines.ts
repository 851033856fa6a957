// 353/366 (NAMES): names split over several 353 lines as IRC servers do, so no line outgrows what
// an IRC client (and our IRC listener later) can carry.
import type { ChannelRow } from '../store/store.js';
import type { Context } from './context.js';
import {
  allPrefixesOf,
  channelType,
  identityOf,
  isSecret,
  myMembership,
  prefixOf,
} from './lookup.js';
import { RPL } from '../model/numerics.js';

const NAMES_LINE_BYTES = 400;

/**
 * Queues the 353 lines for a channel (nothing for a secret channel the caller is not in). The
 * lines stop at the request's reply budget with a 416 (a channel of ~20,000 members fills one
 * page); the full list stays readable page by page at GET /api/v1/channels/{name}/members.
 */
export async function replyNames(ctx: Context, channel: ChannelRow): Promise<void> {
  if (isSecret(channel) && !(await myMembership(ctx, channel))) return;
  if (!ctx.hasReplyRoom()) return ctx.tooManyMatches('NAMES', channel.name);
  const members = await ctx.tx.listMembers(channel.id);
  const { multiPrefix, userhostInNames } = ctx.style;
  const names = members.map(
    (m) =>
      (multiPrefix ? allPrefixesOf(m.modes) : prefixOf(m.modes)) +
      (userhostInNames ? identityOf(m.session, ctx.server) : m.session.nick),
  );
  let line = '';
  for (const name of names) {
    if (line && line.length + 1 + name.length > NAMES_LINE_BYTES) {
      await ctx.reply(RPL.NAMREPLY, [channelType(channel), channel.name], line);
      line = '';
      if (!ctx.hasReplyRoom()) return ctx.tooManyMatches('NAMES', channel.name);
    }
    line = line ? `${line} ${name}` : name;
  }
  if (line) await ctx.reply(RPL.NAMREPLY, [channelType(channel), channel.name], line);
}

export async function replyEndOfNames(ctx: Context, name: string): Promise<void> {
  await ctx.reply(RPL.ENDOFNAMES, [name], 'End of /NAMES list');
}
