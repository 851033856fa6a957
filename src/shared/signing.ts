// Message signatures (docs/signing.md): Ed25519 over the UTF-8 bytes of the RFC 8785 canonical form
// of {command, to, params, body, meta without sig/alg}. Fields a message does not carry are left
// out, never defaulted; `meta` is always there ({} when empty). Keys are raw 32-byte Ed25519
// public keys and signatures raw 64 bytes, both in standard (padded) base64. A signed `meta` also
// carries `signer` and `ts` (signed-meta.ts), so a signature binds who sent it and when.
//
// The only module here that imports node:crypto; jcs.ts and tofu.ts stay pure for the web client.
import {
  createPublicKey,
  generateKeyPairSync,
  sign as cryptoSign,
  verify as cryptoVerify,
  type KeyObject,
} from 'node:crypto';
import { deliveredForms } from './delivered-forms.js';
import { canonicalize } from './jcs.js';
import { withSignerAndTime } from './signed-meta.js';

export const SIGNATURE_ALG = 'ed25519';
export const PUBLIC_KEY_BYTES = 32;
export const SIGNATURE_BYTES = 64;

/** The fields of a message that a signature covers (plus `meta.sig`/`meta.alg`, which it does not). */
export interface SignableMessage {
  command: string;
  to?: string;
  params?: readonly string[];
  body?: unknown;
  meta?: Readonly<Record<string, unknown>>;
}

export interface Signature {
  sig: string;
  alg: typeof SIGNATURE_ALG;
}

/**
 * The bytes a signature covers. A field that is undefined counts as absent (JSON cannot carry
 * undefined). Throws JcsError when the message holds something JSON cannot (NaN, lone
 * surrogates, nesting deeper than 64…) and TypeError when `meta` is not an object.
 */
export function signedPayload(msg: SignableMessage): Uint8Array {
  const form: Record<string, unknown> = { command: msg.command };
  if (msg.to !== undefined) form.to = msg.to;
  if (msg.params !== undefined) form.params = msg.params;
  if (msg.body !== undefined) form.body = msg.body;
  const meta: unknown = msg.meta ?? {};
  if (typeof meta !== 'object' || meta === null || Array.isArray(meta)) {
    throw new TypeError('meta must be an object');
  }
  // Object.fromEntries defines own properties, so a member named "__proto__" (JSON.parse makes
  // one) stays a member instead of becoming a prototype that the canonical form would drop.
  form.meta = Object.fromEntries(
    Object.entries(meta).filter(([key]) => key !== 'sig' && key !== 'alg'),
  );
  return Buffer.from(canonicalize(form), 'utf8');
}

/** Signs `msg` with an Ed25519 private key; put the result into `meta`. */
export function sign(msg: SignableMessage, privateKey: KeyObject): Signature {
  if (privateKey.type !== 'private' || privateKey.asymmetricKeyType !== 'ed25519') {
    throw new TypeError('sign needs an Ed25519 private key');
  }
  const sig = cryptoSign(null, signedPayload(msg), privateKey).toString('base64');
  return { sig, alg: SIGNATURE_ALG };
}

/** `msg` with `meta.sig` and `meta.alg` set (other meta members kept). */
export function signMessage<M extends SignableMessage>(msg: M, privateKey: KeyObject): M {
  return { ...msg, meta: { ...msg.meta, ...sign(msg, privateKey) } };
}

/**
 * `msg` signed as `signer` (the sender's current nick) at `ts` (ms since the epoch): `meta.signer`
 * and `meta.ts` are set first, so the signature covers them.
 */
export function signAs<M extends SignableMessage>(
  msg: M,
  privateKey: KeyObject,
  signer: string,
  ts: number = Date.now(),
): M & { meta: Record<string, unknown> } {
  return signMessage(withSignerAndTime(msg, signer, ts), privateKey);
}

/**
 * Whether `sigBase64` is a valid Ed25519 signature of `msg` under `publicKey` (a raw key in
 * base64, or a KeyObject from importPublicKey). Never throws: a malformed key, signature or
 * message (wrong types, bad base64, wrong lengths, non-JSON content) is simply false.
 */
export function verify(
  msg: SignableMessage,
  publicKey: string | KeyObject,
  sigBase64: string,
): boolean {
  try {
    const key = typeof publicKey === 'string' ? importPublicKey(publicKey) : publicKey;
    if (key === null || key.type !== 'public' || key.asymmetricKeyType !== 'ed25519') return false;
    const sig = decodeBase64(sigBase64, SIGNATURE_BYTES);
    if (sig === null) return false;
    return cryptoVerify(null, signedPayload(msg), key, sig);
  } catch {
    return false;
  }
}

// Delivered messages. A recipient sees only the delivered envelope, so verifyDelivered tries the
// forms a signature may have been made over (delivered-forms.ts: an empty `params` or `body` left
// out; for PUBKEY also no `to`). The rule for senders follows: sign the command in upper case and
// exactly one target as `to` (or, for PUBKEY, none). chatd verifies a signed message over the form
// it will deliver, with this same function, so it accepts a signature only when every recipient
// will be able to verify it.

/**
 * Whether a delivered envelope carries a good signature under `publicKey`: `meta.alg` must be
 * "ed25519", and the signature (`sigBase64`, by default `meta.sig`) must verify over the
 * envelope as delivered or with an empty `params`/`body` left out (for PUBKEY also without `to`).
 * Never throws. The argument order matches tofu.ts's VerifyFn, so it can be passed to
 * TofuStore.classify. It checks the signature only: whether `meta.signer` and `meta.ts` fit the
 * envelope is signed-meta.ts's question.
 */
export function verifyDelivered(
  msg: SignableMessage,
  publicKey: string | KeyObject,
  sigBase64: unknown = msg.meta?.sig,
): boolean {
  if (msg.meta?.alg !== SIGNATURE_ALG || typeof sigBase64 !== 'string') return false;
  const key = typeof publicKey === 'string' ? importPublicKey(publicKey) : publicKey;
  if (key === null) return false;
  return deliveredForms(msg).some((form) => verify(form, key, sigBase64));
}

/** A KeyObject for a raw 32-byte Ed25519 public key in standard base64, or null if malformed. */
export function importPublicKey(keyBase64: unknown): KeyObject | null {
  const raw = decodeBase64(keyBase64, PUBLIC_KEY_BYTES);
  if (raw === null) return null;
  try {
    // Through JWK (RFC 8037 OKP) rather than SPKI DER: same key, but ~10 µs instead of ~150 µs
    // here, because OpenSSL's DER decoder lookup is slow. OpenSSL does not check that the bytes
    // are a curve point; such a key just never verifies.
    return createPublicKey({
      key: { kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url') },
      format: 'jwk',
    });
  } catch {
    return null;
  }
}

/** The raw public key of an Ed25519 KeyObject (public or private) in standard base64. */
export function exportPublicKey(key: KeyObject): string {
  const publicKey = key.type === 'private' ? createPublicKey(key) : key;
  const { x } = publicKey.export({ format: 'jwk' });
  if (typeof x !== 'string') throw new TypeError('not an Ed25519 key');
  return Buffer.from(x, 'base64url').toString('base64');
}

/** A fresh Ed25519 key pair, the public half already in the PUBKEY form. */
export function generateSigningKey(): { privateKey: KeyObject; publicKey: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return { privateKey, publicKey: exportPublicKey(publicKey) };
}

export interface PubkeyBody {
  alg: typeof SIGNATURE_ALG;
  key: string;
}

export type PubkeyBodyError =
  | 'not-an-object'
  | 'missing-alg'
  | 'unsupported-alg'
  | 'missing-key'
  | 'bad-key'
  | 'unexpected-field';

export type PubkeyBodyResult =
  { ok: true; value: PubkeyBody } | { ok: false; reason: PubkeyBodyError };

/**
 * Checks a PUBKEY body (docs/commands.md): exactly `{"alg":"ed25519","key":<base64 of 32 bytes>}`.
 * The returned value is a fresh object holding only those two members.
 */
export function parsePubkeyBody(body: unknown): PubkeyBodyResult {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { ok: false, reason: 'not-an-object' };
  }
  const fields = body as Record<string, unknown>;
  if (!Object.hasOwn(fields, 'alg')) return { ok: false, reason: 'missing-alg' };
  if (fields.alg !== SIGNATURE_ALG) return { ok: false, reason: 'unsupported-alg' };
  if (!Object.hasOwn(fields, 'key')) return { ok: false, reason: 'missing-key' };
  const key = fields.key;
  if (typeof key !== 'string' || importPublicKey(key) === null) {
    return { ok: false, reason: 'bad-key' };
  }
  if (Object.keys(fields).some((name) => name !== 'alg' && name !== 'key')) {
    return { ok: false, reason: 'unexpected-field' };
  }
  return { ok: true, value: { alg: SIGNATURE_ALG, key } };
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * Strict standard base64 of exactly `bytes` bytes: padded, no whitespace or URL-safe letters,
 * and the one canonical spelling (Buffer.from alone would skip junk and ignore stray bits).
 */
function decodeBase64(text: unknown, bytes: number): Buffer | null {
  if (typeof text !== 'string') return null;
  if (text.length !== 4 * Math.ceil(bytes / 3) || !BASE64.test(text)) return null;
  const raw = Buffer.from(text, 'base64');
  if (raw.length !== bytes || raw.toString('base64') !== text) return null;
  return raw;
}
