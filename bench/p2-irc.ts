// P2: chatd's IRC listener against ngIRCd and InspIRCd, in the same run, with the bench's own IRC
// load generator (lib/irc-load.ts). Four shapes, each on a fresh server per run:
//   a       200 clients in 1 channel, 1 sender, 2,000 messages, window 50: fan-out deliveries/s
//   a-rate  the same at a fixed 200 messages/s: delivery latency
//   b-long  1,000 clients in 100 channels of 10, 100 senders × 500 messages, window 50
//   c       5,000 idle registered clients in no channel: server RSS per connection
// Every figure is the median of the runs; ratios are chatd ÷ peer (for latency and RSS, lower is
// better). A peer that is not installed is skipped with the reason.
import { startChatd, stopAndClean, type Chatd } from '../test/helpers/chatd.js';
import { runIrcLoad, type IrcLoadOptions, type IrcLoadResult } from './lib/irc-load.js';
import {
  checkPeer,
  PEER_NAMES,
  startPeer,
  type PeerCheck,
  type PeerName,
  type PeerProc,
} from './lib/peers.js';
import { BENCH_CHATD_ENV } from './lib/proc.js';
import { median, ratio, type BenchOptions } from './lib/stats.js';

export const SHAPE_NAMES = ['a', 'a-rate', 'b-long', 'c'] as const;
export type ShapeName = (typeof SHAPE_NAMES)[number];
export type ServerName = 'chatd' | PeerName;

export interface Shape {
  name: ShapeName;
  what: string;
  clients: number;
  channels: number;
  senders: number;
  messages: number;
  window?: number;
  rate?: number;
  holdMs?: number;
}

/** The shapes at full size, and scaled down for --quick (a smoke run, not figures). */
export function shapes(quick: boolean): Shape[] {
  if (quick) {
    return [
      {
        name: 'a',
        what: '50 clients, 1 channel, 1 sender × 500, window 50',
        clients: 50,
        channels: 1,
        senders: 1,
        messages: 500,
        window: 50,
      },
      {
        name: 'a-rate',
        what: '50 clients, 1 channel, 1 sender × 400 at 200/s',
        clients: 50,
        channels: 1,
        senders: 1,
        messages: 400,
        rate: 200,
      },
      {
        name: 'b-long',
        what: '200 clients, 20 channels, 20 senders × 100, window 50',
        clients: 200,
        channels: 20,
        senders: 20,
        messages: 100,
        window: 50,
      },
      {
        name: 'c',
        what: '500 idle clients, no channel',
        clients: 500,
        channels: 0,
        senders: 0,
        messages: 0,
        holdMs: 1_000,
      },
    ];
  }
  return [
    {
      name: 'a',
      what: '200 clients, 1 channel, 1 sender × 2,000, window 50',
      clients: 200,
      channels: 1,
      senders: 1,
      messages: 2_000,
      window: 50,
    },
    {
      name: 'a-rate',
      what: '200 clients, 1 channel, 1 sender × 2,000 at 200/s',
      clients: 200,
      channels: 1,
      senders: 1,
      messages: 2_000,
      rate: 200,
    },
    {
      name: 'b-long',
      what: '1,000 clients, 100 channels, 100 senders × 500, window 50',
      clients: 1_000,
      channels: 100,
      senders: 100,
      messages: 500,
      window: 50,
    },
    {
      name: 'c',
      what: '5,000 idle clients, no channel',
      clients: 5_000,
      channels: 0,
      senders: 0,
      messages: 0,
      holdMs: 3_000,
    },
  ];
}

export interface P2Options {
  /** default: all four */
  shapes?: ShapeName[];
  /** default: ngircd and inspircd */
  peers?: PeerName[];
}

/** One shape on one server, the medians of its runs and the sums of its faults. */
export interface ServerFigures {
  server: ServerName;
  runs: IrcLoadResult[];
  /** runs that did not produce a result (the server did not start, the generator threw) */
  failedRuns: string[];
  deliveriesPerSec: number;
  /** deliveries per second of server CPU over the send phase */
  deliveriesPerCpuSec: number;
  serverCpuPercent: number;
  generatorCpuPercent: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number };
  kibPerClient: number;
  setupSeconds: number;
  /** sums over the runs */
  missing: number;
  duplicates: number;
  reordered: number;
  phantom: number;
  closedEarly: number;
  setupFailed: number;
  stalls: number;
  timedOut: number;
  firstError: string | null;
}

export interface ShapeResult {
  shape: Shape;
  servers: Partial<Record<ServerName, ServerFigures>>;
}

export interface P2Result {
  quick: boolean;
  runsPerShape: number;
  /** peers and their versions; `missing` is why a peer was skipped */
  peers: PeerCheck[];
  shapes: ShapeResult[];
  /** a short text per server of anything that went wrong, for the report */
  trouble: string[];
}

const CHATD_IRC_ENV = {
  ...BENCH_CHATD_ENV,
  // every bench connection comes from 127.0.0.1
  IRC_SESSIONS_PER_ADDRESS: '0',
  // under the 20,000 descriptors per process
  IRC_MAX_CONNECTIONS: '15000',
};

export interface Running {
  pid: number;
  port: number;
  output(): string;
  stop(): Promise<unknown>;
}

export async function startServer(
  server: ServerName,
  peers: Map<PeerName, PeerCheck>,
): Promise<Running> {
  if (server === 'chatd') {
    const proc: Chatd = await startChatd({ irc: true, env: CHATD_IRC_ENV });
    if (proc.ircPort === null) throw new Error('chatd started without an IRC port');
    return {
      pid: proc.pid,
      port: proc.ircPort,
      output: () => proc.output(),
      stop: () => stopAndClean(proc),
    };
  }
  const p: PeerProc = await startPeer(peers.get(server)!);
  return { pid: p.pid, port: p.port, output: () => p.output(), stop: () => p.stop() };
}

/**
 * Connections registering at once, per server: only the set-up's speed depends on it. ngIRCd
 * listens with a backlog of 10 (more drop SYNs, retried after 1 s); InspIRCd completes a
 * registration on its once-a-second tick, so it needs many at once.
 */
export const CONNECT_CONCURRENCY: Record<ServerName, number> = {
  chatd: 50,
  ngircd: 10,
  inspircd: 1000,
};
/** shape c: connections registered and closed before the first RSS reading (first-time costs) */
const WARMUP_CLIENTS = 50;

function loadOptions(shape: Shape, server: ServerName, port: number, pid: number): IrcLoadOptions {
  return {
    port,
    serverPid: pid,
    clients: shape.clients,
    channels: shape.channels,
    senders: shape.senders,
    messages: shape.messages,
    ...(shape.rate !== undefined ? { rate: shape.rate } : { window: shape.window ?? 50 }),
    holdMs: shape.holdMs ?? 0,
    connectConcurrency: CONNECT_CONCURRENCY[server],
    timeoutMs: 150_000,
    // chatd's closed-loop latency reaches seconds in b-long: a window is given up (and counted in
    // `stalls`) only after 20 s without progress, and deliveries are awaited as long
    stallMs: 20_000,
    drainMs: 20_000,
  };
}

function figures(server: ServerName, runs: IrcLoadResult[], failedRuns: string[]): ServerFigures {
  const m = (f: (r: IrcLoadResult) => number) => median(runs.map(f));
  const sum = (f: (r: IrcLoadResult) => number) => runs.reduce((s, r) => s + f(r), 0);
  return {
    server,
    runs,
    failedRuns,
    deliveriesPerSec: m((r) => r.deliveriesPerSec),
    deliveriesPerCpuSec: m((r) =>
      r.server && r.server.sendCpuSeconds > 0 ? r.delivered / r.server.sendCpuSeconds : NaN,
    ),
    serverCpuPercent: m((r) => r.server?.sendCpuPercent ?? NaN),
    generatorCpuPercent: m((r) => r.generatorCpuPercent),
    latencyMs: {
      p50: m((r) => r.latencyMs.p50),
      p90: m((r) => r.latencyMs.p90),
      p99: m((r) => r.latencyMs.p99),
      max: m((r) => r.latencyMs.max),
    },
    kibPerClient: m((r) => r.server?.kibPerClient ?? NaN),
    setupSeconds: m((r) => r.setupSeconds),
    missing: sum((r) => r.missing),
    duplicates: sum((r) => r.duplicates),
    reordered: sum((r) => r.reordered),
    phantom: sum((r) => r.phantom),
    closedEarly: sum((r) => r.closedEarly),
    setupFailed: sum((r) => r.clients - (r.channels > 0 ? r.joined : r.registered)),
    stalls: sum((r) => r.stalls),
    timedOut: sum((r) => (r.timedOut ? 1 : 0)),
    firstError: failedRuns[0] ?? runs.find((r) => r.firstError)?.firstError ?? null,
  };
}

function describe(r: IrcLoadResult, shape: Shape): string {
  const f = (x: number, d = 0) => (Number.isFinite(x) ? x.toFixed(d) : '—');
  const parts = [`${r.channels > 0 ? r.joined : r.registered}/${r.clients} ready`];
  if (shape.senders > 0) {
    parts.push(
      `${f(r.deliveriesPerSec)} deliveries/s`,
      `p50 ${f(r.latencyMs.p50, 1)} p99 ${f(r.latencyMs.p99, 1)} ms`,
      `cpu ${f(r.server?.sendCpuPercent ?? NaN)}% (generator ${f(r.generatorCpuPercent)}%)`,
      `missing ${r.missing}, dup ${r.duplicates}`,
    );
  } else {
    parts.push(
      `${f(r.server?.kibPerClient ?? NaN, 2)} KiB/client (${r.server?.rssBeforeKiB} → ${r.server?.rssLoadedKiB} KiB)`,
      `set-up ${f(r.setupSeconds, 1)} s`,
    );
  }
  if (r.closedEarly) parts.push(`closed early ${r.closedEarly}`);
  if (r.stalls) parts.push(`stalled windows ${r.stalls}`);
  if (r.timedOut) parts.push('TIMED OUT');
  return parts.join(', ');
}

export async function runP2(o: BenchOptions, p2: P2Options = {}): Promise<P2Result> {
  const wanted = new Set(p2.shapes ?? SHAPE_NAMES);
  const list = shapes(o.quick).filter((s) => wanted.has(s.name));
  const checks = (p2.peers ?? PEER_NAMES).map(checkPeer);
  const peers = new Map<PeerName, PeerCheck>();
  for (const c of checks) {
    if (c.missing) o.log(`  ${c.label}: SKIPPED — ${c.missing}`);
    else {
      o.log(`  ${c.label} ${c.version ?? '(version unknown)'}: ${c.bin}`);
      peers.set(c.name, c);
    }
  }
  const servers: ServerName[] = ['chatd', ...peers.keys()];
  const collected = new Map<string, { runs: IrcLoadResult[]; failed: string[] }>();
  const key = (shape: ShapeName, server: ServerName) => `${shape}/${server}`;
  const trouble: string[] = [];

  for (let run = 0; run < o.runs; run++) {
    for (const shape of list) {
      for (const server of servers) {
        const slot = collected.get(key(shape.name, server)) ?? { runs: [], failed: [] };
        collected.set(key(shape.name, server), slot);
        let proc: Running | null = null;
        try {
          proc = await startServer(server, peers);
          if (shape.senders === 0) {
            // register and close a few connections first, so that what a first connection costs
            // once (code paths compiled, buffers and tables grown) is not counted per connection
            await runIrcLoad({
              port: proc.port,
              clients: WARMUP_CLIENTS,
              channels: 0,
              senders: 0,
              messages: 0,
              nickPrefix: 'w',
              connectConcurrency: CONNECT_CONCURRENCY[server],
              timeoutMs: 30_000,
            });
          }
          const result = await runIrcLoad(loadOptions(shape, server, proc.port, proc.pid));
          slot.runs.push(result);
          o.log(`  run ${run + 1} ${shape.name} ${server}: ${describe(result, shape)}`);
          const bad =
            result.missing + result.duplicates + result.phantom + result.closedEarly > 0 ||
            result.timedOut ||
            Object.keys(result.setupFailures).length > 0;
          if (bad) {
            const text = `${shape.name} ${server}: ${JSON.stringify(result.setupFailures)} ${result.firstError ?? ''}`;
            o.log(`    trouble: ${text}`);
            trouble.push(text);
            if (server === 'chatd') o.log(`    chatd log (tail):\n${proc.output().slice(-1500)}`);
          } else if (server === 'chatd' && proc.output().trim()) {
            // LOG_LEVEL is warn: anything chatd wrote deserves a look
            o.log(`    chatd log (tail):\n${proc.output().slice(-1500)}`);
            trouble.push(`${shape.name} chatd logged: ${proc.output().slice(-300)}`);
          }
        } catch (err) {
          const text = err instanceof Error ? err.message : String(err);
          slot.failed.push(text);
          trouble.push(`${shape.name} ${server}: ${text.slice(0, 500)}`);
          o.log(`  run ${run + 1} ${shape.name} ${server}: FAILED ${text.slice(0, 1500)}`);
        } finally {
          await proc?.stop();
        }
      }
    }
  }

  return {
    quick: o.quick,
    runsPerShape: o.runs,
    peers: checks,
    shapes: list.map((shape) => ({
      shape,
      servers: Object.fromEntries(
        servers.map((server) => {
          const slot = collected.get(key(shape.name, server))!;
          return [server, figures(server, slot.runs, slot.failed)];
        }),
      ),
    })),
    trouble,
  };
}

/** chatd ÷ peer for one figure of one shape (NaN when either is missing). */
export function p2Ratio(r: ShapeResult, peer: PeerName, f: (x: ServerFigures) => number): number {
  const a = r.servers.chatd;
  const b = r.servers[peer];
  return a && b ? ratio(f(a), f(b)) : NaN;
}
