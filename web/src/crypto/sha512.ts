// SHA-512 (FIPS 180-4) with BigInt words, for the pure-JS Ed25519 fallback (ed25519.ts) on pages
// without WebCrypto (plain http on a non-localhost address). Slow next to native code (~1 ms
// for a short message) but only used to check a signature badge now and then.
//
// The round constants and initial hash values are computed rather than typed in: they are the
// first 64 fractional bits of the cube roots (K) and square roots (IV) of the first primes, i.e.
// floor(root(p · 2^(64·n))) mod 2^64 with integer roots in BigInt. Tested against node:crypto.

const MASK = (1n << 64n) - 1n;

function firstPrimes(count: number): bigint[] {
  const out: bigint[] = [];
  for (let n = 2; out.length < count; n++) {
    if (out.every((p) => BigInt(n) % p !== 0n)) out.push(BigInt(n));
  }
  return out;
}

/** floor(x^(1/k)) for x ≥ 0 by Newton's method (starting above the root, so it decreases). */
function integerRoot(x: bigint, k: bigint): bigint {
  if (x < 2n) return x;
  let r = 1n << (BigInt(x.toString(2).length) / k + 1n);
  for (;;) {
    const next = ((k - 1n) * r + x / r ** (k - 1n)) / k;
    if (next >= r) return r;
    r = next;
  }
}

const PRIMES = firstPrimes(80);
const K = PRIMES.map((p) => integerRoot(p << 192n, 3n) & MASK);
const IV = PRIMES.slice(0, 8).map((p) => integerRoot(p << 128n, 2n) & MASK);

const rotr = (x: bigint, n: bigint) => ((x >> n) | (x << (64n - n))) & MASK;

function compress(h: bigint[], block: Uint8Array, off: number): void {
  const w: bigint[] = new Array<bigint>(80);
  for (let i = 0; i < 16; i++) {
    let v = 0n;
    for (let j = 0; j < 8; j++) v = (v << 8n) | BigInt(block[off + i * 8 + j]!);
    w[i] = v;
  }
  for (let i = 16; i < 80; i++) {
    const a = w[i - 15]!;
    const b = w[i - 2]!;
    const s0 = rotr(a, 1n) ^ rotr(a, 8n) ^ (a >> 7n);
    const s1 = rotr(b, 19n) ^ rotr(b, 61n) ^ (b >> 6n);
    w[i] = (w[i - 16]! + s0 + w[i - 7]! + s1) & MASK;
  }
  let [a, b, c, d, e, f, g, hh] = h as [
    bigint,
    bigint,
    bigint,
    bigint,
    bigint,
    bigint,
    bigint,
    bigint,
  ];
  for (let i = 0; i < 80; i++) {
    const S1 = rotr(e, 14n) ^ rotr(e, 18n) ^ rotr(e, 41n);
    const ch = (e & f) ^ (~e & MASK & g);
    const t1 = (hh + S1 + ch + K[i]! + w[i]!) & MASK;
    const S0 = rotr(a, 28n) ^ rotr(a, 34n) ^ rotr(a, 39n);
    const maj = (a & b) ^ (a & c) ^ (b & c);
    const t2 = (S0 + maj) & MASK;
    hh = g;
    g = f;
    f = e;
    e = (d + t1) & MASK;
    d = c;
    c = b;
    b = a;
    a = (t1 + t2) & MASK;
  }
  const out = [a, b, c, d, e, f, g, hh];
  for (let i = 0; i < 8; i++) h[i] = (h[i]! + out[i]!) & MASK;
}

export function sha512(data: Uint8Array): Uint8Array {
  // Padding: 0x80, zeros, then the bit length as a 128-bit big-endian number.
  const total = Math.ceil((data.length + 17) / 128) * 128;
  const padded = new Uint8Array(total);
  padded.set(data);
  padded[data.length] = 0x80;
  let bits = BigInt(data.length) * 8n;
  for (let i = total - 1; bits > 0n; i--, bits >>= 8n) padded[i] = Number(bits & 0xffn);
  const h = IV.slice();
  for (let off = 0; off < total; off += 128) compress(h, padded, off);
  const out = new Uint8Array(64);
  h.forEach((word, i) => {
    for (let j = 0; j < 8; j++) out[i * 8 + j] = Number((word >> BigInt(56 - j * 8)) & 0xffn);
  });
  return out;
}
