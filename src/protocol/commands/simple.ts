// PING, AWAY and SETNAME: small commands (AWAY's and SETNAME's events for away-notify and setname).
import type { Context } from '../context.js';
import { ERR, RPL } from '../../model/numerics.js';
import { badRequest, ircError } from '../errors.js';
import { AWAY_MAX } from '../name-syntax.js';
import { requireRealname } from '../realname.js';
import type { CommandInput } from '../../model/envelope.js';
import { firstText } from '../validate.js';

export async function ping(ctx: Context, input: CommandInput): Promise<void> {
  const token = firstText(input) ?? ctx.server;
  await ctx.replyEnvelope({
    command: 'PONG',
    from: ctx.server,
    to: ctx.session.nick,
    params: [ctx.server],
    body: [token],
  });
}

export async function away(ctx: Context, input: CommandInput): Promise<void> {
  const text = firstText(input) || null;
  if (text !== null && [...text].length > AWAY_MAX) {
    throw badRequest(
      'away_too_long',
      `an away message is at most ${AWAY_MAX} characters (AWAYLEN)`,
    );
  }
  const before = ctx.session.away;
  await ctx.tx.updateSession(ctx.session.id, { away: text });
  if (text) await ctx.reply(RPL.NOWAWAY, [], 'You have been marked as being away');
  else await ctx.reply(RPL.UNAWAY, [], 'You are no longer marked as being away');
  if (text === before) return;
  // IRCv3 away-notify: body [message] when away, [] when back.
  await announce(ctx, 'AWAY', text === null ? [] : [text]);
}

/**
 * SETNAME (IRCv3 setname): a new real name, refused whole (400 `invalid_realname`) when empty,
 * over 64 code points or with control characters. The caller's own clients always get the event
 * (the IRC confirmation), also when the name did not change.
 */
export async function setname(ctx: Context, input: CommandInput): Promise<void> {
  const text = firstText(input);
  if (text === undefined) throw ircError(ERR.NEEDMOREPARAMS, ['SETNAME']);
  const realname = requireRealname(text);
  if (realname !== ctx.session.realname) {
    await ctx.tx.updateSession(ctx.session.id, { realname });
    ctx.session = { ...ctx.session, realname };
  }
  await announce(ctx, 'SETNAME', [realname]);
}

/**
 * A change about the caller (AWAY, SETNAME, ACCOUNT) for everyone sharing a channel and the
 * session's own clients, stored once like NICK.
 */
export async function announce(ctx: Context, command: string, body: string[]): Promise<void> {
  const channels = (await ctx.tx.listSessionChannels(ctx.session.id)).map((c) => c.channelId);
  await ctx.emit(ctx.fromMe(command, ctx.session.nick, body), {
    kind: 'session',
    sessionId: ctx.session.id,
    alsoChannels: channels,
  });
}
