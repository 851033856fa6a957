// Session passwords (docs/sessions.md, docs/commands.md): scrypt from node:crypto, a random salt per password, the
// parameters stored with the hash so they can be raised later without invalidating old hashes.
// Format: `scrypt$<N>$<r>$<p>$<salt base64>$<hash base64>`.
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { badRequest } from './errors.js';

export const PASSWORD_MIN_CHARS = 8;
/** Generous for passphrases, small enough that hashing it is not an attack on the CPU. */
export const PASSWORD_MAX_BYTES = 512;

// N=2^14, r=8 (16 MiB, ~40 ms here): the interactive-login figure from the scrypt paper.
const PARAMS = { N: 16_384, r: 8, p: 1 } as const;
const KEY_BYTES = 32;
const SALT_BYTES = 16;

function derive(password: string, salt: Buffer, opts: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    // maxmem: N*r*128 bytes plus headroom; Node's default (32 MiB) would refuse larger N.
    const maxmem = 256 * (opts.N ?? PARAMS.N) * (opts.r ?? PARAMS.r) + 1_048_576;
    scrypt(password.normalize('NFC'), salt, KEY_BYTES, { ...opts, maxmem }, (err, key) =>
      err ? reject(err) : resolve(key),
    );
  });
}

/** Refuses passwords that are too short or too long (461 shape is the caller's business). */
export function passwordProblem(password: string): string | null {
  if ([...password].length < PASSWORD_MIN_CHARS) {
    return `a password needs at least ${PASSWORD_MIN_CHARS} characters`;
  }
  if (Buffer.byteLength(password, 'utf8') > PASSWORD_MAX_BYTES) {
    return `a password may have at most ${PASSWORD_MAX_BYTES} bytes`;
  }
  if (!password.isWellFormed()) return 'the password is not well-formed Unicode';
  return null;
}

/** The `password` field of /register: 400 `invalid_password` naming the rule it breaks. */
export function requireAcceptablePassword(password: string): void {
  const problem = passwordProblem(password);
  if (problem) throw badRequest('invalid_password', `password: ${problem}`);
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await derive(password, salt, PARAMS);
  const { N, r, p } = PARAMS;
  return `scrypt$${N}$${r}$${p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

/** A stored hash with the current parameters, used when there is no session to compare with,
 * so that an unknown nick costs the same time as a wrong password (no nick enumeration). */
let decoy: Promise<string> | null = null;
function decoyHash(): Promise<string> {
  decoy ??= hashPassword(randomBytes(18).toString('base64'));
  return decoy;
}

/** True when `password` matches `stored`; a null or unreadable hash never matches (same cost). */
export async function verifyPassword(password: string, stored: string | null): Promise<boolean> {
  const parsed = stored ? parseHash(stored) : null;
  const target = parsed ?? parseHash(await decoyHash());
  if (!target) return false;
  if (Buffer.byteLength(password, 'utf8') > PASSWORD_MAX_BYTES) return false;
  const key = await derive(password, target.salt, target.params);
  return parsed !== null && timingSafeEqual(key, target.key);
}

interface ParsedHash {
  params: { N: number; r: number; p: number };
  salt: Buffer;
  key: Buffer;
}

function parseHash(stored: string): ParsedHash | null {
  const m = /^scrypt\$(\d+)\$(\d+)\$(\d+)\$([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+)$/.exec(stored);
  if (!m) return null;
  const [N, r, p] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const key = Buffer.from(m[5] ?? '', 'base64');
  if (key.length !== KEY_BYTES) return null;
  return { params: { N, r, p }, salt: Buffer.from(m[4] ?? '', 'base64'), key };
}
