// The poll engine: owns the token, the cursor and the one stream or long-poll of this browser.
// It reads the queue as Server-Sent Events (event-stream.ts) and falls back to long-poll where a
// stream does not work (a buffering proxy, a blocked path, an old server), trying the stream again
// later. Either way it retries after
// a failure as both clients do (src/shared/backoff.ts: 1 s doubling to 30 s with jitter, and never
// sooner than the server's Retry-After), and hands every batch of queue entries to `emit`. It
// runs in a SharedWorker (poll-worker.ts) or, where there is none, in the page (connection.ts). It
// keeps no storage of its own: tabs persist the cursor after they have applied a batch, and pass
// it back in `hello` when a new engine starts.
import { Backoff } from '../../../src/shared/backoff.js';
import { ApiError, ChatClient } from '../../../src/shared/client.js';
import { readEventStream, StreamUnusable, type StreamBatch } from './event-stream.js';
import type { ConnectionState, FromEngine, ToEngine, Transport } from './protocol.js';

/** Seconds a poll is held: below chatd's 30 s cap and typical proxy timeouts (60 s). */
const HOLD_SECONDS = 25;
/** After falling back to long-poll, the stream is tried again this much later. */
export const STREAM_RETRY_MS = 5 * 60_000;

/** What the engine takes from its surroundings; the defaults are the page's (tests pass others). */
export interface EngineOptions {
  /** the server's origin; '' for the page's own */
  baseUrl?: string;
  fetch?: typeof fetch;
  /** the jitter of retry waits */
  random?: () => number;
  /** epoch ms, for the `retryAt` the status line counts down to */
  now?: () => number;
  /** false: long-poll only (tests of the poll path); default: streams where they work */
  streaming?: boolean;
  /** how long a new stream may stay silent before the engine long-polls (default 20 s) */
  firstByteMs?: number;
}

export class PollEngine {
  private token: string | null = null;
  private cursor: number | null = null;
  private connection: ConnectionState = { state: 'idle' };
  private abort: AbortController | null = null;
  private wake: (() => void) | null = null;
  /** bumps on every new token or logout, so an old loop notices it is stale */
  private generation = 0;
  /** when streaming last failed in a way that says it does not work here (null: never) */
  private fellBackAt: number | null = null;
  /** a stream of this engine has opened before: a later network failure is the network's */
  private streamWorked = false;

  constructor(
    private readonly emit: (message: FromEngine) => void,
    private readonly options: EngineOptions = {},
  ) {}

  handle(message: ToEngine): void {
    switch (message.type) {
      case 'hello':
        if (message.token !== this.token || this.connection.state === 'signed-out') {
          this.start(message.token, message.cursor);
        } else {
          this.emitStatus();
        }
        return;
      case 'ask':
        this.emitStatus();
        return;
      case 'logout':
        this.stop({ state: 'signed-out', reason: null, token: this.token });
        return;
      case 'retry':
        this.wake?.();
        return;
      case 'bye':
        return;
    }
  }

  private start(token: string, cursor: number | null): void {
    this.stop({ state: 'connecting' });
    this.token = token;
    this.cursor = cursor;
    const generation = this.generation;
    void this.loop(generation);
  }

  private stop(next: ConnectionState): void {
    this.generation++;
    this.abort?.abort();
    this.abort = null;
    this.wake?.();
    if (next.state === 'signed-out') this.token = null;
    this.setConnection(next);
  }

  private setConnection(next: ConnectionState): void {
    this.connection = next;
    this.emitStatus();
  }

  private emitStatus(): void {
    this.emit({ type: 'status', connection: this.connection, token: this.token });
  }

  private async loop(generation: number): Promise<void> {
    const { baseUrl = '', fetch, random = Math.random, now = Date.now } = this.options;
    const client = new ChatClient({ baseUrl, token: this.token, ...(fetch ? { fetch } : {}) });
    const backoff = new Backoff(random);
    while (generation === this.generation) {
      const abort = new AbortController();
      this.abort = abort;
      const transport = this.transportNow(now());
      try {
        if (transport === 'stream') {
          await this.stream(generation, abort.signal, () => backoff.reset());
          if (generation !== this.generation) return;
          // The server ended the stream (shutdown): come back after a wait, as after a failure.
          await this.retryAfter(generation, backoff.next(null), 'stream ended', now);
          continue;
        }
        // After start-up or a failure the first poll answers at once, so "connected" shows as
        // soon as the server answers rather than after a quiet hold.
        const hold = this.connection.state === 'connected' ? HOLD_SECONDS : 0;
        const result = await client.poll(this.cursor, hold, abort.signal);
        if (generation !== this.generation) return;
        backoff.reset();
        this.connected('long-poll');
        this.deliver(result.messages, result.last_id, result.gap === true);
      } catch (err) {
        if (generation !== this.generation) return;
        if (err instanceof ApiError && err.signedOut) {
          this.stop({ state: 'signed-out', reason: err.message, token: this.token });
          return;
        }
        if (err instanceof ApiError && err.code === 'bad_cursor') {
          // The stored cursor is from another server or database: start from what is kept.
          this.cursor = null;
          this.emit({ type: 'cursor-reset' });
          continue;
        }
        if (transport === 'stream' && this.streamFailsHere(err)) {
          this.fellBackAt = now();
          this.emit({
            type: 'problem',
            message: `event stream unusable, long-polling: ${describe(err)}`,
          });
          continue; // long-poll at once
        }
        const delay = backoff.next(err instanceof ApiError ? err.retryAfter : null);
        await this.retryAfter(generation, delay, describe(err), now);
      }
    }
  }

  /** the stream unless it failed here lately (or is turned off) */
  private transportNow(at: number): Transport {
    if (this.options.streaming === false) return 'long-poll';
    if (this.fellBackAt !== null && at - this.fellBackAt < STREAM_RETRY_MS) return 'long-poll';
    return 'stream';
  }

  /**
   * Whether a stream failure means streams do not work on this path: anything but a chatd
   * refusal worth retrying (429, 5xx) or, once a stream has worked, a plain network failure.
   */
  private streamFailsHere(err: unknown): boolean {
    if (err instanceof ApiError) return err.status < 500 && err.status !== 429;
    if (err instanceof StreamUnusable) return !(err.network && this.streamWorked);
    return false; // StreamBroken: it worked and went quiet; reconnect the stream
  }

  private async stream(generation: number, signal: AbortSignal, opened: () => void) {
    const { baseUrl = '', fetch: fetchFn = globalThis.fetch.bind(globalThis) } = this.options;
    await readEventStream({
      baseUrl,
      token: this.token ?? '',
      after: this.cursor,
      fetch: fetchFn,
      signal,
      ...(this.options.firstByteMs !== undefined ? { firstByteMs: this.options.firstByteMs } : {}),
      opened: () => {
        if (generation !== this.generation) return;
        this.streamWorked = true;
        opened();
        this.connected('stream');
      },
      batch: (b: StreamBatch) => {
        if (generation !== this.generation) return;
        const last = b.messages.at(-1)!;
        this.deliver(b.messages, last.queue_id, b.gap);
      },
    });
  }

  private connected(transport: Transport): void {
    const c = this.connection;
    if (c.state !== 'connected' || c.transport !== transport) {
      this.setConnection({ state: 'connected', transport });
    }
  }

  /** the cursor moves here; tabs persist it only after they have shown the batch */
  private deliver(messages: StreamBatch['messages'], lastId: number, gap: boolean): void {
    this.cursor = lastId;
    if (messages.length > 0 || gap) {
      this.emit({ type: 'entries', messages, lastId, gap });
    }
  }

  private async retryAfter(
    generation: number,
    delay: number,
    reason: string,
    now: () => number,
  ): Promise<void> {
    if (generation !== this.generation) return;
    this.setConnection({ state: 'reconnecting', retryAt: now() + delay, reason });
    await this.sleep(delay);
  }

  /** Waits `ms`, or less when a tab asks to retry now (or the engine stops). */
  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        if (this.wake === done) this.wake = null;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wake = done;
    });
  }
}

function describe(err: unknown): string {
  if (err instanceof ApiError) return `${err.status} ${err.code}`;
  if (err instanceof Error && err.name.startsWith('Stream')) return err.message;
  return 'network error';
}
