// PUBKEY (docs/commands.md, docs/signing.md): stores the session's Ed25519 signing key and relays the announcement,
// to `to` when given (a nick like a DM, a channel like PRIVMSG), else once per channel the
// session is in, each with `to` set to that channel. The envelope carries body, params and meta
// exactly as sent, so its proof of possession (a signature with the announced key, checked in
// signature-check.ts before this runs) verifies for every recipient.
import { requireCanSend } from '../channel-speech.js';
import type { Context } from '../context.js';
import type { EnvelopeFields } from '../envelope.js';
import { badRequest, ChatError, ircError } from '../errors.js';
import { requireChannel, requireSession } from '../lookup.js';
import { ERR } from '../../model/numerics.js';
import { parsePubkeyBody, type PubkeyBodyError } from '../../shared/signing.js';
import { targetList } from '../target-lists.js';
import { eachTarget } from '../targets.js';
import type { CommandInput } from '../../model/envelope.js';

const WHY: Record<PubkeyBodyError, string> = {
  'not-an-object': 'body must be an object {"alg":"ed25519","key":"<base64>"}',
  'missing-alg': 'body.alg is missing; it must be "ed25519"',
  'unsupported-alg': 'body.alg must be "ed25519" (the only algorithm)',
  'missing-key': 'body.key is missing',
  'bad-key': 'body.key must be the standard (padded) base64 of a raw 32-byte Ed25519 public key',
  'unexpected-field': 'body may hold only "alg" and "key"',
};

export async function pubkey(ctx: Context, input: CommandInput): Promise<void> {
  const parsed = parsePubkeyBody(input.body);
  if (!parsed.ok) throw badRequest('invalid_pubkey', WHY[parsed.reason]);
  const fields = (to: string): EnvelopeFields => ({
    command: 'PUBKEY',
    from: ctx.session.nick,
    ...ctx.sender(),
    to,
    params: input.params,
    body: input.body,
    meta: input.meta,
  });
  if (input.to === undefined) {
    await toEveryChannel(ctx, fields);
  } else {
    const targets = targetList(ctx, 'PUBKEY', input.to);
    if (targets.length === 0) throw ircError(ERR.NORECIPIENT, [], 'No recipient given (PUBKEY)');
    await eachTarget(ctx, targets, async (target) => {
      // as PRIVMSG: `to` stored as sent, unless it named several targets
      const to = targets.length === 1 ? input.to! : target;
      if (target.startsWith('#')) await toChannel(ctx, target, fields(to));
      else await toNick(ctx, target, fields(to));
    });
    // Every named target refused: the announcement did not happen, so neither does the change.
    if (ctx.out.failure) return;
  }
  await ctx.tx.updateSession(ctx.session.id, { pubkey: parsed.value.key });
  ctx.session = { ...ctx.session, pubkey: parsed.value.key };
}

/**
 * One announcement per channel the session is in. A channel where it may not speak (+m, a ban)
 * gets none, and the caller a 404 ERR_CANNOTSENDTOCHAN for it among the replies; the key is
 * stored all the same, since the other channels (and the members list) learn it.
 */
async function toEveryChannel(ctx: Context, fields: (to: string) => EnvelopeFields): Promise<void> {
  for (const { channel } of await ctx.tx.listSessionChannels(ctx.session.id)) {
    try {
      await requireCanSend(ctx, channel, channel.name);
    } catch (err) {
      if (!(err instanceof ChatError)) throw err;
      await ctx.refuse(err);
      continue;
    }
    await ctx.emit(fields(channel.name), { kind: 'channel', channelId: channel.id });
  }
}

/** Like PRIVMSG to a channel: +n, +m and bans apply (an announcement is a message too). */
async function toChannel(ctx: Context, target: string, fields: EnvelopeFields): Promise<void> {
  const channel = await requireChannel(ctx, target);
  await requireCanSend(ctx, channel, target);
  await ctx.emit(fields, { kind: 'channel', channelId: channel.id });
}

/**
 * Delivered like a DM (both sessions' clients get it) but not filed under the DM pair: an
 * announcement is no conversation, so it neither opens a DM window (listDmPeers) nor is kept as
 * DM history; it ages out with QUEUE_MAX_AGE like other session rows.
 */
async function toNick(ctx: Context, target: string, fields: EnvelopeFields): Promise<void> {
  const peer = await requireSession(ctx, target);
  await ctx.emit(fields, { kind: 'session', sessionId: peer.id, senderSessionId: ctx.session.id });
}
