// Long-poll delivery (docs/envelope-and-delivery.md): read the caller's queue by cursor; when it is empty, hold the
// request until a bus note concerning this client arrives, then re-read the store. Never busy
// polling; the store is the only source of what is delivered.
import type { Bus, BusNote } from '../bus/bus.js';
import { headWithin, jsonBytes } from '../model/byte-budget.js';
import { ChatError, invalidToken, retryLater } from '../protocol/errors.js';
import type { PollResult, QueuedEnvelope } from '../model/api.js';
import type { QueueRead, Store } from '../store/store.js';
import type { DeliveryClock } from './clock.js';
import type { DeliveryApi, PollRequest, StreamRequest } from './delivery-api.js';
import { QuietReads } from './quiet-reads.js';
import { TurnBudget } from './turn-budget.js';
import { WaiterIndex, type Waiter } from './waiters.js';

export interface DeliverySettings {
  /** POLL_BATCH_MAX */
  batchMax: number;
  /** PAGE_MAX_BYTES: an answer holds at most this much JSON (always at least one entry) */
  maxBytes: number;
  /** QUEUE_MAX_ENTRIES */
  queueMaxEntries: number;
  /** held polls per client (docs/envelope-and-delivery.md: 2) */
  maxHeldPerClient: number;
  /** queue reads start in one event-loop turn until it spent this much (default READ_TURN_MS) */
  readTurnMs?: number;
}

/** about a page and a half of 500 entries; other clients wait at most about this long */
export const READ_TURN_MS = 20;

type Outcome = 'wake' | 'timeout' | 'abort' | 'revoked' | 'finish';

/** a store read and the note count it started at (null: not read, taken from QuietReads) */
type Read = QueueRead & { at: number | null };

export class Delivery implements DeliveryApi {
  private readonly waiters = new WaiterIndex();
  private readonly quiet = new QuietReads();
  private readonly turns: TurnBudget;
  private readonly unsubscribe: () => void;
  private closing = false;

  constructor(
    private readonly store: Store,
    bus: Bus,
    private readonly settings: DeliverySettings,
    private readonly clock: DeliveryClock,
  ) {
    this.unsubscribe = bus.subscribe((note) => this.onNote(note));
    this.turns = new TurnBudget(settings.readTurnMs ?? READ_TURN_MS);
  }

  heldPolls(): number {
    return this.waiters.size;
  }

  shutdown(): void {
    this.closing = true;
    for (const w of this.waiters.all()) w.finish();
    this.unsubscribe();
  }

  poll(req: PollRequest): Promise<PollResult> {
    return this.serve(req, { stored: false, answer: (r, read) => this.answer(r, read) });
  }

  /** the same answer as JSON text, built from the stored text of the entries (no parse) */
  pollJson(req: PollRequest): Promise<string> {
    return this.serve(req, { stored: true, answer: (r, read) => this.answerJson(r, read) });
  }

  private async serve<T>(req: PollRequest, shape: Shape<T>): Promise<T> {
    if (this.closing) throw shuttingDown();
    const { caller } = req;
    if (this.waiters.heldBy(caller.clientId) >= this.settings.maxHeldPerClient) {
      throw retryLater(
        'too_many_polls',
        `at most ${this.settings.maxHeldPerClient} polls may be held per client`,
        1000,
      );
    }
    if (req.timeoutMs <= 0) return shape.answer(req, await this.firstRead(req, shape.stored));
    return this.hold(req, shape);
  }

  /** the first read of a poll: a held poll skips it when nothing arrived since the last read */
  private async firstRead(req: PollRequest, stored: boolean): Promise<Read> {
    const { clientId, sessionId } = req.caller;
    const quiet = req.timeoutMs > 0 ? this.quiet.take(clientId, sessionId, req.after) : null;
    if (quiet !== null) {
      const { after, channels } = quiet;
      return { entries: [], gap: false, latestSeq: after, channels, at: null };
    }
    const read = await this.read(req, stored);
    if (req.after !== null && req.after > read.latestSeq) {
      throw new ChatError({
        code: 'bad_cursor',
        message: 'after is beyond the newest queue id: use the last_id of a previous answer',
      });
    }
    return read;
  }

  /**
   * One store read per wake-up: the waiter is registered before the first read, woken by any
   * note at all until that read tells which channels to wait on (the same snapshot), so nothing
   * committed in between is missed and no separate membership query is needed.
   */
  private async hold<T>(req: PollRequest, shape: Shape<T>): Promise<T> {
    const { caller } = req;
    const deadline = this.clock.now() + req.timeoutMs;
    const signals = new Signals();
    const waiter: Waiter = {
      clientId: caller.clientId,
      sessionId: caller.sessionId,
      wake: () => signals.raise('wake'),
      revoke: () => signals.raise('revoked'),
      finish: () => signals.raise('finish'),
    };
    this.waiters.add(waiter);
    try {
      let read = await this.firstRead(req, shape.stored);
      if (signals.revokedPending()) throw revoked();
      for (;;) {
        if (count(read) > 0) return shape.answer(req, read);
        this.remember(req, read, req.after);
        this.waiters.place(waiter, read.channels);
        const outcome = signals.take() ?? (await signals.wait(req.signal, deadline, this.clock));
        if (outcome === 'revoked') throw revoked();
        // an empty answer keeps the cursor; a gap is reported with the entries that follow it
        if (outcome !== 'wake') return shape.answer(req, { ...read, ...NOTHING, gap: false });
        // Read on the next turn of the event loop, not at once: commits that land in the same
        // burst then come in one answer instead of one poll round trip each.
        await nextTurn();
        read = await this.read(req, shape.stored);
        // the read may have waited for a turn: a token revoked meanwhile gets nothing more
        if (signals.revokedPending()) throw revoked();
      }
    } finally {
      this.waiters.remove(waiter);
    }
  }

  /**
   * An SSE stream (docs/envelope-and-delivery.md "Server-Sent Events"): hold()'s loop without an
   * end. One waiter for the whole stream, so it counts as one held poll and revocation or shutdown
   * reach it wherever it is; the next batch is read only once the transport took the last one,
   * so a slow reader never makes the server read (and hold) more than one batch.
   */
  async stream(req: StreamRequest): Promise<void> {
    if (this.closing) throw shuttingDown();
    const { caller } = req;
    if (this.waiters.heldBy(caller.clientId) >= this.settings.maxHeldPerClient) {
      throw retryLater(
        'too_many_polls',
        `at most ${this.settings.maxHeldPerClient} polls may be held per client (a stream is one)`,
        1000,
      );
    }
    const signals = new Signals();
    const stop = new AbortController();
    const end = (o: Outcome) => {
      stop.abort();
      signals.raise(o);
    };
    const waiter: Waiter = {
      clientId: caller.clientId,
      sessionId: caller.sessionId,
      wake: () => signals.raise('wake'),
      revoke: () => end('revoked'),
      finish: () => end('finish'),
    };
    this.waiters.add(waiter);
    try {
      // timeoutMs > 0: like a held poll, the first read may be skipped (QuietReads)
      let cursor: PollRequest = {
        caller,
        after: req.after,
        timeoutMs: STREAM_REREAD_MS,
        signal: req.signal,
      };
      let read = await this.firstRead(cursor, false);
      req.open();
      for (;;) {
        let outcome: Outcome | null;
        if (read.entries.length > 0) {
          const batch = this.answer(cursor, read);
          await req.send(batch, stop.signal);
          cursor = { ...cursor, after: batch.last_id };
          // a wake raised while sending needs no wait: the next read comes anyway
          outcome = signals.take();
          if (req.signal.aborted) outcome = 'abort';
        } else {
          this.remember(cursor, read, cursor.after);
          this.waiters.place(waiter, read.channels);
          const deadline = this.clock.now() + STREAM_REREAD_MS;
          outcome = signals.take() ?? (await signals.wait(req.signal, deadline, this.clock));
          await nextTurn();
        }
        if (outcome === 'revoked') throw revoked();
        if (outcome === 'finish' || outcome === 'abort') return;
        read = await this.read(cursor, false);
        // the read may have waited for a turn: a token revoked meanwhile gets nothing more
        if (signals.revokedPending()) throw revoked();
      }
    } finally {
      this.waiters.remove(waiter);
    }
  }

  private read(req: PollRequest, stored: boolean): Promise<Read> {
    return this.turns.run(async () => {
      // `at` after any wait for a turn: notes recorded while this read waited are not taken as read
      const at = this.quiet.now();
      const read = await this.store.readQueue({
        clientId: req.caller.clientId,
        sessionId: req.caller.sessionId,
        after: req.after,
        limit: this.settings.batchMax,
        maxEntries: this.settings.queueMaxEntries,
        stored,
      });
      return { ...read, at };
    });
  }

  private answer(req: PollRequest, read: Read): PollResult {
    const messages = headOfPage(read, this.settings.maxBytes);
    const last = messages.at(-1);
    const result: PollResult = { messages, last_id: last ? last.queue_id : (req.after ?? 0) };
    if (read.gap) result.gap = true;
    // everything read was sent and the batch was not full: nothing followed it at the time
    if (messages.length === read.entries.length && read.entries.length < this.settings.batchMax) {
      this.remember(req, read, result.last_id);
    }
    return result;
  }

  /**
   * The answer as JSON text: each stored entry's text with `,"seq":N,"queue_id":N` spliced in
   * before its closing brace; the same JSON as answer() gives (keys possibly in another order).
   */
  private answerJson(req: PollRequest, read: Read): string {
    const { stored, sizes } = read;
    // a store that does not give the stored text: the object answer, serialised
    if (stored === undefined) return JSON.stringify(this.answer(req, read));
    const parts: string[] = [];
    let used = 0;
    let lastId = req.after ?? 0;
    for (let i = 0; i < stored.length; i++) {
      const { seq, data } = stored[i]!;
      const text = queuedText(seq, data);
      // the same measure as headOfPage: the entry's JSON and a separating comma
      const known = sizes?.[i];
      const size =
        known !== undefined ? known + 13 + String(seq).length : Buffer.byteLength(text) + 1;
      if (parts.length > 0 && used + size > this.settings.maxBytes) break;
      used += size;
      parts.push(text);
      lastId = seq;
    }
    if (parts.length === stored.length && stored.length < this.settings.batchMax) {
      this.remember(req, read, lastId);
    }
    const gap = read.gap ? ',"gap":true' : '';
    return `{"messages":[${parts.join(',')}],"last_id":${lastId}${gap}}`;
  }

  /** a read that found nothing after `after` (that is, after its last entry) */
  private remember(req: PollRequest, read: Read, after: number | null): void {
    // a gap is reported again by the next read; a cursor of null means "from the oldest kept"
    if (read.at === null || read.gap || after === null) return;
    this.quiet.remember(req.caller.clientId, { after, at: read.at, channels: read.channels });
  }

  private onNote(note: BusNote): void {
    this.quiet.record(note);
    this.waiters.forClients(note.revoked, (w) => w.revoke());
    const wake = (w: Waiter) => w.wake();
    this.waiters.forClients(note.clients, wake);
    this.waiters.forSessions(note.sessions, wake);
    this.waiters.forChannels(note.channels, wake);
    this.waiters.forUnplaced(wake);
  }
}

/** a quiet stream re-reads its queue this often even without a note (a safety net only) */
const STREAM_REREAD_MS = 60_000;

const PRIORITY: Record<Outcome, number> = { wake: 1, timeout: 2, abort: 3, finish: 4, revoked: 5 };

/** What happened to a held poll, remembered while it was busy reading the store. */
class Signals {
  private pending: Outcome | null = null;
  private settle: ((o: Outcome) => void) | null = null;

  raise(o: Outcome): void {
    if (this.settle) return this.settle(o);
    if (!this.pending || PRIORITY[o] > PRIORITY[this.pending]) this.pending = o;
  }

  /** a revocation arrived while the poll was busy (it stays pending) */
  revokedPending(): boolean {
    return this.pending === 'revoked';
  }

  take(): Outcome | null {
    const o = this.pending;
    this.pending = null;
    return o;
  }

  wait(signal: AbortSignal, deadline: number, clock: DeliveryClock): Promise<Outcome> {
    return new Promise<Outcome>((resolve) => {
      if (signal.aborted) return resolve('abort');
      const cancel = clock.after(Math.max(0, deadline - clock.now()), () => done('timeout'));
      const onAbort = () => done('abort');
      const done = (o: Outcome) => {
        cancel();
        signal.removeEventListener('abort', onAbort);
        this.settle = null;
        resolve(o);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.settle = done;
    });
  }
}

/** how an answer is made from a read, and whether the read gives the entries as stored */
interface Shape<T> {
  stored: boolean;
  answer(req: PollRequest, read: Read): T;
}

/** a read's entries taken away: an empty answer */
const NOTHING = { entries: [], stored: [], sizes: [] };

/** the entries of a read, whichever form they came in */
function count(read: QueueRead): number {
  return read.stored?.length ?? read.entries.length;
}

/** an entry's JSON in an answer, from its stored text (which never holds a seq: appendEvent) */
function queuedText(seq: number, data: string): string {
  const ids = `"seq":${seq},"queue_id":${seq}}`;
  // data is an object's JSON: `{…}`, or `{}`
  return data.length > 2 ? `${data.slice(0, -1)},${ids}` : `{${ids}`;
}

/**
 * The entries of an answer within `maxBytes` of JSON (always at least one), with their queue ids.
 * The sizes come from the store when it knows them; an entry's queue_id adds `,"queue_id":N`.
 */
function headOfPage(read: QueueRead, maxBytes: number): QueuedEnvelope[] {
  const { entries, sizes } = read;
  if (sizes === undefined || sizes.length !== entries.length) {
    return headWithin(
      entries.map((e) => ({ ...e, queue_id: e.seq })),
      maxBytes,
    );
  }
  const out: QueuedEnvelope[] = [];
  let used = 0;
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i]!;
    // jsonBytes counts a separating comma too: the same measure as headWithin's
    const size =
      'queue_id' in e
        ? jsonBytes({ ...e, queue_id: e.seq })
        : sizes[i]! + 13 + String(e.seq).length;
    if (out.length > 0 && used + size > maxBytes) break;
    used += size;
    out.push({ ...e, queue_id: e.seq });
  }
  return out;
}

function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function revoked(): ChatError {
  return invalidToken('this token was revoked');
}

function shuttingDown(): ChatError {
  return retryLater('shutting_down', 'the server is shutting down; retry shortly', 2000);
}
