// How the HTTP transport answers a refusal: one table from each refusal code to its status, and
// the headers built from the refusal's facts. The core never names a status; this is the only
// place that does, so the table is the HTTP API's error contract (docs/api.md lists it).
import type { RefusalCode } from '../../model/refusal-codes.js';
import type { ChatError } from '../../protocol/errors.js';

const STATUS: Record<RefusalCode, number> = {
  // IRC refusals
  no_such_nick: 404,
  no_such_server: 404,
  no_such_channel: 404,
  cannot_send_to_channel: 403,
  too_many_channels: 403,
  too_many_targets: 400,
  no_recipient: 400,
  no_text_to_send: 400,
  too_many_matches: 400,
  input_too_long: 400,
  unknown_command: 400,
  no_motd: 400,
  no_nickname_given: 400,
  erroneous_nickname: 400,
  nickname_in_use: 409,
  ban_nick_change: 403,
  user_not_in_channel: 403,
  not_on_channel: 403,
  user_on_channel: 409,
  need_more_params: 400,
  password_mismatch: 403,
  channel_is_full: 403,
  unknown_mode: 400,
  invite_only_chan: 403,
  banned_from_chan: 403,
  bad_channel_key: 403,
  ban_list_full: 403,
  bad_channel_name: 400,
  no_privileges: 403,
  chanop_privs_needed: 403,
  no_oper_host: 403,
  umode_unknown_flag: 400,
  users_dont_match: 403,
  invalid_mode_param: 400,
  // the shape or size of a request
  invalid_request: 400,
  bad_json: 400,
  bad_encoding: 400,
  unsupported_media_type: 415,
  invalid_body: 400,
  invalid_characters: 400,
  to_too_long: 400,
  too_many_lines: 400,
  message_too_long: 400,
  meta_too_large: 400,
  topic_too_long: 400,
  away_too_long: 400,
  reason_too_long: 400,
  invalid_password: 400,
  invalid_pubkey: 400,
  invalid_device: 400,
  invalid_realname: 400,
  bad_cursor: 400,
  not_found: 404,
  // signatures
  bad_signature: 400,
  bad_signer: 400,
  no_key: 400,
  stale_signature: 400,
  replayed_signature: 400,
  // authentication and clients
  missing_token: 401,
  invalid_token: 401,
  invalid_credentials: 401,
  unauthorized: 401,
  no_such_client: 404,
  too_many_clients: 403,
  // budgets and proof of work
  flood: 429,
  read_budget: 429,
  too_many_polls: 429,
  too_many_pipelined_requests: 429,
  too_many_failed_logins: 429,
  too_many_logins: 429,
  too_many_failures: 429,
  hashcash_required: 402,
  too_many_sessions: 429,
  // the server
  shutting_down: 503,
};

/** Refusals after which the connection is closed: the client should not pipeline more on it. */
const CLOSES: ReadonlySet<RefusalCode> = new Set(['too_many_pipelined_requests', 'shutting_down']);

export function httpStatus(code: RefusalCode): number {
  return STATUS[code];
}

/** The response headers a refusal's facts call for (Retry-After, WWW-Authenticate, Connection). */
export function refusalHeaders(err: ChatError): Record<string, string> {
  const headers: Record<string, string> = {};
  const { retryAfterSeconds, authScheme } = err.facts;
  if (retryAfterSeconds !== undefined) headers['Retry-After'] = String(retryAfterSeconds);
  if (authScheme === 'basic') headers['WWW-Authenticate'] = 'Basic realm="metrics"';
  else if (authScheme === 'bearer' || httpStatus(err.code) === 401) {
    // A wrong or ended token says so (RFC 6750 §3.1); a missing one or a failed login only asks.
    headers['WWW-Authenticate'] =
      err.code === 'invalid_token'
        ? 'Bearer realm="chat", error="invalid_token"'
        : 'Bearer realm="chat"';
  }
  if (CLOSES.has(err.code)) headers.Connection = 'close';
  return headers;
}
