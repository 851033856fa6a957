// End to end against the real chatd process (issue 12, finding 10): OPER and /metrics
// authentication failures are limited per address and on the whole server, not only per session.
// TRUST_PROXY=1 lets each request name its address in X-Forwarded-For, as one proxy would.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import { call, HttpClient } from '../helpers/api.js';
import { startChatd, type Chatd } from '../helpers/chatd.js';

const OPER_PASSWORD = 'correct horse battery staple';
const METRICS = { user: 'prom', pass: 'scrape-secret-1' };
const LOCKED = 'Too many failed OPER attempts; try again later';
let chatd: Chatd;

beforeEach(async () => {
  chatd = await startChatd({
    env: {
      OPER_NAME: 'admin',
      OPER_PASSWORD,
      METRICS_USERNAME: METRICS.user,
      METRICS_PASSWORD: METRICS.pass,
      TRUST_PROXY: '1',
    },
  });
});
afterEach(async () => chatd?.cleanup());

let n = 0;
const session = () => HttpClient.create(chatd.url, `op${++n}`);

/** OPER from `address`: [HTTP status, numeric, message] */
async function oper(c: HttpClient, address: string, password: string) {
  const r = await call<{ numeric?: string; message?: string }>(
    chatd.url,
    'POST',
    '/api/v1/messages',
    {
      token: c.token,
      json: { command: 'OPER', params: ['admin', password] },
      headers: { 'x-forwarded-for': address },
    },
  );
  return [r.status, r.body.numeric ?? '381', r.body.message ?? ''] as const;
}

const wrong = (c: HttpClient, address: string) => oper(c, address, 'a guess');
const right = (c: HttpClient, address: string) => oper(c, address, OPER_PASSWORD);

test('OPER failures from many sessions of one address hit the per-address limit', async () => {
  // 3 failures per session, 10 per address: four sessions do it
  let failures = 0;
  while (failures < 10) {
    const c = await session();
    for (let i = 0; i < 3 && failures < 10; i++, failures++) {
      assert.deepEqual(await wrong(c, '192.0.2.10'), [403, '464', 'Password incorrect']);
    }
  }
  // a fresh session from that address: refused without a comparison, even the right password
  assert.deepEqual(await right(await session(), '192.0.2.10'), [403, '464', LOCKED]);
  // the address our proxy saw is what counts, not what the client wrote on the left
  assert.deepEqual(await right(await session(), '10.0.0.1, 192.0.2.10'), [403, '464', LOCKED]);
  assert.equal((await right(await session(), '198.51.100.20'))[0], 200, 'other addresses oper');
});

test('OPER failures from many addresses hit the overall limit', async () => {
  // 30 failures on the whole server, 2 from each address (per-session and per-address limits
  // are never reached)
  for (let i = 0; i < 15; i++) {
    const c = await session();
    for (let j = 0; j < 2; j++) {
      if (i === 14 && j === 1) {
        // 29 so far: still allowed
        assert.equal((await right(await session(), '198.51.100.1'))[0], 200);
      }
      assert.deepEqual(await wrong(c, `203.0.113.${i}`), [403, '464', 'Password incorrect']);
    }
  }
  for (const address of ['198.51.100.2', '198.51.100.3', '2001:db8::1']) {
    assert.deepEqual(await right(await session(), address), [403, '464', LOCKED], address);
  }
});

function basic(user: string, pass: string) {
  return { authorization: `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}` };
}

async function metrics(address: string, pass: string) {
  const r = await call(chatd.url, 'GET', '/metrics', {
    headers: { ...basic(METRICS.user, pass), 'x-forwarded-for': address },
  });
  return { status: r.status, retry: r.headers.get('retry-after'), body: r.body };
}

test('/metrics failures are limited per address, then overall: 429 before comparing', async () => {
  // 20 per address: the right credentials still work after 19 failures
  for (let i = 0; i < 19; i++) assert.equal((await metrics('192.0.2.1', 'wrong')).status, 401);
  assert.equal((await metrics('192.0.2.1', METRICS.pass)).status, 200);
  assert.equal((await metrics('192.0.2.1', 'wrong')).status, 401);
  const limited = await metrics('192.0.2.1', METRICS.pass);
  assert.equal(limited.status, 429);
  assert.equal((limited.body as { error: string }).error, 'too_many_failures');
  assert.ok(Number(limited.retry) >= 1, `Retry-After ${limited.retry}`);
  assert.equal((await metrics('192.0.2.2', METRICS.pass)).status, 200, 'other addresses scrape');
  // 60 overall: 20 so far, 39 more from other addresses
  for (let i = 0; i < 39; i++) {
    assert.equal((await metrics(`203.0.113.${i % 4}`, 'wrong')).status, 401);
  }
  assert.equal((await metrics('198.51.100.7', METRICS.pass)).status, 200, '59 failures: allowed');
  assert.equal((await metrics('203.0.113.9', 'wrong')).status, 401);
  for (const address of ['198.51.100.8', '198.51.100.9']) {
    const r = await metrics(address, METRICS.pass);
    assert.equal(r.status, 429, address);
    assert.ok(Number(r.retry) >= 1);
  }
});
