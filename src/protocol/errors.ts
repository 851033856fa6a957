// A refusal is a typed error: thrown by the core, answered in exactly one place per transport. It
// says what went wrong (a stable code, the IRC numeric and its parameters) and the facts a client
// needs to act on it (when to retry, which credentials would do); never an HTTP status or header.
import type { Envelope } from '../model/envelope.js';
import { ERR_TEXT, type ErrSpec } from '../model/numerics.js';
import type { RefusalCode } from '../model/refusal-codes.js';

/** Facts about a refusal that a transport may turn into its own form (HTTP: headers). */
export interface RefusalFacts {
  /** the same request may succeed after this many whole seconds (at least 1) */
  retryAfterSeconds?: number;
  /** the credentials that would be accepted: a client token, or a password (metrics) */
  authScheme?: 'bearer' | 'basic';
}

export interface ChatErrorInit {
  code: RefusalCode;
  message: string;
  /** the IRC numeric, when the refusal is an IRC one */
  numeric?: string;
  /** the numeric's parameters between the target nick and the text */
  params?: string[];
  facts?: RefusalFacts;
  /** extra fields a client reads from the answer (e.g. `bits` for hashcash) */
  extra?: Record<string, unknown>;
}

export class ChatError extends Error {
  readonly code: RefusalCode;
  readonly numeric: string | undefined;
  readonly params: string[];
  readonly facts: RefusalFacts;
  readonly extra: Record<string, unknown>;
  /** the numeric envelopes queued to the caller for this refusal (set by dispatch) */
  replies: Envelope[] = [];

  constructor(init: ChatErrorInit) {
    super(init.message);
    this.name = 'ChatError';
    this.code = init.code;
    this.numeric = init.numeric;
    this.params = init.params ?? [];
    this.facts = init.facts ?? {};
    this.extra = init.extra ?? {};
  }
}

/** An IRC refusal: `ircError(ERR.NOSUCHCHANNEL, ['#x'])`. The text defaults to RFC 2812's. */
export function ircError(spec: ErrSpec, params: string[] = [], text?: string): ChatError {
  const [numeric, code] = spec;
  return new ChatError({ code, numeric, params, message: text ?? ERR_TEXT[numeric] ?? code });
}

/** A non-IRC refusal of the request itself (bad field, too large, …). */
export function badRequest(code: RefusalCode, message: string): ChatError {
  return new ChatError({ code, message });
}

/** The session behind a token has ended (or the token was revoked). */
export function invalidToken(message: string): ChatError {
  return new ChatError({ code: 'invalid_token', message, facts: { authScheme: 'bearer' } });
}

/** A refusal that means "not now": retry after `waitMs` (reported in whole seconds, at least 1). */
export function retryLater(code: RefusalCode, message: string, waitMs: number): ChatError {
  const retryAfterSeconds = Math.max(1, Math.ceil(waitMs / 1000));
  return new ChatError({ code, message, facts: { retryAfterSeconds } });
}

/** The refusal's fields: the HTTP error body, and what a remembered txn keeps. `extra` never
 * overrides the code, the message or the numeric. */
export function chatErrorBody(err: ChatError): Record<string, unknown> {
  const extra = Object.fromEntries(
    Object.entries(err.extra).filter(([k]) => !['error', 'message', 'numeric'].includes(k)),
  );
  const body: Record<string, unknown> = { ...extra, error: err.code, message: err.message };
  if (err.numeric !== undefined) {
    body.numeric = err.numeric;
    body.params = err.params;
    body.replies = err.replies;
  } else if (err.replies.length > 0) {
    body.replies = err.replies;
  }
  return body;
}

/** Rebuilds a refusal from a remembered body (txn retries answer the first answer). */
export function chatErrorFromBody(body: Record<string, unknown>): ChatError {
  const err = new ChatError({
    code: String(body.error) as RefusalCode,
    message: String(body.message),
    numeric: typeof body.numeric === 'string' ? body.numeric : undefined,
    params: Array.isArray(body.params) ? (body.params as string[]) : [],
  });
  if (Array.isArray(body.replies)) err.replies = body.replies as Envelope[];
  return err;
}
