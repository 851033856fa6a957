// Authentication budgets through the real core and SQLite store (docs/limits.md): successful logins per
// account, the refusals that come before the password is looked at, and OPER failures per
// session, per address and on the whole server. The clock is the harness's: nothing sleeps.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import {
  commands,
  makeHarness,
  TestClient,
  type Harness,
  refusal,
} from '../helpers/core-harness.js';

let h: Harness;
beforeEach(async () => (h = await makeHarness({ maxClients: 20 })));
afterEach(async () => h.close());

const PW = 'correct horse battery';
const OPER = { command: 'OPER', params: ['admin', 'oper-secret'] };
const GUESS = { command: 'OPER', params: ['admin', 'a guess'] };

/** an anonymous session whose requests come from `address` */
async function userAt(nick: string, address: string): Promise<TestClient> {
  const c = await h.user(nick);
  return new TestClient(h.core, h.delivery, { ...c.caller, address }, c.token);
}

test('successful logins per account: 10 at once, then one a minute; others unaffected', async () => {
  const owner = await h.core.register('alice', PW);
  await h.core.register('bob', PW);
  for (let i = 0; i < 10; i++) {
    const created = await h.core.login('alice', PW, '10.0.0.1');
    // logging out again does not give the login back: the budget counts new clients
    await h.core.logout({ sessionId: created.id, clientId: created.client_id });
  }
  const limited = await refusal(h.core.login('alice', PW, '10.0.0.2'));
  assert.deepEqual([limited.status, limited.code], [429, 'too_many_logins']);
  assert.equal(limited.headers['Retry-After'], '60');
  assert.ok((await h.core.login('bob', PW, '10.0.0.1')).token, 'another account logs in');
  // while the account waits, the password is not even looked at
  const wrong = await refusal(h.core.login('alice', 'wrong-password', '10.0.0.3'));
  assert.equal(wrong.code, 'too_many_logins');
  h.advance(60_000);
  assert.ok((await h.core.login('alice', PW, '10.0.0.2')).token);
  assert.equal((await refusal(h.core.login('alice', PW, '10.0.0.2'))).code, 'too_many_logins');
  assert.equal((await h.core.listClients({ sessionId: owner.id, clientId: 0 })).length, 2);
});

test('wrong passwords and refusals do not use up the account’s logins', async () => {
  await h.core.register('alice', PW);
  for (let i = 0; i < 2; i++) {
    assert.equal(
      (await refusal(h.core.login('alice', 'not-it-at-all', `10.1.0.${i}`))).status,
      401,
    );
  }
  for (let i = 0; i < 10; i++) assert.ok((await h.core.login('alice', PW, '10.1.1.1')).token);
  assert.equal((await refusal(h.core.login('alice', PW, '10.1.1.1'))).code, 'too_many_logins');
});

test('at MAX_CLIENTS a login is refused before the password is looked at', async () => {
  const small = await makeHarness({ maxClients: 2 });
  try {
    await small.core.register('alice', PW);
    await small.core.login('alice', PW, '10.0.0.1');
    // the password is never checked: a wrong one gets the same 403, and counts as no failure
    // (the harness allows 3 failures per nick)
    for (const password of [PW, 'wrong-password', 'wrong-again', 'wrong-thrice', PW]) {
      const full = await refusal(small.core.login('alice', password, '10.0.0.1'));
      assert.deepEqual([full.status, full.code], [403, 'too_many_clients'], password);
    }
    // an anonymous session is never told apart from an unknown nick, full or not
    await small.user('bob');
    assert.equal((await refusal(small.core.login('bob', PW, '10.0.0.1'))).status, 401);
    assert.equal((await refusal(small.core.login('nobody', PW, '10.0.0.1'))).status, 401);
  } finally {
    await small.close();
  }
});

test('OPER failures per address: other sessions from that address are refused too', async () => {
  const guessers = [];
  for (let i = 0; i < 5; i++) guessers.push(await userAt(`guesser${i}`, '192.0.2.7'));
  // 3 per session (then each session waits), 10 per address
  let failures = 0;
  for (const g of guessers) {
    for (let j = 0; j < 3 && failures < 10; j++, failures++) await g.refused(GUESS);
  }
  const locked = await guessers[4]!.refused(OPER);
  assert.deepEqual(
    [locked.numeric, locked.message],
    ['464', 'Too many failed OPER attempts; try again later'],
  );
  const elsewhere = await userAt('honest', '198.51.100.1');
  assert.deepEqual(commands((await elsewhere.send(OPER)).replies), ['381']);
  // one failure back per minute for the address
  h.advance(60_000);
  assert.deepEqual(commands((await guessers[4]!.send(OPER)).replies), ['381']);
});

test('OPER failures overall: guesses spread over addresses stop the whole server', async () => {
  // 30 failures on the server, at most 2 from any address or session
  for (let i = 0; i < 15; i++) {
    const g = await userAt(`spread${i}`, `203.0.113.${i}`);
    await g.refused(GUESS);
    if (i < 14) await g.refused(GUESS);
    else {
      // 29 so far: not locked yet
      const ok = await userAt('early', '198.51.100.2');
      assert.deepEqual(commands((await ok.send(OPER)).replies), ['381']);
      await g.refused(GUESS);
    }
  }
  const late = await userAt('late', '198.51.100.3');
  const locked = await late.refused(OPER);
  assert.match(locked.message, /Too many failed OPER attempts/);
  // a session whose transport knows no address is stopped the same way
  const anywhere = await h.user('anywhere');
  assert.match((await anywhere.refused(OPER)).message, /Too many failed OPER attempts/);
  // one failure comes back every 20 s
  h.advance(19_000);
  assert.match((await late.refused(OPER)).message, /Too many failed OPER attempts/);
  h.advance(1_000);
  assert.deepEqual(commands((await late.send(OPER)).replies), ['381']);
});
