// Ban masks (docs/commands.md): `nick!user@host` with `*`/`?`, normalised the way ngIRCd and Hybrid do it,
// matched case-insensitively under rfc1459 folding. Pure: no store, no context.
import { fold } from '../model/casefold.js';

/** Longest mask kept, after normalisation (ngIRCd caps list entries similarly). */
export const BAN_MASK_MAX = 128;

// Space and comma split IRC parameters and lists; control characters could upset a terminal.
const UNSAFE = /[\s,\p{Cc}]/u;

/**
 * The full form of what an op typed: `nick` → `nick!*@*`, `nick!user` → `nick!user@*`,
 * `user@host` → `*!user@host`; an empty part becomes `*`. Null when the mask cannot be a ban
 * (empty, too long, or holding a space, comma or control character).
 */
export function normaliseBanMask(raw: string): string | null {
  if (raw.length === 0 || UNSAFE.test(raw)) return null;
  const bang = raw.indexOf('!');
  const at = raw.lastIndexOf('@');
  let nick: string;
  let user: string;
  let host: string;
  if (bang < 0 && at < 0) [nick, user, host] = [raw, '*', '*'];
  else if (at < 0) [nick, user, host] = [raw.slice(0, bang), raw.slice(bang + 1), '*'];
  else if (bang < 0 || bang > at) {
    // `user@host` (a `!` after the `@` is part of the host, as odd as that is)
    [nick, user, host] = ['*', raw.slice(0, at), raw.slice(at + 1)];
  } else [nick, user, host] = [raw.slice(0, bang), raw.slice(bang + 1, at), raw.slice(at + 1)];
  const mask = `${nick || '*'}!${user || '*'}@${host || '*'}`;
  return mask.length <= BAN_MASK_MAX ? mask : null;
}

/** A mask folded and split into code points once, to test many subjects (WHO, LIST, bans). */
export type CompiledMask = (foldedSubject: string) => boolean;

/**
 * `*` matches any run (also empty), `?` exactly one character; everything else literally, after
 * rfc1459 folding. The mask is folded once here, not once per subject: a WHO or LIST compares it
 * with every session or channel. The matcher is iterative with one backtrack point, so a mask full
 * of stars stays O(n·m) rather than the exponential time a naive regex can take.
 */
export function compileMask(mask: string): CompiledMask {
  const p = [...fold(mask)];
  return (foldedSubject) => globCodePoints(p, [...foldedSubject]);
}

function globCodePoints(p: readonly string[], s: readonly string[]): boolean {
  let pi = 0;
  let si = 0;
  let star = -1;
  let resume = 0;
  while (si < s.length) {
    if (pi < p.length && (p[pi] === '?' || (p[pi] !== '*' && p[pi] === s[si]))) {
      pi++;
      si++;
    } else if (pi < p.length && p[pi] === '*') {
      star = pi++;
      resume = si;
    } else if (star >= 0) {
      pi = star + 1;
      si = ++resume;
    } else return false;
  }
  while (pi < p.length && p[pi] === '*') pi++;
  return pi === p.length;
}

/** One mask against one subject (both folded here). */
export function maskMatches(mask: string, subject: string): boolean {
  return compileMask(mask)(fold(subject));
}

/** True when any of the masks matches `nick!user@host`. */
export function matchesAnyBan(masks: readonly string[], identity: string): boolean {
  const subject = fold(identity);
  return masks.some((m) => compileMask(m)(subject));
}
