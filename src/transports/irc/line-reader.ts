// The read side of an IRC connection: a stream of byte chunks in, complete lines out. No sockets,
// so every framing rule (chunk boundaries, overlong lines, memory and work bounds) is tested with
// plain buffers. Lines are split on LF alone; the codec drops a trailing CR (see parseLine).
import { Buffer } from 'node:buffer';
import { IRC_CLIENT_LINE_MAX_BYTES } from './line-codec.js';

/**
 * What the reader found in the stream, in stream order:
 * - `line`: the bytes before one LF (a CR before the LF is still there), ready for parseLine. An
 *   empty line is reported too: the codec, not the reader, decides what it means.
 * - `too_long`: a line grew past the limit before its LF arrived. Reported once, as soon as it
 *   overflows; the rest of that line up to its LF is then skipped. The listener answers it like
 *   the codec's `too_long` (417 ERR_INPUTTOOLONG).
 */
export type LineEvent =
  { readonly kind: 'line'; readonly line: Buffer } | { readonly kind: 'too_long' };

export interface LineReaderOptions {
  /**
   * The longest line accepted, its LF included (default IRC_CLIENT_LINE_MAX_BYTES, which counts
   * CRLF): so at most this many bytes minus one are ever held for an unfinished line.
   */
  maxLineBytes?: number;
}

const LF = 0x0a;
const TOO_LONG: LineEvent = Object.freeze({ kind: 'too_long' });

/**
 * Splits a byte stream into lines with bounded memory and linear work:
 * - Memory: only the unfinished tail is copied, into one buffer of `maxLineBytes - 1` bytes
 *   allocated on first use; a line longer than that is reported and skipped, never kept, so a
 *   64 KiB line costs the same as a 5 KiB one.
 * - Work: each chunk is scanned with indexOf from where the previous line ended, and a line that
 *   lies inside one chunk is returned as a view of it (no copy). Only a line that spans chunks is
 *   copied, once. Thousands of short lines in one chunk cost one pass over the chunk.
 *
 * Flood control belongs to the caller: `push(chunk)` returns every event of the chunk, and the
 * caller counts them. A caller that wants to stop mid-chunk (e.g. a per-turn line budget) passes
 * a `limit`: the reader then returns at most that many events and keeps the unread part of the
 * chunk (by reference, not copied) until `take()` is called. While `backlogBytes > 0` the caller
 * should pause its socket, so that the backlog stays one chunk; the reader does not enforce this.
 *
 * Returned lines may share memory with the pushed chunk: the caller must not reuse a chunk's
 * memory after pushing it (node:net gives every 'data' event a fresh Buffer).
 */
export class LineReader {
  readonly #maxContent: number;
  /** Chunks pushed but not yet scanned to their end; the first one from `#offset`. */
  readonly #backlog: Buffer[] = [];
  #offset = 0;
  /** The unfinished line copied so far (allocated on first use, never grown). */
  #partial: Buffer | undefined;
  #partialLength = 0;
  /** Inside a line already reported as too long: drop bytes until the next LF. */
  #skipping = false;

  constructor(options: LineReaderOptions = {}) {
    const max = options.maxLineBytes ?? IRC_CLIENT_LINE_MAX_BYTES;
    if (!Number.isSafeInteger(max) || max < 2) {
      throw new RangeError(`maxLineBytes must be an integer of at least 2, got ${max}`);
    }
    this.#maxContent = max - 1;
  }

  /** Bytes of the unfinished line held by the reader: never more than `maxLineBytes - 1`. */
  get bufferedBytes(): number {
    return this.#partialLength;
  }

  /** Bytes pushed but not yet scanned because a `limit` stopped the scan (0 without limits). */
  get backlogBytes(): number {
    let total = 0;
    for (const chunk of this.#backlog) total += chunk.length;
    return total - this.#offset;
  }

  /** Adds one chunk and returns the events it completes (at most `limit` of them; see take). */
  push(chunk: Buffer, limit = Infinity): LineEvent[] {
    if (chunk.length > 0) this.#backlog.push(chunk);
    return this.take(limit);
  }

  /**
   * Returns up to `limit` more events from bytes already pushed (all of them by default). An
   * event is never split: a skipped overlong line counts as its single `too_long` event.
   */
  take(limit = Infinity): LineEvent[] {
    const events: LineEvent[] = [];
    while (events.length < limit) {
      const chunk = this.#backlog[0];
      if (chunk === undefined) break;
      const lf = chunk.indexOf(LF, this.#offset);
      const piece = chunk.subarray(this.#offset, lf < 0 ? chunk.length : lf);
      const event = lf < 0 ? this.#keep(piece) : this.#complete(piece);
      if (event !== undefined) events.push(event);
      this.#offset = lf < 0 ? chunk.length : lf + 1;
      if (this.#offset === chunk.length) {
        this.#backlog.shift();
        this.#offset = 0;
      }
    }
    return events;
  }

  /** Keeps the start of an unfinished line; reports it once it no longer fits. */
  #keep(piece: Buffer): LineEvent | undefined {
    if (this.#skipping || piece.length === 0) return undefined;
    if (this.#partialLength + piece.length > this.#maxContent) return this.#overflow();
    this.#partial ??= Buffer.allocUnsafe(this.#maxContent);
    piece.copy(this.#partial, this.#partialLength);
    this.#partialLength += piece.length;
    return undefined;
  }

  /** `piece` is the last part of a line (the bytes before its LF). */
  #complete(piece: Buffer): LineEvent | undefined {
    if (this.#skipping) {
      this.#skipping = false;
      return undefined;
    }
    const length = this.#partialLength + piece.length;
    if (length > this.#maxContent) {
      // Overflowing right at its LF: report it, with nothing left to skip.
      this.#partialLength = 0;
      return TOO_LONG;
    }
    if (this.#partialLength === 0 || this.#partial === undefined) {
      return { kind: 'line', line: piece };
    }
    // The one copy a spanning line costs; the shared tail buffer is then free for the next line.
    const line = Buffer.concat([this.#partial.subarray(0, this.#partialLength), piece], length);
    this.#partialLength = 0;
    return { kind: 'line', line };
  }

  #overflow(): LineEvent {
    this.#partialLength = 0;
    this.#skipping = true;
    return TOO_LONG;
  }
}
