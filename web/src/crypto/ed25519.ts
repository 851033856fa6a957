// Ed25519 signature verification (RFC 8032 §5.1.7) in plain BigInt arithmetic: the fallback for
// pages where WebCrypto has no Ed25519 (plain http on a non-localhost address, older browsers).
// Verification only (the web client checks badges; it does not sign). Not constant-time, which
// verification of public data does not need. Points use extended coordinates (X:Y:Z:T) with the
// unified addition law for a = -1, which also doubles. Tested against node:crypto.
import { sha512 } from './sha512.js';

const P = 2n ** 255n - 19n;
/** the order of the base point */
const L = 2n ** 252n + 27742317777372353535851937790883648493n;

const mod = (a: bigint, m: bigint = P) => {
  const r = a % m;
  return r >= 0n ? r : r + m;
};

function pow(base: bigint, exp: bigint): bigint {
  let result = 1n;
  let b = mod(base);
  for (let e = exp; e > 0n; e >>= 1n) {
    if (e & 1n) result = (result * b) % P;
    b = (b * b) % P;
  }
  return result;
}

const inv = (a: bigint) => pow(a, P - 2n);
const D = mod(-121665n * inv(121666n));
const D2 = mod(2n * D);
const SQRT_M1 = pow(2n, (P - 1n) / 4n);

interface Point {
  x: bigint;
  y: bigint;
  z: bigint;
  t: bigint;
}

const IDENTITY: Point = { x: 0n, y: 1n, z: 1n, t: 0n };

function add(p: Point, q: Point): Point {
  const a = mod((p.y - p.x) * (q.y - q.x));
  const b = mod((p.y + p.x) * (q.y + q.x));
  const c = mod(p.t * D2 * q.t);
  const d = mod(p.z * 2n * q.z);
  const e = b - a;
  const f = d - c;
  const g = d + c;
  const h = b + a;
  return { x: mod(e * f), y: mod(g * h), z: mod(f * g), t: mod(e * h) };
}

function multiply(p: Point, scalar: bigint): Point {
  let result = IDENTITY;
  let addend = p;
  for (let s = scalar; s > 0n; s >>= 1n) {
    if (s & 1n) result = add(result, addend);
    addend = add(addend, addend);
  }
  return result;
}

const negate = (p: Point): Point => ({ x: mod(-p.x), y: p.y, z: p.z, t: mod(-p.t) });

function littleEndian(bytes: Uint8Array): bigint {
  let n = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(bytes[i]!);
  return n;
}

function encode(p: Point): Uint8Array {
  const zInv = inv(p.z);
  const x = mod(p.x * zInv);
  let y = mod(p.y * zInv);
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++, y >>= 8n) out[i] = Number(y & 0xffn);
  if (x & 1n) out[31]! |= 0x80;
  return out;
}

/** RFC 8032 §5.1.3: a 32-byte encoding to a point, or null when it is not one. */
function decode(bytes: Uint8Array): Point | null {
  if (bytes.length !== 32) return null;
  const sign = bytes[31]! >> 7;
  // A copy, not slice(): on a Node Buffer slice() is a view and the caller's bytes would change.
  const copy = new Uint8Array(bytes);
  copy[31] = bytes[31]! & 0x7f;
  const y = littleEndian(copy);
  if (y >= P) return null;
  const yy = (y * y) % P;
  const u = mod(yy - 1n);
  const v = mod(D * yy + 1n);
  let x = mod(u * pow(v, 3n) * pow(u * pow(v, 7n), (P - 5n) / 8n));
  const vxx = mod(v * x * x);
  if (vxx === mod(-u)) x = mod(x * SQRT_M1);
  else if (vxx !== u) return null;
  if (x === 0n && sign === 1) return null;
  if (Number(x & 1n) !== sign) x = P - x;
  return { x, y, z: 1n, t: mod(x * y) };
}

const BASE = decode(
  (() => {
    // The base point is the one with y = 4/5 and an even (positive) x.
    let y = mod(4n * inv(5n));
    const out = new Uint8Array(32);
    for (let i = 0; i < 32; i++, y >>= 8n) out[i] = Number(y & 0xffn);
    return out;
  })(),
)!;

const equalBytes = (a: Uint8Array, b: Uint8Array) =>
  a.length === b.length && a.every((x, i) => x === b[i]);

/**
 * Whether `signature` (64 bytes) is a valid Ed25519 signature of `message` under the raw 32-byte
 * `publicKey`. Checks [S]B = R + [k]A by encoding [S]B − [k]A and comparing it with R's bytes
 * (the cofactorless check, as OpenSSL does). Never throws on malformed input: it is just false.
 */
export function ed25519Verify(
  publicKey: Uint8Array,
  signature: Uint8Array,
  message: Uint8Array,
): boolean {
  if (publicKey.length !== 32 || signature.length !== 64) return false;
  const a = decode(publicKey);
  if (a === null) return false;
  const rBytes = signature.subarray(0, 32);
  if (decode(rBytes) === null) return false;
  const s = littleEndian(signature.subarray(32));
  if (s >= L) return false;
  const hashed = new Uint8Array(64 + message.length);
  hashed.set(rBytes, 0);
  hashed.set(publicKey, 32);
  hashed.set(message, 64);
  const k = mod(littleEndian(sha512(hashed)), L);
  const check = add(multiply(BASE, s), negate(multiply(a, k)));
  return equalBytes(encode(check), rBytes);
}
