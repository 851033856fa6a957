// One long-polling client for the reliability suites: GET /messages?after=<cursor> in a loop,
// recording every entry with the moment it arrived. Bounded by a deadline and a poll count.
import type http from 'node:http';
import type { PollResult } from '../../src/model/api.js';
import { call, sleep } from './http.js';

export interface Received {
  queueId: number;
  id: string;
  seq: number;
  command: string;
  from: string;
  to: string;
  params: string[];
  body: unknown;
  /** performance.now() when the poll answer holding it arrived */
  at: number;
  /** performance.now() when that poll was sent, where the poller records it */
  polledAt?: number;
}

/** a poll answer (the API's own wire type) */
export type Page = PollResult;

/** the entries of one answer, stamped with the moment it arrived */
export function receivedFrom(page: Page, at = performance.now(), polledAt?: number): Received[] {
  return page.messages.map((m) => ({
    ...(polledAt === undefined ? {} : { polledAt }),
    queueId: m.queue_id,
    id: m.id,
    seq: m.seq,
    command: m.command,
    from: m.from,
    to: m.to,
    params: m.params,
    body: m.body,
    at,
  }));
}

export class Poller {
  readonly received: Received[] = [];
  cursor: number | null;
  polls = 0;
  gaps = 0;
  /** non-200 answers and transport errors by kind */
  readonly errors: Record<string, number> = {};
  private stopped = false;
  private readonly abort = new AbortController();
  private loop: Promise<void> | null = null;

  constructor(
    readonly name: string,
    private readonly port: number,
    readonly token: string,
    private readonly agent: http.Agent,
    opts: { after?: number | null; holdSeconds?: number } = {},
  ) {
    this.cursor = opts.after ?? null;
    this.holdSeconds = opts.holdSeconds ?? 10;
  }

  private readonly holdSeconds: number;

  start(deadline: number, maxPolls = 1_000_000): this {
    this.loop = this.run(deadline, maxPolls);
    return this;
  }

  /** polls once (timeout 0) and records what came; for tests that drive polls themselves */
  async pollOnce(timeoutSeconds = 0): Promise<Page> {
    const q = this.cursor === null ? '' : `after=${this.cursor}&`;
    const polledAt = performance.now();
    const r = await call<Page>(this.port, 'GET', `/api/v1/messages?${q}timeout=${timeoutSeconds}`, {
      token: this.token,
      agent: this.agent,
      signal: this.abort.signal,
    });
    this.polls++;
    if (r.status !== 200) {
      this.count(`status ${r.status}`);
      throw new Error(`poll ${this.name}: ${r.status} ${r.text}`);
    }
    this.take(r.body, polledAt);
    return r.body;
  }

  private async run(deadline: number, maxPolls: number): Promise<void> {
    while (!this.stopped && Date.now() < deadline && this.polls < maxPolls) {
      try {
        await this.pollOnce(this.holdSeconds);
      } catch (err) {
        if (this.stopped) return;
        if (!(err instanceof Error && err.message.startsWith('poll '))) {
          this.count(`error ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
        }
        await sleep(50);
      }
    }
  }

  private take(page: Page, polledAt: number): void {
    if (page.gap) this.gaps++;
    this.received.push(...receivedFrom(page, performance.now(), polledAt));
    this.cursor = page.last_id;
  }

  private count(key: string): void {
    this.errors[key] = (this.errors[key] ?? 0) + 1;
  }

  /** ends the loop and aborts the held poll */
  async stop(): Promise<void> {
    this.stopped = true;
    this.abort.abort();
    await this.loop;
  }
}
