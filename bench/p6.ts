// P6: a 10,000-member channel with 100 members polling live, against a 10-member channel with all
// 10 polling (same run). Storing and delivering a message must cost the same whatever the member
// count: msgs/s and database bytes per message, as ratios big ÷ small. 100 and 1,000 members (at
// most 100 polling) complete the curve of throughput against member count.
import fs from 'node:fs';
import path from 'node:path';
import { non200, privmsgLoad } from './lib/load.js';
import { keepAliveAgent, Poller, settleAndCheck } from './lib/http.js';
import { makeTempDir, removeTempDir, startChatd, stopAndClean } from '../test/helpers/chatd.js';
import { BENCH_CHATD_ENV } from './lib/proc.js';
import { dbBytes, seedChannel, type Seeded } from './lib/seed.js';
import { logTrouble, median, ratio, type BenchOptions } from './lib/stats.js';

const CHANNEL = '#big';
const CONNECTIONS = 50;
const POLLERS = 100;
/** the 10,000-member channel, the brief's 10-member baseline, and 100 members all polling (the
 * same 100 pollers as the big channel, so that only the member count differs) */
const BIG = 10_000;
const SMALL = 10;
const MID = 100;
/**
 * Every (members, pollers) measured: the three above, and the curve of throughput against member
 * count (bench/results/p6-members.svg) with the pollers held constant: 100 polling from 100 to
 * 10,000 members, and 10 polling from 10 to 10,000.
 */
const VARIANTS: { members: number; pollers: number }[] = [
  { members: SMALL, pollers: SMALL },
  { members: MID, pollers: POLLERS },
  { members: 1_000, pollers: POLLERS },
  { members: BIG, pollers: POLLERS },
  { members: MID, pollers: SMALL },
  { members: 1_000, pollers: SMALL },
  { members: BIG, pollers: SMALL },
];

export interface P6Run {
  members: number;
  pollers: number;
  msgsPerSec: number;
  /** msgs/s × pollers: PRIVMSGs handed to polling clients per second */
  deliveriesPerSec: number;
  stored: number;
  bytesPerMsg: number;
  cpu: number;
  generatorCpu: number;
  lost: number;
  duplicates: number;
  reordered: number;
  /** received by a poller but never acknowledged to a sender */
  phantom: number;
  non200: number;
  statuses: Record<string, number>;
  pollErrors: Record<string, number>;
  firstError: string | null;
  exitCode: number | null;
  serverLog: string;
}

export interface P6Side {
  members: number;
  pollers: number;
  seedSeconds: number;
  msgsPerSec: number;
  deliveriesPerSec: number;
  bytesPerMsg: number;
  cpu: number;
  lost: number;
  duplicates: number;
  reordered: number;
  phantom: number;
  non200: number;
  runs: P6Run[];
}

export interface P6Result {
  big: P6Side;
  /** 10 members, all polling: the baseline of the brief */
  small: P6Side;
  /** 100 members, all polling: the same pollers as `big` */
  mid: P6Side;
  /** every (members, pollers) measured, VARIANTS' order: the curves against member count */
  curve: P6Side[];
  /** msgs/s big ÷ small */
  rateRatio: number;
  /** bytes/msg big ÷ small */
  bytesRatio: number;
  /** msgs/s big ÷ mid */
  rateRatioMid: number;
  /** bytes/msg big ÷ mid */
  bytesRatioMid: number;
  targetMsgsPerSec: number;
}

interface Template {
  dir: string;
  members: number;
  seeded: Seeded;
}

async function template(members: number, o: BenchOptions): Promise<Template> {
  const dir = makeTempDir('chat-bench-seed-');
  const seeded = await seedChannel(path.join(dir, 'chat.db'), members, CHANNEL);
  o.log(
    `  seeded ${members} members in ${seeded.seconds.toFixed(1)} s (${(seeded.bytes / 1024).toFixed(0)} KiB)`,
  );
  return { dir, members, seeded };
}

export async function runP6(o: BenchOptions): Promise<P6Result> {
  const templates = new Map<number, Template>();
  const runs: P6Run[][] = VARIANTS.map(() => []);
  try {
    for (const v of VARIANTS) {
      if (!templates.has(v.members)) templates.set(v.members, await template(v.members, o));
    }
    for (let r = 0; r < o.runs; r++) {
      for (let i = 0; i < VARIANTS.length; i++) {
        const v = VARIANTS[i]!;
        const x = await oneRun(templates.get(v.members)!, v.pollers, o);
        log(o, r, x);
        runs[i]!.push(x);
      }
    }
  } finally {
    for (const t of templates.values()) removeTempDir(t.dir);
  }
  const curve = VARIANTS.map((v, i) => side(templates.get(v.members)!, v.pollers, runs[i]!));
  const at = (members: number, pollers: number) =>
    curve.find((x) => x.members === members && x.pollers === pollers)!;
  const [small, mid, big] = [at(SMALL, SMALL), at(MID, POLLERS), at(BIG, POLLERS)];
  return {
    big,
    small,
    mid,
    curve,
    rateRatio: ratio(big.msgsPerSec, small.msgsPerSec),
    bytesRatio: ratio(big.bytesPerMsg, small.bytesPerMsg),
    rateRatioMid: ratio(big.msgsPerSec, mid.msgsPerSec),
    bytesRatioMid: ratio(big.bytesPerMsg, mid.bytesPerMsg),
    targetMsgsPerSec: 1000,
  };
}

function log(o: BenchOptions, r: number, x: P6Run): void {
  o.log(
    `  run ${r + 1}: ${x.members} members, ${x.pollers} polling: ${x.msgsPerSec.toFixed(0)} msgs/s, ${x.bytesPerMsg.toFixed(0)} B/msg (cpu ${x.cpu.toFixed(0)}%, generator ${x.generatorCpu.toFixed(0)}%), lost ${x.lost}, dup ${x.duplicates}, statuses ${JSON.stringify(x.statuses)}`,
  );
  logTrouble(o, x, x.pollErrors);
}

function side(t: Template, pollers: number, runs: P6Run[]): P6Side {
  const sum = (f: (x: P6Run) => number) => runs.reduce((s, x) => s + f(x), 0);
  return {
    members: t.members,
    pollers,
    seedSeconds: t.seeded.seconds,
    msgsPerSec: median(runs.map((x) => x.msgsPerSec)),
    deliveriesPerSec: median(runs.map((x) => x.deliveriesPerSec)),
    bytesPerMsg: median(runs.map((x) => x.bytesPerMsg)),
    cpu: median(runs.map((x) => x.cpu)),
    lost: sum((x) => x.lost),
    duplicates: sum((x) => x.duplicates),
    reordered: sum((x) => x.reordered),
    phantom: sum((x) => x.phantom),
    non200: sum((x) => x.non200),
    runs,
  };
}

async function oneRun(t: Template, nPollers: number, o: BenchOptions): Promise<P6Run> {
  const dir = makeTempDir('chatd-bench-p6-');
  for (const f of fs.readdirSync(t.dir)) fs.copyFileSync(path.join(t.dir, f), path.join(dir, f));
  const dbPath = path.join(dir, 'chat.db');
  const proc = await startChatd({ dir, env: BENCH_CHATD_ENV });
  const pollAgent = keepAliveAgent(nPollers * 2);
  const tokens = t.seeded.tokens;
  try {
    const pollers = tokens
      .slice(0, nPollers)
      .map((tok) => new Poller(pollAgent, proc.port, tok, CHANNEL, t.seeded.latestSeq));
    for (const p of pollers) p.start();
    const { load, acked } = await privmsgLoad({
      port: proc.port,
      serverPid: proc.pid,
      tokens: tokens.slice(0, nPollers),
      channel: CHANNEL,
      connections: CONNECTIONS,
      warmupMs: o.warmupSeconds * 1000,
      durationMs: o.seconds * 1000,
      maxRequests: o.maxRequests,
    });
    const delivery = await settleAndCheck(pollers, acked, 30_000);
    pollAgent.destroy();
    const exitCode = await proc.stop();
    const bytes = dbBytes(dbPath) - t.seeded.bytes;
    return {
      members: t.members,
      pollers: nPollers,
      msgsPerSec: load.okPerSec,
      deliveriesPerSec: load.okPerSec * nPollers,
      stored: acked.size,
      bytesPerMsg: acked.size > 0 ? bytes / acked.size : NaN,
      cpu: load.serverCpu,
      generatorCpu: load.generatorCpu,
      lost: delivery.lost,
      duplicates: delivery.duplicates,
      reordered: delivery.reordered,
      phantom: delivery.unacked,
      non200: non200(load),
      statuses: load.statuses,
      pollErrors: delivery.pollErrors,
      firstError: load.firstError,
      exitCode,
      serverLog: proc.output().slice(-4000),
    };
  } finally {
    pollAgent.destroy();
    await stopAndClean(proc);
  }
}
