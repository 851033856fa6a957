// Checking a delivered message's signature in the browser (docs/signing.md). src/shared/signing.ts does
// this on Node with node:crypto, which a page cannot load, so the check is restated here over the
// shared pieces: the candidate forms of a delivered message (src/shared/delivered-forms.ts) and
// the canonical form (src/shared/jcs.ts) of {command, to, params, body, meta without sig/alg}.
// Ed25519 is WebCrypto's where the page has it, else @noble/ed25519 (ed25519-engines.ts).
import { deliveredForms, type DeliveredFields } from '../../../src/shared/delivered-forms.js';
import { canonicalize } from '../../../src/shared/jcs.js';
import { decodeBase64 } from './base64.js';
import { ed25519, type Ed25519Engine } from './ed25519-engines.js';

export { decodeBase64 } from './base64.js';

export type SignedFields = DeliveredFields;

/** The byte strings a valid signature of this delivered message may cover. */
export function candidatePayloads(msg: SignedFields): Uint8Array[] {
  const meta = Object.fromEntries(
    Object.entries(msg.meta ?? {}).filter(([key]) => key !== 'sig' && key !== 'alg'),
  );
  const out: Uint8Array[] = [];
  for (const form of deliveredForms(msg)) {
    try {
      out.push(new TextEncoder().encode(canonicalize({ ...form, meta })));
    } catch {
      // content JSON cannot carry (a lone surrogate…): no valid signature covers it
    }
  }
  return out;
}

/**
 * Whether the delivered message carries a good Ed25519 signature (`meta.sig`, `meta.alg`
 * "ed25519") under `publicKey` (raw key, base64). Never rejects. `engine` defaults to the page's.
 */
export async function verifyDelivered(
  msg: SignedFields,
  publicKey: string,
  engine?: Ed25519Engine,
): Promise<boolean> {
  const meta = msg.meta;
  if (meta?.alg !== 'ed25519') return false;
  const key = decodeBase64(publicKey, 32);
  const sig = decodeBase64(meta.sig, 64);
  if (key === null || sig === null) return false;
  const ed = engine ?? (await ed25519());
  for (const payload of candidatePayloads(msg)) {
    if (await ed.verify(key, sig, payload)) return true;
  }
  return false;
}
