// The hostile-input corpus of reliability/README.mdc as data, for C1: one case per item of the table that
// applies to the HTTP API today, each with the exact answer it must get. The test
// (tests/c1-hostile-corpus.ts) sends every case to a real chatd, sequentially and then from 20
// connections at once, and checks the answer, that nothing was stored, that no internals leak,
// and that the server keeps answering its health check.
//
// The people: `alice` created SAFE (op) and sends most cases; `bob` is a member of SAFE and the
// observer (his view of SAFE's history and his queue must not change); `mallory` is alone in
// VERBATIM_CHANNEL and sends the SQL-like texts that are valid and so must be stored verbatim;
// FOLD_HOLDER holds a nick with the rfc1459 characters `[]\`, for folding collisions.
//
// Rows that do not apply to the HTTP API today are listed in MOVED_ROWS (the test puts them in
// its notes).
import { boundedWorkCases } from './corpus-bounded.js';
import type { RawOptions } from './hostile-http.js';

export type Who = 'alice' | 'mallory' | 'none' | 'bad';

export const SAFE = '#safe';
export const VERBATIM_CHANNEL = '#verbatim';
export const FOLD_HOLDER = 'zed[1]\\';
/** the nick mallory takes in one case (valid: `\` is a nick character) */
export const MALLORY_NEW_NICK = 'mal\\lory';
/** SQL-like texts that are valid PRIVMSG/NOTICE/TOPIC texts: stored verbatim, nothing else */
export const SQL_TEXTS = [
  "'; DROP TABLE messages;--",
  '" OR 1=1--',
  '100% \\ %s %n _ %%',
  "Robert'); DELETE FROM clients WHERE ('1'='1",
];

export interface Expectation {
  status: number;
  /** the JSON `error` code (every 4xx); none for a 2xx */
  error?: string;
  /** the IRC numeric of an IRC refusal */
  numeric?: string;
  /** the error message must name this (the offending field or parameter) */
  mentions?: RegExp;
  /** headers that must be present, by lower-case name */
  headers?: Record<string, RegExp>;
  /** headers that must be absent */
  absentHeaders?: string[];
  /** the response body must not match (e.g. a file's content) */
  bodyNot?: RegExp;
  /** for streamed bodies: the server closes after at most this many bytes were written */
  closeWithinBytes?: number;
  /** raw cases: the answer comes this many ms after connecting (a server timeout) */
  answerBetweenMs?: [number, number];
}

interface CaseBase {
  name: string;
  /** the row of the reliability plan (part C) it comes from */
  row: string;
  expect: Expectation;
  /** changes server state (login limits): the sequential pass only */
  once?: boolean;
  /** waits for a server timeout: runs in the background */
  slow?: boolean;
}

export interface HttpCase extends CaseBase {
  kind: 'http';
  method: string;
  path: string;
  who: Who;
  /** a JSON body (sent as application/json) */
  json?: unknown;
  /** a raw body; give content-type in headers */
  body?: string | Uint8Array;
  headers?: Record<string, string | string[]>;
}

export interface RawCase extends CaseBase {
  kind: 'raw';
  who: Who;
  /** the bytes to send, given the caller's Authorization header line ('' for none) */
  build: (authLine: string) => Omit<RawOptions, 'timeoutMs'> & { timeoutMs?: number };
}

export interface CustomContext {
  port: number;
  /** a failed login with this X-Forwarded-For; answers status and JSON */
  failedLogin(forwardedFor: string, n: number): Promise<{ status: number; json: unknown }>;
}

export interface CustomCase extends CaseBase {
  kind: 'custom';
  run: (ctx: CustomContext) => Promise<{ status: number; json: unknown }>;
}

export type Case = HttpCase | RawCase | CustomCase;

/** server settings the corpus assumes (the test starts chatd with them) */
export const CORPUS_ENV = {
  // the X-Forwarded-For case: the per-address limit must bite within a few attempts
  LOGIN_FAILURES_PER_ADDRESS: '3',
  LOGIN_FAILURES_PER_NICK: '1000',
};

const MESSAGES = '/api/v1/messages';
const MiB = 1024 * 1024;

const msg = (name: string, row: string, json: unknown, expect: Expectation): HttpCase => ({
  kind: 'http',
  name,
  row,
  method: 'POST',
  path: MESSAGES,
  who: 'alice',
  json,
  expect,
});

const rawBody = (
  name: string,
  row: string,
  body: string | Uint8Array,
  expect: Expectation,
  contentType = 'application/json',
): HttpCase => ({
  kind: 'http',
  name,
  row,
  method: 'POST',
  path: MESSAGES,
  who: 'alice',
  body,
  headers: { 'content-type': contentType },
  expect,
});

const get = (name: string, row: string, path: string, expect: Expectation, who: Who = 'alice') =>
  ({ kind: 'http', name, row, method: 'GET', path, who, expect }) satisfies HttpCase;

const invalid = (field: RegExp): Expectation => ({
  status: 400,
  error: 'invalid_request',
  mentions: field,
});
const irc = (status: number, error: string, numeric: string): Expectation => ({
  status,
  error,
  numeric,
});
const badNick = irc(400, 'erroneous_nickname', '432');
const nickInUse = irc(409, 'nickname_in_use', '433');
const badChannel = irc(400, 'bad_channel_name', '479');
const noChannel = irc(404, 'no_such_channel', '403');
const badChars: Expectation = { status: 400, error: 'invalid_characters' };
const badJson: Expectation = { status: 400, error: 'bad_json' };
const badEncoding: Expectation = { status: 400, error: 'bad_encoding' };
const tooLarge: Expectation = { status: 413, error: 'body_too_large' };
const media: Expectation = { status: 415, error: 'unsupported_media_type' };
const malformedHttp: Expectation = { status: 400, error: 'bad_request' };
const notFound: Expectation = {
  status: 404,
  error: 'not_found',
  headers: { 'x-content-type-options': /^nosniff$/ },
  bodyNot: /root:|\[boot loader\]|<dir>|Index of/i,
};
const notAllowed = (allow: RegExp): Expectation => ({
  status: 405,
  error: 'method_not_allowed',
  headers: { allow },
});

/** Request head for a raw POST; `extra` are further header lines. */
const head = (path: string, authLine: string, extra: string[]): string =>
  [`POST ${path} HTTP/1.1`, 'Host: 127.0.0.1', ...(authLine ? [authLine] : []), ...extra]
    .map((l) => `${l}\r\n`)
    .join('') + '\r\n';

const JSON_CT = 'Content-Type: application/json';
const filler = (bytes: number) => new Uint8Array(bytes).fill(0x20); // spaces: valid JSON padding
/** chunked encoding of 16 KiB of spaces, repeated to stream 100 MiB */
const CHUNK_16K = Buffer.concat([
  Buffer.from('4000\r\n'),
  Buffer.alloc(16384, 0x20),
  Buffer.from('\r\n'),
]);
const PACE_MS = 1;

/** An oversized body streamed with a Content-Length: the server must refuse it at about the cap. */
function bigBody(name: string, path: string, who: Who, bytes: number): RawCase {
  return {
    kind: 'raw',
    name,
    row: 'body of 1 MiB',
    who,
    build: (auth) => ({
      data: head(path, auth, [JSON_CT, `Content-Length: ${bytes}`]) + '{"nick":"x","pad":"',
      stream: { chunk: filler(16384), maxBytes: bytes, paceMs: PACE_MS },
      waitForClose: true,
    }),
    expect: { ...tooLarge, closeWithinBytes: 4 * MiB },
  };
}

function many(n: number, line: (i: number) => string): string[] {
  return Array.from({ length: n }, (_, i) => line(i));
}

const zeroWidth = ['\u200b', '\u200c', '\u200d', '\u2060', '\ufeff'];
const bidi = ['\u202a', '\u202b', '\u202c', '\u202d', '\u202e', '\u2066', '\u2067', '\u2068'];
const hex = (s: string) => `U+${s.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;

export const CORPUS: readonly Case[] = [
  ...boundedWorkCases(SAFE),
  // --- sizes -------------------------------------------------------------------------------------
  bigBody('1 MiB body to POST /messages', MESSAGES, 'alice', MiB),
  bigBody('1 MiB body to POST /session', '/api/v1/session', 'none', MiB),
  {
    kind: 'raw',
    name: '100 MiB streamed chunked',
    row: '100 MiB streamed chunked',
    who: 'alice',
    build: (auth) => ({
      data: head(MESSAGES, auth, [JSON_CT, 'Transfer-Encoding: chunked']),
      stream: { chunk: CHUNK_16K, maxBytes: 100 * MiB, paceMs: PACE_MS },
      waitForClose: true,
    }),
    expect: { ...tooLarge, closeWithinBytes: 4 * MiB },
  },
  {
    kind: 'raw',
    name: 'Content-Length: 10^9 to POST /messages',
    row: 'Content-Length: 10^9',
    who: 'alice',
    build: (auth) => ({
      data: head(MESSAGES, auth, [JSON_CT, 'Content-Length: 1000000000']) + '{',
    }),
    expect: tooLarge,
  },
  {
    kind: 'raw',
    name: 'Content-Length: 10^9 to POST /session',
    row: 'Content-Length: 10^9',
    who: 'none',
    build: (auth) => ({
      data: head('/api/v1/session', auth, [JSON_CT, 'Content-Length: 1000000000']) + '{',
    }),
    expect: tooLarge,
  },
  {
    kind: 'raw',
    name: 'Content-Length larger than sent, then a stall',
    row: 'Content-Length larger than the bytes sent, then a stall',
    who: 'alice',
    slow: true,
    build: (auth) => ({
      data: head(MESSAGES, auth, [JSON_CT, 'Content-Length: 100']) + '{"command":"PING"',
      timeoutMs: 45_000,
    }),
    // the whole-request timeout is 30 s, checked every second
    expect: { status: 408, error: 'request_timeout', answerBetweenMs: [28_000, 40_000] },
  },
  {
    kind: 'raw',
    name: 'Content-Length larger than sent to POST /session, then a stall',
    row: 'Content-Length larger than the bytes sent, then a stall',
    who: 'none',
    slow: true,
    build: (auth) => ({
      data: head('/api/v1/session', auth, [JSON_CT, 'Content-Length: 5000']) + '{"nick":',
      timeoutMs: 45_000,
    }),
    // the whole-request timeout is 30 s, checked every second
    expect: { status: 408, error: 'request_timeout', answerBetweenMs: [28_000, 40_000] },
  },
  {
    kind: 'raw',
    name: 'Content-Length smaller than sent',
    row: 'Content-Length smaller than sent',
    who: 'alice',
    build: (auth) => ({
      data: head(MESSAGES, auth, [JSON_CT, 'Content-Length: 5']) + '{"command":"PING"}',
    }),
    expect: malformedHttp,
  },

  // --- JSON --------------------------------------------------------------------------------------
  rawBody('truncated JSON', 'JSON', `{"command":"PRIVMSG","to":"${SAFE}"`, badJson),
  rawBody('trailing garbage', 'JSON', '{"command":"PING"} x', badJson),
  rawBody('two JSON values', 'JSON', '{"command":"PING"}{"command":"PING"}', badJson),
  rawBody('UTF-8 BOM', 'JSON', '\ufeff{"command":"PING"}', badJson),
  rawBody('NaN', 'JSON', '{"command":"PING","params":[NaN]}', badJson),
  rawBody('Infinity', 'JSON', '{"command":"PING","params":[Infinity]}', badJson),
  rawBody('single quotes', 'JSON', "{'command':'PING'}", badJson),
  rawBody('comment', 'JSON', '{"command":"PING" /* x */}', badJson),
  rawBody('duplicate keys', 'JSON', '{"command":"PING","command":"QUIT"}', badJson),
  rawBody(
    'duplicate keys, nested',
    'JSON',
    `{"command":"PRIVMSG","to":"${SAFE}","body":["x"],"meta":{"a":1,"a":2}}`,
    badJson,
  ),
  rawBody(
    '30,000-deep nested arrays (as meta)',
    'JSON',
    '{"command":"PING","meta":{"x":' + '['.repeat(30000) + ']'.repeat(30000) + '}}',
    badJson,
  ),
  rawBody(
    '30,000-deep nested arrays (whole body)',
    'JSON',
    '['.repeat(30000) + ']'.repeat(30000),
    badJson,
  ),
  rawBody(
    '30,000-deep nested objects',
    'JSON',
    '{"a":'.repeat(9000) + '1' + '}'.repeat(9000),
    badJson,
  ),
  rawBody('empty JSON body', 'JSON', '', {
    status: 400,
    error: 'invalid_request',
    mentions: /body/,
  }),
  rawBody('JSON null', 'JSON', 'null', invalid(/body/)),
  rawBody('JSON array', 'JSON', '[]', invalid(/body/)),
  rawBody('JSON string', 'JSON', '"PING"', invalid(/body/)),
  rawBody(
    'invalid UTF-8 bytes',
    'invalid UTF-8',
    new Uint8Array([0x7b, 0x22, 0x63, 0xff, 0x22, 0x3a, 0x31, 0x7d]),
    badEncoding,
  ),
  rawBody(
    'overlong UTF-8 for "/"',
    'invalid UTF-8',
    Buffer.concat([
      Buffer.from('{"command":"PING","body":["'),
      Buffer.from([0xc0, 0xaf]),
      Buffer.from('"]}'),
    ]),
    badEncoding,
  ),
  rawBody(
    'UTF-8-encoded surrogate (CESU)',
    'invalid UTF-8',
    Buffer.concat([
      Buffer.from('{"command":"PING","body":["'),
      Buffer.from([0xed, 0xa0, 0x80]),
      Buffer.from('"]}'),
    ]),
    badEncoding,
  ),
  rawBody(
    'lone surrogate \\ud800 in text',
    'lone surrogate',
    `{"command":"PRIVMSG","to":"${SAFE}","body":["\\ud800"]}`,
    badEncoding,
  ),
  rawBody(
    'lone surrogate \\udc00 in a key',
    'lone surrogate',
    '{"command":"PING","meta":{"\\udc00":1}}',
    badEncoding,
  ),
  rawBody(
    'raw CR inside a JSON string',
    'CR/LF/NUL raw',
    `{"command":"PRIVMSG","to":"${SAFE}","body":["a\rb"]}`,
    badJson,
  ),

  // --- media types -------------------------------------------------------------------------------
  rawBody('Content-Type text/plain', 'media type', '{"command":"PING"}', media, 'text/plain'),
  rawBody(
    'form encoding',
    'media type',
    'command=PING',
    media,
    'application/x-www-form-urlencoded',
  ),
  rawBody('multipart', 'media type', '--x\r\n\r\n--x--', media, 'multipart/form-data; boundary=x'),
  rawBody(
    'JSON in latin1',
    'media type',
    '{"command":"PING"}',
    media,
    'application/json; charset=latin1',
  ),
  {
    kind: 'http',
    name: 'a body without Content-Type',
    row: 'media type',
    method: 'POST',
    path: MESSAGES,
    who: 'alice',
    body: '{"command":"PING"}',
    expect: media,
  },

  // --- wrong types and limits --------------------------------------------------------------------
  msg('command as a number', 'wrong types', { command: 5 }, invalid(/command/)),
  msg('command null', 'wrong types', { command: null }, invalid(/command/)),
  msg('command empty', 'wrong types', { command: '' }, invalid(/command/)),
  msg(
    'params as an object',
    'wrong types',
    { command: 'PING', params: { a: 1 } },
    invalid(/params/),
  ),
  msg('params with a number', 'wrong types', { command: 'PING', params: [1] }, invalid(/params/)),
  msg(
    'to as an array',
    'wrong types',
    { command: 'PRIVMSG', to: [SAFE], body: ['x'] },
    invalid(/to/),
  ),
  msg('to null', 'wrong types', { command: 'PRIVMSG', to: null, body: ['x'] }, invalid(/to/)),
  msg('body null', 'wrong types', { command: 'PRIVMSG', to: SAFE, body: null }, invalid(/body/)),
  msg('body a string', 'wrong types', { command: 'PRIVMSG', to: SAFE, body: 'x' }, invalid(/body/)),
  msg(
    'body with a number',
    'wrong types',
    { command: 'PRIVMSG', to: SAFE, body: [1] },
    invalid(/body/),
  ),
  msg(
    'body an object for PRIVMSG',
    'wrong types',
    { command: 'PRIVMSG', to: SAFE, body: { text: 'x' } },
    { status: 400, error: 'invalid_body' },
  ),
  msg('meta an array', 'wrong types', { command: 'PING', meta: [] }, invalid(/meta/)),
  msg('txn a number', 'wrong types', { command: 'PING', txn: 5 }, invalid(/txn/)),
  msg('txn with a space', 'wrong types', { command: 'PING', txn: 'a b' }, invalid(/txn/)),
  msg(
    'more than 15 params',
    'wrong types',
    { command: 'PING', params: Array(16).fill('p') },
    invalid(/params/),
  ),
  msg(
    'more than MAX_LINES lines',
    'wrong types',
    { command: 'PRIVMSG', to: SAFE, body: Array(101).fill('x') },
    { status: 400, error: 'too_many_lines' },
  ),
  msg(
    'meta over MAX_META_BYTES',
    'wrong types',
    { command: 'PRIVMSG', to: SAFE, body: ['x'], meta: { pad: 'm'.repeat(5000) } },
    { status: 400, error: 'meta_too_large' },
  ),
  msg('command over 32 characters', 'wrong types', { command: 'P'.repeat(33) }, invalid(/command/)),

  // --- fields a client may not set ---------------------------------------------------------------
  ...['id', 'sender', 'from', 'ts', 'seq', 'nick', 'sessionId', 'isOper'].map((field) =>
    msg(
      `field ${field}`,
      'fields the client may not set',
      { command: 'PRIVMSG', to: SAFE, body: ['x'], [field]: field === 'isOper' ? true : 'bob' },
      invalid(new RegExp(field)),
    ),
  ),
  rawBody(
    'field __proto__',
    'fields the client may not set',
    `{"command":"PRIVMSG","to":"${SAFE}","body":["x"],"__proto__":{"isOper":true}}`,
    invalid(/__proto__/),
  ),
  rawBody(
    'field constructor',
    'fields the client may not set',
    `{"command":"PRIVMSG","to":"${SAFE}","body":["x"],"constructor":{"prototype":{"isOper":true}}}`,
    invalid(/constructor/),
  ),
  rawBody(
    '__proto__ inside meta of an invalid command',
    'fields the client may not set',
    '{"command":"FOO","meta":{"__proto__":{"isOper":true}}}',
    irc(400, 'unknown_command', '421'),
  ),
  {
    kind: 'http',
    name: 'session: unknown field isOper',
    row: 'fields the client may not set',
    method: 'POST',
    path: '/api/v1/session',
    who: 'none',
    json: { nick: 'sneaky1', isOper: true },
    expect: invalid(/isOper/),
  },
  {
    kind: 'http',
    name: 'session: __proto__ field',
    row: 'fields the client may not set',
    method: 'POST',
    path: '/api/v1/session',
    who: 'none',
    body: '{"nick":"sneaky2","__proto__":{"isOper":true}}',
    headers: { 'content-type': 'application/json' },
    expect: invalid(/__proto__/),
  },
  {
    kind: 'http',
    name: 'register: unknown field id',
    row: 'fields the client may not set',
    method: 'POST',
    path: '/api/v1/register',
    who: 'none',
    json: { nick: 'sneaky3', password: 'long enough pw', id: 1 },
    expect: invalid(/id/),
  },

  // --- IRC refusals ------------------------------------------------------------------------------
  msg(
    'unknown command',
    'unknown command; missing params',
    { command: 'FOO' },
    irc(400, 'unknown_command', '421'),
  ),
  msg(
    'JOIN without a channel',
    'unknown command; missing params',
    { command: 'JOIN' },
    irc(400, 'need_more_params', '461'),
  ),
  msg(
    'KICK without a nick',
    'unknown command; missing params',
    { command: 'KICK', to: SAFE },
    irc(400, 'need_more_params', '461'),
  ),
  msg(
    'PRIVMSG without a target',
    'unknown command; missing params',
    { command: 'PRIVMSG', body: ['x'] },
    irc(400, 'no_recipient', '411'),
  ),
  msg(
    'PRIVMSG without text',
    'unknown command; missing params',
    { command: 'PRIVMSG', to: SAFE },
    irc(400, 'no_text_to_send', '412'),
  ),

  // --- nicks -------------------------------------------------------------------------------------
  msg(
    'NICK empty',
    'nick syntax',
    { command: 'NICK', body: [''] },
    irc(400, 'no_nickname_given', '431'),
  ),
  msg('NICK longer than 32', 'nick syntax', { command: 'NICK', body: ['n'.repeat(33)] }, badNick),
  msg('NICK leading digit', 'nick syntax', { command: 'NICK', body: ['1abc'] }, badNick),
  msg('NICK leading -', 'nick syntax', { command: 'NICK', body: ['-abc'] }, badNick),
  ...[' ', ',', '*', '?', '!', '@', '#', ':', '.', '~', '%', "'"].map((c) =>
    msg(
      `NICK with ${JSON.stringify(c)}`,
      'nick syntax',
      { command: 'NICK', body: [`a${c}b`] },
      badNick,
    ),
  ),
  msg('NICK Cyrillic а for a', 'nick Unicode', { command: 'NICK', body: ['\u0430lice'] }, badNick),
  ...zeroWidth.map((c) =>
    msg(
      `NICK with zero-width ${hex(c)}`,
      'nick Unicode',
      { command: 'NICK', body: [`al${c}ice`] },
      badNick,
    ),
  ),
  ...bidi.map((c) =>
    msg(
      `NICK with bidi ${hex(c)}`,
      'nick Unicode',
      { command: 'NICK', body: [`al${c}ice`] },
      badNick,
    ),
  ),
  msg(
    'NICK with piled combining marks',
    'nick Unicode',
    { command: 'NICK', body: ['a' + '\u0301\u0308\u0327'.repeat(10)] },
    badNick,
  ),
  msg(
    'NICK full-width letters',
    'nick Unicode',
    { command: 'NICK', body: ['\uff41\uff4c\uff49\uff43\uff45'] },
    badNick,
  ),
  msg(
    'NICK case collision BOB',
    'nick case collisions',
    { command: 'NICK', body: ['BOB'] },
    nickInUse,
  ),
  msg(
    'NICK rfc1459 collision {}|',
    'nick case collisions',
    { command: 'NICK', body: ['ZED{1}|'] },
    nickInUse,
  ),
  {
    kind: 'http',
    name: 'session: nick collision ALICE',
    row: 'nick case collisions',
    method: 'POST',
    path: '/api/v1/session',
    who: 'none',
    json: { nick: 'ALICE' },
    expect: nickInUse,
  },
  {
    kind: 'http',
    name: 'session: rfc1459 nick collision',
    row: 'nick case collisions',
    method: 'POST',
    path: '/api/v1/session',
    who: 'none',
    json: { nick: 'Zed{1}|' },
    expect: nickInUse,
  },
  {
    kind: 'http',
    name: 'session: nick with a zero-width space',
    row: 'nick Unicode',
    method: 'POST',
    path: '/api/v1/session',
    who: 'none',
    json: { nick: 'ne\u200bw' },
    expect: badNick,
  },
  {
    kind: 'http',
    name: 'session: nick #x',
    row: 'nick syntax',
    method: 'POST',
    path: '/api/v1/session',
    who: 'none',
    json: { nick: '#x' },
    expect: badNick,
  },

  // --- channel names -----------------------------------------------------------------------------
  msg('JOIN without #', 'channel name', { command: 'JOIN', to: 'plain' }, noChannel),
  msg(
    'JOIN over 64 characters',
    'channel name',
    { command: 'JOIN', to: '#' + 'c'.repeat(64) },
    badChannel,
  ),
  msg('JOIN #', 'channel name', { command: 'JOIN', to: '#' }, badChannel),
  ...[
    ['space', ' '],
    ['colon', ':'],
    ['BEL', '\u0007'],
    ['ESC', '\u001b'],
    ['DEL', '\u007f'],
    ['C1 CSI', '\u009b'],
    ['bidi override', '\u202e'],
    ['zero-width space', '\u200b'],
  ].map(([label, c]) =>
    msg(`JOIN with ${label}`, 'channel name', { command: 'JOIN', to: `#a${c}b` }, badChannel),
  ),
  msg('JOIN with NUL', 'channel name', { command: 'JOIN', to: '#a\u0000b' }, badChars),
  msg('JOIN with CR', 'channel name', { command: 'JOIN', to: '#a\rb' }, badChars),
  msg('JOIN with LF', 'channel name', { command: 'JOIN', to: '#a\nb' }, badChars),
  // Only JOIN creates a channel, so only JOIN judges a name's syntax (479); elsewhere an invalid
  // name is simply a channel that does not exist (403, docs/api.md maps it to HTTP 404).
  msg(
    'TOPIC of a name with a comma',
    'channel name',
    { command: 'TOPIC', to: '#a,b', body: ['t'] },
    noChannel,
  ),
  msg('TOPIC of a name with BEL', 'channel name', { command: 'TOPIC', to: '#a\u0007b' }, noChannel),
  get('history of a name with BEL', 'channel name', '/api/v1/history?target=%23a%07b', noChannel),
  get(
    'history of a name with a space',
    'channel name',
    '/api/v1/history?target=%23a%20b',
    noChannel,
  ),
  get(
    'history of a name with a comma',
    'channel name',
    '/api/v1/history?target=%23a%2Cb',
    noChannel,
  ),
  get('members of a name with BEL', 'channel name', '/api/v1/channels/a%07b/members', noChannel),

  // --- CR, LF, NUL -------------------------------------------------------------------------------
  msg('CR in text', 'CR/LF/NUL', { command: 'PRIVMSG', to: SAFE, body: ['a\rb'] }, badChars),
  msg('LF in text', 'CR/LF/NUL', { command: 'PRIVMSG', to: SAFE, body: ['a\nQUIT :x'] }, badChars),
  msg('NUL in text', 'CR/LF/NUL', { command: 'PRIVMSG', to: SAFE, body: ['a\u0000b'] }, badChars),
  msg(
    'CRLF in the target',
    'CR/LF/NUL',
    { command: 'PRIVMSG', to: `${SAFE}\r\nQUIT`, body: ['x'] },
    badChars,
  ),
  msg('CRLF in NICK', 'CR/LF/NUL', { command: 'NICK', body: ['al\r\nice'] }, badChars),
  msg('CRLF in TOPIC', 'CR/LF/NUL', { command: 'TOPIC', to: SAFE, body: ['a\r\nb'] }, badChars),
  msg(
    'CRLF in a KICK reason',
    'CR/LF/NUL',
    { command: 'KICK', to: SAFE, params: ['bob'], body: ['bye\r\nJOIN #x'] },
    badChars,
  ),
  msg(
    'CRLF in a QUIT reason',
    'CR/LF/NUL',
    { command: 'QUIT', body: ['bye\r\nJOIN #x'] },
    badChars,
  ),
  msg(
    'NUL in a param',
    'CR/LF/NUL',
    { command: 'MODE', to: SAFE, params: ['+k', 'a\u0000b'] },
    badChars,
  ),
  msg('LF in the command', 'CR/LF/NUL', { command: 'PING\nQUIT' }, badChars),

  // --- text size ---------------------------------------------------------------------------------
  msg(
    'text over MAX_MESSAGE_SIZE',
    'text above MAX_MESSAGE_SIZE',
    { command: 'PRIVMSG', to: SAFE, body: ['x'.repeat(4097)] },
    { status: 400, error: 'message_too_long' },
  ),
  msg(
    'multi-byte text over MAX_MESSAGE_SIZE (2,049 × é)',
    'text above MAX_MESSAGE_SIZE',
    { command: 'PRIVMSG', to: SAFE, body: ['\u00e9'.repeat(2049)] },
    { status: 400, error: 'message_too_long' },
  ),
  msg(
    'lines together over MAX_MESSAGE_SIZE',
    'text above MAX_MESSAGE_SIZE',
    { command: 'PRIVMSG', to: SAFE, body: Array(50).fill('y'.repeat(90)) },
    { status: 400, error: 'message_too_long' },
  ),
  msg(
    'TOPIC over 390 characters',
    'text above MAX_MESSAGE_SIZE',
    { command: 'TOPIC', to: SAFE, body: ['t'.repeat(391)] },
    { status: 400, error: 'topic_too_long' },
  ),

  // --- SQL-like strings --------------------------------------------------------------------------
  ...SQL_TEXTS.map((text, i): HttpCase => ({
    kind: 'http',
    name: `SQL-like PRIVMSG text ${i + 1} (stored verbatim)`,
    row: 'SQL-like strings',
    method: 'POST',
    path: MESSAGES,
    who: 'mallory',
    json: { command: i % 2 ? 'NOTICE' : 'PRIVMSG', to: VERBATIM_CHANNEL, body: [text] },
    expect: { status: 200 },
  })),
  {
    kind: 'http',
    name: 'SQL-like TOPIC (stored verbatim)',
    row: 'SQL-like strings',
    method: 'POST',
    path: MESSAGES,
    who: 'mallory',
    json: { command: 'TOPIC', to: VERBATIM_CHANNEL, body: [SQL_TEXTS[0]] },
    expect: { status: 200 },
  },
  {
    kind: 'http',
    name: 'NICK with a backslash (valid, taken)',
    row: 'SQL-like strings',
    method: 'POST',
    path: MESSAGES,
    who: 'mallory',
    json: { command: 'NICK', body: [MALLORY_NEW_NICK] },
    expect: { status: 200 },
  },
  msg('SQL-like NICK', 'SQL-like strings', { command: 'NICK', body: ["a';DROP--"] }, badNick),
  msg(
    'SQL-like channel',
    'SQL-like strings',
    { command: 'JOIN', to: "#'; DROP TABLE events;--" },
    badChannel,
  ),
  msg(
    'SQL-like PRIVMSG target nick',
    'SQL-like strings',
    { command: 'PRIVMSG', to: "x' OR '1'='1", body: ['x'] },
    irc(404, 'no_such_nick', '401'),
  ),
  msg(
    'SQL-like command',
    'SQL-like strings',
    { command: "PRIVMSG'--" },
    irc(400, 'unknown_command', '421'),
  ),
  {
    kind: 'http',
    name: 'SQL-like session nick',
    row: 'SQL-like strings',
    method: 'POST',
    path: '/api/v1/session',
    who: 'none',
    json: { nick: "x' OR 1=1--" },
    expect: badNick,
  },
  get(
    'SQL-like history target',
    'SQL-like strings',
    `/api/v1/history?target=${encodeURIComponent("x' OR '1'='1")}`,
    irc(404, 'no_such_nick', '401'),
  ),
  get(
    'history target %',
    'SQL-like strings',
    '/api/v1/history?target=%25',
    irc(404, 'no_such_nick', '401'),
  ),

  // --- cursors and limits ------------------------------------------------------------------------
  ...[
    ['-1', /after/],
    ['1e309', /after/],
    ['9007199254740993', /after/],
    ['0x10', /after/],
    ['1%20OR%201=1', /after/],
    ['01', /after/],
    ['', /after/],
    ['1&after=2', /after/],
  ].map(([value, field]) =>
    get(
      `after=${value as string}`,
      'after=',
      `${MESSAGES}?after=${value as string}&timeout=0`,
      invalid(field as RegExp),
    ),
  ),
  get('after beyond the newest id', 'after=', `${MESSAGES}?after=900000000&timeout=0`, {
    status: 400,
    error: 'bad_cursor',
  }),
  get('timeout=-1', 'after=', `${MESSAGES}?timeout=-1`, invalid(/timeout/)),
  get(
    'unknown poll parameter',
    'after=',
    `${MESSAGES}?after=0&clientId=1&timeout=0`,
    invalid(/clientId/),
  ),
  get(
    'history limit=1000000000 (clamped)',
    'limit=',
    `/api/v1/history?target=%23safe&limit=1000000000`,
    {
      status: 200,
    },
  ),
  get('history limit=0', 'limit=', '/api/v1/history?target=%23safe&limit=0', invalid(/limit/)),
  get('history before=-1', 'limit=', '/api/v1/history?target=%23safe&before=-1', invalid(/before/)),

  // --- static paths ------------------------------------------------------------------------------
  ...[
    '/../../etc/passwd',
    '/%2e%2e/%2e%2e/etc/passwd',
    '/..%2f..%2fetc%2fpasswd',
    '/%252e%252e/%252e%252e/etc/passwd',
    '/..\\..\\etc\\passwd',
    '/index.html%00',
    '//etc/passwd',
    '/assets/',
    '/.env',
    '/chat.db',
    '/assets/..%2f..%2fpackage.json',
    '/assets/%2e%2e%2fchat.db',
    '/assets/..%5c..%5cpackage.json',
    '/assets/x%00.js',
    '/assets/%252e%252e%252fpackage.json',
    '/assets/.env',
    '/favicon.ico/..',
    // longer than the router's 256-character path parameter: a file that cannot exist
    `/assets/${'a'.repeat(300)}.js`,
  ].map((path) => get(`static ${path.slice(0, 60)}`, 'static paths', path, notFound, 'none')),
  get(
    'static %ZZ (bad escape)',
    'static paths',
    '/%ZZ',
    {
      status: 400,
      error: 'bad_url',
      headers: { 'x-content-type-options': /^nosniff$/ },
    },
    'none',
  ),

  // --- header abuse ------------------------------------------------------------------------------
  {
    kind: 'http',
    name: 'Authorization without Bearer',
    row: 'header abuse',
    method: 'GET',
    path: '/api/v1/state',
    who: 'none',
    headers: { authorization: 'Token abc' },
    expect: { status: 401, error: 'invalid_token', headers: { 'www-authenticate': /^Bearer / } },
  },
  {
    kind: 'http',
    name: 'a 10 KB token',
    row: 'header abuse',
    method: 'GET',
    path: '/api/v1/state',
    who: 'none',
    headers: { authorization: 'Bearer ' + 'a'.repeat(10_000) },
    expect: { status: 401, error: 'invalid_token' },
  },
  {
    kind: 'http',
    name: 'two Authorization headers',
    row: 'header abuse',
    method: 'GET',
    path: '/api/v1/state',
    who: 'none',
    headers: { authorization: ['Bearer abc', 'Bearer def'] },
    expect: { status: 401, error: 'invalid_token' },
  },
  {
    kind: 'http',
    name: 'an unknown token',
    row: 'header abuse',
    method: 'GET',
    path: '/api/v1/state',
    who: 'bad',
    expect: { status: 401, error: 'invalid_token' },
  },
  {
    kind: 'http',
    name: 'token in the query string only',
    row: 'header abuse',
    method: 'GET',
    path: '/api/v1/state?token=abc',
    who: 'none',
    expect: { status: 401, error: 'missing_token' },
  },
  {
    kind: 'raw',
    name: 'header block over 16 KiB',
    row: 'header abuse',
    who: 'alice',
    build: (auth) => ({
      data: `GET /api/v1/state HTTP/1.1\r\nHost: x\r\n${auth}\r\nX-Big: ${'a'.repeat(17_000)}\r\n\r\n`,
    }),
    expect: { status: 431, error: 'headers_too_large' },
  },
  {
    kind: 'raw',
    name: '2,000 headers of 20 bytes',
    row: 'header abuse',
    who: 'alice',
    build: (auth) => ({
      data:
        `GET /api/v1/state HTTP/1.1\r\nHost: x\r\n${auth}\r\n` +
        many(2000, (i) => `X-Filler-${String(i).padStart(4, '0')}: ${'f'.repeat(6)}\r\n`).join('') +
        '\r\n',
    }),
    expect: { status: 431, error: 'headers_too_large' },
  },
  {
    // Node counts names and values against the 16 KiB (not ": " and CRLF): 2,000 tiny headers
    // are about 15 KiB of it, so the request is served; without a token that is a 401.
    kind: 'raw',
    name: '2,000 tiny headers (under 16 KiB of names and values)',
    row: 'header abuse',
    who: 'none',
    build: () => ({
      data: `GET /api/v1/state HTTP/1.1\r\nHost: x\r\n${many(2000, (i) => `X-H${i}: v\r\n`).join('')}\r\n`,
    }),
    expect: { status: 401, error: 'missing_token' },
  },
  {
    kind: 'raw',
    name: 'both Transfer-Encoding and Content-Length',
    row: 'header abuse',
    who: 'alice',
    build: (auth) => ({
      data:
        head(MESSAGES, auth, [JSON_CT, 'Transfer-Encoding: chunked', 'Content-Length: 18']) +
        '12\r\n{"command":"PING"}\r\n0\r\n\r\n',
    }),
    expect: malformedHttp,
  },
  {
    kind: 'raw',
    name: 'two Content-Length headers that differ',
    row: 'header abuse',
    who: 'alice',
    build: (auth) => ({
      data:
        head(MESSAGES, auth, [JSON_CT, 'Content-Length: 18', 'Content-Length: 5']) +
        '{"command":"PING"}',
    }),
    expect: malformedHttp,
  },
  {
    kind: 'raw',
    name: 'bad chunk size',
    row: 'header abuse',
    who: 'alice',
    build: (auth) => ({
      data:
        head(MESSAGES, auth, [JSON_CT, 'Transfer-Encoding: chunked']) +
        'zz\r\n{"command":"PING"}\r\n0\r\n\r\n',
    }),
    expect: malformedHttp,
  },
  {
    kind: 'raw',
    name: 'chunk size overflowing 64 bits',
    row: 'header abuse',
    who: 'alice',
    build: (auth) => ({
      data:
        head(MESSAGES, auth, [JSON_CT, 'Transfer-Encoding: chunked']) +
        'fffffffffffffffffff\r\n{"command":"PING"}\r\n0\r\n\r\n',
    }),
    expect: malformedHttp,
  },
  {
    kind: 'raw',
    name: 'Expect: 100-continue with a huge length',
    row: 'header abuse',
    who: 'alice',
    build: (auth) => ({
      data: head(MESSAGES, auth, [JSON_CT, 'Expect: 100-continue', 'Content-Length: 1000000000']),
    }),
    expect: tooLarge,
  },
  {
    kind: 'raw',
    name: 'an unknown Expect',
    row: 'header abuse',
    who: 'alice',
    build: (auth) => ({
      data:
        head(MESSAGES, auth, [JSON_CT, 'Expect: teapot', 'Content-Length: 18']) +
        '{"command":"PING"}',
    }),
    expect: { status: 417, error: 'expectation_failed' },
  },
  {
    kind: 'custom',
    name: 'X-Forwarded-For does not change the login-limit key',
    row: 'header abuse',
    once: true,
    // LOGIN_FAILURES_PER_ADDRESS=3: three failures from 127.0.0.1 (each claiming another address),
    // then a fourth claiming yet another must still be refused.
    run: async (ctx) => {
      for (let i = 0; i < 3; i++) await ctx.failedLogin(`203.0.113.${i + 1}`, i);
      return ctx.failedLogin('198.51.100.7', 3);
    },
    expect: { status: 429, error: 'too_many_failed_logins' },
  },

  // --- CORS, methods -----------------------------------------------------------------------------
  {
    kind: 'http',
    name: 'a foreign Origin',
    row: 'CORS',
    method: 'GET',
    path: '/api/v1/state',
    who: 'alice',
    headers: { origin: 'https://evil.example' },
    expect: {
      status: 200,
      absentHeaders: ['access-control-allow-origin', 'access-control-allow-credentials'],
    },
  },
  {
    kind: 'http',
    name: 'a CORS preflight from a foreign Origin',
    row: 'CORS',
    method: 'OPTIONS',
    path: MESSAGES,
    who: 'none',
    headers: {
      origin: 'https://evil.example',
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'authorization',
    },
    expect: { ...notAllowed(/GET, POST/), absentHeaders: ['access-control-allow-origin'] },
  },
  {
    kind: 'http',
    name: 'a 401 to a foreign Origin',
    row: 'CORS',
    method: 'GET',
    path: '/api/v1/state',
    who: 'none',
    headers: { origin: 'null' },
    expect: { status: 401, error: 'missing_token', absentHeaders: ['access-control-allow-origin'] },
  },
  ...['TRACE', 'PUT', 'DELETE', 'PATCH'].map((method): HttpCase => ({
    kind: 'http',
    name: `${method} /api/v1/messages`,
    row: 'TRACE; PUT/DELETE',
    method,
    path: MESSAGES,
    who: 'alice',
    expect: notAllowed(/^GET, POST$/),
  })),
  {
    kind: 'http',
    name: 'TRACE /',
    row: 'TRACE; PUT/DELETE',
    method: 'TRACE',
    path: '/',
    who: 'none',
    expect: notAllowed(/GET/),
  },
];

/** Rows of the reliability plan (part C) that are not C1's for the HTTP API today, and where they went. */
export const MOVED_ROWS: readonly string[] = [
  'IRC gateway: CR/LF/NUL injection (count lines written to an IRC peer) and 512-byte line ' +
    'splitting of long texts — move to the IRC-listener issue (no gateway exists yet)',
  'web client: <img src=x onerror=…> as nick, topic and message — C3 (Playwright), with the ' +
    'web-client issue',
  'terminal client: ESC ] 0;… BEL, ESC [2J and C1 controls — C3 (tmux), with the terminal-client ' +
    'issue',
  'slowloris, slow body (1 byte/s), slow reader — C2',
  'static paths: "a symlink out of the root" — there is no static root on disk (the web ' +
    "client's files are served from an in-memory map), so no symlink can lead out of it; " +
    'traversal paths are sent to / and /assets/ and must be 404',
  'nick/channel confusables: docs/commands.md makes nicks ASCII-only (every non-ASCII nick is 432, tested), ' +
    'but channel names may hold any non-control Unicode, so "#ѕafe" (Cyrillic ѕ) is a different ' +
    'channel from "#safe" — not refused and not in the corpus (it would create a channel)',
];
