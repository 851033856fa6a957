// End to end: /register, /login and PASS over HTTP against the real chatd process and SQLite file
// (docs/api.md, docs/sessions.md, docs/hashcash.md, docs/limits.md): devices, always-on across a restart, hashcash on /register, the
// failed-login limits with and without TRUST_PROXY, and secrets kept out of the logs.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { PollResult } from '../../src/model/api.js';
import { mintStampSync } from '../../src/shared/hashcash.js';
import { call, HttpClient } from '../helpers/api.js';
import { startChatd, type Chatd } from '../helpers/chatd.js';

const PW = 'a long enough password';
let chatd: Chatd;
/** output of chatd processes already stopped (restarts) */
let earlierLogs = '';

before(
  async () =>
    (chatd = await startChatd({
      env: { LOG_LEVEL: 'trace', LOGIN_FAILURES_PER_NICK: '3', LOGIN_FAILURES_PER_ADDRESS: '50' },
    })),
);
after(async () => chatd?.cleanup());

interface Created {
  id: number;
  client_id: number;
  nick: string;
  token: string;
}

async function register(nick: string, password = PW): Promise<HttpClient & { id: number }> {
  const r = await call<Created>(chatd.url, 'POST', '/api/v1/register', {
    json: { nick, password },
  });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return Object.assign(new HttpClient(chatd.url, r.body.token, r.body.nick), { id: r.body.id });
}

async function login(nick: string, password = PW, headers: Record<string, string> = {}) {
  return call<Created & { error?: string }>(chatd.url, 'POST', '/api/v1/login', {
    json: { nick, password },
    headers,
  });
}

async function device(nick: string): Promise<HttpClient> {
  const r = await login(nick);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return new HttpClient(chatd.url, r.body.token, r.body.nick);
}

test('a second device attached by /login sees the channel state and then the same stream', async () => {
  const laptop = await register('dana');
  const bob = await HttpClient.create(chatd.url, 'bobby');
  await laptop.send({ command: 'JOIN', to: '#room' });
  await laptop.send({ command: 'TOPIC', to: '#room', body: ['plans'] });
  await bob.send({ command: 'JOIN', to: '#room' });
  const phone = await device('dana');
  const burst = await phone.drain();
  const cmds = burst.map((e) => e.command);
  assert.equal(cmds[0], '001');
  const join = cmds.lastIndexOf('JOIN');
  assert.deepEqual(cmds.slice(join), ['JOIN', '332', '333', '353', '366']);
  assert.equal(burst[join]?.to, '#room');
  assert.deepEqual(burst.find((e) => e.command === '332')?.body, ['plans']);
  assert.deepEqual(burst.find((e) => e.command === '353')?.body, ['@dana bobby']);
  await laptop.drain();

  // Both devices hold a long-poll; one message wakes both; each reads at its own pace.
  const held = [laptop.poll(20), phone.poll(20)];
  await bob.send({ command: 'PRIVMSG', to: '#room', body: ['to both'] });
  const [l, p] = (await Promise.all(held)) as [PollResult, PollResult];
  assert.deepEqual(
    l.messages.map((m) => m.body),
    [['to both']],
  );
  assert.deepEqual(
    p.messages.map((m) => m.id),
    l.messages.map((m) => m.id),
  );
  await phone.send({ command: 'PRIVMSG', to: '#room', body: ['from the phone'] });
  const onLaptop = await laptop.drain();
  assert.deepEqual(
    onLaptop.map((m) => [m.from, m.body]),
    [['dana', ['from the phone']]],
  );
  // the clients list shows both devices, the caller's marked current
  const list = await call<{ client_id: number; current: boolean }[]>(
    chatd.url,
    'GET',
    '/api/v1/clients',
    { token: phone.token },
  );
  assert.equal(list.body.length, 2);
  assert.equal(list.body.filter((c) => c.current).length, 1);
});

test('login refusals: 401 invalid_credentials alike, 400 for malformed bodies, 429 after failures', async () => {
  await register('erin');
  await HttpClient.create(chatd.url, 'frank');
  const unknown = await login('nobody-here');
  const anonymous = await login('frank');
  const wrong = await login('erin', 'not the password');
  for (const r of [unknown, anonymous, wrong]) {
    assert.equal(r.status, 401);
    assert.equal(r.body.error, 'invalid_credentials');
    assert.equal(r.headers.get('www-authenticate')?.startsWith('Bearer'), true);
  }
  assert.deepEqual(unknown.body, wrong.body);
  for (const bad of [
    { nick: 'erin' },
    { nick: 'erin', password: PW, extra: 1 },
    { nick: 'erin', password: 12345678 },
    { nick: 'x'.repeat(65), password: PW },
    { nick: 'erin', password: 'p'.repeat(1025) },
  ]) {
    const r = await call<{ error: string }>(chatd.url, 'POST', '/api/v1/login', { json: bad });
    assert.equal(r.status, 400, JSON.stringify(bad));
    assert.ok(r.body.error);
  }
  // LOGIN_FAILURES_PER_NICK=3 here; `wrong` was the first failure for erin
  assert.equal((await login('erin', 'guess two')).status, 401);
  assert.equal((await login('erin', 'guess three')).status, 401);
  const limited = await login('erin'); // the right password, but too late
  assert.equal(limited.status, 429);
  assert.equal(limited.body.error, 'too_many_failed_logins');
  assert.ok(Number(limited.headers.get('retry-after')) >= 1);
  // other nicks from the same address still log in
  assert.equal((await login('dana')).status, 200);
});

test('register: password rules, nick taken, validation; PASS then login', async () => {
  const short = await call<{ error: string }>(chatd.url, 'POST', '/api/v1/register', {
    json: { nick: 'gina', password: 'short' },
  });
  assert.equal(short.status, 400);
  assert.equal(short.body.error, 'invalid_password');
  const taken = await call<{ numeric: string }>(chatd.url, 'POST', '/api/v1/register', {
    json: { nick: 'DANA', password: PW },
  });
  assert.equal(taken.status, 409);
  assert.equal(taken.body.numeric, '433');

  const gina = await HttpClient.create(chatd.url, 'gina');
  const set = await gina.send({ command: 'PASS', body: ['gina-password'] });
  assert.equal(set.status, 200);
  const again = await gina.send({ command: 'PASS', body: ['another-password'] });
  assert.equal(again.status, 403);
  assert.equal(again.body.numeric, '464');
  const tooShort = await gina.send({ command: 'PASS', body: ['gina-password', 'short'] });
  assert.equal(tooShort.status, 400);
  assert.equal(tooShort.body.numeric, '461');
  assert.equal((await login('gina', 'gina-password')).status, 200);
});

test('always-on: a registered session keeps nick and channels with no client, across a restart', async () => {
  const hana = await register('hana');
  const ivan = await HttpClient.create(chatd.url, 'ivan');
  await hana.send({ command: 'JOIN', to: '#keep' });
  await ivan.send({ command: 'JOIN', to: '#keep' });
  const out = await call(chatd.url, 'POST', '/api/v1/logout', { token: hana.token });
  assert.equal(out.status, 200);
  const taken = await call(chatd.url, 'POST', '/api/v1/session', { json: { nick: 'hana' } });
  assert.equal(taken.status, 409);
  await ivan.send({ command: 'PRIVMSG', to: '#keep', body: ['said while hana was away'] });

  earlierLogs += chatd.output();
  chatd = await chatd.restart();
  const back = await device('hana');
  const burst = await back.drain();
  const names = burst.find((e) => e.command === '353' && e.params[1] === '#keep');
  assert.deepEqual(names?.body, ['@hana ivan']);
  const hist = await call<{ messages: { body: string[] }[] }>(
    chatd.url,
    'GET',
    '/api/v1/history?target=%23keep',
    { token: back.token },
  );
  assert.deepEqual(
    hist.body.messages.map((m) => m.body),
    [['said while hana was away']],
  );
});

test('no password, token or stamp appears in the trace-level log', () => {
  const log = earlierLogs + chatd.output();
  assert.ok(log.includes('"level":10') || log.includes('"level":20'), 'trace/debug lines exist');
  for (const secret of [PW, 'gina-password', 'another-password', 'not the password']) {
    assert.ok(!log.includes(secret), `the log mentions ${secret}`);
  }
});

test('TRUST_PROXY: failed-login limits per address follow X-Forwarded-For only when trusted', async () => {
  const env = { LOGIN_FAILURES_PER_NICK: '100', LOGIN_FAILURES_PER_ADDRESS: '2' };
  const direct = await startChatd({ env });
  try {
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await call(direct.url, 'POST', '/api/v1/login', {
        json: { nick: `n${i}`, password: 'whatever-pw' },
        headers: { 'x-forwarded-for': `198.51.100.${i}` },
      });
      statuses.push(r.status);
    }
    assert.deepEqual(statuses, [401, 401, 429], 'X-Forwarded-For is ignored by default');
  } finally {
    await direct.cleanup();
  }
  const proxied = await startChatd({ env: { ...env, TRUST_PROXY: 'true' } });
  try {
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await call(proxied.url, 'POST', '/api/v1/login', {
        json: { nick: `n${i}`, password: 'whatever-pw' },
        headers: { 'x-forwarded-for': `198.51.100.${i}` },
      });
      statuses.push(r.status);
    }
    assert.deepEqual(statuses, [401, 401, 401], 'each forwarded address has its own limit');
    // Regression (issue 12 finding 8): the client writes the leftmost entries; our one proxy
    // appends the address it saw. Rotating the leftmost entry must not give fresh limits.
    const rotated: number[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await call(proxied.url, 'POST', '/api/v1/login', {
        json: { nick: `r${i}`, password: 'whatever-pw' },
        headers: { 'x-forwarded-for': `10.9.9.${i}, 203.0.113.7` },
      });
      rotated.push(r.status);
    }
    assert.deepEqual(rotated, [401, 401, 429], 'the address our proxy saw is the one limited');
  } finally {
    await proxied.cleanup();
  }
  // Two proxies (say a CDN, then nginx): the client is the second entry from the right.
  const twoHops = await startChatd({ env: { ...env, TRUST_PROXY: '2' } });
  try {
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await call(twoHops.url, 'POST', '/api/v1/login', {
        json: { nick: `t${i}`, password: 'whatever-pw' },
        headers: { 'x-forwarded-for': `10.8.8.${i}, 192.0.2.44, 198.51.100.200` },
      });
      statuses.push(r.status);
    }
    assert.deepEqual(statuses, [401, 401, 429], 'TRUST_PROXY=2 limits the entry two hops in');
  } finally {
    await twoHops.cleanup();
  }
});

test('hashcash guards /register like /session: 402 without a stamp, each stamp once', async () => {
  const hc = await startChatd({ env: { HASHCASH_BITS: '8', SERVER_NAME: 'reg.test' } });
  try {
    const body = { nick: 'kim', password: PW };
    const none = await call<{ error: string; bits: number }>(hc.url, 'POST', '/api/v1/register', {
      json: body,
    });
    assert.equal(none.status, 402);
    assert.equal(none.body.error, 'hashcash_required');
    assert.equal(none.body.bits, 8);
    const stamp = mintStampSync({ bits: 8, resource: 'reg.test', now: new Date() });
    const ok = await call(hc.url, 'POST', '/api/v1/register', {
      json: body,
      headers: { 'x-hashcash': stamp },
    });
    assert.equal(ok.status, 201);
    const replay = await call(hc.url, 'POST', '/api/v1/register', {
      json: { nick: 'lee', password: PW, hashcash: stamp },
    });
    assert.equal(replay.status, 402);
    // login needs no stamp
    assert.equal((await call(hc.url, 'POST', '/api/v1/login', { json: body })).status, 200);
  } finally {
    await hc.cleanup();
  }
});
