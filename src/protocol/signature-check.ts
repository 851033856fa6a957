// Server-side signature check (docs/signing.md), run inside the command's transaction before its handler,
// so a refused signature stores nothing. In this order, each refusal a 400 with its own code:
//   1. who vouches: PUBKEY proves possession, so it must be signed and is checked under the key in
//      its own body (a body that is no key is left to the handler: invalid_pubkey). Any other
//      command passes unsigned (signing is per message); signed from a session that announced no
//      key it is `no_key`: there is nothing to check it against, and relaying it unchecked would
//      let anyone pass on someone else's signed messages;
//   2. the form: `meta.alg` "ed25519" and `meta.sig` a string (`bad_signature`);
//   3. the claims: `meta.signer` folds to the session's nick (`bad_signer`), `meta.ts` is an
//      integer within SIGNATURE_WINDOW_MS of the server's clock (`stale_signature`);
//   4. one target per signed message (`bad_signature`), then the signature itself;
//   5. once only: its digest is recorded in this same transaction (`replayed_signature`), so the
//      record commits exactly when the command does, and holds across restarts and instances.
//
// The signature is checked over the message as it will be delivered, with the same function
// recipients use (verifyDelivered, see src/shared/signing.ts): a signature the server accepts is
// one every recipient can verify. So the command counts in upper case, and `to` must be what gets
// stored: a comma list is stored as one message per target, which one signature cannot cover.
import { createHash } from 'node:crypto';
import { isSigned, SIGNATURE_WINDOW_MS, signedMetaProblem } from '../shared/signed-meta.js';
import { parsePubkeyBody, SIGNATURE_ALG, verifyDelivered } from '../shared/signing.js';
import type { Context } from './context.js';
import { badRequest, type ChatError } from './errors.js';
import { StoreConflict } from '../store/errors.js';
import { splitTargets } from './lookup.js';
import type { CommandInput } from '../model/envelope.js';

/**
 * A spent signature is kept this long after its `meta.ts` plus the window: past that no instance
 * accepts it anyway, even one whose clock is this much behind the one that pruned.
 */
const SPENT_SLACK_MS = 60_000;

/** Throws a 400 (see above) unless `input` is unsigned or its signature is good and fresh. */
export async function checkSignature(
  ctx: Context,
  verb: string,
  input: CommandInput,
): Promise<void> {
  const key = signingKey(ctx, verb, input);
  if (key === null) return;
  const meta = input.meta!;
  if (meta.alg !== SIGNATURE_ALG) {
    throw badSignature(`meta.alg must be "${SIGNATURE_ALG}" on a signed message`);
  }
  if (typeof meta.sig !== 'string') {
    throw badSignature('meta.sig must be the standard base64 of a 64-byte Ed25519 signature');
  }
  checkClaims(ctx, meta);
  if (input.to !== undefined && splitTargets(input.to).length > 1) {
    throw badSignature(
      `"to" names several targets (${input.to}); each gets its own message with "to" set to ` +
        'that one target, which one signature cannot cover: sign and send one message per target',
    );
  }
  // What makeEnvelope stores (docs/envelope-and-delivery.md): params and body default to [], meta to {}. A PUBKEY
  // without `to` gets a `to` per channel; verifyDelivered accepts its form without `to`.
  const delivered = {
    command: verb,
    to: input.to,
    params: input.params ?? [],
    body: input.body ?? [],
    meta,
  };
  if (!verifyDelivered(delivered, key)) throw badSignature(whyNot(verb, input));
  await spend(ctx, meta.sig, meta.ts as number);
}

/**
 * The key to check `input` against, or null when it needs no check (unsigned, or a PUBKEY whose
 * body the handler will refuse). Throws for an unsigned PUBKEY and for `no_key`.
 */
function signingKey(ctx: Context, verb: string, input: CommandInput): string | null {
  const signed = isSigned(input.meta);
  if (verb === 'PUBKEY') {
    const parsed = parsePubkeyBody(input.body);
    if (!parsed.ok) return null;
    if (!signed) {
      throw badSignature(
        'PUBKEY must be signed with the key it announces (proof of possession): meta.sig, ' +
          `meta.alg "${SIGNATURE_ALG}", meta.signer (your nick) and meta.ts (ms since the epoch)`,
      );
    }
    return parsed.value.key;
  }
  if (!signed) return null;
  if (ctx.session.pubkey === null) {
    throw badRequest(
      'no_key',
      'this session has announced no signing key with PUBKEY, so its signatures cannot be ' +
        'checked: announce a key first, or send the message unsigned',
    );
  }
  return ctx.session.pubkey;
}

/** `meta.signer` must be the sender's current nick and `meta.ts` close to the server's clock. */
function checkClaims(ctx: Context, meta: Record<string, unknown>): void {
  const windowS = SIGNATURE_WINDOW_MS / 1000;
  switch (signedMetaProblem(meta, ctx.session.nick, ctx.now())) {
    case null:
      return;
    case 'no-signer':
      throw badRequest('bad_signer', "a signed message must carry meta.signer, the sender's nick");
    case 'wrong-signer':
      throw badRequest(
        'bad_signer',
        `meta.signer must be the sender's current nick (${ctx.session.nick})`,
      );
    case 'no-ts':
      throw badRequest(
        'stale_signature',
        "a signed message must carry meta.ts, the sender's clock in integer milliseconds " +
          'since the epoch',
      );
    case 'stale': {
      const off = Math.round(((meta.ts as number) - ctx.now()) / 1000);
      throw badRequest(
        'stale_signature',
        `meta.ts is ${off} s from the server's clock; at most ${windowS} s either way is accepted`,
      );
    }
  }
}

function whyNot(verb: string, input: CommandInput): string {
  let why =
    verb === 'PUBKEY'
      ? 'meta.sig does not verify under the key this PUBKEY announces (proof of possession)'
      : 'meta.sig does not verify under the key this session announced with PUBKEY';
  if (input.command !== verb) {
    why += `; the signature must cover the command as delivered, in upper case ("${verb}")`;
  }
  return why;
}

/** Records the signature as accepted; a second use within its lifetime is `replayed_signature`. */
async function spend(ctx: Context, sig: string, ts: number): Promise<void> {
  const digest = createHash('sha256').update(Buffer.from(sig, 'base64')).digest('hex');
  try {
    await ctx.tx.spendSignature(digest, ts + SIGNATURE_WINDOW_MS + SPENT_SLACK_MS);
  } catch (err) {
    if (err instanceof StoreConflict && err.what === 'signature') {
      throw badRequest(
        'replayed_signature',
        'this signature was already accepted: a signed message is accepted once (sign it ' +
          'again, with a fresh meta.ts, to send the same text again)',
      );
    }
    throw err;
  }
}

function badSignature(message: string): ChatError {
  return badRequest('bad_signature', message);
}
