// What a signed message claims besides its signature (docs/signing.md): `meta.signer`, the sender's nick,
// and `meta.ts`, the sender's clock in integer milliseconds since the epoch. Both are inside the
// signed form, so a signature binds who sent the message and when; the same rules decide whether
// chatd accepts a signed message (against the session's nick and its own clock) and how a client
// marks one it received (against the envelope's `from` and `ts`). Pure: the web client bundles it.
import { fold } from '../model/casefold.js';

/** How far `meta.ts` may be from the clock it is checked against, either way. */
export const SIGNATURE_WINDOW_MS = 5 * 60_000;

/**
 * no-signer / no-ts: the member is missing or not a string / not an integer; wrong-signer: it does
 * not fold (rfc1459) to the sender's nick; stale: more than SIGNATURE_WINDOW_MS from `now`.
 */
export type SignedMetaProblem = 'no-signer' | 'wrong-signer' | 'no-ts' | 'stale';

/** Whether `meta` is signed: it carries `sig` or `alg` (either alone is a malformed signature). */
export function isSigned(meta: Readonly<Record<string, unknown>> | undefined | null): boolean {
  return (
    typeof meta === 'object' &&
    meta !== null &&
    (Object.hasOwn(meta, 'sig') || Object.hasOwn(meta, 'alg'))
  );
}

/** The first thing wrong with a signed message's signer and time, or null when both hold. */
export function signedMetaProblem(
  meta: Readonly<Record<string, unknown>>,
  sender: string,
  nowMs: number,
): SignedMetaProblem | null {
  const { signer, ts } = meta;
  if (typeof signer !== 'string' || signer === '') return 'no-signer';
  if (fold(signer) !== fold(sender)) return 'wrong-signer';
  if (typeof ts !== 'number' || !Number.isSafeInteger(ts)) return 'no-ts';
  if (!Number.isFinite(nowMs) || Math.abs(ts - nowMs) > SIGNATURE_WINDOW_MS) return 'stale';
  return null;
}

/** `msg` with `meta.signer` and `meta.ts` set (other meta members kept), ready to be signed. */
export function withSignerAndTime<M extends { meta?: Readonly<Record<string, unknown>> }>(
  msg: M,
  signer: string,
  ts: number,
): M & { meta: Record<string, unknown> } {
  return { ...msg, meta: { ...msg.meta, signer, ts } };
}
