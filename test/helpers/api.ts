// A small HTTP client for end-to-end tests: what curl would do, typed.
import type { PollResult, QueuedEnvelope } from '../../src/model/api.js';

export interface Answer<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
}

export async function call<T = Record<string, unknown>>(
  base: string,
  method: string,
  path: string,
  opts: {
    token?: string;
    json?: unknown;
    raw?: string | Uint8Array;
    headers?: Record<string, string>;
  } = {},
): Promise<Answer<T>> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  let body: string | Uint8Array | undefined;
  if (opts.json !== undefined) {
    headers['content-type'] ??= 'application/json';
    body = JSON.stringify(opts.json);
  } else if (opts.raw !== undefined) {
    body = opts.raw;
  }
  const res = await fetch(base + path, { method, headers, body });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    // not JSON: leave the text
  }
  return { status: res.status, headers: res.headers, body: parsed as T };
}

/** One client of a session over HTTP. */
export class HttpClient {
  cursor: number | null = null;
  readonly received: QueuedEnvelope[] = [];

  constructor(
    readonly base: string,
    readonly token: string,
    readonly nick: string,
  ) {}

  static async create(base: string, nick: string): Promise<HttpClient & { sessionId: number }> {
    const r = await call<{ id: number; token: string; nick: string }>(
      base,
      'POST',
      '/api/v1/session',
      {
        json: { nick },
      },
    );
    if (r.status !== 201)
      throw new Error(`session for ${nick}: ${r.status} ${JSON.stringify(r.body)}`);
    return Object.assign(new HttpClient(base, r.body.token, r.body.nick), { sessionId: r.body.id });
  }

  send(input: Record<string, unknown>) {
    return call<Record<string, unknown>>(this.base, 'POST', '/api/v1/messages', {
      token: this.token,
      json: input,
    });
  }

  async poll(timeout = 0): Promise<PollResult> {
    const q =
      this.cursor === null ? `timeout=${timeout}` : `after=${this.cursor}&timeout=${timeout}`;
    const r = await call<PollResult>(this.base, 'GET', `/api/v1/messages?${q}`, {
      token: this.token,
    });
    if (r.status !== 200) throw new Error(`poll: ${r.status} ${JSON.stringify(r.body)}`);
    this.cursor = r.body.last_id;
    this.received.push(...r.body.messages);
    return r.body;
  }

  /**
   * Polls with timeout 0 until the queue is empty. Bounded, like the core harness's drain: an
   * answer with entries that does not move the cursor, or a queue still not empty after 1,000
   * polls, fails at once instead of hanging the test.
   */
  async drain(): Promise<QueuedEnvelope[]> {
    const start = this.received.length;
    for (let round = 1; ; round++) {
      const from = this.cursor;
      const r = await this.poll(0);
      if (r.messages.length === 0) return this.received.slice(start);
      if (from !== null && r.last_id <= from) {
        throw new Error(
          `drain ${this.nick}: a poll after ${from} answered ${r.messages.length} entries but ` +
            `last_id ${r.last_id}: the cursor did not advance`,
        );
      }
      if (round >= 1_000) {
        throw new Error(`drain ${this.nick}: the queue did not empty after ${round} polls`);
      }
    }
  }
}
