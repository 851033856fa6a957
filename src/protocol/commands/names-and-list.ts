// NAMES and LIST (docs/commands.md): secret channels are invisible to non-members. LIST is cut at the
// request's reply budget with 416; NAMES names one channel (TARGMAX NAMES:1).
import type { ChannelWithCount } from '../../store/store.js';
import type { Context } from '../context.js';
import { isSecret } from '../lookup.js';
import { requireMask } from '../name-syntax.js';
import { replyEndOfNames, replyNames } from '../namreply-lines.js';
import { RPL } from '../../model/numerics.js';
import { targetList } from '../target-lists.js';
import type { CommandInput } from '../../model/envelope.js';
import { findVisibleChannel } from '../visible-channel.js';

export async function names(ctx: Context, input: CommandInput): Promise<void> {
  if (input.to) {
    for (const name of targetList(ctx, 'NAMES', input.to)) {
      // unknown, or secret and the caller not in it: only 366, with the name as given (ngIRCd)
      const found = await findVisibleChannel(ctx, name);
      if (found) await replyNames(ctx, found.channel);
      await replyEndOfNames(ctx, found?.channel.name ?? name);
    }
    return;
  }
  // Without a channel, only the end of the list, as InspIRCd and Ergo answer: listing every
  // channel's members (RFC 1459) is one request reading the whole server.
  await replyEndOfNames(ctx, '*');
}

export async function list(ctx: Context, input: CommandInput): Promise<void> {
  const raw = input.params?.[0] ?? input.to;
  const masks = raw ? targetList(ctx, 'LIST', raw).map(requireMask) : null;
  await ctx.reply(RPL.LISTSTART, ['Channel'], 'Users  Name');
  for (const channel of await visibleChannels(ctx)) {
    if (masks && !masks.some((matches) => matches(channel.nameFolded))) continue;
    if (!ctx.hasReplyRoom()) {
      await ctx.tooManyMatches('LIST', raw ?? '');
      break;
    }
    await ctx.reply(RPL.LIST, [channel.name, String(channel.memberCount)], channel.topic ?? '');
  }
  await ctx.reply(RPL.LISTEND, [], 'End of /LIST');
}

/** Live channels the caller may see: not secret, or the caller is a member. */
export async function visibleChannels(ctx: Context): Promise<ChannelWithCount[]> {
  const mine = new Set((await ctx.tx.listSessionChannels(ctx.session.id)).map((c) => c.channelId));
  return (await ctx.tx.listChannels()).filter((c) => !isSecret(c) || mine.has(c.id));
}
