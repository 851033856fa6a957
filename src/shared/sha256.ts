// SHA-256 (FIPS 180-4) in plain JavaScript, for the hashcash stamps of docs/hashcash.md.
//
// Why not node:crypto or WebCrypto: this module is shared by the server, chat-cli and the web
// client. WebCrypto (`crypto.subtle`) exists only on https and localhost, and it is async: one
// promise per try would make minting a 20-bit stamp (about a million tries) far slower than a
// synchronous loop. A pure-JS hasher also lets the minting loop hash the constant stamp prefix
// once and then only the counter on each try (`copyFrom` + `update`), which is why it is a
// class with incremental state rather than a single function.
// Tested against node:crypto on arbitrary inputs (test/unit/hashcash.test.ts).

// prettier-ignore
const K = Int32Array.of(
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
);

// prettier-ignore
const IV = Int32Array.of(
  0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
);

// Message schedule scratch space. Shared by every hasher: compress() never yields, and
// JavaScript runs one compress() at a time per realm.
const W = new Int32Array(64);

/** One 64-byte block of `data` starting at `off` into `s` (all arithmetic mod 2^32 via `| 0`). */
function compress(s: Int32Array, data: Uint8Array, off: number): void {
  const w = W;
  for (let i = 0; i < 16; i++, off += 4) {
    w[i] = (data[off]! << 24) | (data[off + 1]! << 16) | (data[off + 2]! << 8) | data[off + 3]!;
  }
  for (let i = 16; i < 64; i++) {
    const x = w[i - 15]!;
    const y = w[i - 2]!;
    const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
    const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
    w[i] = (w[i - 16]! + s0 + w[i - 7]! + s1) | 0;
  }
  let a = s[0]!;
  let b = s[1]!;
  let c = s[2]!;
  let d = s[3]!;
  let e = s[4]!;
  let f = s[5]!;
  let g = s[6]!;
  let h = s[7]!;
  for (let i = 0; i < 64; i++) {
    const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
    const ch = (e & f) ^ (~e & g);
    const t1 = (h + S1 + ch + K[i]! + w[i]!) | 0;
    const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
    const maj = (a & b) ^ (a & c) ^ (b & c);
    h = g;
    g = f;
    f = e;
    e = (d + t1) | 0;
    d = c;
    c = b;
    b = a;
    a = (t1 + S0 + maj) | 0;
  }
  s[0] = (s[0]! + a) | 0;
  s[1] = (s[1]! + b) | 0;
  s[2] = (s[2]! + c) | 0;
  s[3] = (s[3]! + d) | 0;
  s[4] = (s[4]! + e) | 0;
  s[5] = (s[5]! + f) | 0;
  s[6] = (s[6]! + g) | 0;
  s[7] = (s[7]! + h) | 0;
}

/** Incremental SHA-256. `digestInto`/`digest` finish the hash; call `reset()` to reuse. */
export class Sha256 {
  private readonly state = new Int32Array(8);
  private readonly buffer = new Uint8Array(64);
  private buffered = 0;
  private length = 0; // bytes hashed so far (a double: exact up to 2^53)

  constructor() {
    this.reset();
  }

  reset(): this {
    this.state.set(IV);
    this.buffered = 0;
    this.length = 0;
    return this;
  }

  /** Take over another hasher's state (cheaper than hashing its input again). */
  copyFrom(other: Sha256): this {
    this.state.set(other.state);
    this.buffer.set(other.buffer);
    this.buffered = other.buffered;
    this.length = other.length;
    return this;
  }

  /** Hash `data[start, end)`. */
  update(data: Uint8Array, start = 0, end = data.length): this {
    let i = start;
    this.length += end - i;
    while (i < end) {
      if (this.buffered === 0 && end - i >= 64) {
        compress(this.state, data, i);
        i += 64;
        continue;
      }
      this.buffer[this.buffered++] = data[i++]!;
      if (this.buffered === 64) {
        compress(this.state, this.buffer, 0);
        this.buffered = 0;
      }
    }
    return this;
  }

  /** Finish and write the 32-byte digest into `out` (which must hold 32 bytes). */
  digestInto(out: Uint8Array): Uint8Array {
    const buf = this.buffer;
    // Bit length as two 32-bit halves: `length << 3` keeps the low 32 bits of length * 8.
    const hi = Math.floor(this.length / 0x20000000);
    const lo = this.length << 3;
    buf[this.buffered++] = 0x80;
    if (this.buffered > 56) {
      buf.fill(0, this.buffered);
      compress(this.state, buf, 0);
      this.buffered = 0;
    }
    buf.fill(0, this.buffered, 56);
    writeWord(buf, 56, hi);
    writeWord(buf, 60, lo);
    compress(this.state, buf, 0);
    this.buffered = 0;
    for (let i = 0; i < 8; i++) writeWord(out, i * 4, this.state[i]!);
    return out;
  }

  digest(): Uint8Array {
    return this.digestInto(new Uint8Array(32));
  }
}

function writeWord(out: Uint8Array, off: number, word: number): void {
  out[off] = word >>> 24;
  out[off + 1] = word >>> 16;
  out[off + 2] = word >>> 8;
  out[off + 3] = word;
}

/** SHA-256 of `data` in one call. */
export function sha256(data: Uint8Array): Uint8Array {
  return new Sha256().update(data).digest();
}
