// The stable codes of every refusal (the `error` field of an answer). They are the API's words,
// not any transport's: the HTTP transport maps each to a status in one table, and a client can
// tell a retryable refusal from a final one without reading prose.
import type { ErrCode } from './numerics.js';

/** Refusals that are not IRC numerics: the request itself, authentication, budgets, the server. */
export const REQUEST_CODES = [
  // the shape or size of a request
  'invalid_request',
  'bad_json',
  'bad_encoding',
  'unsupported_media_type',
  'invalid_body',
  'invalid_characters',
  'to_too_long',
  'too_many_lines',
  'message_too_long',
  'meta_too_large',
  'topic_too_long',
  'away_too_long',
  'reason_too_long',
  'invalid_password',
  'invalid_pubkey',
  'invalid_device',
  'invalid_realname',
  'bad_cursor',
  'not_found',
  // signatures
  'bad_signature',
  'bad_signer',
  'no_key',
  'stale_signature',
  'replayed_signature',
  // authentication and clients
  'missing_token',
  'invalid_token',
  'invalid_credentials',
  'unauthorized',
  'no_such_client',
  'too_many_clients',
  // budgets and proof of work
  'flood',
  'read_budget',
  'too_many_polls',
  'too_many_pipelined_requests',
  'too_many_failed_logins',
  'too_many_logins',
  'too_many_failures',
  'hashcash_required',
  'too_many_sessions',
  // the server
  'shutting_down',
] as const;

export type RequestCode = (typeof REQUEST_CODES)[number];

/** Every code a `ChatError` may carry. */
export type RefusalCode = ErrCode | RequestCode;
