// PART (docs/commands.md): to all members including the leaver; an empty channel is removed.
import type { ChannelRow } from '../../store/store.js';
import { closeMembership } from '../channel-leave.js';
import type { Context } from '../context.js';
import { ircError } from '../errors.js';
import { ERR } from '../../model/numerics.js';
import { targetList } from '../target-lists.js';
import { eachTarget } from '../targets.js';
import type { CommandInput } from '../../model/envelope.js';
import { textLines } from '../validate.js';
import { requireVisibleChannel } from '../visible-channel.js';

export async function part(ctx: Context, input: CommandInput): Promise<void> {
  if (!input.to) throw ircError(ERR.NEEDMOREPARAMS, ['PART']);
  const reason = textLines(input.body).slice(0, 1);
  const names = targetList(ctx, 'PART', input.to);
  if (names.length === 0) throw ircError(ERR.NEEDMOREPARAMS, ['PART']);
  await eachTarget(ctx, names, async (name) => {
    // a secret channel the caller is not in is 403, not 442: its existence must not leak
    const { channel, member } = await requireVisibleChannel(ctx, name);
    if (!member) throw ircError(ERR.NOTONCHANNEL, [channel.name]);
    await partChannel(ctx, channel, reason);
  });
}

export async function partChannel(ctx: Context, channel: ChannelRow, reason: string[]) {
  const event = await ctx.emit(ctx.fromMe('PART', channel.name, reason), {
    kind: 'channel',
    channelId: channel.id,
  });
  await closeMembership(ctx, ctx.session.id, channel, event.seq);
}
