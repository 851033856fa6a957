// CRYPTO: what the per-request crypto costs on this machine, in-process (no server needed).
//   - hashcash: time to mint a stamp (mintStamp) at 16 and 20 bits, median and mean of many
//     stamps (minting is random: the number of tries is geometric), and the cost of checking one
//     stamp (checkStamp), valid or bogus, against one node:crypto SHA-256 of the same stamp;
//   - signatures: verify() and signedPayload() per message, a short PRIVMSG and a 4 KiB body,
//     against a bare node:crypto verify of the same bytes with a pre-imported KeyObject;
//   - passwords: one crypto.scrypt (N=16384, r=8, p=1, 32-byte key: the server's parameters), and
//     hashes per second with 4 in flight (the libuv pool) against one at a time.
// Per-operation figures are the median of o.runs runs, the baseline measured in the same run
// right before the code it is compared with.
import {
  createHash,
  scrypt,
  verify as cryptoVerify,
  generateKeyPairSync,
  type KeyObject,
} from 'node:crypto';
import os from 'node:os';
import { checkStamp, mintStamp } from '../src/shared/hashcash.js';
import {
  exportPublicKey,
  importPublicKey,
  signMessage,
  signedPayload,
  verify,
  type SignableMessage,
} from '../src/shared/signing.js';
import { median, ratio, round, type BenchOptions } from './lib/stats.js';

/**
 * SERVER_NAME's default. The name's length matters: a try whose stamp is longer than 55 bytes
 * costs two SHA-256 blocks instead of one. The stamp is 31 bytes + name + counter, and at 20 bits
 * counters reach 6–7 digits, so from 18 characters on minting gets slower (up to 2×).
 */
const RESOURCE = 'chat';
/** What the server asks for by default (HASHCASH_BITS). */
const CHECK_BITS = 20;
const SCRYPT = { N: 16_384, r: 8, p: 1 } as const;
const SCRYPT_KEY_BYTES = 32;
/** N·r·128 = 16 MiB are needed; twice that plus 1 MiB, like the server's password hashing. */
const SCRYPT_MAXMEM = 256 * SCRYPT.N * SCRYPT.r + 1_048_576;
const SCRYPT_CONCURRENCY = 4;
/** MAX_MESSAGE_SIZE's default: the largest body the server accepts. */
const BIG_BODY_BYTES = 4096;

export interface MintFigures {
  bits: number;
  stamps: number;
  medianMs: number;
  meanMs: number;
  /** tries = counter + 1; expected mean 2^bits, median ≈ ln 2 · 2^bits */
  medianTries: number;
  meanTries: number;
  /** SHA-256 tries per second inside mintStamp (all stamps' tries ÷ all stamps' time) */
  triesPerSec: number;
  /** 2^bits tries at triesPerSec: what the mean tends to with many stamps */
  expectedMeanMs: number;
}

export interface CheckFigures {
  validUs: number;
  bogusUs: number;
  /** one createHash('sha256') of the same (valid) stamp */
  baselineUs: number;
  validRatio: number;
  bogusRatio: number;
}

export interface SignatureFigures {
  label: string;
  payloadBytes: number;
  /** verify() with a KeyObject, as the baseline */
  verifyUs: number;
  /** verify() with the base64 key, as tofu.ts calls it (importPublicKey per call) */
  verifyB64Us: number;
  signedPayloadUs: number;
  /** bare node:crypto verify of the payload bytes, pre-imported KeyObject, decoded signature */
  baselineUs: number;
  verifyRatio: number;
  verifyB64Ratio: number;
  payloadRatio: number;
}

export interface ScryptFigures {
  samples: number;
  medianMs: number;
  /** one at a time, 1000 / median per run */
  sequentialPerSec: number;
  concurrency: number;
  threadpool: number;
  concurrentPerSec: number;
  /** median latency of one scrypt while SCRYPT_CONCURRENCY are in flight */
  concurrentLatencyMs: number;
  speedup: number;
}

export interface CryptoRun {
  check: { validUs: number; bogusUs: number; baselineUs: number };
  signatures: {
    verifyUs: number;
    verifyB64Us: number;
    signedPayloadUs: number;
    baselineUs: number;
  }[];
  scrypt: {
    sequentialMs: number[];
    concurrentPerSec: number;
    concurrentLatencyMs: number;
    concurrentCount: number;
  };
}

export interface CryptoResult {
  cores: number;
  mint: MintFigures[];
  /** all stamps' tries ÷ all stamps' time */
  mintTriesPerSec: number;
  /** 1 ÷ the check baseline: createHash('sha256') of one stamp, a new Hash object each time */
  nativeHashesPerSec: number;
  check: CheckFigures;
  signatures: SignatureFigures[];
  scrypt: ScryptFigures;
  runs: CryptoRun[];
  /** a sum over the results, kept so that the measured work cannot be optimized away */
  sink: number;
}

/** Results go here so that V8 cannot drop the work as unused. */
let sink = 0;
function consume(x: unknown): void {
  if (x === true) sink++;
  else if (x instanceof Uint8Array) sink += x[0]!;
  else if (typeof x === 'object' && x !== null && 'ok' in x && x.ok === true) sink++;
}

/** µs per call of `fn`, over `seconds` of calls (batches sized to about 10 ms). */
function microsPerOp(fn: () => unknown, seconds: number): number {
  const end = performance.now() + seconds * 1000;
  let batch = 16;
  let calls = 0;
  let spent = 0;
  for (;;) {
    const t0 = performance.now();
    for (let i = 0; i < batch; i++) consume(fn());
    const dt = performance.now() - t0;
    calls += batch;
    spent += dt;
    if (t0 + dt >= end) break;
    if (dt < 10) batch *= 2;
  }
  return (spent * 1000) / calls;
}

function scryptOnce(password: string, salt: Buffer): Promise<number> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    scrypt(password, salt, SCRYPT_KEY_BYTES, { ...SCRYPT, maxmem: SCRYPT_MAXMEM }, (err, key) => {
      if (err) reject(err);
      else {
        consume(key);
        resolve(performance.now() - t0);
      }
    });
  });
}

/** A body of `bytes` UTF-8 bytes in lines of ≤ 72 (joined by a newline, as validate.ts counts). */
function bodyOf(bytes: number): string[] {
  const text = 'the quick brown fox jumps over the lazy dog, and then some more words. '.repeat(
    Math.ceil(bytes / 50),
  );
  const lines: string[] = [];
  let total = 0;
  while (total < bytes) {
    const sep = lines.length > 0 ? 1 : 0;
    const len = Math.min(72, bytes - total - sep);
    lines.push(text.slice(total, total + len));
    total += sep + len;
  }
  return lines;
}

interface SignCase {
  label: string;
  msg: SignableMessage;
  sig: string;
  sigBytes: Buffer;
  payload: Uint8Array;
}

function signCases(privateKey: KeyObject): SignCase[] {
  const small: SignableMessage = {
    command: 'PRIVMSG',
    to: '#general',
    body: ['hello world'],
    meta: {},
  };
  const big: SignableMessage = { ...small, body: bodyOf(BIG_BODY_BYTES) };
  return [
    { label: 'PRIVMSG "hello world"', msg: small },
    { label: `PRIVMSG, ${BIG_BODY_BYTES / 1024} KiB body`, msg: big },
  ].map(({ label, msg }) => {
    const signed = signMessage(msg, privateKey);
    const sig = signed.meta!.sig as string;
    return {
      label,
      msg: signed,
      sig,
      sigBytes: Buffer.from(sig, 'base64'),
      payload: signedPayload(signed),
    };
  });
}

async function mintFigures(bits: number, stamps: number, o: BenchOptions): Promise<MintFigures> {
  const ms: number[] = [];
  const tries: number[] = [];
  for (let i = 0; i < stamps; i++) {
    const t0 = performance.now();
    const stamp = await mintStamp({ bits, resource: RESOURCE });
    ms.push(performance.now() - t0);
    tries.push(Number(stamp.slice(stamp.lastIndexOf(':') + 1)) + 1);
  }
  const sum = (xs: number[]) => xs.reduce((s, x) => s + x, 0);
  const fig: MintFigures = {
    bits,
    stamps,
    medianMs: median(ms),
    meanMs: sum(ms) / stamps,
    medianTries: median(tries),
    meanTries: sum(tries) / stamps,
    triesPerSec: (sum(tries) / sum(ms)) * 1000,
    expectedMeanMs: 0,
  };
  fig.expectedMeanMs = (2 ** bits / fig.triesPerSec) * 1000;
  o.log(
    `  mint ${bits} bits: ${stamps} stamps, median ${fig.medianMs.toFixed(1)} ms (${fig.medianTries} tries), mean ${fig.meanMs.toFixed(1)} ms (${Math.round(fig.meanTries)} tries; expected ${2 ** bits}), ${Math.round(fig.triesPerSec).toLocaleString('en-US')} tries/s`,
  );
  return fig;
}

export async function runCrypto(o: BenchOptions): Promise<CryptoResult> {
  // Each per-operation figure gets a fifth of --seconds per run (1 s, 0.2 s with --quick).
  const window = o.seconds / 5;
  const now = new Date();

  // Hashcash: a valid stamp at the server's default bits, and a bogus one that gets as far as the
  // hash (well formed, right resource and date, not enough zero bits): the costliest refusal.
  const valid = await mintStamp({ bits: CHECK_BITS, resource: RESOURCE, now });
  const checkOpts = { requiredBits: CHECK_BITS, resource: RESOURCE, now };
  const colon = valid.lastIndexOf(':');
  let bogus = '';
  for (let c = Number(valid.slice(colon + 1)) + 1; ; c++) {
    bogus = valid.slice(0, colon + 1) + String(c);
    const r = checkStamp(bogus, checkOpts);
    if (!r.ok && r.reason === 'insufficient_work') break;
  }
  if (!checkStamp(valid, checkOpts).ok) throw new Error('crypto: the minted stamp does not check');
  const sha = () => createHash('sha256').update(valid).digest();
  const checkValid = () => checkStamp(valid, checkOpts);
  const checkBogus = () => checkStamp(bogus, checkOpts);

  // Signatures.
  const { privateKey } = generateKeyPairSync('ed25519');
  const keyB64 = exportPublicKey(privateKey);
  const key = importPublicKey(keyB64);
  if (key === null) throw new Error('crypto: importPublicKey failed');
  const cases = signCases(privateKey);
  for (const c of cases) {
    if (!verify(c.msg, key, c.sig) || !cryptoVerify(null, c.payload, key, c.sigBytes)) {
      throw new Error(`crypto: ${c.label} does not verify`);
    }
  }
  o.log(`  signed payloads: ${cases.map((c) => `${c.payload.length} bytes`).join(', ')}`);

  // Warm-up: every measured function for a while before the first run.
  const warm = Math.min(0.2, o.warmupSeconds / 5);
  for (const fn of [sha, checkValid, checkBogus]) microsPerOp(fn, warm);
  for (const c of cases) {
    microsPerOp(() => cryptoVerify(null, c.payload, key, c.sigBytes), warm);
    microsPerOp(() => verify(c.msg, key, c.sig), warm);
    microsPerOp(() => verify(c.msg, keyB64, c.sig), warm);
    microsPerOp(() => signedPayload(c.msg), warm);
  }
  const password = 'correct horse battery staple';
  const salt = Buffer.from('0123456789abcdef');
  await scryptOnce(password, salt);

  const runs: CryptoRun[] = [];
  const seqSamples = o.quick ? 4 : 10;
  for (let r = 0; r < o.runs; r++) {
    const baselineUs = microsPerOp(sha, window);
    const validUs = microsPerOp(checkValid, window);
    const bogusUs = microsPerOp(checkBogus, window);
    const signatures = cases.map((c) => {
      const baselineUs = microsPerOp(() => cryptoVerify(null, c.payload, key, c.sigBytes), window);
      const verifyUs = microsPerOp(() => verify(c.msg, key, c.sig), window);
      const verifyB64Us = microsPerOp(() => verify(c.msg, keyB64, c.sig), window);
      const signedPayloadUs = microsPerOp(() => signedPayload(c.msg), window);
      return { baselineUs, verifyUs, verifyB64Us, signedPayloadUs };
    });
    const sequentialMs: number[] = [];
    for (let i = 0; i < seqSamples; i++) {
      sequentialMs.push(await scryptOnce(password, salt));
    }
    const conc = await concurrentScrypt(password, salt, Math.max(1, o.seconds / 2));
    const run: CryptoRun = {
      check: { validUs, bogusUs, baselineUs },
      signatures,
      scrypt: {
        sequentialMs,
        concurrentPerSec: conc.perSec,
        concurrentLatencyMs: conc.latencyMs,
        concurrentCount: conc.count,
      },
    };
    runs.push(run);
    o.log(
      `  run ${r + 1}: checkStamp ${validUs.toFixed(2)} µs valid / ${bogusUs.toFixed(2)} µs bogus (sha256 ${baselineUs.toFixed(2)} µs); ` +
        signatures
          .map(
            (s, i) =>
              `${cases[i]!.payload.length} B: verify ${s.verifyUs.toFixed(1)} µs, b64 key ${s.verifyB64Us.toFixed(1)} µs, payload ${s.signedPayloadUs.toFixed(2)} µs, bare ${s.baselineUs.toFixed(1)} µs`,
          )
          .join('; ') +
        `; scrypt ${median(sequentialMs).toFixed(1)} ms, ${conc.perSec.toFixed(1)}/s with ${SCRYPT_CONCURRENCY} in flight (${conc.count} in ${conc.seconds.toFixed(1)} s)`,
    );
  }

  // Minting last: it is the longest and its figure does not depend on the runs.
  const mint = [
    await mintFigures(16, o.quick ? 10 : 30, o),
    await mintFigures(20, o.quick ? 3 : 10, o),
  ];
  const allTries = mint.reduce((s, m) => s + m.meanTries * m.stamps, 0);
  const allMs = mint.reduce((s, m) => s + m.meanMs * m.stamps, 0);

  const med = (f: (x: CryptoRun) => number) => median(runs.map(f));
  const baselineUs = med((x) => x.check.baselineUs);
  const validUs = med((x) => x.check.validUs);
  const bogusUs = med((x) => x.check.bogusUs);
  const signatures = cases.map((c, i): SignatureFigures => {
    const m = (f: (x: CryptoRun['signatures'][number]) => number) =>
      median(runs.map((x) => f(x.signatures[i]!)));
    const base = m((s) => s.baselineUs);
    const verifyUs = m((s) => s.verifyUs);
    const verifyB64Us = m((s) => s.verifyB64Us);
    const signedPayloadUs = m((s) => s.signedPayloadUs);
    return {
      label: c.label,
      payloadBytes: c.payload.length,
      verifyUs,
      verifyB64Us,
      signedPayloadUs,
      baselineUs: base,
      verifyRatio: ratio(verifyUs, base),
      verifyB64Ratio: ratio(verifyB64Us, base),
      payloadRatio: ratio(signedPayloadUs, base),
    };
  });
  const allSeq = runs.flatMap((x) => x.scrypt.sequentialMs);
  const sequentialPerSec = med((x) => 1000 / median(x.scrypt.sequentialMs));
  const concurrentPerSec = med((x) => x.scrypt.concurrentPerSec);
  return {
    cores: os.cpus().length,
    mint,
    mintTriesPerSec: (allTries / allMs) * 1000,
    nativeHashesPerSec: 1e6 / baselineUs,
    check: {
      validUs,
      bogusUs,
      baselineUs,
      validRatio: ratio(validUs, baselineUs),
      bogusRatio: ratio(bogusUs, baselineUs),
    },
    signatures,
    scrypt: {
      samples: allSeq.length,
      medianMs: median(allSeq),
      sequentialPerSec,
      concurrency: SCRYPT_CONCURRENCY,
      threadpool: Number(process.env.UV_THREADPOOL_SIZE ?? 4),
      concurrentPerSec,
      concurrentLatencyMs: med((x) => x.scrypt.concurrentLatencyMs),
      speedup: ratio(concurrentPerSec, sequentialPerSec),
    },
    runs: runs.map((x) => ({
      ...x,
      scrypt: {
        ...x.scrypt,
        sequentialMs: x.scrypt.sequentialMs.map((v) => round(v, 2)),
      },
    })),
    sink,
  };
}

/**
 * SCRYPT_CONCURRENCY loops, each starting its next scrypt as soon as the last one finishes,
 * until `seconds` have passed; rate = completed ÷ time until the last one finished.
 */
async function concurrentScrypt(password: string, salt: Buffer, seconds: number) {
  const t0 = performance.now();
  const end = t0 + seconds * 1000;
  const latencies: number[] = [];
  const loop = async () => {
    while (performance.now() < end) latencies.push(await scryptOnce(password, salt));
  };
  await Promise.all(Array.from({ length: SCRYPT_CONCURRENCY }, loop));
  const elapsed = (performance.now() - t0) / 1000;
  return {
    count: latencies.length,
    seconds: elapsed,
    perSec: latencies.length / elapsed,
    latencyMs: median(latencies),
  };
}
