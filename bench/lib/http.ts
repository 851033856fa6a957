// A small HTTP/1.1 client over node:http with keep-alive agents, and the chat API calls the
// benchmarks need (session, command, long-poll loop with delivery bookkeeping).
import http from 'node:http';

export interface Reply {
  status: number;
  body: string;
}

export interface RequestOptions {
  agent: http.Agent;
  port: number;
  method: 'GET' | 'POST';
  path: string;
  token?: string;
  body?: Buffer;
  signal?: AbortSignal;
  /** called once the request has been fully written to the socket */
  onWritten?: () => void;
}

export function keepAliveAgent(maxSockets: number): http.Agent {
  return new http.Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets, noDelay: true });
}

export function request(o: RequestOptions): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const headers: http.OutgoingHttpHeaders = {};
    if (o.token) headers.authorization = `Bearer ${o.token}`;
    if (o.body) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = o.body.length;
    }
    const req = http.request(
      {
        agent: o.agent,
        host: '127.0.0.1',
        port: o.port,
        method: o.method,
        path: o.path,
        headers,
        ...(o.signal ? { signal: o.signal } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    if (o.onWritten) req.on('finish', o.onWritten);
    req.end(o.body);
  });
}

export interface Session {
  id: number;
  client_id: number;
  nick: string;
  token: string;
}

export async function createSession(agent: http.Agent, port: number, nick: string) {
  const r = await request({
    agent,
    port,
    method: 'POST',
    path: '/api/v1/session',
    body: Buffer.from(JSON.stringify({ nick })),
  });
  if (r.status !== 201 && r.status !== 200) {
    throw new Error(`POST /api/v1/session ${nick}: ${r.status} ${r.body}`);
  }
  return JSON.parse(r.body) as Session;
}

export async function command(
  agent: http.Agent,
  port: number,
  token: string,
  cmd: Record<string, unknown>,
): Promise<Reply> {
  return request({
    agent,
    port,
    method: 'POST',
    path: '/api/v1/messages',
    token,
    body: Buffer.from(JSON.stringify(cmd)),
  });
}

/** Runs `count` tasks with at most `concurrency` in flight; rejects on the first failure. */
export async function pool<T>(
  count: number,
  concurrency: number,
  task: (i: number) => Promise<T>,
): Promise<T[]> {
  const out: T[] = new Array<T>(count);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      out[i] = await task(i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return out;
}

interface PollMessage {
  command: string;
  to: string;
  seq: number;
  queue_id: number;
}

/**
 * One member's long-poll loop: GET /messages?after=<cursor>&timeout=30, again and again. Records
 * the seq of every PRIVMSG to `channel`, counting duplicates and out-of-order ids.
 */
export class Poller {
  cursor: number;
  readonly got = new Set<number>();
  duplicates = 0;
  reordered = 0;
  polls = 0;
  gaps = 0;
  readonly errors = new Map<string, number>();
  private lastSeq = 0;
  private stopped = false;
  private readonly abort = new AbortController();
  private loop: Promise<void> | null = null;

  constructor(
    private readonly agent: http.Agent,
    private readonly port: number,
    private readonly token: string,
    private readonly channel: string,
    after: number,
  ) {
    this.cursor = after;
  }

  start(): void {
    this.loop = this.run();
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      let r: Reply;
      try {
        r = await request({
          agent: this.agent,
          port: this.port,
          method: 'GET',
          path: `/api/v1/messages?after=${this.cursor}&timeout=30`,
          token: this.token,
          signal: this.abort.signal,
        });
      } catch (err) {
        if (this.stopped) return;
        this.count(`error ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
        continue;
      }
      this.polls++;
      if (r.status !== 200) {
        this.count(`status ${r.status}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
        continue;
      }
      const page = JSON.parse(r.body) as {
        messages: PollMessage[];
        last_id: number;
        gap?: boolean;
      };
      if (page.gap) this.gaps++;
      for (const m of page.messages) {
        if (m.command !== 'PRIVMSG' || m.to !== this.channel) continue;
        if (this.got.has(m.seq)) this.duplicates++;
        else this.got.add(m.seq);
        if (m.seq <= this.lastSeq) this.reordered++;
        this.lastSeq = m.seq;
      }
      this.cursor = page.last_id;
    }
  }

  private count(key: string): void {
    this.errors.set(key, (this.errors.get(key) ?? 0) + 1);
  }

  /** Ends the loop, aborting the held poll. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.abort.abort();
    await this.loop;
  }
}

export interface DeliveryCheck {
  pollers: number;
  /** acknowledged messages missing at a poller, summed over pollers */
  lost: number;
  duplicates: number;
  reordered: number;
  /** received but never acknowledged (e.g. sent but the 200 was lost), summed */
  unacked: number;
  gaps: number;
  pollErrors: Record<string, number>;
}

/** Waits until every poller has every acknowledged seq (or the deadline), then stops them. */
export async function settleAndCheck(
  pollers: Poller[],
  acked: Set<number>,
  timeoutMs: number,
): Promise<DeliveryCheck> {
  let maxSeq = 0;
  for (const seq of acked) if (seq > maxSeq) maxSeq = seq;
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && pollers.some((p) => p.cursor < maxSeq)) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await Promise.all(pollers.map((p) => p.stop()));
  const check: DeliveryCheck = {
    pollers: pollers.length,
    lost: 0,
    duplicates: 0,
    reordered: 0,
    unacked: 0,
    gaps: 0,
    pollErrors: {},
  };
  for (const p of pollers) {
    for (const seq of acked) if (!p.got.has(seq)) check.lost++;
    for (const seq of p.got) if (!acked.has(seq)) check.unacked++;
    check.duplicates += p.duplicates;
    check.reordered += p.reordered;
    check.gaps += p.gaps;
    for (const [k, v] of p.errors) check.pollErrors[k] = (check.pollErrors[k] ?? 0) + v;
  }
  return check;
}
