// P8: start-up to healthy. The time from spawning `node bin/chatd.js` to the first 200 from its
// health check (GET /.well-known/healthcheck.json), with an empty database (no file yet: chatd
// creates it and runs its migrations) as the baseline, and with 1,000,000 stored messages (seeded
// once through the store's own appendEvent, lib/seed.ts, and copied for every run so that each
// start finds the same file). Runs alternate between the two, so that other work on the machine
// falls on both. The health check is polled every 5 ms over a new connection each time (a 5 ms
// resolution, no kept-alive socket that an unready server could not have accepted).
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import {
  CHATD_BIN,
  freePort,
  launch,
  makeTempDir,
  removeTempDir,
  type Proc,
} from '../test/helpers/chatd.js';
import { BENCH_CHATD_ENV, rssKiB, sleep } from './lib/proc.js';
import { seedMessages } from './lib/seed.js';
import { median, ratio, type BenchOptions } from './lib/stats.js';

export const P8_MESSAGES = 1_000_000;
const QUICK_MESSAGES = 100_000;
const HEALTH = '/.well-known/healthcheck.json';
const POLL_MS = 5;
/** a start that takes longer than this is a failure, not a figure */
const START_TIMEOUT_MS = 60_000;
export const P8_TARGET_EMPTY_MS = 1000;
export const P8_TARGET_SEEDED_MS = 3000;

export interface P8Start {
  /** spawn → first 200 from the health check */
  ms: number;
  /** polls answered with something else than 200 first (a listening but unready server) */
  notReady: number;
  rssKiB: number;
}

export interface P8Side {
  messages: number;
  dbBytes: number;
  starts: P8Start[];
  failed: string[];
  medianMs: number;
  minMs: number;
  maxMs: number;
  rssKiB: number;
  targetMs: number;
}

export interface P8Result {
  empty: P8Side;
  seeded: P8Side;
  seedSeconds: number;
  /** seeded ÷ empty, medians */
  ratio: number;
}

function healthStatus(port: number): Promise<number> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: HEALTH, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', () => resolve(0));
    });
    req.on('error', () => resolve(0));
    req.setTimeout(2000, () => req.destroy());
  });
}

/** Spawns chatd on `dir`/chat.db and times it to its first healthy answer. */
async function timeStart(dir: string): Promise<P8Start> {
  const port = await freePort();
  const t0 = performance.now();
  const proc: Proc = launch({
    args: [CHATD_BIN],
    cwd: dir,
    // the variables test/helpers/chatd.ts gives every chatd, with the bench's log level
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      PORT: String(port),
      HOST: '127.0.0.1',
      DBURL: `file:${path.join(dir, 'chat.db')}`,
      JOB_INTERVAL: '1h',
      FLOOD_RATE: '0',
      HASHCASH_BITS: '0',
      IRC_PORT: '0',
      ...BENCH_CHATD_ENV,
    },
    port,
    dir,
  });
  try {
    let notReady = 0;
    for (;;) {
      if (proc.exited()) throw new Error(`chatd exited during start-up:\n${proc.output()}`);
      const status = await healthStatus(port);
      if (status === 200) break;
      if (status !== 0) notReady++;
      if (performance.now() - t0 > START_TIMEOUT_MS) {
        throw new Error(`chatd not healthy after ${START_TIMEOUT_MS} ms:\n${proc.output()}`);
      }
      await sleep(POLL_MS);
    }
    const ms = performance.now() - t0;
    return { ms, notReady, rssKiB: rssKiB(proc.pid) };
  } finally {
    await proc.stop();
  }
}

function side(
  messages: number,
  dbBytes: number,
  starts: P8Start[],
  failed: string[],
  target: number,
): P8Side {
  const ms = starts.map((s) => s.ms);
  return {
    messages,
    dbBytes,
    starts,
    failed,
    medianMs: median(ms),
    minMs: ms.length ? Math.min(...ms) : NaN,
    maxMs: ms.length ? Math.max(...ms) : NaN,
    rssKiB: median(starts.map((s) => s.rssKiB)),
    targetMs: target,
  };
}

export async function runP8(o: BenchOptions): Promise<P8Result> {
  const count = o.quick ? QUICK_MESSAGES : P8_MESSAGES;
  const template = makeTempDir('chat-bench-p8-seed-');
  const empty: P8Start[] = [];
  const seeded: P8Start[] = [];
  const failedEmpty: string[] = [];
  const failedSeeded: string[] = [];
  try {
    o.log(`  seeding ${count.toLocaleString('en-US')} messages through the store…`);
    const seed = await seedMessages(path.join(template, 'chat.db'), count);
    o.log(
      `  seeded in ${seed.seconds.toFixed(1)} s (${(seed.bytes / 1048576).toFixed(0)} MiB in use)`,
    );
    // one start on each first, not counted: the first spawn after the build pays for loading
    // node and the compiled files from disk
    for (let run = -1; run < o.runs; run++) {
      for (const which of ['empty', 'seeded'] as const) {
        const dir = makeTempDir('chatd-bench-p8-');
        try {
          if (which === 'seeded') {
            for (const f of fs.readdirSync(template)) {
              fs.copyFileSync(path.join(template, f), path.join(dir, f));
            }
          }
          const s = await timeStart(dir);
          if (run >= 0) (which === 'empty' ? empty : seeded).push(s);
          o.log(
            `  ${run < 0 ? 'warm-up' : `run ${run + 1}`} ${which}: healthy after ${s.ms.toFixed(0)} ms (rss ${(s.rssKiB / 1024).toFixed(0)} MiB${s.notReady ? `, ${s.notReady} unready answers first` : ''})`,
          );
        } catch (err) {
          const text = err instanceof Error ? err.message : String(err);
          if (run >= 0) (which === 'empty' ? failedEmpty : failedSeeded).push(text);
          o.log(`  run ${run + 1} ${which}: FAILED ${text.slice(0, 1500)}`);
        } finally {
          removeTempDir(dir);
        }
      }
    }
    const e = side(0, 0, empty, failedEmpty, P8_TARGET_EMPTY_MS);
    const s = side(count, seed.bytes, seeded, failedSeeded, P8_TARGET_SEEDED_MS);
    return { empty: e, seeded: s, seedSeconds: seed.seconds, ratio: ratio(s.medianMs, e.medianMs) };
  } finally {
    removeTempDir(template);
  }
}
