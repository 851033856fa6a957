// TOPIC (docs/commands.md): without body a query (331 or 332+333); with body sets it ("" clears). A secret
// channel the caller is not in answers 403 either way, as if it did not exist.
import type { Context } from '../context.js';
import { badRequest, ircError } from '../errors.js';
import { isChanOp } from '../lookup.js';
import { TOPIC_MAX } from '../name-syntax.js';
import { ERR, RPL } from '../../model/numerics.js';
import { replyTopic } from '../topic-reply.js';
import type { CommandInput } from '../../model/envelope.js';
import { textLines } from '../validate.js';
import { requireVisibleChannel } from '../visible-channel.js';

export async function topic(ctx: Context, input: CommandInput): Promise<void> {
  if (!input.to) throw ircError(ERR.NEEDMOREPARAMS, ['TOPIC']);
  const { channel, member } = await requireVisibleChannel(ctx, input.to);
  const lines = textLines(input.body);
  if (lines.length === 0) {
    if (!(await replyTopic(ctx, channel))) {
      await ctx.reply(RPL.NOTOPIC, [channel.name], 'No topic is set');
    }
    return;
  }
  if (!member) throw ircError(ERR.NOTONCHANNEL, [channel.name]);
  if (channel.modes.includes('t') && !isChanOp(ctx.session, member)) {
    throw ircError(ERR.CHANOPRIVSNEEDED, [channel.name]);
  }
  const text = lines.join(' ');
  if ([...text].length > TOPIC_MAX) {
    throw badRequest('topic_too_long', `a topic is at most ${TOPIC_MAX} characters (TOPICLEN)`);
  }
  await ctx.tx.updateChannel(channel.id, {
    topic: text === '' ? null : text,
    topicSetBy: text === '' ? null : ctx.session.nick,
    topicSetAt: text === '' ? null : ctx.now(),
  });
  await ctx.emit(ctx.fromMe('TOPIC', channel.name, [text]), {
    kind: 'channel',
    channelId: channel.id,
  });
}
