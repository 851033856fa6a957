// Every route's happy path against recording fakes, and the wire-shape validation.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { AUTH, CALLER, setup } from './fakes.js';

const JSON_CT = { ...AUTH, 'content-type': 'application/json' };
type Err = { error: string; message: string };

void describe('routes', () => {
  const t = setup();
  after(() => t.app.close());
  const last = (method: string) => t.core.calls.filter(([m]) => m === method).at(-1);

  void it('POST /api/v1/session → 201 SessionCreated', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/session',
      payload: { nick: 'bob' },
    });
    assert.equal(res.statusCode, 201);
    assert.deepEqual(Object.keys(res.json<object>()).sort(), ['client_id', 'id', 'nick', 'token']);
    assert.deepEqual(last('createSession'), ['createSession', 'bob', undefined]);
  });

  void it('POST /api/v1/session passes the stamp from the body or the X-Hashcash header', async () => {
    await t.app.inject({
      method: 'POST',
      url: '/api/v1/session',
      payload: { nick: 'bob', hashcash: '1:20:261129:chat::a:1' },
    });
    assert.deepEqual(last('createSession'), ['createSession', 'bob', '1:20:261129:chat::a:1']);
    await t.app.inject({
      method: 'POST',
      url: '/api/v1/session',
      headers: { 'x-hashcash': '1:20:261129:chat::b:2' },
      payload: { nick: 'carol' },
    });
    assert.deepEqual(last('createSession'), ['createSession', 'carol', '1:20:261129:chat::b:2']);
  });

  void it('POST /api/v1/session refuses unknown fields and wrong types', async () => {
    for (const [payload, msg] of [
      [{ nick: 'a', hashcash: 5 }, 'body.hashcash: expected string'],
      [{ nick: 'a', stamp: 'x' }, 'body: unknown field "stamp"'],
      [{ nick: 5 }, 'body.nick: expected string'],
      [{}, 'body.nick: required'],
      [[], 'body: expected object'],
      ['"bob"', 'body: expected object'],
    ] as const) {
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/v1/session',
        headers: { 'content-type': 'application/json' },
        payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
      });
      assert.equal(res.statusCode, 400);
      assert.deepEqual(res.json(), { error: 'invalid_request', message: msg });
    }
  });

  void it('GET /api/v1/state and /api/v1/users/me, with replay', async () => {
    for (const [url, replay] of [
      ['/api/v1/state', false],
      ['/api/v1/users/me', false],
      ['/api/v1/state?replay=1', true],
      ['/api/v1/state?replay=true', true],
      ['/api/v1/users/me?replay=0', false],
      ['/api/v1/state?replay=false', false],
    ] as const) {
      const res = await t.app.inject({ url, headers: AUTH });
      assert.equal(res.statusCode, 200, url);
      assert.equal(res.json<{ nick: string }>().nick, 'alice');
      assert.deepEqual(last('state'), ['state', CALLER, replay], url);
    }
    const bad = await t.app.inject({ url: '/api/v1/state?replay=yes', headers: AUTH });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.json<Err>().message, /^query\.replay: must be one of/);
  });

  void it('GET /api/v1/clients and DELETE /api/v1/clients/:client_id', async () => {
    const list = await t.app.inject({ url: '/api/v1/clients', headers: AUTH });
    assert.equal(list.statusCode, 200);
    assert.equal(list.json<unknown[]>().length, 1);
    const del = await t.app.inject({ method: 'DELETE', url: '/api/v1/clients/7', headers: AUTH });
    assert.equal(del.statusCode, 200);
    assert.deepEqual(del.json(), { status: 'ok' });
    assert.deepEqual(last('revokeClient'), ['revokeClient', CALLER, 7]);
    for (const id of ['-1', '07', 'abc', '1e3', '9007199254740993']) {
      const res = await t.app.inject({
        method: 'DELETE',
        url: `/api/v1/clients/${id}`,
        headers: AUTH,
      });
      assert.equal(res.statusCode, 400, id);
      assert.equal(
        res.json<Err>().message,
        'params.client_id: must be a canonical non-negative integer',
      );
    }
  });

  void it('POST /api/v1/messages passes the fields through exactly as sent', async () => {
    const payload =
      '{"meta":{"z":1,"a":{"y":[1,2],"b":null}},"command":"PRIVMSG","to":"#a","body":["hi","there"],"txn":"t-1","params":[]}';
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/messages',
      headers: JSON_CT,
      payload,
    });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(Object.keys(res.json<object>()), ['id', 'seq', 'replies']);
    const input = last('execute')?.[2] as Record<string, unknown>;
    assert.deepEqual(input, JSON.parse(payload));
    assert.deepEqual(Object.keys(input.meta as object), ['z', 'a']);
    assert.equal(JSON.stringify(input.meta), '{"z":1,"a":{"y":[1,2],"b":null}}');
  });

  void it('POST /api/v1/messages adds no defaults for absent fields', async () => {
    await t.app.inject({
      method: 'POST',
      url: '/api/v1/messages',
      headers: JSON_CT,
      payload: '{"command":"MOTD"}',
    });
    assert.deepEqual(last('execute')?.[2], { command: 'MOTD' });
  });

  void it('POST /api/v1/messages accepts an object body (PUBKEY)', async () => {
    const payload = { command: 'PUBKEY', body: { alg: 'ed25519', key: 'AAAA' } };
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/messages',
      headers: AUTH,
      payload,
    });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(last('execute')?.[2], payload);
  });

  const badMessages: [string, unknown, string, string?][] = [
    ['command as a number', { command: 5 }, 'body.command: expected string'],
    ['command missing', { to: '#a' }, 'body.command: required'],
    ['empty command', { command: '' }, 'body.command: must be at least 1 characters'],
    [
      'a 33-char command',
      { command: 'A'.repeat(33) },
      'body.command: must be at most 32 characters',
    ],
    ['params as an object', { command: 'MODE', params: { a: 1 } }, 'body.params: expected array'],
    [
      'a non-string param',
      { command: 'MODE', params: ['a', 'b', 3] },
      'body.params[2]: expected string',
    ],
    [
      '16 params',
      { command: 'MODE', params: Array(16).fill('x') },
      'body.params: must have at most 15 items',
    ],
    ['target as an array', { command: 'PRIVMSG', to: ['#a'] }, 'body.to: expected string'],
    ['null target', { command: 'PRIVMSG', to: null }, 'body.to: expected string'],
    [
      'a 513-char target',
      { command: 'PRIVMSG', to: 'a'.repeat(513) },
      'body.to: must be at most 512 characters',
    ],
    ['a string body', { command: 'PRIVMSG', body: 'hi' }, 'body.body: expected array or object'],
    ['a null body', { command: 'PRIVMSG', body: null }, 'body.body: expected array or object'],
    ['a non-string line', { command: 'PRIVMSG', body: ['a', 3] }, 'body.body[1]: expected string'],
    ['meta as an array', { command: 'PRIVMSG', meta: [] }, 'body.meta: expected object'],
    [
      'a bad txn',
      { command: 'PING', txn: 'has space' },
      'body.txn: must be 1 to 128 visible ASCII characters',
    ],
    [
      'a long txn',
      { command: 'PING', txn: 'x'.repeat(129) },
      'body.txn: must be 1 to 128 visible ASCII characters',
    ],
    ['id', { command: 'PING', id: 'x' }, 'body: unknown field "id"'],
    ['sender', { command: 'PING', sender: 'bob' }, 'body: unknown field "sender"'],
    ['from', { command: 'PING', from: 'bob' }, 'body: unknown field "from"'],
    ['ts', { command: 'PING', ts: '2020' }, 'body: unknown field "ts"'],
    ['seq', { command: 'PING', seq: 1 }, 'body: unknown field "seq"'],
    ['nick', { command: 'PING', nick: 'x' }, 'body: unknown field "nick"'],
    ['sessionId', { command: 'PING', sessionId: 2 }, 'body: unknown field "sessionId"'],
    ['isOper', { command: 'PING', isOper: true }, 'body: unknown field "isOper"'],
    [
      '4 KiB+ of meta',
      { command: 'PRIVMSG', meta: { x: 'a'.repeat(4096) } },
      'body.meta: at most 4096 bytes of JSON',
      'meta_too_large',
    ],
    ['a top-level array', [], 'body: expected object'],
    ['no body', undefined, 'body: required'],
  ];
  for (const [name, payload, message, code = 'invalid_request'] of badMessages) {
    void it(`POST /api/v1/messages refuses ${name} with 400 naming the field`, async () => {
      const executed = t.core.calls.filter(([m]) => m === 'execute').length;
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/v1/messages',
        headers: payload === undefined ? AUTH : JSON_CT,
        ...(payload === undefined ? {} : { payload: JSON.stringify(payload) }),
      });
      assert.equal(res.statusCode, 400, res.body);
      assert.deepEqual(res.json(), { error: code, message });
      assert.equal(t.core.calls.filter(([m]) => m === 'execute').length, executed);
    });
  }

  void it('GET /api/v1/history with defaults, values and clamping', async () => {
    const r1 = await t.app.inject({ url: '/api/v1/history?target=%23general', headers: AUTH });
    assert.equal(r1.statusCode, 200);
    assert.deepEqual(Object.keys(r1.json<object>()), ['messages', 'has_more']);
    assert.deepEqual(last('history'), [
      'history',
      CALLER,
      { target: '#general', before: null, limit: 50 },
    ]);
    await t.app.inject({ url: '/api/v1/history?target=bob&before=99&limit=10', headers: AUTH });
    assert.deepEqual(last('history'), [
      'history',
      CALLER,
      { target: 'bob', before: 99, limit: 10 },
    ]);
    await t.app.inject({ url: '/api/v1/history?target=bob&limit=1000000000', headers: AUTH });
    assert.deepEqual(last('history'), [
      'history',
      CALLER,
      { target: 'bob', before: null, limit: 500 },
    ]);
  });

  void it('GET /api/v1/history refuses bad parameters', async () => {
    for (const [query, message] of [
      ['', 'query.target: required'],
      ['target=', 'query.target: must be at least 1 characters'],
      ['target=a&target=b', 'query.target: must be given only once'],
      ['target=a&limit=0', 'query.limit: must be at least 1'],
      ['target=a&before=-5', 'query.before: must be a canonical non-negative integer'],
      ['target=a&all=1', 'query: unknown parameter "all"'],
    ] as const) {
      const res = await t.app.inject({ url: `/api/v1/history?${query}`, headers: AUTH });
      assert.equal(res.statusCode, 400, query);
      assert.deepEqual(res.json(), { error: 'invalid_request', message }, query);
    }
  });

  void it('GET /api/v1/channels and /api/v1/channels/:name/members', async () => {
    const r1 = await t.app.inject({ url: '/api/v1/channels', headers: AUTH });
    assert.equal(r1.statusCode, 200);
    assert.deepEqual(r1.json(), [{ name: '#general', topic: null, members: 2 }]);
    const r2 = await t.app.inject({ url: '/api/v1/channels/general/members', headers: AUTH });
    assert.equal(r2.statusCode, 200);
    assert.deepEqual(last('listMembers'), ['listMembers', CALLER, '#general', null]);
    assert.equal(r2.headers.link, undefined, 'one page: no Link');
    await t.app.inject({ url: '/api/v1/channels/caf%C3%A9%20x/members', headers: AUTH });
    assert.deepEqual(last('listMembers'), ['listMembers', CALLER, '#café x', null]);
    await t.app.inject({ url: '/api/v1/channels/general/members?after=2bob', headers: AUTH });
    assert.deepEqual(last('listMembers'), ['listMembers', CALLER, '#general', '2bob']);
    await t.app.inject({ url: '/api/v1/channels?after=%23m', headers: AUTH });
    assert.deepEqual(last('listChannels'), ['listChannels', CALLER, '#m']);
    const bad = await t.app.inject({ url: '/api/v1/channels?after=', headers: AUTH });
    assert.equal(bad.statusCode, 400);
  });

  void it('POST /api/v1/logout → {"status":"ok"}; a body must be empty or {}', async () => {
    const r1 = await t.app.inject({ method: 'POST', url: '/api/v1/logout', headers: AUTH });
    assert.equal(r1.statusCode, 200);
    assert.deepEqual(r1.json(), { status: 'ok' });
    assert.deepEqual(last('logout'), ['logout', CALLER]);
    const r2 = await t.app.inject({
      method: 'POST',
      url: '/api/v1/logout',
      headers: JSON_CT,
      payload: '{}',
    });
    assert.equal(r2.statusCode, 200);
    const r3 = await t.app.inject({
      method: 'POST',
      url: '/api/v1/logout',
      headers: JSON_CT,
      payload: '{"all":true}',
    });
    assert.equal(r3.statusCode, 400);
    assert.equal(r3.json<Err>().message, 'body: unknown field "all"');
  });

  void it('GET /api/v1/server', async () => {
    const res = await t.app.inject({ url: '/api/v1/server' });
    assert.equal(res.statusCode, 200);
    assert.equal(res.json<{ name: string }>().name, 'chat');
  });

  void it('GET / serves an HTML landing page linking the OpenAPI document', async () => {
    const res = await t.app.inject({ url: '/' });
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-type']), /^text\/html/);
    assert.match(res.body, /href="\/api\/v1\/openapi\.json"/);
    assert.ok(res.headers['content-security-policy']);
  });
});

void describe('health check', () => {
  void it('answers ok while the store writes', async () => {
    const t = setup();
    const res = await t.app.inject({ url: '/.well-known/healthcheck.json' });
    assert.equal(res.statusCode, 200);
    const body = res.json<Record<string, unknown>>();
    assert.equal(body.status, 'ok');
    assert.equal(body.version, t.config.version);
    assert.ok(Number.isInteger(body.uptime_ms));
    assert.ok(!Number.isNaN(Date.parse(String(body.now))));
    await t.app.close();
  });

  void it('answers degraded with 503 when the store cannot write, or the check throws', async () => {
    for (const health of [async () => false, async () => Promise.reject(new Error('down'))]) {
      const t = setup({ health });
      const res = await t.app.inject({ url: '/.well-known/healthcheck.json' });
      assert.equal(res.statusCode, 503);
      assert.equal(res.json<{ status: string }>().status, 'degraded');
      await t.app.close();
    }
  });
});
