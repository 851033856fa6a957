// Delivery latency over chatd's HTTP readers, for P4: one sender posts PRIVMSGs at a fixed offered
// rate (open loop: a message leaves on schedule whether or not the previous ones were answered),
// each carrying its send time (performance.now(), this process's clock), and every other member of
// the channel reads them, in a long-poll loop or from one Server-Sent Events stream. Latency = arrival of the poll answer − send time, both
// in this process, so no clock skew enters; a late POST answer is latency too, not an excuse.
import http from 'node:http';
import { SseParser } from '../../src/shared/sse.js';
import { keepAliveAgent, request } from './http.js';
import { cpuSeconds, sleep } from './proc.js';

export interface Percentiles {
  p50: number;
  p90: number;
  p99: number;
  max: number;
  count: number;
}

/** Nearest-rank percentiles of the full sample (no sampling, no interpolation). */
export function percentiles(values: ArrayLike<number>): Percentiles {
  const sorted = Float64Array.from(values).sort();
  const at = (q: number) =>
    sorted.length === 0
      ? NaN
      : sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
  return {
    p50: at(0.5),
    p90: at(0.9),
    p99: at(0.99),
    max: sorted.length ? sorted[sorted.length - 1]! : NaN,
    count: sorted.length,
  };
}

/** What one fixed-rate run measured, whatever the transport (long-poll, IRC, SSE, a peer). */
export interface LatencyRun {
  rate: number;
  members: number;
  sent: number;
  /** sent × (members − 1): every other member gets every message */
  expected: number;
  delivered: number;
  missing: number;
  duplicates: number;
  /** first send to last delivery */
  deliveriesPerSec: number;
  /** messages per second the sender actually got out (below `rate` when it fell behind) */
  sentPerSec: number;
  latencyMs: Percentiles;
  serverCpuPercent: number;
  generatorCpuPercent: number;
  firstError: string | null;
}

const TAG = 'p4';

function text(seq: number, sentAt: number): string {
  return `${TAG} ${seq} ${sentAt.toFixed(3)} `.padEnd(100, 'x');
}

/** seq and send time back from a message text, or null when it is not one of ours */
export function parseText(s: string): { seq: number; sentAt: number } | null {
  const m = /^p4 (\d+) (\d+(?:\.\d+)?) /.exec(s);
  return m ? { seq: Number(m[1]), sentAt: Number(m[2]) } : null;
}

interface PollPage {
  messages: Entry[];
  last_id: number;
}

interface Entry {
  command: string;
  to: string;
  body?: string[];
}

/** Which of chatd's readers the members use. */
export type HttpReader = 'long-poll' | 'sse';

/** One member reading its queue, recording the latency of each of our PRIVMSGs on arrival. */
interface LatencyReader {
  readonly duplicates: number;
  readonly errors: number;
  start(): void;
  stop(): Promise<void>;
}

/** The bookkeeping both readers share: each of our messages once, its latency on arrival. */
class Arrivals {
  readonly seen: Uint8Array;
  duplicates = 0;

  constructor(
    private readonly channel: string,
    capacity: number,
    /** messages below this seq are counted but not sampled */
    private readonly warmup: number,
    private readonly record: (ms: number) => void,
  ) {
    this.seen = new Uint8Array(capacity);
  }

  take(m: Entry, now: number): void {
    if (m.command !== 'PRIVMSG' || m.to !== this.channel) return;
    const p = parseText(m.body?.[0] ?? '');
    if (!p || p.seq >= this.seen.length) return;
    if (this.seen[p.seq]) {
      this.duplicates++;
      return;
    }
    this.seen[p.seq] = 1;
    this.record(p.seq >= this.warmup ? now - p.sentAt : NaN);
  }
}

/**
 * One member's reading loop: one read (a poll, or a stream until it ends) after the other; a
 * failed one is counted and tried again after 50 ms, as a client's backoff would.
 */
abstract class ReaderLoop implements LatencyReader {
  private stopped = false;
  protected readonly abort = new AbortController();
  private loop: Promise<void> | null = null;
  errors = 0;

  constructor(
    protected readonly agent: http.Agent,
    protected readonly port: number,
    protected readonly token: string,
    protected cursor: number,
    protected readonly arrivals: Arrivals,
  ) {}

  get duplicates(): number {
    return this.arrivals.duplicates;
  }

  start(): void {
    this.loop = this.run();
  }

  /** one read; the cursor follows what it took */
  protected abstract once(): Promise<void>;

  private async run(): Promise<void> {
    while (!this.stopped) {
      try {
        await this.once();
      } catch {
        if (this.stopped) return;
        this.errors++;
        await sleep(50);
      }
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.abort.abort();
    await this.loop;
  }
}

/**
 * One member's Server-Sent Events stream (GET /api/v1/events), reconnected with Last-Event-ID
 * when it ends, as a browser's engine does.
 */
class SseLatencyReader extends ReaderLoop {
  /** One stream until it ends (or fails); the cursor follows every event. */
  protected once(): Promise<void> {
    return new Promise((resolve, reject) => {
      const req = http.get(
        {
          agent: this.agent,
          host: '127.0.0.1',
          port: this.port,
          path: '/api/v1/events',
          headers: { authorization: `Bearer ${this.token}`, 'last-event-id': String(this.cursor) },
          signal: this.abort.signal,
        },
        (res) => {
          if (res.statusCode !== 200) {
            res.resume();
            reject(new Error(`status ${res.statusCode}`));
            return;
          }
          const parser = new SseParser();
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            const now = performance.now();
            for (const e of parser.push(chunk)) {
              if (e.event !== '' || e.id === null) continue; // gap, revoked: not ours to time
              this.arrivals.take(JSON.parse(e.data) as Entry, now);
              this.cursor = Number(e.id);
            }
          });
          res.on('end', resolve);
          res.on('error', reject);
        },
      );
      req.on('error', reject);
    });
  }
}

/** One member's long-poll loop. */
class LatencyPoller extends ReaderLoop {
  protected async once(): Promise<void> {
    const r = await request({
      agent: this.agent,
      port: this.port,
      method: 'GET',
      path: `/api/v1/messages?after=${this.cursor}&timeout=30`,
      token: this.token,
      signal: this.abort.signal,
    });
    if (r.status !== 200) throw new Error(`status ${r.status}`);
    const now = performance.now();
    const page = JSON.parse(r.body) as PollPage;
    for (const m of page.messages) this.arrivals.take(m, now);
    this.cursor = page.last_id;
  }
}

export interface HttpLatencyOptions {
  port: number;
  serverPid: number;
  /** tokens of the channel's members: the first sends, the others poll */
  tokens: readonly string[];
  channel: string;
  /** pollers start after this seq */
  after: number;
  /** messages per second */
  rate: number;
  /** sent at the rate first, delivered and checked, but not in the latency sample */
  warmupSeconds: number;
  /** sent at the rate after the warm-up: the sample */
  seconds: number;
  /** after the last send, wait at most this long for the deliveries */
  drainMs: number;
  /** how the members read (default long-poll) */
  reader?: HttpReader;
}

/** A fixed-rate sender and members − 1 readers (long-poll or SSE) on one chatd: the latency sample. */
export async function httpLatency(o: HttpLatencyOptions): Promise<LatencyRun> {
  const warmup = Math.round(o.rate * o.warmupSeconds);
  const total = warmup + Math.max(1, Math.round(o.rate * o.seconds));
  const receivers = o.tokens.length - 1;
  const pollAgent = keepAliveAgent(receivers * 2);
  // enough sockets that a slow answer does not hold the next send back (open loop)
  const sendAgent = keepAliveAgent(64);
  const latencies = new Float64Array(total * receivers);
  /** deliveries, warm-up included */
  let count = 0;
  let sampled = 0;
  let lastDelivery = 0;
  const record = (ms: number) => {
    count++;
    if (!Number.isNaN(ms) && sampled < latencies.length) latencies[sampled++] = ms;
    lastDelivery = performance.now();
  };
  const pollers: LatencyReader[] = o.tokens.slice(1).map((t) => {
    const arrivals = new Arrivals(o.channel, total, warmup, record);
    return o.reader === 'sse'
      ? new SseLatencyReader(pollAgent, o.port, t, o.after, arrivals)
      : new LatencyPoller(pollAgent, o.port, t, o.after, arrivals);
  });
  let firstError: string | null = null;
  try {
    for (const p of pollers) p.start();
    // the polls are held before the first message leaves
    await sleep(500);
    const cpu0 = cpuSeconds(o.serverPid);
    const self0 = process.cpuUsage();
    const t0 = performance.now();
    const posts: Promise<void>[] = [];
    let sent = 0;
    while (sent < total) {
      const due = Math.min(total, Math.floor(((performance.now() - t0) * o.rate) / 1000) + 1);
      for (; sent < due; sent++) {
        const now = performance.now();
        const body = Buffer.from(
          JSON.stringify({ command: 'PRIVMSG', to: o.channel, body: [text(sent, now)] }),
        );
        posts.push(
          request({
            agent: sendAgent,
            port: o.port,
            method: 'POST',
            path: '/api/v1/messages',
            token: o.tokens[0]!,
            body,
          }).then(
            (r) => {
              if (r.status !== 200) firstError ??= `POST ${r.status} ${r.body.slice(0, 200)}`;
            },
            (err: unknown) => {
              firstError ??= `POST ${String(err)}`;
            },
          ),
        );
      }
      // the next message is due in 1000 / rate ms; a 1 ms timer keeps the schedule at any rate
      await sleep(Math.max(1, Math.min(5, 1000 / o.rate / 2)));
    }
    const sendEnd = performance.now();
    await Promise.all(posts);
    const deadline = performance.now() + o.drainMs;
    while (performance.now() < deadline && count < total * receivers) await sleep(10);
    const cpu1 = cpuSeconds(o.serverPid);
    const self1 = process.cpuUsage(self0);
    const seconds = Math.max(0.001, (Math.max(lastDelivery, sendEnd) - t0) / 1000);
    const duplicates = pollers.reduce((s, p) => s + p.duplicates, 0);
    const pollErrors = pollers.reduce((s, p) => s + p.errors, 0);
    if (pollErrors > 0) firstError ??= `${pollErrors} reads failed (retried after 50 ms)`;
    return {
      rate: o.rate,
      members: o.tokens.length,
      sent: total,
      expected: total * receivers,
      delivered: count,
      missing: total * receivers - count,
      duplicates,
      deliveriesPerSec: count / seconds,
      sentPerSec: total / Math.max(0.001, (sendEnd - t0) / 1000),
      latencyMs: percentiles(latencies.subarray(0, sampled)),
      serverCpuPercent: (100 * (cpu1 - cpu0)) / seconds,
      generatorCpuPercent: (100 * (self1.user + self1.system)) / 1e6 / seconds,
      firstError,
    };
  } finally {
    await Promise.all(pollers.map((p) => p.stop()));
    pollAgent.destroy();
    sendAgent.destroy();
  }
}
