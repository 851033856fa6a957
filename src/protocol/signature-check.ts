// Server-side signature check (SPEC §11): a signed command from a session that announced a key
// with PUBKEY must verify, or it is refused with 400 bad_signature before its handler runs (so
// nothing of it is stored). Unsigned commands, and signed ones from a session without a key,
// pass unchecked: signing is per message and optional.
//
// The check is over the message as it will be delivered, with the same function recipients use
// (verifyDelivered, see the rule in src/shared/signing.ts): a signature the server accepts is one
// every recipient can verify. So the command counts in upper case, and `to` must be what gets
// stored: a comma list is stored as one message per target, and a PUBKEY without `to` as one
// message per channel, each with its own `to`, which one signature cannot cover.
import type { SessionRow } from '../store/store.js';
import { SIGNATURE_ALG, verifyDelivered } from '../shared/signing.js';
import { badRequest, type ChatError } from './errors.js';
import { splitTargets } from './lookup.js';
import type { CommandInput } from './types.js';

/** Throws 400 bad_signature when `input` is signed and does not verify under the session's key. */
export function checkSignature(session: SessionRow, verb: string, input: CommandInput): void {
  const meta = input.meta;
  if (meta === undefined || !(Object.hasOwn(meta, 'sig') || Object.hasOwn(meta, 'alg'))) return;
  if (session.pubkey === null) return; // no key announced: nothing to check against
  if (meta.alg !== SIGNATURE_ALG) {
    throw badSignature(`meta.alg must be "${SIGNATURE_ALG}" on a signed message`);
  }
  if (typeof meta.sig !== 'string') {
    throw badSignature('meta.sig must be the standard base64 of a 64-byte Ed25519 signature');
  }
  if (input.to === undefined && verb === 'PUBKEY') {
    throw badSignature(
      'a PUBKEY without "to" is delivered once per channel with "to" set to that channel, ' +
        'which one signature cannot cover: send a signed PUBKEY to one target at a time',
    );
  }
  if (input.to !== undefined && splitTargets(input.to).length > 1) {
    throw badSignature(
      `"to" names several targets (${input.to}); each gets its own message with "to" set to ` +
        'that one target, which one signature cannot cover: sign and send one message per target',
    );
  }
  // What makeEnvelope stores (SPEC §2): params and body default to [], meta to {}.
  const delivered = {
    command: verb,
    to: input.to,
    params: input.params ?? [],
    body: input.body ?? [],
    meta,
  };
  if (verifyDelivered(delivered, session.pubkey)) return;
  let why = 'meta.sig does not verify under the key this session announced with PUBKEY';
  if (input.command !== verb) {
    why += `; the signature must cover the command as delivered, in upper case ("${verb}")`;
  }
  throw badSignature(why);
}

function badSignature(message: string): ChatError {
  return badRequest('bad_signature', message);
}
