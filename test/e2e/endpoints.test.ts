// End to end: every endpoint of docs/api.md built so far, through the real chatd process.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { call, HttpClient } from '../helpers/api.js';
import { startChatd, type Chatd } from '../helpers/chatd.js';

let chatd: Chatd;
before(
  async () =>
    (chatd = await startChatd({
      env: { METRICS_USERNAME: 'prom', METRICS_PASSWORD: 'scrape-me' },
    })),
);
after(async () => chatd.cleanup());

test('POST /session answers 201 with id, client_id, nick and a long random token', async () => {
  const r = await call<Record<string, unknown>>(chatd.url, 'POST', '/api/v1/session', {
    json: { nick: 'Zed' },
  });
  assert.equal(r.status, 201);
  assert.deepEqual(Object.keys(r.body).sort(), ['client_id', 'id', 'nick', 'token']);
  assert.equal(r.body.nick, 'Zed');
  assert.ok(Buffer.from(r.body.token as string, 'base64url').length >= 16, '≥ 128 random bits');
  const taken = await call<Record<string, unknown>>(chatd.url, 'POST', '/api/v1/session', {
    json: { nick: 'zED' },
  });
  assert.equal(taken.status, 409);
  assert.equal(taken.body.error, 'nickname_in_use');
  assert.equal(taken.body.numeric, '433');
});

test('state, users/me and replay; clients list', async () => {
  const a = await HttpClient.create(chatd.url, 'stately');
  await a.send({ command: 'JOIN', to: '#s1' });
  await a.send({ command: 'TOPIC', to: '#s1', body: ['t1'] });
  await a.drain();
  const s = await call<Record<string, unknown>>(chatd.url, 'GET', '/api/v1/state', {
    token: a.token,
  });
  assert.equal(s.status, 200);
  assert.deepEqual(
    {
      ...s.body,
      id: 0,
      client_id: 0,
      channels: (s.body.channels as { id: number }[]).map((c) => ({ ...c, id: 0 })),
    },
    {
      id: 0,
      client_id: 0,
      nick: 'stately',
      away: null,
      modes: '+i',
      channels: [{ id: 0, name: '#s1', topic: 't1', modes: '+nt' }],
      dms: [],
    },
  );
  const me = await call(chatd.url, 'GET', '/api/v1/users/me?replay=1', { token: a.token });
  assert.deepEqual(me.body, s.body);
  assert.deepEqual(
    (await a.drain()).map((e) => e.command),
    ['JOIN', '332', '333', '353', '366'],
  );
  const clients = await call<Record<string, unknown>[]>(chatd.url, 'GET', '/api/v1/clients', {
    token: a.token,
  });
  assert.equal(clients.body.length, 1);
  assert.deepEqual(Object.keys(clients.body[0]!).sort(), [
    'client_id',
    'created_at',
    'current',
    'last_seen',
  ]);
  assert.equal(clients.body[0]!.current, true);
  const other = await HttpClient.create(chatd.url, 'otherone');
  const otherClients = await call<{ client_id: number }[]>(chatd.url, 'GET', '/api/v1/clients', {
    token: other.token,
  });
  const del = await call<Record<string, unknown>>(
    chatd.url,
    'DELETE',
    `/api/v1/clients/${otherClients.body[0]!.client_id}`,
    { token: a.token },
  );
  assert.equal(del.status, 404, "another session's client cannot be revoked");
  assert.equal((await call(chatd.url, 'GET', '/api/v1/state', { token: other.token })).status, 200);
});

test('channels and members', async () => {
  const a = await HttpClient.create(chatd.url, 'lister');
  const b = await HttpClient.create(chatd.url, 'member');
  await a.send({ command: 'JOIN', to: '#Listed' });
  await b.send({ command: 'JOIN', to: '#listed' });
  await b.send({ command: 'AWAY', body: ['afk'] });
  await a.send({ command: 'TOPIC', to: '#listed', body: ['about'] });
  const list = await call<{ name: string; topic: string; members: number }[]>(
    chatd.url,
    'GET',
    '/api/v1/channels',
    { token: b.token },
  );
  assert.deepEqual(
    list.body.find((c) => c.name === '#Listed'),
    { name: '#Listed', topic: 'about', members: 2 },
  );
  const members = await call(chatd.url, 'GET', '/api/v1/channels/listed/members', {
    token: b.token,
  });
  assert.deepEqual(members.body, [
    { nick: 'lister', prefix: '@', away: null, pubkey: null },
    { nick: 'member', prefix: '', away: 'afk', pubkey: null },
  ]);
  const encoded = await call(
    chatd.url,
    'GET',
    `/api/v1/channels/${encodeURIComponent('LISTED')}/members`,
    { token: b.token },
  );
  assert.deepEqual(encoded.body, members.body);
  const missing = await call<Record<string, unknown>>(
    chatd.url,
    'GET',
    '/api/v1/channels/nope/members',
    { token: b.token },
  );
  assert.equal(missing.status, 404);
  assert.equal(missing.body.error, 'no_such_channel');
});

test('history pages backwards with before, oldest first within a page, members only', async () => {
  const a = await HttpClient.create(chatd.url, 'historian');
  const b = await HttpClient.create(chatd.url, 'latecomer');
  const c = await HttpClient.create(chatd.url, 'outsider');
  await a.send({ command: 'JOIN', to: '#hist' });
  for (let i = 0; i < 12; i++) await a.send({ command: 'PRIVMSG', to: '#hist', body: [`h${i}`] });
  await a.send({ command: 'NOTICE', to: '#hist', body: ['n'] });
  await b.send({ command: 'JOIN', to: '#hist' });
  type Page = { messages: { seq: number; body: string[] }[]; has_more: boolean };
  const p1 = await call<Page>(chatd.url, 'GET', '/api/v1/history?target=%23hist&limit=5', {
    token: b.token,
  });
  assert.equal(p1.status, 200);
  assert.deepEqual(
    p1.body.messages.map((m) => m.body[0]),
    ['h8', 'h9', 'h10', 'h11', 'n'],
  );
  assert.equal(p1.body.has_more, true);
  const before = p1.body.messages[0]!.seq;
  const p2 = await call<Page>(
    chatd.url,
    'GET',
    `/api/v1/history?target=%23hist&limit=5&before=${before}`,
    { token: b.token },
  );
  assert.deepEqual(
    p2.body.messages.map((m) => m.body[0]),
    ['h3', 'h4', 'h5', 'h6', 'h7'],
  );
  const p3 = await call<Page>(
    chatd.url,
    'GET',
    `/api/v1/history?target=%23hist&limit=5&before=${p2.body.messages[0]!.seq}`,
    { token: b.token },
  );
  assert.deepEqual(
    p3.body.messages.map((m) => m.body[0]),
    ['h0', 'h1', 'h2'],
  );
  assert.equal(p3.body.has_more, false);
  const big = await call<Page>(
    chatd.url,
    'GET',
    '/api/v1/history?target=%23hist&limit=1000000000',
    { token: b.token },
  );
  assert.equal(big.status, 200, 'a huge limit is clamped');
  assert.equal(big.body.messages.length, 13);
  const outside = await call<Record<string, unknown>>(
    chatd.url,
    'GET',
    '/api/v1/history?target=%23hist',
    { token: c.token },
  );
  assert.equal(outside.status, 403);
  assert.equal(outside.body.error, 'not_on_channel');
  const unknown = await call(chatd.url, 'GET', '/api/v1/history?target=%23none', {
    token: c.token,
  });
  assert.equal(unknown.status, 404);
});

test('POST /messages answers id, seq and replies; refusals carry numeric, params and replies', async () => {
  const a = await HttpClient.create(chatd.url, 'poster');
  const ok = await a.send({ command: 'JOIN', to: '#post' });
  assert.equal(ok.status, 200);
  assert.equal(typeof ok.body.id, 'string');
  assert.equal(typeof ok.body.seq, 'number');
  assert.deepEqual(
    (ok.body.replies as { command: string }[]).map((r) => r.command),
    ['353', '366'],
  );
  const who = await a.send({ command: 'WHOIS', to: 'nobody-here' });
  assert.equal(who.status, 404);
  assert.equal(who.body.error, 'no_such_nick');
  assert.equal(who.body.numeric, '401');
  assert.deepEqual(who.body.params, ['nobody-here']);
  assert.equal((who.body.replies as unknown[]).length, 1);
  const unknown = await a.send({ command: 'FLY' });
  assert.deepEqual([unknown.status, unknown.body.numeric], [400, '421']);
});

test('server info, health check, OpenAPI, landing page, unknown route, wrong method', async () => {
  const info = await call<Record<string, unknown>>(chatd.url, 'GET', '/api/v1/server');
  assert.deepEqual(Object.keys(info.body).sort(), [
    'hashcash_bits',
    'motd',
    'name',
    'users',
    'version',
  ]);
  assert.equal(info.body.name, 'chat');
  const health = await call<Record<string, unknown>>(
    chatd.url,
    'GET',
    '/.well-known/healthcheck.json',
  );
  assert.equal(health.status, 200);
  assert.equal(health.body.status, 'ok');
  assert.equal(typeof health.body.uptime_ms, 'number');
  const openapi = await call<{ openapi: string; paths: Record<string, unknown> }>(
    chatd.url,
    'GET',
    '/api/v1/openapi.json',
  );
  assert.match(openapi.body.openapi, /^3\.1/);
  for (const p of [
    '/api/v1/session',
    '/api/v1/messages',
    '/api/v1/history',
    '/api/v1/state',
    '/api/v1/logout',
  ]) {
    assert.ok(openapi.body.paths[p], `${p} documented`);
  }
  const root = await fetch(chatd.url + '/');
  assert.equal(root.status, 200);
  assert.match(root.headers.get('content-type') ?? '', /text\/html/);
  assert.equal(root.headers.get('x-content-type-options'), 'nosniff');
  const nf = await call<Record<string, unknown>>(chatd.url, 'GET', '/nope');
  assert.deepEqual([nf.status, nf.body.error], [404, 'not_found']);
  const put = await call<Record<string, unknown>>(chatd.url, 'PUT', '/api/v1/messages', {
    json: {},
  });
  assert.equal(put.status, 405);
  assert.ok(put.headers.get('allow'));
});

test('/metrics needs basic auth and exposes chatd_ metrics', async () => {
  assert.equal((await call(chatd.url, 'GET', '/metrics')).status, 401);
  const auth = 'Basic ' + Buffer.from('prom:scrape-me').toString('base64');
  const res = await fetch(chatd.url + '/metrics', { headers: { authorization: auth } });
  assert.equal(res.status, 200);
  const text = await res.text();
  for (const name of [
    'chatd_http_requests_total',
    'chatd_http_request_duration_seconds',
    'chatd_held_polls',
    'chatd_sessions',
    'chatd_clients',
    'chatd_channels',
    'chatd_messages_stored_total',
    'chatd_store_seconds',
    'chatd_process_resident_memory_bytes',
    'chatd_nodejs_eventloop_lag_seconds',
  ]) {
    assert.match(text, new RegExp(`^# HELP ${name}`, 'm'), name);
  }
  assert.match(text, /chatd_messages_stored_total\{command="PRIVMSG"\}/);
});

test('/metrics is 404 when not configured', async () => {
  const plain = await startChatd();
  try {
    assert.equal((await call(plain.url, 'GET', '/metrics')).status, 404);
  } finally {
    await plain.cleanup();
  }
});
