// Messages between a tab and the poll engine (in the SharedWorker, or in the page itself where
// the browser has no SharedWorker). One engine holds the session's single long-poll and passes
// every queue entry to all tabs of the browser.
import type { QueuedEnvelope } from '../../../src/model/api.js';

export type Transport = 'stream' | 'long-poll';

export type ConnectionState =
  | { state: 'idle' }
  | { state: 'connecting' }
  /** `transport`: the Server-Sent Events stream, or long-polls where streaming does not work */
  | { state: 'connected'; transport: Transport }
  /** `retryAt`: epoch ms of the next attempt; `reason`: what went wrong, for the status line */
  | { state: 'reconnecting'; retryAt: number; reason: string }
  /** `token`: the token that stopped working (a tab holding another one ignores this) */
  /** `reason` null: a tab of this browser signed out on purpose (nothing went wrong) */
  | { state: 'signed-out'; reason: string | null; token: string | null };

export type ToEngine =
  /** a tab with a token (after login, or from localStorage at load) */
  | { type: 'hello'; token: string; cursor: number | null }
  /** a tab on the login screen: just tell it what the engine knows */
  | { type: 'ask' }
  /** the user signed out in this tab */
  | { type: 'logout' }
  /** "reconnect now" instead of waiting for the backoff */
  | { type: 'retry' }
  /** the tab is going away (pagehide) */
  | { type: 'bye' };

export type FromEngine =
  | { type: 'status'; connection: ConnectionState; token: string | null }
  | { type: 'entries'; messages: QueuedEnvelope[]; lastId: number; gap: boolean }
  /** the stored cursor was unknown to the server; polling restarted from the oldest entry */
  | { type: 'cursor-reset' }
  /** an engine-side failure worth a console line in the tab (workers have no visible console) */
  | { type: 'problem'; message: string };
