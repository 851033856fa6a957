// What transports ask of delivery: long-poll and SSE streams now, the IRC listener later.
import type { PollResult } from '../model/api.js';
import type { Caller } from '../model/envelope.js';

export interface PollRequest {
  caller: Caller;
  /** cursor: entries with queue id > after; null = from the oldest entry still kept */
  after: number | null;
  /** already clamped to 0..30 s by the transport */
  timeoutMs: number;
  /** aborted when the HTTP client goes away */
  signal: AbortSignal;
}

/** An SSE stream (GET /api/v1/events): the same queue as poll(), batch after batch. */
export interface StreamRequest {
  caller: Caller;
  /** cursor: entries with queue id > after; null = from the oldest entry still kept */
  after: number | null;
  /** aborted when the HTTP client goes away */
  signal: AbortSignal;
  /** the cursor was accepted: the transport may start its response now */
  open(): void;
  /**
   * One batch (never empty, or a gap). Resolves once the transport can take more (its socket
   * drained), so a slow reader holds one batch at most; `stop` aborts when the stream must end
   * (revoked, shutdown) while the transport is still waiting.
   */
  send(batch: PollResult, stop: AbortSignal): Promise<void>;
}

export interface DeliveryApi {
  /**
   * Answers at once when entries are waiting, else waits for a bus note or the timeout.
   * Throws ChatError: 429 `too_many_polls` (a third held poll), 401 `revoked` (token revoked while
   * waiting), 400 `bad_cursor` (after beyond the newest entry), 503 `shutting_down`.
   */
  poll(req: PollRequest): Promise<PollResult>;
  /**
   * Holds one poll slot for the life of the stream (it counts against the 2 per client). Throws
   * as poll() does before open() (429, 400 `bad_cursor`, 503); after open() it throws 401 `revoked`
   * when the token is revoked, and returns when the client went away or the server shuts down.
   */
  stream(req: StreamRequest): Promise<void>;
  /**
   * Optional: the same as poll, answered as the JSON text of the PollResult (keys of an entry
   * possibly in another order), built from the entries' stored text without parsing them.
   */
  pollJson?(req: PollRequest): Promise<string>;
  /** polls currently held (metrics) */
  heldPolls(): number;
  /** answers every held poll now (empty) and refuses new ones: graceful shutdown */
  shutdown(): void;
}
