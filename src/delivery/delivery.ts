// Long-poll delivery (SPEC §5): read the caller's queue by cursor; when it is empty, hold the
// request until a bus note concerning this client arrives, then re-read the store. Never busy
// polling; the store is the only source of what is delivered.
import type { Bus, BusNote } from '../bus/bus.js';
import { headWithin } from '../protocol/byte-budget.js';
import { ChatError } from '../protocol/errors.js';
import type { PollResult, QueuedEnvelope } from '../shared/api-types.js';
import type { QueueRead, Store } from '../store/store.js';
import type { DeliveryApi, PollRequest } from './delivery-api.js';
import { WaiterIndex, type Waiter } from './waiters.js';

export interface DeliverySettings {
  /** POLL_BATCH_MAX */
  batchMax: number;
  /** PAGE_MAX_BYTES: an answer holds at most this much JSON (always at least one entry) */
  maxBytes: number;
  /** QUEUE_MAX_ENTRIES */
  queueMaxEntries: number;
  /** held polls per client (SPEC §5: 2) */
  maxHeldPerClient: number;
}

type Outcome = 'wake' | 'timeout' | 'abort' | 'revoked' | 'finish';

export class Delivery implements DeliveryApi {
  private readonly waiters = new WaiterIndex();
  private readonly unsubscribe: () => void;
  private closing = false;

  constructor(
    private readonly store: Store,
    bus: Bus,
    private readonly settings: DeliverySettings,
  ) {
    this.unsubscribe = bus.subscribe((note) => this.onNote(note));
  }

  heldPolls(): number {
    return this.waiters.size;
  }

  shutdown(): void {
    this.closing = true;
    for (const w of this.waiters.all()) w.finish();
    this.unsubscribe();
  }

  async poll(req: PollRequest): Promise<PollResult> {
    if (this.closing) throw shuttingDown();
    const { caller } = req;
    if (this.waiters.heldBy(caller.clientId) >= this.settings.maxHeldPerClient) {
      throw new ChatError({
        code: 'too_many_polls',
        status: 429,
        message: `at most ${this.settings.maxHeldPerClient} polls may be held per client`,
        headers: { 'Retry-After': '1' },
      });
    }
    const first = await this.read(req);
    if (req.after !== null && req.after > first.latestSeq) {
      throw new ChatError({
        code: 'bad_cursor',
        status: 400,
        message: 'after is beyond the newest queue id: use the last_id of a previous answer',
      });
    }
    if (first.entries.length > 0 || req.timeoutMs <= 0) return this.answer(req, first);
    return this.hold(req);
  }

  private async hold(req: PollRequest): Promise<PollResult> {
    const { caller } = req;
    const channels = (await this.store.listSessionChannels(caller.sessionId)).map(
      (c) => c.channelId,
    );
    const deadline = Date.now() + req.timeoutMs;
    const signals = new Signals();
    const waiter: Waiter = {
      clientId: caller.clientId,
      sessionId: caller.sessionId,
      channels,
      wake: () => signals.raise('wake'),
      revoke: () => signals.raise('revoked'),
      finish: () => signals.raise('finish'),
    };
    // Registered before the re-read below, so a note arriving in between is not missed.
    this.waiters.add(waiter);
    try {
      for (;;) {
        const read = await this.read(req);
        if (read.entries.length > 0) return this.answer(req, read);
        const outcome = signals.take() ?? (await signals.wait(req.signal, deadline));
        if (outcome === 'revoked') throw revoked();
        if (outcome !== 'wake') return this.answer(req, { entries: [], gap: false, latestSeq: 0 });
      }
    } finally {
      this.waiters.remove(waiter);
    }
  }

  private read(req: PollRequest): Promise<QueueRead> {
    return this.store.readQueue({
      clientId: req.caller.clientId,
      sessionId: req.caller.sessionId,
      after: req.after,
      limit: this.settings.batchMax,
      maxEntries: this.settings.queueMaxEntries,
    });
  }

  private answer(req: PollRequest, read: QueueRead): PollResult {
    const messages: QueuedEnvelope[] = headWithin(
      read.entries.map((e) => ({ ...e, queue_id: e.seq })),
      this.settings.maxBytes,
    );
    const last = messages.at(-1);
    const result: PollResult = { messages, last_id: last ? last.queue_id : (req.after ?? 0) };
    if (read.gap) result.gap = true;
    return result;
  }

  private onNote(note: BusNote): void {
    this.waiters.forClients(note.revoked, (w) => w.revoke());
    const wake = (w: Waiter) => w.wake();
    this.waiters.forClients(note.clients, wake);
    this.waiters.forSessions(note.sessions, wake);
    this.waiters.forChannels(note.channels, wake);
  }
}

const PRIORITY: Record<Outcome, number> = { wake: 1, timeout: 2, abort: 3, finish: 4, revoked: 5 };

/** What happened to a held poll, remembered while it was busy reading the store. */
class Signals {
  private pending: Outcome | null = null;
  private settle: ((o: Outcome) => void) | null = null;

  raise(o: Outcome): void {
    if (this.settle) return this.settle(o);
    if (!this.pending || PRIORITY[o] > PRIORITY[this.pending]) this.pending = o;
  }

  take(): Outcome | null {
    const o = this.pending;
    this.pending = null;
    return o;
  }

  wait(signal: AbortSignal, deadline: number): Promise<Outcome> {
    return new Promise<Outcome>((resolve) => {
      if (signal.aborted) return resolve('abort');
      const timer = setTimeout(() => done('timeout'), Math.max(0, deadline - Date.now()));
      const onAbort = () => done('abort');
      const done = (o: Outcome) => {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        this.settle = null;
        resolve(o);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.settle = done;
    });
  }
}

function revoked(): ChatError {
  return new ChatError({ code: 'invalid_token', status: 401, message: 'this token was revoked' });
}

function shuttingDown(): ChatError {
  return new ChatError({
    code: 'shutting_down',
    status: 503,
    message: 'the server is shutting down; retry shortly',
    headers: { 'Retry-After': '2' },
  });
}
