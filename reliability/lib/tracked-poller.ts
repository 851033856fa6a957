// A long-polling client that keeps a record of every poll it made (start, end, status,
// Retry-After), for tests that judge how polls end rather than only what they delivered: a
// graceful stop must answer the polls it holds (reliability/README.md B3). It stops at the first poll that
// fails or answers 503 (the server is going away) and can be run again, on another port, from
// the cursor it last processed.
import type http from 'node:http';
import { call } from './http.js';
import { receivedFrom, type Page, type Received } from './poller.js';

export interface PollRecord {
  /** Date.now() when the poll was sent and when its answer (or error) came */
  startedAt: number;
  endedAt: number | null;
  status: number | 'error' | null;
  retryAfter: string | null;
  entries: number;
}

export class TrackedPoller {
  readonly received: Received[] = [];
  readonly polls: PollRecord[] = [];
  cursor: number | null = null;
  private stopped = false;
  private abort = new AbortController();

  constructor(
    readonly name: string,
    readonly token: string,
    private readonly agent: http.Agent,
  ) {}

  /** Polls until stopped, the deadline, `maxPolls`, a transport error or a non-200 answer. */
  async run(port: number, deadline: number, holdSeconds: number, maxPolls = 100_000) {
    this.stopped = false;
    this.abort = new AbortController();
    for (let n = 0; n < maxPolls && !this.stopped && Date.now() < deadline; n++) {
      const rec: PollRecord = {
        startedAt: Date.now(),
        endedAt: null,
        status: null,
        retryAfter: null,
        entries: 0,
      };
      this.polls.push(rec);
      const q = this.cursor === null ? '' : `after=${this.cursor}&`;
      try {
        const r = await call<Page>(port, 'GET', `/api/v1/messages?${q}timeout=${holdSeconds}`, {
          token: this.token,
          agent: this.agent,
          signal: this.abort.signal,
        });
        rec.endedAt = Date.now();
        rec.status = r.status;
        const ra = r.headers['retry-after'];
        rec.retryAfter = typeof ra === 'string' ? ra : null;
        if (r.status !== 200) return;
        rec.entries = r.body.messages.length;
        this.take(r.body);
      } catch {
        rec.endedAt = Date.now();
        rec.status = 'error';
        return;
      }
    }
  }

  /** ends the loop, aborting the held poll (recorded as an error of ours, after `stop`) */
  stop(): void {
    this.stopped = true;
    this.abort.abort();
  }

  private take(page: Page): void {
    this.received.push(...receivedFrom(page));
    this.cursor = page.last_id;
  }
}
