// End to end against the real chatd process (issue 12, finding 4): budgets per session and per
// account hold whatever the number of clients. Fresh clients of one registered session (login →
// burst → logout, again and again) share one flood-control bucket; successful logins per account
// are limited (429 too_many_logins); at MAX_CLIENTS the refusal comes before scrypt runs.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { call } from '../helpers/api.js';
import { startChatd, type Chatd } from '../helpers/chatd.js';

const PW = 'a long enough password';
const BURST = 10;
const RATE = 2;
let chatd: Chatd;

before(async () => {
  chatd = await startChatd({
    env: { FLOOD_BURST: String(BURST), FLOOD_RATE: String(RATE), MAX_CLIENTS: '3' },
  });
});
after(async () => chatd?.cleanup());

interface Created {
  id: number;
  client_id: number;
  token: string;
  error?: string;
}

const post = <T = Record<string, unknown>>(path: string, json?: unknown, token?: string) =>
  call<T>(chatd.url, 'POST', path, { json, token });

async function register(nick: string): Promise<Created> {
  const r = await post<Created>('/api/v1/register', { nick, password: PW });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body;
}

const login = (nick: string, password = PW) => post<Created>('/api/v1/login', { nick, password });
const logout = (token: string) => post('/api/v1/logout', undefined, token);

/** ms per call of `fn`, over `n` calls one after another */
async function meanMs(n: number, fn: () => Promise<void>): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await fn();
  return (performance.now() - t0) / n;
}

test('fresh clients of one session (login, burst, logout) share one flood bucket', async (t) => {
  const owner = await register('churner');
  assert.equal(
    (await post('/api/v1/messages', { command: 'JOIN', to: '#churn' }, owner.token)).status,
    200,
  );
  await new Promise((r) => setTimeout(r, 1_000)); // the JOIN's token back: a full bucket
  const statuses: Record<string, number> = {};
  const count = (key: string) => (statuses[key] = (statuses[key] ?? 0) + 1);
  let accepted = 0;
  const t0 = performance.now();
  for (let round = 0; round < 12; round++) {
    const fresh = await login('churner');
    count(`login ${fresh.status}`);
    if (fresh.status !== 200) continue;
    const sent = await Promise.all(
      Array.from({ length: 15 }, (_, i) =>
        post<{ error?: string }>(
          '/api/v1/messages',
          { command: 'PRIVMSG', to: '#churn', body: [`round ${round} message ${i}`] },
          fresh.body.token,
        ),
      ),
    );
    for (const r of sent) {
      count(`${r.status} ${r.body.error ?? ''}`.trim());
      if (r.status === 200) accepted++;
      else assert.ok(Number(r.headers.get('retry-after')) >= 1, 'a 429 says when to retry');
    }
    assert.equal((await logout(fresh.body.token)).status, 200);
  }
  const seconds = (performance.now() - t0) / 1000;
  const limit = BURST + RATE * seconds + 1;
  assert.ok(
    accepted <= limit,
    `accepted ${accepted} > burst + rate × ${seconds.toFixed(2)} s + 1 = ${limit.toFixed(1)}: ${JSON.stringify(statuses)}`,
  );
  t.diagnostic(
    `accepted ${accepted} in ${seconds.toFixed(2)} s (limit ${limit.toFixed(1)}): ${JSON.stringify(statuses)}`,
  );
  assert.ok(accepted >= BURST - 1, `the session's burst was available (${accepted})`);
  assert.deepEqual(
    Object.keys(statuses).filter((k) => !/^(login 200|login 429|200|429 flood)$/.test(k)),
    [],
    JSON.stringify(statuses),
  );
  // nothing refused was stored
  const history = await call<{ messages: unknown[] }>(
    chatd.url,
    'GET',
    '/api/v1/history?target=%23churn&limit=500',
    { token: owner.token },
  );
  assert.equal(history.body.messages.length, accepted);
});

test('successful logins beyond the account’s allowance answer 429 too_many_logins', async () => {
  await register('devices');
  await register('neighbour');
  // default LOGINS_PER_ACCOUNT: 10 at once; logging out does not give a login back
  for (let i = 0; i < 10; i++) {
    const r = await login('devices');
    assert.equal(r.status, 200, `login ${i}: ${JSON.stringify(r.body)}`);
    assert.equal((await logout(r.body.token)).status, 200);
  }
  const limited = await login('devices');
  assert.equal(limited.status, 429);
  assert.equal(limited.body.error, 'too_many_logins');
  const retry = Number(limited.headers.get('retry-after'));
  assert.ok(retry >= 1 && retry <= 60, `Retry-After ${retry}`);
  // the password is not looked at while the account waits; other accounts log in as usual
  assert.equal((await login('devices', 'a wrong password')).body.error, 'too_many_logins');
  assert.equal((await login('neighbour')).status, 200);
});

test('at MAX_CLIENTS the refusal comes without scrypt', async (t) => {
  await register('full');
  await register('hasher');
  for (let i = 0; i < 2; i++) assert.equal((await login('full')).status, 200); // MAX_CLIENTS=3
  let statuses: number[] = [];
  const refusedMs = await meanMs(10, async () => {
    const r = await login('full', statuses.length % 2 ? PW : 'a wrong password');
    statuses.push(r.status);
    assert.equal(r.body.error, 'too_many_clients');
  });
  assert.deepEqual(statuses, Array(10).fill(403), 'right or wrong password alike: 403');
  // the same server's cost of one scrypt: wrong passwords for another registered nick
  statuses = [];
  const hashedMs = await meanMs(4, async () => {
    statuses.push((await login('hasher', 'a wrong password')).status);
  });
  assert.deepEqual(statuses, [401, 401, 401, 401]);
  t.diagnostic(
    `refused at MAX_CLIENTS: ${refusedMs.toFixed(1)} ms; with scrypt: ${hashedMs.toFixed(1)} ms`,
  );
  assert.ok(
    refusedMs * 3 < hashedMs,
    `a refusal at MAX_CLIENTS took ${refusedMs.toFixed(1)} ms, a login with scrypt ${hashedMs.toFixed(1)} ms`,
  );
});
