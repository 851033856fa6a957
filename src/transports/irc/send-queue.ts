// The write side of an IRC connection: serialized lines in, as few socket writes as possible out,
// with a hard cap on what the server holds for a client that does not read (the SendQ of IRC
// servers). Written against a minimal sink interface, so tests can drive it with a fake; a
// node:net Socket satisfies it as it is.
import { Buffer } from 'node:buffer';

/** What the queue needs from a socket. `write` returns false when the socket wants a 'drain'. */
export interface SendSink {
  write(chunk: Buffer): boolean;
  /** Writes a last chunk, then closes the write side once everything before it is sent. */
  end(chunk: Buffer): unknown;
  destroy(): unknown;
  once(event: 'drain', listener: () => void): unknown;
}

export interface SendQueueOptions {
  /** The most bytes (CRLFs included) held for the client before onOverflow; at least 1. */
  sendqBytes: number;
  /**
   * Called once, synchronously from the send() that would have gone past sendqBytes (that line
   * and every later one are dropped). The listener answers with `final('ERROR :SendQ exceeded')`,
   * which it may call from inside the callback.
   */
  onOverflow: () => void;
  /**
   * How long final() lets the last line drain before destroying the sink (default 5 s). A client
   * that overflowed is by definition not reading, so ending the stream alone might never finish.
   */
  lingerMs?: number;
  /**
   * Called after each flush handed lines to the sink (and after a 'drain'), so a writer waiting
   * for room learns of it: a write the kernel takes at once emits no 'drain' at all.
   */
  onFlushed?: () => void;
}

/**
 * The most bytes handed to the sink in one write. A socket's write() accepts anything and only
 * reports being over its high-water mark afterwards, so writing the whole backlog at once after
 * a 'drain' would move up to sendqBytes into the socket's own buffer, outside our count. Writes of
 * at most this size keep the socket's buffer within its high-water mark plus one batch.
 */
export const SEND_BATCH_MAX_BYTES = 64 * 1024;
const DEFAULT_LINGER_MS = 5_000;
const CRLF_BYTES = 2;
/** Bytes no IRC line may hold: a CR or LF would end the line early and let text forge another. */
const FORBIDDEN = /[\r\n\0]/;

function checkLine(line: string): void {
  if (FORBIDDEN.test(line)) {
    throw new TypeError(`an IRC line may not hold CR, LF or NUL: ${JSON.stringify(line)}`);
  }
}

type State = 'open' | 'overflowed' | 'closed';

/**
 * Queues lines for one connection.
 *
 * Coalescing: lines queued during one event-loop turn leave in one write, flushed by
 * `setImmediate`. A microtask would run as soon as the current synchronous job ends, so a
 * handler that writes, awaits the store, and writes again would cost two writes, and so would
 * each of several 'data' events read in the same poll phase. setImmediate runs after the poll
 * phase and after every microtask, so everything this turn produced (including fan-out from other
 * connections' messages) goes out together; the price is a delay of at most one loop iteration.
 *
 * Backpressure: bytes count as queued until handed to the sink. When `write` returns false,
 * nothing more is written until 'drain'; lines keep queuing, and `queuedBytes` (for metrics)
 * grows until the client reads or the cap is reached. The listener should call close() when its
 * socket closes, since a destroyed socket never emits 'drain'.
 */
export class SendQueue {
  readonly #sink: SendSink;
  readonly #sendqBytes: number;
  readonly #onOverflow: () => void;
  readonly #lingerMs: number;
  /** Queued lines from `#head` on, with their sizes on the wire (CRLF included). */
  #lines: string[] = [];
  #sizes: number[] = [];
  #head = 0;
  #queuedBytes = 0;
  #state: State = 'open';
  #waitingForDrain = false;
  #flushTimer: NodeJS.Immediate | undefined;
  #lingerTimer: NodeJS.Timeout | undefined;
  #destroyed = false;
  readonly #onFlushed: (() => void) | undefined;

  constructor(sink: SendSink, options: SendQueueOptions) {
    const { sendqBytes, lingerMs = DEFAULT_LINGER_MS } = options;
    if (!Number.isSafeInteger(sendqBytes) || sendqBytes < 1) {
      throw new RangeError(`sendqBytes must be a positive integer, got ${sendqBytes}`);
    }
    if (!Number.isSafeInteger(lingerMs) || lingerMs < 0) {
      throw new RangeError(`lingerMs must be a whole number of milliseconds, got ${lingerMs}`);
    }
    this.#sink = sink;
    this.#sendqBytes = sendqBytes;
    this.#onOverflow = options.onOverflow;
    this.#onFlushed = options.onFlushed;
    this.#lingerMs = lingerMs;
  }

  /** Bytes queued but not yet handed to the sink; never more than sendqBytes. */
  get queuedBytes(): number {
    return this.#queuedBytes;
  }

  /** Whether the cap was reached (then, until final() or close(), new lines are dropped). */
  get overflowed(): boolean {
    return this.#state === 'overflowed';
  }

  /** After final() or close(): every later line is dropped silently. */
  get closed(): boolean {
    return this.#state === 'closed';
  }

  /**
   * Queues one serialized line (without CRLF: the queue adds it). Throws TypeError when the line
   * holds CR, LF or NUL: serializeLine never produces one, so such a line is a programming error,
   * and refusing it here makes sure no caller can split one line into two on the wire.
   */
  send(line: string): void {
    checkLine(line);
    if (this.#state !== 'open') return;
    const size = Buffer.byteLength(line, 'utf8') + CRLF_BYTES;
    if (this.#queuedBytes + size > this.#sendqBytes) {
      this.#state = 'overflowed';
      this.#onOverflow();
      return;
    }
    this.#lines.push(line);
    this.#sizes.push(size);
    this.#queuedBytes += size;
    if (!this.#waitingForDrain && this.#flushTimer === undefined) {
      this.#flushTimer = setImmediate(this.#flush);
    }
  }

  /**
   * Drops the backlog, writes `line` as the very last one and ends the stream (bytes the sink
   * already accepted still go out before it). Works after an overflow, which is what it is for;
   * does nothing once closed. The sink is destroyed after lingerMs if the client still has not
   * read it all.
   */
  final(line: string): void {
    checkLine(line);
    if (this.#state === 'closed') return;
    this.#shutDown();
    this.#sink.end(Buffer.from(`${line}\r\n`, 'utf8'));
    this.#lingerTimer = setTimeout(() => this.#destroy(), this.#lingerMs);
    // The connection's own lifetime should not keep the process alive.
    this.#lingerTimer.unref();
  }

  /**
   * A normal end (QUIT, a refused login, shutdown): everything still queued, then `line`, then
   * the end of the stream, so a client reads its last replies before the ERROR. After an overflow
   * the backlog is what the client failed to read, so this is final() then. The backlog is at
   * most sendqBytes, handed to the sink at once; lingerMs still bounds how long it may take.
   */
  finish(line: string): void {
    checkLine(line);
    if (this.#state === 'closed') return;
    if (this.#state === 'overflowed') return this.final(line);
    const rest = this.#lines.slice(this.#head);
    rest.push(line);
    this.#shutDown();
    this.#sink.end(Buffer.from(rest.join('\r\n') + '\r\n', 'utf8'));
    this.#lingerTimer = setTimeout(() => this.#destroy(), this.#lingerMs);
    this.#lingerTimer.unref();
  }

  /** Drops the backlog and destroys the sink now. Safe to call more than once, or after final. */
  close(): void {
    this.#shutDown();
    if (this.#lingerTimer !== undefined) clearTimeout(this.#lingerTimer);
    this.#lingerTimer = undefined;
    this.#destroy();
  }

  #shutDown(): void {
    this.#state = 'closed';
    this.#lines = [];
    this.#sizes = [];
    this.#head = 0;
    this.#queuedBytes = 0;
    if (this.#flushTimer !== undefined) clearImmediate(this.#flushTimer);
    this.#flushTimer = undefined;
  }

  #destroy(): void {
    if (this.#destroyed) return;
    this.#destroyed = true;
    this.#sink.destroy();
  }

  // Arrow functions: handed to setImmediate and once('drain') as they are.
  readonly #flush = (): void => {
    this.#flushTimer = undefined;
    while (this.#state !== 'closed' && !this.#waitingForDrain && this.#head < this.#lines.length) {
      if (!this.#sink.write(this.#nextBatch())) {
        this.#waitingForDrain = true;
        this.#sink.once('drain', this.#onDrain);
      }
    }
    if (this.#state !== 'closed') this.#onFlushed?.();
  };

  readonly #onDrain = (): void => {
    this.#waitingForDrain = false;
    // Written now rather than on the next turn: the socket has just asked for more.
    this.#flush();
  };

  /** Takes whole lines from the front, up to SEND_BATCH_MAX_BYTES (always at least one). */
  #nextBatch(): Buffer {
    let end = this.#head;
    let bytes = 0;
    while (end < this.#lines.length) {
      const size = this.#sizes[end] ?? 0;
      if (end > this.#head && bytes + size > SEND_BATCH_MAX_BYTES) break;
      bytes += size;
      end++;
    }
    const text = this.#lines.slice(this.#head, end).join('\r\n');
    this.#head = end;
    this.#queuedBytes -= bytes;
    this.#compact();
    return Buffer.from(`${text}\r\n`, 'utf8');
  }

  /** Forgets lines already written, without shifting the arrays on every batch. */
  #compact(): void {
    if (this.#head === this.#lines.length) {
      this.#lines = [];
      this.#sizes = [];
      this.#head = 0;
    } else if (this.#head * 2 >= this.#lines.length) {
      this.#lines = this.#lines.slice(this.#head);
      this.#sizes = this.#sizes.slice(this.#head);
      this.#head = 0;
    }
  }
}
