// Closed-loop load: `connections` workers each send a request, wait for its answer, and send the
// next, for a warm-up and then a measured window. Only answers that complete inside the window
// count towards the rate; every answer (warm-up included) is passed to `onReply`.
import { keepAliveAgent, request } from './http.js';
import { cpuSeconds } from './proc.js';
import { privmsgBody } from './stats.js';

export interface LoadOptions {
  connections: number;
  warmupMs: number;
  durationMs: number;
  /** hard cap on requests started (reliability/README.md: bounded in count too) */
  maxRequests: number;
  /** the server's PID, to read its CPU time over the window */
  serverPid: number;
  send: (worker: number) => Promise<{ status: number; body: string }>;
  onReply?: (worker: number, status: number, body: string) => void;
}

export interface LoadResult {
  /** 200 answers completed inside the window, per second */
  okPerSec: number;
  ok: number;
  seconds: number;
  /** answers by status inside the window ("error" = no answer) */
  statuses: Record<string, number>;
  /** answers by status over the whole run, warm-up included */
  allStatuses: Record<string, number>;
  requests: number;
  /** server CPU over the window, in % of one core */
  serverCpu: number;
  /** this process's (the generator's) CPU over the window, in % of one core */
  generatorCpu: number;
  /** first non-200 answer, for the report */
  firstError: string | null;
}

export async function closedLoop(o: LoadOptions): Promise<LoadResult> {
  const start = performance.now();
  const windowStart = start + o.warmupMs;
  const windowEnd = windowStart + o.durationMs;
  const statuses: Record<string, number> = {};
  const allStatuses: Record<string, number> = {};
  let ok = 0;
  let started = 0;
  let firstError: string | null = null;
  let cpuAtStart: { server: number; self: NodeJS.CpuUsage } | null = null;
  let cpuAtEnd: { server: number; self: NodeJS.CpuUsage } | null = null;
  const sample = () => ({ server: cpuSeconds(o.serverPid), self: process.cpuUsage() });
  const startTimer = setTimeout(() => (cpuAtStart = sample()), o.warmupMs);
  const endTimer = setTimeout(() => (cpuAtEnd = sample()), o.warmupMs + o.durationMs);

  const worker = async (w: number) => {
    while (performance.now() < windowEnd && started < o.maxRequests) {
      started++;
      let status: number | 'error';
      try {
        const r = await o.send(w);
        status = r.status;
        o.onReply?.(w, r.status, r.body);
        if (r.status !== 200) firstError ??= `${r.status} ${r.body.slice(0, 300)}`;
      } catch (err) {
        status = 'error';
        firstError ??= String(err);
      }
      allStatuses[status] = (allStatuses[status] ?? 0) + 1;
      const t = performance.now();
      if (t >= windowStart && t < windowEnd) {
        statuses[status] = (statuses[status] ?? 0) + 1;
        if (status === 200) ok++;
      }
    }
  };
  await Promise.all(Array.from({ length: o.connections }, (_, w) => worker(w)));
  clearTimeout(startTimer);
  clearTimeout(endTimer);
  const end = performance.now();
  cpuAtStart ??= sample();
  cpuAtEnd ??= sample();
  const a = cpuAtStart;
  const b = cpuAtEnd;
  const seconds = Math.max(0.001, (Math.min(end, windowEnd) - windowStart) / 1000);
  const selfSec = (b.self.user + b.self.system - a.self.user - a.self.system) / 1e6;
  return {
    okPerSec: ok / seconds,
    ok,
    seconds,
    statuses,
    allStatuses,
    requests: started,
    serverCpu: (100 * (b.server - a.server)) / seconds,
    generatorCpu: (100 * selfSec) / seconds,
    firstError,
  };
}

/** answers other than 200 over the whole run (errors without an answer included) */
export function non200(r: LoadResult): number {
  return Object.entries(r.allStatuses).reduce((s, [k, v]) => (k === '200' ? s : s + v), 0);
}

export interface PrivmsgLoadOptions {
  port: number;
  serverPid: number;
  /** senders' bearer tokens; worker w posts as tokens[w % tokens.length] */
  tokens: readonly string[];
  channel: string;
  connections: number;
  warmupMs: number;
  durationMs: number;
  maxRequests: number;
}

/** Closed-loop PRIVMSG senders into one channel; returns the load and the acknowledged seqs. */
export async function privmsgLoad(
  o: PrivmsgLoadOptions,
): Promise<{ load: LoadResult; acked: Set<number> }> {
  const agent = keepAliveAgent(o.connections);
  const acked = new Set<number>();
  const counters = new Array<number>(o.connections).fill(0);
  try {
    const load = await closedLoop({
      connections: o.connections,
      warmupMs: o.warmupMs,
      durationMs: o.durationMs,
      maxRequests: o.maxRequests,
      serverPid: o.serverPid,
      send: (w) =>
        request({
          agent,
          port: o.port,
          method: 'POST',
          path: '/api/v1/messages',
          token: o.tokens[w % o.tokens.length]!,
          body: privmsgBody(o.channel, w, counters[w]!++),
        }),
      onReply: (_w, status, body) => {
        if (status === 200) acked.add((JSON.parse(body) as { seq: number }).seq);
      },
    });
    return { load, acked };
  } finally {
    agent.destroy();
  }
}
