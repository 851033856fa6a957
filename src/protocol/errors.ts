// A refusal is a typed error (DESIGN §3): thrown by the core, mapped to a wire answer in exactly
// one place per transport.
import { ERR_TEXT, type ErrSpec } from '../model/numerics.js';
import type { Envelope } from '../model/envelope.js';

export interface ChatErrorInit {
  /** snake_case error code, e.g. `nickname_in_use` */
  code: string;
  /** HTTP status the HTTP transport answers with */
  status: number;
  message: string;
  /** the IRC numeric, when the refusal is an IRC one */
  numeric?: string;
  /** the numeric's parameters between the target nick and the text */
  params?: string[];
  /** extra response headers a transport should set (Retry-After, …) */
  headers?: Record<string, string>;
  /** extra JSON fields for the error body (e.g. `bits` for hashcash) */
  extra?: Record<string, unknown>;
}

export class ChatError extends Error {
  readonly code: string;
  readonly status: number;
  readonly numeric: string | undefined;
  readonly params: string[];
  readonly headers: Record<string, string>;
  readonly extra: Record<string, unknown>;
  /** the numeric envelopes queued to the caller for this refusal (set by dispatch) */
  replies: Envelope[] = [];

  constructor(init: ChatErrorInit) {
    super(init.message);
    this.name = 'ChatError';
    this.code = init.code;
    this.status = init.status;
    this.numeric = init.numeric;
    this.params = init.params ?? [];
    this.headers = init.headers ?? {};
    this.extra = init.extra ?? {};
  }
}

/** An IRC refusal: `ircError(ERR.NOSUCHCHANNEL, ['#x'])`. The text defaults to RFC 2812's. */
export function ircError(spec: ErrSpec, params: string[] = [], text?: string): ChatError {
  const [numeric, code, status] = spec;
  return new ChatError({
    code,
    status,
    numeric,
    params,
    message: text ?? ERR_TEXT[numeric] ?? code,
  });
}

/** A non-IRC refusal of the request itself (bad field, too large, …). */
export function badRequest(code: string, message: string, status = 400): ChatError {
  return new ChatError({ code, status, message });
}

/** A typed conflict the store raises when a UNIQUE invariant would break. */
export class StoreConflict extends Error {
  constructor(readonly what: 'nick' | 'channel' | 'txn' | 'stamp' | 'signature') {
    super(`store conflict on ${what}`);
    this.name = 'StoreConflict';
  }
}

/** The store cannot write (disk full, read-only, database down): answered 503. */
export class StoreUnavailable extends Error {
  constructor(cause: unknown) {
    super('store unavailable', { cause });
    this.name = 'StoreUnavailable';
  }
}

/** The JSON error body of a refusal (SPEC §3); also what a remembered txn replays. */
export function chatErrorBody(err: ChatError): Record<string, unknown> {
  const body: Record<string, unknown> = { error: err.code, message: err.message, ...err.extra };
  if (err.numeric) {
    body.numeric = err.numeric;
    body.params = err.params;
    body.replies = err.replies;
  }
  return body;
}

/** Rebuilds a refusal from a remembered body (txn retries answer the first answer). */
export function chatErrorFromBody(status: number, body: Record<string, unknown>): ChatError {
  const err = new ChatError({
    code: String(body.error),
    status,
    message: String(body.message),
    numeric: typeof body.numeric === 'string' ? body.numeric : undefined,
    params: Array.isArray(body.params) ? (body.params as string[]) : [],
  });
  if (Array.isArray(body.replies)) err.replies = body.replies as Envelope[];
  return err;
}
