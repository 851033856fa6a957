// Checking a delivered message's signature in the browser (docs/signing.md). src/shared/signing.ts does
// this on Node with node:crypto, which a page cannot load, so the check is restated here over the
// shared pieces: the candidate forms of a delivered message (src/shared/delivered-forms.ts) and
// the canonical form (src/shared/jcs.ts) of {command, to, params, body, meta without sig/alg}.
// Ed25519 comes from WebCrypto where the browser has it (Chromium, Firefox, Safari on https or
// localhost) and from the pure-JS ed25519.ts elsewhere.
import { deliveredForms, type DeliveredFields } from '../../../src/shared/delivered-forms.js';
import { canonicalize } from '../../../src/shared/jcs.js';
import { ed25519Verify } from './ed25519.js';

export type SignedFields = DeliveredFields;

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Strict standard base64 of exactly `bytes` bytes, or null. */
export function decodeBase64(text: unknown, bytes: number): Uint8Array | null {
  if (typeof text !== 'string' || text.length !== 4 * Math.ceil(bytes / 3)) return null;
  if (!BASE64.test(text)) return null;
  let binary: string;
  try {
    binary = atob(text);
  } catch {
    return null;
  }
  if (binary.length !== bytes) return null;
  const out = Uint8Array.from(binary, (c) => c.charCodeAt(0));
  return btoa(binary) === text ? out : null;
}

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

/** The part of WebCrypto used here (typed locally: Node's tests load this file without the DOM types). */
interface Subtle {
  importKey(
    format: 'raw',
    key: Uint8Array,
    algorithm: { name: 'Ed25519' },
    extractable: false,
    usages: ['verify'],
  ): Promise<unknown>;
  verify(
    algorithm: { name: 'Ed25519' },
    key: unknown,
    sig: Uint8Array,
    data: Uint8Array,
  ): Promise<boolean>;
}

type VerifyFn = (key: Uint8Array, sig: Uint8Array, data: Uint8Array) => Promise<boolean>;
interface Verifier {
  kind: 'webcrypto' | 'javascript';
  verify: VerifyFn;
}

let verifier: Promise<Verifier> | null = null;

/** WebCrypto's Ed25519 if it works here (tried once), else the JS implementation. */
function pickVerifier(): Promise<Verifier> {
  const js: Verifier = {
    kind: 'javascript',
    verify: async (key, sig, data) => ed25519Verify(key, sig, data),
  };
  const subtle = (globalThis.crypto as { subtle?: unknown } | undefined)?.subtle as
    Subtle | undefined;
  if (!subtle) return Promise.resolve(js);
  const viaWebCrypto: VerifyFn = async (key, sig, data) => {
    const k = await subtle.importKey('raw', key, { name: 'Ed25519' }, false, ['verify']);
    return subtle.verify({ name: 'Ed25519' }, k, sig, data);
  };
  // A known-bad signature under the base point's key: WebCrypto either answers (false) or throws
  // NotSupportedError, which tells us whether it has Ed25519 at all.
  const probeKey = new Uint8Array(32);
  probeKey[0] = 0x58;
  probeKey.fill(0x66, 1);
  return viaWebCrypto(probeKey, new Uint8Array(64), new Uint8Array(1)).then(
    (): Verifier => ({ kind: 'webcrypto', verify: viaWebCrypto }),
    () => js,
  );
}

/**
 * Whether the delivered message carries a good Ed25519 signature (`meta.sig`, `meta.alg`
 * "ed25519") under `publicKey` (raw key, base64). Never rejects.
 */
export async function verifyDelivered(msg: SignedFields, publicKey: string): Promise<boolean> {
  const meta = msg.meta;
  if (meta?.alg !== 'ed25519') return false;
  const key = decodeBase64(publicKey, 32);
  const sig = decodeBase64(meta.sig, 64);
  if (key === null || sig === null) return false;
  verifier ??= pickVerifier();
  const { verify } = await verifier;
  for (const payload of candidatePayloads(msg)) {
    try {
      if (await verify(key, sig, payload)) return true;
    } catch {
      // a key WebCrypto refuses (not a curve point) verifies nothing
    }
  }
  return false;
}
