// End to end: malformed requests get a 4xx JSON error naming the problem, store nothing, and the
// server keeps serving (docs/api.md, reliability/README.md). Each case is checked against the real process.
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, test } from 'node:test';
import { call, HttpClient } from '../helpers/api.js';
import { startChatd, type Chatd } from '../helpers/chatd.js';

let chatd: Chatd;
let alice: HttpClient;
let bob: HttpClient;

before(async () => {
  chatd = await startChatd();
  alice = await HttpClient.create(chatd.url, 'alice');
  bob = await HttpClient.create(chatd.url, 'bob');
  await alice.send({ command: 'JOIN', to: '#safe' });
  await bob.send({ command: 'JOIN', to: '#safe' });
  await alice.send({ command: 'PRIVMSG', to: '#safe', body: ['baseline'] });
  await alice.drain();
  await bob.drain();
});
after(async () => chatd.cleanup());

interface Case {
  name: string;
  method?: string;
  path?: string;
  token?: 'alice' | 'none' | 'bad';
  json?: unknown;
  raw?: string | Uint8Array;
  headers?: Record<string, string>;
  status: number;
  error: string | RegExp;
  mentions?: RegExp;
}

const msg = (json: unknown, rest: Partial<Case> = {}) => ({
  method: 'POST',
  path: '/api/v1/messages',
  json,
  ...rest,
});
const rawMsg = (raw: string | Uint8Array) => ({
  method: 'POST',
  path: '/api/v1/messages',
  raw,
  headers: { 'content-type': 'application/json' },
});

const CASES: Case[] = [
  {
    name: 'truncated JSON',
    ...rawMsg('{"command":"PRIVMSG","to":"#safe"'),
    status: 400,
    error: 'bad_json',
  },
  { name: 'trailing garbage', ...rawMsg('{"command":"PING"} x'), status: 400, error: 'bad_json' },
  { name: 'UTF-8 BOM', ...rawMsg('\ufeff{"command":"PING"}'), status: 400, error: 'bad_json' },
  { name: 'NaN', ...rawMsg('{"command":"PING","params":[NaN]}'), status: 400, error: 'bad_json' },
  {
    name: 'duplicate keys',
    ...rawMsg('{"command":"PING","command":"QUIT"}'),
    status: 400,
    error: 'bad_json',
  },
  {
    name: 'invalid UTF-8',
    ...rawMsg(new Uint8Array([0x7b, 0x22, 0x63, 0xff, 0x22, 0x3a, 0x31, 0x7d])),
    status: 400,
    error: 'bad_encoding',
  },
  {
    name: 'lone surrogate',
    ...rawMsg('{"command":"PRIVMSG","to":"#safe","body":["\\ud800"]}'),
    status: 400,
    error: 'bad_encoding',
  },
  {
    name: 'deep nesting',
    ...rawMsg('{"command":"PING","meta":{"x":' + '['.repeat(30000) + ']'.repeat(30000) + '}}'),
    status: 400,
    error: 'bad_json',
  },
  {
    name: 'text/plain',
    method: 'POST',
    path: '/api/v1/messages',
    raw: '{"command":"PING"}',
    headers: { 'content-type': 'text/plain' },
    status: 415,
    error: 'unsupported_media_type',
  },
  {
    name: 'form encoding',
    method: 'POST',
    path: '/api/v1/messages',
    raw: 'command=PING',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    status: 415,
    error: 'unsupported_media_type',
  },
  {
    name: 'body over MAX_BODY_BYTES',
    ...msg({ command: 'PRIVMSG', to: '#safe', body: ['x'.repeat(70_000)] }),
    status: 413,
    error: 'body_too_large',
  },
  {
    name: 'command as a number',
    ...msg({ command: 5 }),
    status: 400,
    error: 'invalid_request',
    mentions: /command/,
  },
  {
    name: 'params as an object',
    ...msg({ command: 'PING', params: { a: 1 } }),
    status: 400,
    error: 'invalid_request',
    mentions: /params/,
  },
  {
    name: 'to as an array',
    ...msg({ command: 'PRIVMSG', to: ['#safe'], body: ['x'] }),
    status: 400,
    error: 'invalid_request',
    mentions: /to/,
  },
  {
    name: 'null body',
    ...msg({ command: 'PRIVMSG', to: '#safe', body: null }),
    status: 400,
    error: 'invalid_request',
    mentions: /body/,
  },
  {
    name: 'more than 15 params',
    ...msg({ command: 'PING', params: Array(16).fill('p') }),
    status: 400,
    error: 'invalid_request',
    mentions: /params/,
  },
  {
    name: 'unknown field sender',
    ...msg({ command: 'PRIVMSG', to: '#safe', body: ['x'], sender: 'bob' }),
    status: 400,
    error: 'invalid_request',
    mentions: /sender/,
  },
  {
    name: 'unknown field id',
    ...msg({ command: 'PRIVMSG', to: '#safe', body: ['x'], id: 'x' }),
    status: 400,
    error: 'invalid_request',
    mentions: /id/,
  },
  {
    name: 'unknown field ts',
    ...msg({ command: 'PRIVMSG', to: '#safe', body: ['x'], ts: 'x' }),
    status: 400,
    error: 'invalid_request',
    mentions: /ts/,
  },
  {
    name: '__proto__ field',
    ...rawMsg('{"command":"PRIVMSG","to":"#safe","body":["x"],"__proto__":{"isOper":true}}'),
    status: 400,
    error: 'invalid_request',
    mentions: /__proto__/,
  },
  {
    name: 'constructor field',
    ...msg({ command: 'PRIVMSG', to: '#safe', body: ['x'], constructor: {} }),
    status: 400,
    error: 'invalid_request',
    mentions: /constructor/,
  },
  {
    name: 'text over MAX_MESSAGE_SIZE',
    ...msg({ command: 'PRIVMSG', to: '#safe', body: ['x'.repeat(5000)] }),
    status: 400,
    error: 'message_too_long',
  },
  {
    name: 'too many lines',
    ...msg({ command: 'PRIVMSG', to: '#safe', body: Array(101).fill('x') }),
    status: 400,
    error: 'too_many_lines',
  },
  {
    name: 'CR in text',
    ...msg({ command: 'PRIVMSG', to: '#safe', body: ['a\rb'] }),
    status: 400,
    error: 'invalid_characters',
  },
  {
    name: 'LF in text',
    ...msg({ command: 'PRIVMSG', to: '#safe', body: ['a\nQUIT'] }),
    status: 400,
    error: 'invalid_characters',
  },
  {
    name: 'NUL in text',
    ...msg({ command: 'PRIVMSG', to: '#safe', body: ['a\u0000b'] }),
    status: 400,
    error: 'invalid_characters',
  },
  {
    name: 'CR in topic',
    ...msg({ command: 'TOPIC', to: '#safe', body: ['a\r\nb'] }),
    status: 400,
    error: 'invalid_characters',
  },
  {
    name: 'bad nick: leading digit',
    ...msg({ command: 'NICK', body: ['1abc'] }),
    status: 400,
    error: 'erroneous_nickname',
  },
  {
    name: 'bad nick: space',
    ...msg({ command: 'NICK', body: ['a b'] }),
    status: 400,
    error: 'erroneous_nickname',
  },
  {
    name: 'bad nick: Cyrillic',
    ...msg({ command: 'NICK', body: ['аlice'] }),
    status: 400,
    error: 'erroneous_nickname',
  },
  {
    name: 'bad nick: zero-width',
    ...msg({ command: 'NICK', body: ['al\u200bice'] }),
    status: 400,
    error: 'erroneous_nickname',
  },
  {
    name: 'bad nick: too long',
    ...msg({ command: 'NICK', body: ['n'.repeat(33)] }),
    status: 400,
    error: 'erroneous_nickname',
  },
  {
    name: 'nick collision by folding',
    ...msg({ command: 'NICK', body: ['BOB'] }),
    status: 409,
    error: 'nickname_in_use',
  },
  {
    name: 'bad channel: BEL',
    ...msg({ command: 'JOIN', to: '#a\u0007b' }),
    status: 400,
    error: 'bad_channel_name',
  },
  {
    name: 'bad channel: colon',
    ...msg({ command: 'JOIN', to: '#a:b' }),
    status: 400,
    error: 'bad_channel_name',
  },
  {
    name: 'bad channel: too long',
    ...msg({ command: 'JOIN', to: '#' + 'c'.repeat(64) }),
    status: 400,
    error: 'bad_channel_name',
  },
  {
    name: 'bad channel: no #',
    ...msg({ command: 'JOIN', to: 'plain' }),
    status: 404,
    error: 'no_such_channel',
  },
  {
    name: 'bad channel: bidi override',
    ...msg({ command: 'JOIN', to: '#a\u202eb' }),
    status: 400,
    error: 'bad_channel_name',
  },
  {
    name: 'session: bad nick',
    method: 'POST',
    path: '/api/v1/session',
    json: { nick: '#x' },
    token: 'none',
    status: 400,
    error: 'erroneous_nickname',
  },
  {
    name: 'session: nick as number',
    method: 'POST',
    path: '/api/v1/session',
    json: { nick: 5 },
    token: 'none',
    status: 400,
    error: 'invalid_request',
  },
  {
    name: 'session: unknown field',
    method: 'POST',
    path: '/api/v1/session',
    json: { nick: 'zz', isOper: true },
    token: 'none',
    status: 400,
    error: 'invalid_request',
  },
  {
    name: 'after=-1',
    path: '/api/v1/messages?after=-1',
    status: 400,
    error: 'invalid_request',
    mentions: /after/,
  },
  {
    name: 'after=1e309',
    path: '/api/v1/messages?after=1e309',
    status: 400,
    error: 'invalid_request',
  },
  {
    name: 'after=9007199254740993',
    path: '/api/v1/messages?after=9007199254740993',
    status: 400,
    error: 'invalid_request',
  },
  {
    name: 'after=0x10',
    path: '/api/v1/messages?after=0x10',
    status: 400,
    error: 'invalid_request',
  },
  {
    name: 'after=1 OR 1=1',
    path: '/api/v1/messages?after=1%20OR%201=1',
    status: 400,
    error: 'invalid_request',
  },
  {
    name: 'after repeated',
    path: '/api/v1/messages?after=1&after=2',
    status: 400,
    error: 'invalid_request',
  },
  { name: 'after empty', path: '/api/v1/messages?after=', status: 400, error: 'invalid_request' },
  {
    name: 'after beyond the newest id',
    path: '/api/v1/messages?after=900000000&timeout=0',
    status: 400,
    error: 'bad_cursor',
  },
  {
    name: 'token in the query string',
    path: '/api/v1/messages?token=abc',
    token: 'none',
    status: 401,
    error: 'missing_token',
  },
  {
    name: 'missing token',
    path: '/api/v1/state',
    token: 'none',
    status: 401,
    error: 'missing_token',
  },
  { name: 'bad token', path: '/api/v1/state', token: 'bad', status: 401, error: 'invalid_token' },
  {
    name: 'no Bearer prefix',
    path: '/api/v1/state',
    token: 'none',
    headers: { authorization: 'Token abc' },
    status: 401,
    error: /invalid_token|missing_token/,
  },
  {
    name: '10 KB token',
    path: '/api/v1/state',
    token: 'none',
    headers: { authorization: 'Bearer ' + 'a'.repeat(10_000) },
    status: 401,
    error: 'invalid_token',
  },
  {
    name: 'history limit=0',
    path: '/api/v1/history?target=%23safe&limit=0',
    status: 400,
    error: 'invalid_request',
  },
  {
    name: 'history without target',
    path: '/api/v1/history',
    status: 400,
    error: 'invalid_request',
  },
  {
    name: 'SQL-ish channel',
    ...msg({ command: 'JOIN', to: "#'; DROP TABLE events;--" }),
    status: 400,
    error: 'bad_channel_name',
  },
];

async function counts() {
  const hist = await call<{ messages: unknown[] }>(
    chatd.url,
    'GET',
    '/api/v1/history?target=%23safe&limit=500',
    { token: bob.token },
  );
  const queue = await call<{ messages: unknown[] }>(
    chatd.url,
    'GET',
    `/api/v1/messages?after=${bob.cursor}&timeout=0`,
    { token: bob.token },
  );
  const channels = await call<unknown[]>(chatd.url, 'GET', '/api/v1/channels', {
    token: bob.token,
  });
  return {
    history: hist.body.messages.length,
    bobQueue: queue.body.messages.length,
    channels: channels.body.length,
  };
}

async function send(c: Case) {
  const token =
    c.token === 'none' ? undefined : c.token === 'bad' ? 'not-a-real-token' : alice.token;
  return call<Record<string, unknown>>(chatd.url, c.method ?? 'GET', c.path ?? '/', {
    token,
    json: c.json,
    raw: c.raw,
    headers: c.headers,
  });
}

test('every malformed request is a 4xx JSON error naming the problem; nothing is stored', async () => {
  const start = await counts();
  const failures: string[] = [];
  for (const c of CASES) {
    const r = await send(c);
    const body = r.body ?? {};
    const errOk =
      typeof c.error === 'string' ? body.error === c.error : c.error.test(String(body.error));
    const why: string[] = [];
    if (r.status !== c.status) why.push(`status ${r.status}`);
    if (!errOk) why.push(`error ${String(body.error)}`);
    if (typeof body.message !== 'string' || !body.message) why.push('no message');
    if (c.mentions && !c.mentions.test(String(body.message)))
      why.push(`message "${String(body.message)}"`);
    if (/\bat \S+\.(ts|js):\d+|node_modules|\/src\//.test(JSON.stringify(body)))
      why.push('leaks internals');
    if (why.length) failures.push(`${c.name}: ${why.join(', ')}`);
  }
  assert.deepEqual(failures, []);
  assert.deepEqual(await counts(), start, 'nothing stored, nothing queued');
  const health = await call(chatd.url, 'GET', '/.well-known/healthcheck.json');
  assert.equal(health.status, 200, 'the server keeps serving');
});

test('the corpus sent from 20 connections at once: same answers, no 5xx', async () => {
  const start = await counts();
  const results = await Promise.all(
    Array.from({ length: 20 }, async (_, i) => {
      const out: number[] = [];
      for (let k = 0; k < CASES.length; k++)
        out.push((await send(CASES[(k + i) % CASES.length]!)).status);
      return out;
    }),
  );
  const statuses = results.flat();
  assert.equal(statuses.filter((s) => s >= 500).length, 0);
  assert.ok(statuses.every((s) => s >= 400 && s < 500));
  assert.deepEqual(await counts(), start);
});

test('a Content-Length larger than the cap is refused without reading the body', async () => {
  const answer = await new Promise<string>((resolve, reject) => {
    const sock = net.connect(chatd.port, '127.0.0.1', () => {
      sock.write(
        'POST /api/v1/messages HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n' +
          `Authorization: Bearer ${alice.token}\r\nContent-Length: 1000000000\r\n\r\n{`,
      );
    });
    let data = '';
    sock.on('data', (d: Buffer) => (data += d.toString()));
    sock.on('end', () => resolve(data));
    sock.on('close', () => resolve(data));
    sock.on('error', reject);
    setTimeout(() => sock.destroy(), 5000);
  });
  assert.match(answer, /^HTTP\/1\.1 413/);
  assert.match(answer, /body_too_large/);
});

test('a client mistake never yields a 5xx: random JSON bodies to every POST endpoint', async () => {
  const values: unknown[] = [
    null,
    true,
    0,
    -1,
    1e308,
    '',
    'x',
    [],
    {},
    [1, 'a'],
    { command: null },
    { command: '' },
    { command: 'PRIVMSG', to: '', body: [''] },
    { command: 'PRIVMSG', to: '#safe', body: {} },
    { command: 'JOIN', to: ',,,' },
    { command: 'TOPIC', to: '#safe', body: ['t'.repeat(391)] },
    { command: 'MODE', to: '#safe', params: [''] },
    { command: 'NICK', params: [] },
    { nick: '' },
    { nick: null },
  ];
  const statuses: number[] = [];
  for (const path of ['/api/v1/messages', '/api/v1/session', '/api/v1/logout']) {
    for (const v of values) {
      const token = path === '/api/v1/logout' ? bob.token + 'x' : alice.token;
      statuses.push((await call(chatd.url, 'POST', path, { token, json: v })).status);
    }
  }
  assert.deepEqual(
    statuses.filter((s) => s >= 500),
    [],
  );
  assert.equal((await call(chatd.url, 'GET', '/api/v1/state', { token: alice.token })).status, 200);
});
