// P4: delivery latency against offered rate. One sender posts PRIVMSGs at a fixed rate into a
// channel of 200 members; every other member reads them, and each delivery's latency (arrival −
// send time, one clock) goes into the sample. p50/p90/p99/max per offered rate, per transport:
// chatd's long-poll API, its Server-Sent Events stream, its IRC listener, and ngIRCd and InspIRCd
// under the same IRC load (the baseline of the same run). Every cell starts a fresh server.
//
// A transport is one entry of TRANSPORTS: how to check it can run, and how to run one rate on a
// fresh server; the table, the JSON and the charts follow the list.
import fs from 'node:fs';
import path from 'node:path';
import { makeTempDir, removeTempDir, startChatd, stopAndClean } from '../test/helpers/chatd.js';
import { CONNECT_CONCURRENCY, startServer } from './p2-irc.js';
import { runIrcLoad, type IrcLoadResult } from './lib/irc-load.js';
import { httpLatency, type HttpReader, type LatencyRun } from './lib/latency.js';
import { checkPeer, type PeerCheck, type PeerName } from './lib/peers.js';
import { BENCH_CHATD_ENV } from './lib/proc.js';
import { seedChannel, type Seeded } from './lib/seed.js';
import { median, type BenchOptions } from './lib/stats.js';

export const P4_MEMBERS = 200;
export const P4_RATES = [50, 100, 200, 400];
const QUICK_RATES = [50, 200];
const CHANNEL = '#p4';
/** QUALITY.md §2: p99 at 200 msgs/s into 200 members */
export const P4_TARGET_RATE = 200;

export type TransportKind = 'chatd' | 'peer';

/** Set-up shared by a transport's cells in one P4 run (a seeded database), undone at the end. */
interface Prepared {
  runRate(rate: number, o: BenchOptions): Promise<LatencyRun>;
  dispose(): void;
}

export interface Transport {
  name: string;
  label: string;
  kind: TransportKind;
  /** p99 target at P4_TARGET_RATE in ms (chatd's transports), or null (a peer: the baseline) */
  targetP99Ms: number | null;
  /** null when it can run here, else why not (shown as SKIPPED) */
  unavailable(): string | null;
  prepare(o: BenchOptions): Promise<Prepared>;
}

/** The IRC load of P2's shape a-rate at any rate: 200 clients in one channel, one sender. */
function ircTransport(
  name: string,
  label: string,
  server: 'chatd' | PeerName,
  targetP99Ms: number | null,
): Transport {
  let check: PeerCheck | null = null;
  return {
    name,
    label,
    kind: server === 'chatd' ? 'chatd' : 'peer',
    targetP99Ms,
    unavailable: () => {
      if (server === 'chatd') return null;
      check ??= checkPeer(server);
      return check.missing ?? null;
    },
    prepare: () => {
      const peers = new Map<PeerName, PeerCheck>();
      if (server !== 'chatd') peers.set(server, (check ??= checkPeer(server)));
      return Promise.resolve({
        runRate: async (rate, o) => {
          const proc = await startServer(server, peers);
          try {
            const r = await runIrcLoad({
              port: proc.port,
              serverPid: proc.pid,
              clients: P4_MEMBERS,
              channels: 1,
              senders: 1,
              messages:
                Math.round(rate * o.warmupSeconds) + Math.max(1, Math.round(rate * o.seconds)),
              warmupMessages: Math.round(rate * o.warmupSeconds),
              rate,
              connectConcurrency: CONNECT_CONCURRENCY[server],
              timeoutMs: 150_000,
              drainMs: 20_000,
            });
            return fromIrc(r, rate, Math.round(rate * o.warmupSeconds));
          } finally {
            await proc.stop();
          }
        },
        dispose: () => undefined,
      });
    },
  };
}

function fromIrc(r: IrcLoadResult, rate: number, warmupMessages: number): LatencyRun {
  return {
    rate,
    members: r.joined,
    sent: r.sent,
    expected: r.expected,
    delivered: r.delivered,
    missing: r.missing,
    duplicates: r.duplicates,
    deliveriesPerSec: r.deliveriesPerSec,
    sentPerSec: r.messagesPerSec,
    latencyMs: {
      p50: r.latencyMs.p50,
      p90: r.latencyMs.p90,
      p99: r.latencyMs.p99,
      max: r.latencyMs.max,
      // the sample: deliveries of the messages after the warm-up
      count: Math.max(0, r.delivered - warmupMessages * Math.max(0, r.joined - 1)),
    },
    serverCpuPercent: r.server?.sendCpuPercent ?? NaN,
    generatorCpuPercent: r.generatorCpuPercent,
    firstError:
      r.firstError ??
      (Object.keys(r.setupFailures).length ? JSON.stringify(r.setupFailures) : null),
  };
}

/**
 * chatd's HTTP API: 200 members seeded through the store, 199 of them reading their queues by
 * long-poll or over Server-Sent Events.
 */
const httpTransport = (
  name: string,
  label: string,
  reader: HttpReader,
  targetP99Ms: number,
): Transport => ({
  name,
  label,
  kind: 'chatd',
  targetP99Ms,
  unavailable: () => null,
  prepare: async (o) => {
    const dir = makeTempDir('chat-bench-p4-seed-');
    const seeded: Seeded = await seedChannel(path.join(dir, 'chat.db'), P4_MEMBERS, CHANNEL);
    o.log(`  seeded ${P4_MEMBERS} members in ${seeded.seconds.toFixed(1)} s`);
    return {
      runRate: async (rate, opts) => {
        const runDir = makeTempDir('chatd-bench-p4-');
        for (const f of fs.readdirSync(dir)) {
          fs.copyFileSync(path.join(dir, f), path.join(runDir, f));
        }
        const proc = await startChatd({ dir: runDir, env: BENCH_CHATD_ENV });
        try {
          return await httpLatency({
            port: proc.port,
            serverPid: proc.pid,
            tokens: seeded.tokens,
            channel: CHANNEL,
            after: seeded.latestSeq,
            rate,
            warmupSeconds: opts.warmupSeconds,
            seconds: opts.seconds,
            drainMs: 20_000,
            reader,
          });
        } finally {
          await stopAndClean(proc);
        }
      },
      dispose: () => removeTempDir(dir),
    };
  },
});

/**
 * The transports P4 measures, in the order of the table and the charts' legends. chatd's readers
 * first (each with its QUALITY.md §2 target), then the peers under the same IRC load.
 */
export const TRANSPORTS: Transport[] = [
  httpTransport('longpoll', 'chatd long-poll', 'long-poll', 25),
  httpTransport('sse', 'chatd SSE', 'sse', 10),
  ircTransport('irc', 'chatd IRC', 'chatd', 10),
  ircTransport('ngircd', 'ngIRCd', 'ngircd', null),
  ircTransport('inspircd', 'InspIRCd', 'inspircd', null),
];

export interface P4Cell {
  rate: number;
  runs: LatencyRun[];
  failed: string[];
  /** medians over the runs */
  p50: number;
  p90: number;
  p99: number;
  max: number;
  deliveriesPerSec: number;
  sentPerSec: number;
  serverCpuPercent: number;
  /** sums over the runs */
  missing: number;
  duplicates: number;
}

export interface P4TransportResult {
  name: string;
  label: string;
  kind: TransportKind;
  targetP99Ms: number | null;
  /** why it did not run */
  skipped: string | null;
  cells: P4Cell[];
}

export interface P4Result {
  members: number;
  rates: number[];
  targetRate: number;
  transports: P4TransportResult[];
}

export interface P4Options {
  /** transport names; default all */
  transports?: string[];
  rates?: number[];
}

export const TRANSPORT_NAMES = TRANSPORTS.map((t) => t.name);

export async function runP4(o: BenchOptions, p4: P4Options = {}): Promise<P4Result> {
  const rates = p4.rates ?? (o.quick ? QUICK_RATES : P4_RATES);
  const wanted = TRANSPORTS.filter((t) => !p4.transports || p4.transports.includes(t.name));
  const results: P4TransportResult[] = [];
  for (const t of wanted) {
    const skipped = t.unavailable();
    if (skipped) o.log(`  ${t.label}: SKIPPED — ${skipped}`);
    results.push({
      name: t.name,
      label: t.label,
      kind: t.kind,
      targetP99Ms: t.targetP99Ms,
      skipped,
      cells: [],
    });
  }
  const runs = new Map<string, { runs: LatencyRun[]; failed: string[] }>();
  const prepared = new Map<string, Prepared>();
  try {
    for (const t of wanted) {
      if (t.unavailable()) continue;
      prepared.set(t.name, await t.prepare(o));
    }
    // runs outermost, so that a burst of other work on the machine spreads over all the cells
    for (let run = 0; run < o.runs; run++) {
      for (const rate of rates) {
        for (const t of wanted) {
          const p = prepared.get(t.name);
          if (!p) continue;
          const slot = runs.get(`${t.name}/${rate}`) ?? { runs: [], failed: [] };
          runs.set(`${t.name}/${rate}`, slot);
          try {
            const r = await p.runRate(rate, o);
            slot.runs.push(r);
            o.log(
              `  run ${run + 1} ${rate}/s ${t.label}: p50 ${r.latencyMs.p50.toFixed(1)} p90 ${r.latencyMs.p90.toFixed(1)} p99 ${r.latencyMs.p99.toFixed(1)} max ${r.latencyMs.max.toFixed(0)} ms, ${r.deliveriesPerSec.toFixed(0)} deliveries/s, sent ${r.sentPerSec.toFixed(0)}/s, cpu ${r.serverCpuPercent.toFixed(0)}% (generator ${r.generatorCpuPercent.toFixed(0)}%), missing ${r.missing}${r.firstError ? `, first error: ${r.firstError}` : ''}`,
            );
          } catch (err) {
            const text = err instanceof Error ? err.message : String(err);
            slot.failed.push(text);
            o.log(`  run ${run + 1} ${rate}/s ${t.label}: FAILED ${text.slice(0, 1500)}`);
          }
        }
      }
    }
  } finally {
    for (const p of prepared.values()) p.dispose();
  }
  for (const t of results) {
    if (t.skipped) continue;
    t.cells = rates.map((rate) => cell(rate, runs.get(`${t.name}/${rate}`)));
  }
  return { members: P4_MEMBERS, rates, targetRate: P4_TARGET_RATE, transports: results };
}

function cell(rate: number, slot: { runs: LatencyRun[]; failed: string[] } | undefined): P4Cell {
  const xs = slot?.runs ?? [];
  const m = (f: (r: LatencyRun) => number) => median(xs.map(f));
  return {
    rate,
    runs: xs,
    failed: slot?.failed ?? [],
    p50: m((r) => r.latencyMs.p50),
    p90: m((r) => r.latencyMs.p90),
    p99: m((r) => r.latencyMs.p99),
    max: m((r) => r.latencyMs.max),
    deliveriesPerSec: m((r) => r.deliveriesPerSec),
    sentPerSec: m((r) => r.sentPerSec),
    serverCpuPercent: m((r) => r.serverCpuPercent),
    missing: xs.reduce((s, r) => s + r.missing, 0),
    duplicates: xs.reduce((s, r) => s + r.duplicates, 0),
  };
}
