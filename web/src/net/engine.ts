// The poll engine: owns the token, the cursor and the one long-poll of this browser, retries after
// a failure as both clients do (src/shared/backoff.ts: 1 s doubling to 30 s with jitter, and never
// sooner than the server's Retry-After), and hands every batch of queue entries to `emit`. It
// runs in a SharedWorker (poll-worker.ts) or, where there is none, in the page (connection.ts). It
// keeps no storage of its own: tabs persist the cursor after they have applied a batch, and pass
// it back in `hello` when a new engine starts.
import { Backoff } from '../../../src/shared/backoff.js';
import { ApiError, ChatClient } from '../../../src/shared/client.js';
import type { ConnectionState, FromEngine, ToEngine } from './protocol.js';

/** Seconds a poll is held: below chatd's 30 s cap and typical proxy timeouts (60 s). */
const HOLD_SECONDS = 25;

/** What the engine takes from its surroundings; the defaults are the page's (tests pass others). */
export interface EngineOptions {
  /** the server's origin; '' for the page's own */
  baseUrl?: string;
  fetch?: typeof fetch;
  /** the jitter of retry waits */
  random?: () => number;
  /** epoch ms, for the `retryAt` the status line counts down to */
  now?: () => number;
}

export class PollEngine {
  private token: string | null = null;
  private cursor: number | null = null;
  private connection: ConnectionState = { state: 'idle' };
  private abort: AbortController | null = null;
  private wake: (() => void) | null = null;
  /** bumps on every new token or logout, so an old loop notices it is stale */
  private generation = 0;

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
      // After start-up or a failure the first poll answers at once, so "connected" shows as soon
      // as the server answers rather than after a quiet hold.
      const hold = this.connection.state === 'connected' ? HOLD_SECONDS : 0;
      const abort = new AbortController();
      this.abort = abort;
      try {
        const result = await client.poll(this.cursor, hold, abort.signal);
        if (generation !== this.generation) return;
        backoff.reset();
        if (this.connection.state !== 'connected') this.setConnection({ state: 'connected' });
        this.cursor = result.last_id;
        if (result.messages.length > 0 || result.gap) {
          this.emit({
            type: 'entries',
            messages: result.messages,
            lastId: result.last_id,
            gap: result.gap === true,
          });
        }
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
        const delay = backoff.next(err instanceof ApiError ? err.retryAfter : null);
        const reason = err instanceof ApiError ? `${err.status} ${err.code}` : 'network error';
        this.setConnection({ state: 'reconnecting', retryAt: now() + delay, reason });
        await this.sleep(delay);
      }
    }
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
