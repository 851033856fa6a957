// End to end: tokens are checked against committed rows kept in memory (src/store/sqlite/
// token-cache.ts), so every way of revoking one is tried here against the real chatd: once the
// revoking request was answered, the old token is refused, on its very next request and while
// other requests with the same token are in flight (docs/sessions.md, "Ending clients and
// sessions").
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { call, HttpClient } from '../helpers/api.js';
import { startChatd, type Chatd } from '../helpers/chatd.js';

const PW = 'a long enough password';
const OPER_PASSWORD = 'correct horse battery staple';
let chatd: Chatd;

before(async () => (chatd = await startChatd({ env: { OPER_NAME: 'admin', OPER_PASSWORD } })));
after(async () => chatd?.cleanup());

const state = (token: string) => call(chatd.url, 'GET', '/api/v1/state', { token });

/** Uses the token a few times (so it is cached) and keeps using it until `stop` is called. */
function keepBusy(token: string) {
  let running = true;
  const statuses: number[] = [];
  const loop = (async () => {
    while (running) statuses.push((await state(token)).status);
  })();
  return {
    statuses,
    stop: async () => {
      running = false;
      await loop;
    },
  };
}

async function warm(token: string) {
  for (let i = 0; i < 3; i++) assert.equal((await state(token)).status, 200);
}

/** After `revoke` answered, `token` is refused at once, and nothing accepted it afterwards. */
async function expectRevokedBy(token: string, revoke: () => Promise<number>) {
  await warm(token);
  const busy = keepBusy(token);
  await new Promise((r) => setTimeout(r, 50));
  const status = await revoke();
  assert.ok(status === 200 || status === 204, `the revoking request answered ${status}`);
  const seenWhenAnswered = busy.statuses.length;
  assert.equal((await state(token)).status, 401);
  await busy.stop();
  // requests that started before the answer may have passed; none that started after it
  const later = busy.statuses.slice(seenWhenAnswered + 1);
  assert.ok(
    later.every((s) => s === 401),
    `accepted after revocation: ${JSON.stringify(later)}`,
  );
}

async function register(nick: string) {
  const r = await call<{ token: string }>(chatd.url, 'POST', '/api/v1/register', {
    json: { nick, password: PW },
  });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body.token;
}

async function login(nick: string) {
  const r = await call<{ token: string; client_id: number }>(chatd.url, 'POST', '/api/v1/login', {
    json: { nick, password: PW },
  });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body;
}

test('logout: the token is refused once the logout was answered', async () => {
  const token = await register('rv_logout');
  await expectRevokedBy(token, async () => {
    return (await call(chatd.url, 'POST', '/api/v1/logout', { token })).status;
  });
});

test('DELETE /clients/{id}: the other client’s token is refused once it was answered', async () => {
  const owner = await register('rv_delete');
  const other = await login('rv_delete');
  await expectRevokedBy(other.token, async () => {
    const path = `/api/v1/clients/${other.client_id}`;
    return (await call(chatd.url, 'DELETE', path, { token: owner })).status;
  });
  assert.equal((await state(owner)).status, 200);
});

test('QUIT: every token of the session is refused once the QUIT was answered', async () => {
  const c = await HttpClient.create(chatd.url, 'rv_quit');
  await expectRevokedBy(c.token, async () => (await c.send({ command: 'QUIT' })).status);
});

test('QUIT from one client revokes another client of the same session', async () => {
  const first = await register('rv_quit2');
  const second = await login('rv_quit2');
  await expectRevokedBy(second.token, async () => {
    const r = await call(chatd.url, 'POST', '/api/v1/messages', {
      token: first,
      json: { command: 'QUIT' },
    });
    return r.status;
  });
});

test('KILL: the victim’s token is refused once the KILL was answered', async () => {
  const oper = await HttpClient.create(chatd.url, 'rv_oper');
  assert.equal(
    (await oper.send({ command: 'OPER', params: ['admin', OPER_PASSWORD] })).status,
    200,
  );
  const victim = await HttpClient.create(chatd.url, 'rv_victim');
  await expectRevokedBy(victim.token, async () => {
    return (await oper.send({ command: 'KILL', to: 'rv_victim', body: ['bye'] })).status;
  });
});

test('the last client of a session without a password: logout ends the session', async () => {
  const c = await HttpClient.create(chatd.url, 'rv_last');
  await expectRevokedBy(c.token, async () => {
    return (await call(chatd.url, 'POST', '/api/v1/logout', { token: c.token })).status;
  });
  // the nick is free again, and the new session's token works
  const again = await HttpClient.create(chatd.url, 'rv_last');
  assert.equal((await state(again.token)).status, 200);
});
