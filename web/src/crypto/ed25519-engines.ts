// Which Ed25519 the page uses (docs/signing.md, docs/clients.md). WebCrypto where the browser has
// Ed25519 and the page is a secure context (https, localhost): the private key is then a
// non-extractable CryptoKey that script can use but never read. Elsewhere (plain http on a LAN
// address, where `crypto.subtle` does not exist, or a browser without WebCrypto Ed25519) the
// audited @noble/ed25519 with @noble/hashes' SHA-512: the private key is then 32 raw bytes.
//
// noble's synchronous API is used on purpose: its async one hashes with crypto.subtle.digest,
// which the pages that need this fallback do not have.
import {
  getPublicKey,
  hashes,
  sign as nobleSign,
  utils,
  verify as nobleVerify,
} from '@noble/ed25519';
import { sha512 } from '@noble/hashes/sha2.js';

hashes.sha512 = sha512;

/** A WebCrypto CryptoKey, kept opaque (Node's type-check of the tests has no DOM types). */
export type OpaqueKey = object;

/** This browser's signing key: a non-extractable CryptoKey, or raw bytes (the fallback). */
export type SigningKey =
  | { kind: 'webcrypto'; privateKey: OpaqueKey; publicKey: Uint8Array }
  | { kind: 'raw'; secret: Uint8Array; publicKey: Uint8Array };

export interface Ed25519Engine {
  kind: 'webcrypto' | 'noble';
  /** Never rejects: a malformed key or signature verifies nothing. */
  verify(publicKey: Uint8Array, sig: Uint8Array, data: Uint8Array): Promise<boolean>;
  generate(): Promise<SigningKey>;
}

/** The part of WebCrypto used here. */
export interface Subtle {
  importKey(
    format: 'raw',
    key: Uint8Array,
    algorithm: { name: 'Ed25519' },
    extractable: boolean,
    usages: string[],
  ): Promise<OpaqueKey>;
  verify(
    alg: { name: 'Ed25519' },
    key: OpaqueKey,
    sig: Uint8Array,
    data: Uint8Array,
  ): Promise<boolean>;
  sign(alg: { name: 'Ed25519' }, key: OpaqueKey, data: Uint8Array): Promise<ArrayBuffer>;
  generateKey(
    alg: { name: 'Ed25519' },
    extractable: boolean,
    usages: string[],
  ): Promise<{ privateKey: OpaqueKey; publicKey: OpaqueKey }>;
  exportKey(format: 'raw', key: OpaqueKey): Promise<ArrayBuffer>;
}

const ED25519 = { name: 'Ed25519' } as const;

export const nobleEngine: Ed25519Engine = {
  kind: 'noble',
  verify: (publicKey, sig, data) => {
    try {
      // zip215 false: RFC 8032's strict rules (canonical S and point encodings), as chatd's
      // node:crypto check applies them, so the page never accepts what the server would refuse.
      return Promise.resolve(nobleVerify(sig, data, publicKey, { zip215: false }));
    } catch {
      return Promise.resolve(false); // wrong lengths, a key that is no curve point
    }
  },
  generate: () => {
    const secret = utils.randomSecretKey();
    return Promise.resolve({ kind: 'raw', secret, publicKey: getPublicKey(secret) });
  },
};

export function webCryptoEngine(subtle: Subtle): Ed25519Engine {
  return {
    kind: 'webcrypto',
    verify: async (publicKey, sig, data) => {
      try {
        const key = await subtle.importKey('raw', publicKey, ED25519, false, ['verify']);
        return await subtle.verify(ED25519, key, sig, data);
      } catch {
        return false; // a key WebCrypto refuses (not a curve point) verifies nothing
      }
    },
    generate: async () => {
      // non-extractable: the private half can sign but can never be read out of the browser
      const pair = await subtle.generateKey(ED25519, false, ['sign', 'verify']);
      const publicKey = new Uint8Array(await subtle.exportKey('raw', pair.publicKey));
      return { kind: 'webcrypto', privateKey: pair.privateKey, publicKey };
    },
  };
}

const subtleHere = (): Subtle | undefined =>
  (globalThis.crypto as { subtle?: unknown } | undefined)?.subtle as Subtle | undefined;

/** Whether WebCrypto really does Ed25519 here: a throwaway key signs and verifies one byte. */
async function webCryptoWorks(subtle: Subtle): Promise<boolean> {
  try {
    const pair = await subtle.generateKey(ED25519, false, ['sign', 'verify']);
    const data = new Uint8Array([1]);
    const sig = new Uint8Array(await subtle.sign(ED25519, pair.privateKey, data));
    return await subtle.verify(ED25519, pair.publicKey, sig, data);
  } catch {
    return false; // NotSupportedError: no Ed25519 in this browser's WebCrypto
  }
}

let chosen: Promise<Ed25519Engine> | null = null;

/** The engine for this page (decided once). */
export function ed25519(): Promise<Ed25519Engine> {
  chosen ??= (async () => {
    const subtle = subtleHere();
    return subtle && (await webCryptoWorks(subtle)) ? webCryptoEngine(subtle) : nobleEngine;
  })();
  return chosen;
}

/** Signs `data` with this browser's key (whichever kind it is). */
export async function signBytes(key: SigningKey, data: Uint8Array): Promise<Uint8Array> {
  if (key.kind === 'raw') return nobleSign(data, key.secret);
  const subtle = subtleHere();
  if (!subtle) throw new Error('this page has no WebCrypto, which the stored key needs');
  return new Uint8Array(await subtle.sign(ED25519, key.privateKey, data));
}
