// PRIVMSG and NOTICE (docs/commands.md): to a channel, stored once for all members; to a nick, stored once
// for both sessions. NOTICE delivers the same way but never produces any reply.
import { requireCanSend } from '../channel-speech.js';
import type { Context } from '../context.js';
import type { EnvelopeFields } from '../envelope.js';
import { ircError } from '../errors.js';
import { requireChannel, requireSession, dmPair } from '../lookup.js';
import { approximateMemberCount } from '../member-counts.js';
import { ERR, RPL } from '../../model/numerics.js';
import { targetList } from '../target-lists.js';
import { eachTarget } from '../targets.js';
import type { CommandInput } from '../../model/envelope.js';
import { textLines } from '../validate.js';

export async function privmsg(ctx: Context, input: CommandInput): Promise<void> {
  await sendText(ctx, input, 'PRIVMSG');
}

export async function notice(ctx: Context, input: CommandInput): Promise<void> {
  await sendText(ctx, input, 'NOTICE');
}

/**
 * TAGMSG (IRCv3 message-tags): a message with no text, only the client tags in `meta.tags`
 * (typing notifications, reactions). Delivered like PRIVMSG, under the same rules (+n, +m,
 * bans, flood control); IRC clients without message-tags never see it.
 */
export async function tagmsg(ctx: Context, input: CommandInput): Promise<void> {
  await sendText(ctx, { ...input, body: [] }, 'TAGMSG');
}

/** One message to one target: the envelope fields are the same for a channel and a nick. */
interface Outgoing {
  target: string;
  fields: EnvelopeFields;
}

async function sendText(ctx: Context, input: CommandInput, command: string): Promise<void> {
  if (!input.to) throw ircError(ERR.NORECIPIENT, [], `No recipient given (${command})`);
  const lines = textLines(input.body);
  if (command !== 'TAGMSG' && !lines.some((l) => l.length > 0)) throw ircError(ERR.NOTEXTTOSEND);
  const targets = targetList(ctx, command, input.to);
  if (targets.length === 0) throw ircError(ERR.NORECIPIENT, [], `No recipient given (${command})`);
  await eachTarget(ctx, targets, async (target) => {
    // The stored `to` is what the client sent (signatures cover it), unless it named several.
    const to = targets.length === 1 ? input.to! : target;
    const fields = {
      command,
      from: ctx.session.nick,
      ...ctx.sender(),
      to,
      params: input.params,
      body: lines,
      meta: input.meta,
    };
    if (target.startsWith('#')) await toChannel(ctx, { target, fields });
    else await toNick(ctx, { target, fields });
  });
  if (ctx.out.first) {
    await ctx.tx.updateSession(ctx.session.id, { lastMessageAt: ctx.now() });
  }
}

async function toChannel(ctx: Context, out: Outgoing): Promise<void> {
  const channel = await requireChannel(ctx, out.target);
  await requireCanSend(ctx, channel, out.target);
  await ctx.emit(out.fields, { kind: 'channel', channelId: channel.id });
  ctx.env.observer.fanout(await approximateMemberCount(ctx, channel.id));
}

async function toNick(ctx: Context, out: Outgoing): Promise<void> {
  const peer = await requireSession(ctx, out.target);
  const me = ctx.session.id;
  await ctx.emit(out.fields, {
    kind: 'session',
    sessionId: peer.id,
    senderSessionId: me,
    dmPair: dmPair(me, peer.id),
  });
  ctx.env.observer.fanout(peer.id === me ? 1 : 2);
  if (out.fields.command === 'PRIVMSG' && peer.away !== null) {
    await ctx.reply(RPL.AWAY, [peer.nick], peer.away);
  }
}
