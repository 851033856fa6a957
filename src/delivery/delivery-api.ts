// What transports ask of delivery: long-poll now, SSE and the IRC listener later.
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

export interface DeliveryApi {
  /**
   * Answers at once when entries are waiting, else waits for a bus note or the timeout.
   * Throws ChatError: 429 `too_many_polls` (a third held poll), 401 `revoked` (token revoked while
   * waiting), 400 `bad_cursor` (after beyond the newest entry), 503 `shutting_down`.
   */
  poll(req: PollRequest): Promise<PollResult>;
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
