// PRIVMSG and NOTICE (SPEC §4): to a channel, stored once for all members; to a nick, stored once
// for both sessions. NOTICE delivers the same way but never produces any reply.
import type { Context } from '../context.js';
import { ircError } from '../errors.js';
import {
  isChanOp,
  myMembership,
  requireChannel,
  requireSession,
  dmPair,
  splitTargets,
} from '../lookup.js';
import { approximateMemberCount } from '../member-counts.js';
import { ERR, RPL } from '../numerics.js';
import { eachTarget } from '../targets.js';
import type { CommandInput } from '../types.js';
import { textLines } from '../validate.js';

export async function privmsg(ctx: Context, input: CommandInput): Promise<void> {
  await sendText(ctx, input, 'PRIVMSG');
}

export async function notice(ctx: Context, input: CommandInput): Promise<void> {
  await sendText(ctx, input, 'NOTICE');
}

async function sendText(ctx: Context, input: CommandInput, command: string): Promise<void> {
  if (!input.to) throw ircError(ERR.NORECIPIENT, [], `No recipient given (${command})`);
  const lines = textLines(input.body);
  if (!lines.some((l) => l.length > 0)) throw ircError(ERR.NOTEXTTOSEND);
  const targets = splitTargets(input.to);
  if (targets.length === 0) throw ircError(ERR.NORECIPIENT, [], `No recipient given (${command})`);
  const single = targets.length === 1;
  await eachTarget(ctx, targets, async (target) => {
    // The stored `to` is what the client sent (signatures cover it), unless it named several.
    const to = single ? input.to! : target;
    if (target.startsWith('#')) await toChannel(ctx, input, command, target, to, lines);
    else await toNick(ctx, input, command, target, to, lines);
  });
  if (ctx.out.first) {
    await ctx.tx.updateSession(ctx.session.id, { lastMessageAt: ctx.now() });
  }
}

async function toChannel(
  ctx: Context,
  input: CommandInput,
  command: string,
  target: string,
  to: string,
  lines: string[],
): Promise<void> {
  const channel = await requireChannel(ctx, target);
  const member = await myMembership(ctx, channel);
  const refuse = (why: string) =>
    ircError(ERR.CANNOTSENDTOCHAN, [channel.name], `Cannot send to channel (${why})`);
  if (!member && channel.modes.includes('n')) throw refuse('+n');
  if (
    channel.modes.includes('m') &&
    !isChanOp(ctx.session, member) &&
    !member?.modes.includes('v')
  ) {
    throw refuse('+m');
  }
  await ctx.emit(
    { command, from: ctx.session.nick, to, params: input.params, body: lines, meta: input.meta },
    { kind: 'channel', channelId: channel.id },
  );
  ctx.env.observer.fanout(await approximateMemberCount(ctx, channel.id));
}

async function toNick(
  ctx: Context,
  input: CommandInput,
  command: string,
  target: string,
  to: string,
  lines: string[],
): Promise<void> {
  const peer = await requireSession(ctx, target);
  await ctx.emit(
    { command, from: ctx.session.nick, to, params: input.params, body: lines, meta: input.meta },
    {
      kind: 'session',
      sessionId: peer.id,
      senderSessionId: ctx.session.id,
      dmPair: dmPair(ctx.session.id, peer.id),
    },
  );
  ctx.env.observer.fanout(peer.id === ctx.session.id ? 1 : 2);
  if (command === 'PRIVMSG' && peer.away !== null) {
    await ctx.reply(RPL.AWAY, [peer.nick], peer.away);
  }
}
