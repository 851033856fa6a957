// An SSE reader for end-to-end tests over node:http (not fetch), so that a test can pause reading
// (a slow reader), reach the socket and drop the connection mid-stream. Events are parsed by the
// same module the web client uses (src/shared/sse.ts).
import http from 'node:http';
import type { QueuedEnvelope } from '../../src/model/api.js';
import { SseParser, type SseEvent } from '../../src/shared/sse.js';

export interface OpenOptions {
  lastEventId?: string;
  /** the `after` query parameter, as written */
  after?: string;
  /** the raw `http.request` headers over the defaults */
  headers?: http.OutgoingHttpHeaders;
}

/** A refused stream: the status and the parsed JSON error. */
export interface Refusal {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Record<string, unknown>;
}

export class SseStream {
  readonly events: SseEvent[] = [];
  private readonly parser = new SseParser();
  private waiters: (() => void)[] = [];
  /** 'end': the server ended the response; 'aborted': the connection broke; null: still open */
  endedBy: 'end' | 'aborted' | null = null;

  private constructor(
    readonly req: http.ClientRequest,
    readonly res: http.IncomingMessage,
  ) {
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      this.events.push(...this.parser.push(chunk));
      this.notify();
    });
    res.on('end', () => this.finish('end'));
    res.on('aborted', () => this.finish('aborted'));
    res.on('error', () => this.finish('aborted'));
    req.on('error', () => this.finish('aborted'));
  }

  static open(base: string, token: string, o: OpenOptions = {}): Promise<SseStream | Refusal> {
    const path = o.after === undefined ? '/api/v1/events' : `/api/v1/events?after=${o.after}`;
    const headers: http.OutgoingHttpHeaders = {
      authorization: `Bearer ${token}`,
      accept: 'text/event-stream',
      ...o.headers,
    };
    if (o.lastEventId !== undefined) headers['last-event-id'] = o.lastEventId;
    return new Promise((resolve, reject) => {
      const req = http.request(base + path, { headers, agent: false });
      req.on('error', reject);
      req.on('response', (res) => {
        if (res.statusCode === 200) return resolve(new SseStream(req, res));
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => {
          let body: Record<string, unknown> = {};
          try {
            body = JSON.parse(text) as Record<string, unknown>;
          } catch {
            body = { text };
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body });
        });
      });
      req.end();
    });
  }

  get comments(): number {
    return this.parser.comments;
  }

  /** the entries (default events) so far, parsed */
  entries(): QueuedEnvelope[] {
    return this.events
      .filter((e) => e.event === '')
      .map((e) => JSON.parse(e.data) as QueuedEnvelope);
  }

  /** the first line of each PRIVMSG entry so far */
  texts(): string[] {
    return this.entries()
      .filter((e) => e.command === 'PRIVMSG')
      .map((e) => (e.body as string[])[0]!);
  }

  /** the last `id:` seen */
  lastId(): string | null {
    for (let i = this.events.length - 1; i >= 0; i--) {
      const id = this.events[i]!.id;
      if (id !== null) return id;
    }
    return null;
  }

  /** Waits until `ok()` holds (checked on every chunk and at the end), or fails after `ms`. */
  async until(ok: () => boolean, what: string, ms = 20_000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!ok()) {
      if (this.endedBy !== null && !ok())
        throw new Error(`stream ended (${this.endedBy}) before ${what}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 200));
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Resolves with how the stream ended, or fails after `ms`. */
  async ended(ms = 20_000): Promise<'end' | 'aborted'> {
    const deadline = Date.now() + ms;
    while (this.endedBy === null) {
      if (Date.now() > deadline) throw new Error('the stream did not end');
      await new Promise((r) => setTimeout(r, 20));
    }
    return this.endedBy;
  }

  /** drops the connection (a client going away mid-stream) */
  close(): void {
    this.req.destroy();
  }

  private finish(how: 'end' | 'aborted'): void {
    this.endedBy ??= how;
    this.notify();
  }

  private notify(): void {
    const ws = this.waiters;
    this.waiters = [];
    for (const w of ws) w();
  }
}

export function isRefusal(r: SseStream | Refusal): r is Refusal {
  return !(r instanceof SseStream);
}
