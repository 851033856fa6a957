// Hashcash stamps for session creation (docs/hashcash.md): parse, check, mint.
//
// Shared by the server (checks), chat-cli and the web client (mint), so nothing here imports a
// Node module: SHA-256 is the pure-JS one in ./sha256.ts and randomness comes from the global
// `crypto.getRandomValues`, which Node 20 and every browser have, on http pages as well (only
// `crypto.subtle` is limited to https/localhost).
//
// Stamp: `1:<bits>:<YYMMDD>:<resource>::<rand>:<counter>`. Whether a stamp was already spent
// is not decided here: the caller keeps the spent set (it must survive restarts and be shared
// between instances, which is storage, not parsing).

import { Sha256 } from './sha256.js';

/** Longest stamp we look at. Real stamps are < 100 characters; the cap bounds parsing work. */
export const MAX_STAMP_LENGTH = 256;
/** `rand` and `counter` are 1–64 characters of `[A-Za-z0-9+/=]` (docs/hashcash.md). */
export const MAX_FIELD_LENGTH = 64;
/**
 * A stamp's date may differ from the server's UTC date by at most this many days (docs/hashcash.md).
 * The date is what lets the spent set forget: a stamp outside the window is refused anyway, so
 * spent entries need keeping only for about 2 × window + 1 days. Why not 0: the date comes from
 * the client's clock, and a stamp minted just before UTC midnight arrives just after it; a
 * phone or VM clock that is hours off (no NTP), or a client that wrongly writes its local date,
 * lands on a neighbouring day too. ±1 would only just cover those at the day edges; ±2 absorbs
 * them with a day to spare while still letting a stamp live for at most five calendar days.
 */
export const DEFAULT_MAX_SKEW_DAYS = 2;
/** SHA-256 has 256 bits; a stamp claiming more can never verify. */
export const MAX_BITS = 256;

export interface Stamp {
  version: 1;
  bits: number;
  /** `YYMMDD` as written in the stamp. */
  date: string;
  /** The date as days since 1970-01-01 (UTC), years read as 20YY. */
  day: number;
  resource: string;
  rand: string;
  counter: string;
  /** The stamp exactly as given (what is hashed and what goes into the spent set). */
  text: string;
}

export type ParseFailure = 'malformed' | 'wrong_version';
export type CheckFailure =
  ParseFailure | 'too_few_bits' | 'wrong_resource' | 'stale_date' | 'insufficient_work';

export type ParseResult = { ok: true; stamp: Stamp } | { ok: false; reason: ParseFailure };
export type CheckResult = { ok: true; stamp: Stamp } | { ok: false; reason: CheckFailure };

export interface CheckOptions {
  /** The server's `HASHCASH_BITS` (> 0; with 0 the caller does not ask for a stamp at all). */
  requiredBits: number;
  /** The server name (`SERVER_NAME`). */
  resource: string;
  now: Date;
  maxSkewDays?: number;
}

const DAY_MS = 86_400_000;
const COLON = 0x3a;

/** Number of leading zero bits of `bytes` (all bits zero: `8 * bytes.length`). */
export function leadingZeroBits(bytes: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b !== 0) return n + Math.clz32(b) - 24;
    n += 8;
  }
  return n;
}

/** Whether `bytes` starts with at least `bits` zero bits; looks at no more bytes than needed. */
function hasLeadingZeroBits(bytes: Uint8Array, bits: number): boolean {
  const whole = bits >>> 3;
  if (whole > bytes.length) return false;
  for (let i = 0; i < whole; i++) if (bytes[i] !== 0) return false;
  const rest = bits & 7;
  if (rest === 0) return true;
  if (whole >= bytes.length) return false;
  return bytes[whole]! >>> (8 - rest) === 0;
}

/** `YYMMDD` of `now` in UTC. */
export function stampDate(now: Date): string {
  const yy = now.getUTCFullYear() % 100;
  const mm = now.getUTCMonth() + 1;
  const dd = now.getUTCDate();
  return pad2(yy) + pad2(mm) + pad2(dd);
}

function pad2(n: number): string {
  return n < 10 ? '0' + n : String(n);
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/** `[A-Za-z0-9+/=]{1,64}` without a regex (a char loop cannot backtrack). */
function isStampField(s: string): boolean {
  if (s.length < 1 || s.length > MAX_FIELD_LENGTH) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const ok =
      (c >= 0x41 && c <= 0x5a) || // A-Z
      (c >= 0x61 && c <= 0x7a) || // a-z
      isDigit(c) ||
      c === 0x2b || // +
      c === 0x2f || // /
      c === 0x3d; // =
    if (!ok) return false;
  }
  return true;
}

/**
 * A resource is the server name: non-empty, no `:` (the field separator), no control
 * characters and no whitespace (the stamp travels in an HTTP header).
 */
function isResource(s: string): boolean {
  if (s.length < 1) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c <= 0x20 || c === COLON || (c >= 0x7f && c <= 0x9f)) return false;
  }
  return true;
}

/** 1–3 decimal digits → number, else -1. */
function parseSmallInt(s: string): number {
  if (s.length < 1 || s.length > 3) return -1;
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (!isDigit(c)) return -1;
    n = n * 10 + (c - 0x30);
  }
  return n;
}

/** `YYMMDD` (a real calendar date in 2000–2099) → days since the epoch, else -1. */
function parseDay(s: string): number {
  if (s.length !== 6) return -1;
  for (let i = 0; i < 6; i++) if (!isDigit(s.charCodeAt(i))) return -1;
  const year = 2000 + Number(s.slice(0, 2));
  const month = Number(s.slice(2, 4));
  const day = Number(s.slice(4, 6));
  if (month < 1 || month > 12 || day < 1 || day > 31) return -1;
  const ms = Date.UTC(year, month - 1, day);
  // Date.UTC rolls 310230 over into March; a round trip catches impossible dates.
  if (new Date(ms).getUTCDate() !== day) return -1;
  return ms / DAY_MS;
}

/**
 * Parse a stamp's syntax (docs/hashcash.md). Never throws; does no hashing. `wrong_version` is for a
 * stamp whose first field is a number other than 1 (e.g. a hashcash v0 stamp); anything else
 * that does not fit the format is `malformed`.
 */
export function parseStamp(text: unknown): ParseResult {
  if (typeof text !== 'string' || text.length > MAX_STAMP_LENGTH) return fail('malformed');
  const fields = text.split(':'); // ≤ 257 parts, given the length cap
  if (fields.length < 2) return fail('malformed');
  const version = parseSmallInt(fields[0]!);
  if (version < 0) return fail('malformed');
  if (version !== 1 || fields[0] !== '1') return fail('wrong_version');
  if (fields.length !== 7) return fail('malformed');
  const [, bitsText, date, resource, extension, rand, counter] = fields as [
    string,
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  const bits = parseSmallInt(bitsText);
  if (bits < 0 || bits > MAX_BITS || (bitsText.length > 1 && bitsText[0] === '0')) {
    return fail('malformed');
  }
  const day = parseDay(date);
  if (day < 0) return fail('malformed');
  // The extension field is empty in docs/hashcash.md's format (`::`).
  if (extension !== '' || !isResource(resource)) return fail('malformed');
  if (!isStampField(rand) || !isStampField(counter)) return fail('malformed');
  return { ok: true, stamp: { version: 1, bits, date, day, resource, rand, counter, text } };
}

function fail(reason: ParseFailure): { ok: false; reason: ParseFailure } {
  return { ok: false, reason };
}

/** The stamp's text from its fields (the inverse of `parseStamp` on valid stamps). */
export function formatStamp(s: Omit<Stamp, 'version' | 'day' | 'text'>): string {
  return `1:${s.bits}:${s.date}:${s.resource}::${s.rand}:${s.counter}`;
}

// Shared scratch for checkStamp: one hasher and one digest buffer, no allocation per check.
const checkHasher = new Sha256();
const checkDigest = new Uint8Array(32);
const encoder = new TextEncoder();

/**
 * Everything docs/hashcash.md asks of a stamp except "not spent yet". Cheap checks first (length cap,
 * a linear parse without regexes, comparisons), the single SHA-256 last, so a bogus stamp costs
 * a few microseconds at most.
 */
export function checkStamp(text: unknown, options: CheckOptions): CheckResult {
  const { requiredBits, resource, now } = options;
  const maxSkewDays = options.maxSkewDays ?? DEFAULT_MAX_SKEW_DAYS;
  const nowMs = now.getTime();
  if (!Number.isFinite(nowMs)) throw new RangeError('checkStamp: invalid `now`');
  const parsed = parseStamp(text);
  if (!parsed.ok) return parsed;
  const stamp = parsed.stamp;
  if (stamp.bits < requiredBits) return { ok: false, reason: 'too_few_bits' };
  if (stamp.resource !== resource) return { ok: false, reason: 'wrong_resource' };
  const today = Math.floor(nowMs / DAY_MS);
  if (Math.abs(stamp.day - today) > maxSkewDays) return { ok: false, reason: 'stale_date' };
  // The stamp's own claim must hold, not just the server's requirement (docs/hashcash.md).
  checkHasher.reset().update(encoder.encode(stamp.text)).digestInto(checkDigest);
  if (!hasLeadingZeroBits(checkDigest, stamp.bits)) {
    return { ok: false, reason: 'insufficient_work' };
  }
  return { ok: true, stamp };
}

export interface MintOptions {
  bits: number;
  /** The server name (`SERVER_NAME`, announced by `GET /api/v1/server`). */
  resource: string;
  /** Default: the current time. The stamp carries its UTC date. */
  now?: Date;
  /** Fills `bytes` with random bytes (default: `crypto.getRandomValues`). */
  random?: (bytes: Uint8Array) => Uint8Array;
}

export interface MintAsyncOptions extends MintOptions {
  /** Called with the number of tries so far at every yield, for a progress notice. */
  onProgress?: (tries: number) => void;
  /**
   * Milliseconds of hashing between yields to the event loop (default 20: short enough for a
   * UI to stay responsive, long enough that the yield itself, 1–4 ms for a `setTimeout(0)`,
   * costs little). The clock is read every 1024 tries.
   */
  sliceMs?: number;
  /** Stop minting (the promise rejects with the signal's reason). */
  signal?: AbortSignal;
}

/** Random bytes behind `rand`: 12 bytes → 16 base64 characters, no padding. */
const RAND_BYTES = 12;
const DEFAULT_SLICE_MS = 20;
const BATCH = 1024;

function defaultRandom(bytes: Uint8Array): Uint8Array {
  // The cast: the DOM library (the web client's build) types getRandomValues for ArrayBuffer-backed
  // views only; `bytes` always is one here (the caller makes it with `new Uint8Array`).
  return globalThis.crypto.getRandomValues(bytes as Uint8Array<ArrayBuffer>);
}

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

function base64(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    out += BASE64[(n >>> 18) & 63]! + BASE64[(n >>> 12) & 63]!;
    out += i + 1 < bytes.length ? BASE64[(n >>> 6) & 63]! : '=';
    out += i + 2 < bytes.length ? BASE64[n & 63]! : '=';
  }
  return out;
}

/** State of one minting run: the prefix hashed once, then only the counter per try. */
class Search {
  readonly prefix: string;
  private readonly base = new Sha256();
  private readonly work = new Sha256();
  private readonly digest = new Uint8Array(32);
  private readonly counterBytes = new Uint8Array(20);
  next = 0;

  constructor(readonly options: MintOptions) {
    const { bits, resource } = options;
    if (!Number.isInteger(bits) || bits < 0 || bits > 64) {
      throw new RangeError(`mintStamp: bits must be an integer in 0..64, got ${bits}`);
    }
    if (!isResource(resource)) throw new RangeError('mintStamp: invalid resource');
    const now = options.now ?? new Date();
    if (!Number.isFinite(now.getTime())) throw new RangeError('mintStamp: invalid `now`');
    const rand = base64((options.random ?? defaultRandom)(new Uint8Array(RAND_BYTES)));
    this.prefix = `1:${bits}:${stampDate(now)}:${resource}::${rand}:`;
    // 16 digits is the longest counter we can reach (2^53); the whole stamp must fit the cap.
    if (this.prefix.length + 16 > MAX_STAMP_LENGTH) {
      throw new RangeError('mintStamp: resource too long');
    }
    this.base.update(encoder.encode(this.prefix));
  }

  /** Try counters next … next + count - 1; the stamp if one works. */
  run(count: number): string | undefined {
    const { bits } = this.options;
    const buf = this.counterBytes;
    for (const end = this.next + count; this.next < end; this.next++) {
      // Counter in decimal ASCII, written right-aligned into buf.
      let n = this.next;
      let i = buf.length;
      do {
        buf[--i] = 0x30 + (n % 10);
        n = Math.floor(n / 10);
      } while (n > 0);
      this.work.copyFrom(this.base).update(buf, i).digestInto(this.digest);
      if (hasLeadingZeroBits(this.digest, bits)) return this.prefix + this.next;
    }
    return undefined;
  }
}

/**
 * Mint a stamp synchronously (chat-cli, `chat-cli stamp`). About 2^bits tries on average.
 * Bits are capped at 64 here (a server asks for ~20; 2^64 tries never finish anyway).
 */
export function mintStampSync(options: MintOptions): string {
  const search = new Search(options);
  for (;;) {
    const stamp = search.run(1 << 16);
    if (stamp !== undefined) return stamp;
  }
}

/**
 * Mint a stamp without blocking the event loop for long: after each slice of `sliceMs` it
 * reports progress and yields (`setTimeout(0)`, which Node and browsers both have) so a page
 * or a terminal UI keeps repainting. Same stamp as `mintStampSync` for the same options.
 */
export async function mintStamp(options: MintAsyncOptions): Promise<string> {
  const search = new Search(options);
  const sliceMs = options.sliceMs ?? DEFAULT_SLICE_MS;
  if (!(sliceMs >= 0)) throw new RangeError('mintStamp: bad sliceMs');
  for (;;) {
    options.signal?.throwIfAborted();
    const sliceEnd = Date.now() + sliceMs;
    do {
      const stamp = search.run(BATCH);
      if (stamp !== undefined) return stamp;
    } while (Date.now() < sliceEnd);
    options.onProgress?.(search.next);
    await new Promise<void>((resolve) => setTimeout(resolve, 0));
  }
}
