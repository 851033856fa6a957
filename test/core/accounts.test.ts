// Passwords and devices (docs/api.md, docs/sessions.md, docs/limits.md): /register, /login, PASS, always-on sessions, the
// failed-login limits and MAX_CLIENTS — against the real core and a real SQLite file.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import { Jobs } from '../../src/jobs/jobs.js';
import type { SessionCreated } from '../../src/model/api.js';
import {
  commands,
  makeHarness,
  TestClient,
  texts,
  type Harness,
  refusal,
} from '../helpers/core-harness.js';

let h: Harness;
beforeEach(async () => (h = await makeHarness()));
afterEach(async () => h.close());

const PW = 'correct horse battery';

function client(created: SessionCreated): TestClient {
  return new TestClient(
    h.core,
    h.delivery,
    { sessionId: created.id, clientId: created.client_id },
    created.token,
  );
}

const login = (nick: string, password: string, address = '10.0.0.1') =>
  h.core.login(nick, password, address);

test('register, then login attaches a second device that sees the welcome and channel state', async () => {
  const alice = client(await h.core.register('alice', PW));
  const bob = await h.user('bob');
  await alice.send({ command: 'JOIN', to: '#a' });
  await alice.send({ command: 'TOPIC', to: '#a', body: ['the topic'] });
  await bob.send({ command: 'JOIN', to: '#a' });
  await alice.send({ command: 'JOIN', to: '#b' });

  const created = await login('ALICE', PW);
  assert.equal(created.id, alice.caller.sessionId);
  assert.equal(created.nick, 'alice');
  assert.notEqual(created.client_id, alice.caller.clientId);
  assert.notEqual(created.token, alice.token);
  const phone = client(created);
  const burst = await phone.drain();
  const cmds = commands(burst);
  assert.deepEqual(cmds.slice(0, 5), ['001', '002', '003', '004', '005']);
  const replay = cmds.slice(cmds.indexOf('376'));
  assert.deepEqual(replay, ['376', 'JOIN', '332', '333', '353', '366', 'JOIN', '353', '366']);
  const names = burst.find((e) => e.command === '353' && e.params[1] === '#a');
  assert.deepEqual(names?.body, ['@alice bob']);
  // the phone's queue starts at login: nothing from before it
  assert.ok(!burst.some((e) => e.command === 'TOPIC'));
  // (the token authenticates as a new client of the same session)
  assert.deepEqual(await h.core.authenticate(created.token), phone.caller);
});

test('two devices of one session receive the same stream, each at its own pace', async () => {
  const laptop = client(await h.core.register('alice', PW));
  const phone = client(await login('alice', PW));
  const bob = await h.user('bob');
  await laptop.send({ command: 'JOIN', to: '#a' });
  await bob.send({ command: 'JOIN', to: '#a' });
  await laptop.drain();
  await phone.drain();
  for (let i = 0; i < 5; i++) await bob.send({ command: 'PRIVMSG', to: '#a', body: [`m${i}`] });
  await laptop.send({ command: 'PRIVMSG', to: 'bob', body: ['dm from the laptop'] });
  const onLaptop = await laptop.drain();
  // the phone has not read anything yet; the laptop's reading took nothing from it
  const onPhone = await phone.drain();
  assert.deepEqual(texts(onLaptop), ['m0', 'm1', 'm2', 'm3', 'm4', 'dm from the laptop']);
  assert.deepEqual(texts(onPhone), texts(onLaptop));
  assert.deepEqual(
    onPhone.map((e) => e.seq),
    onLaptop.map((e) => e.seq),
  );
});

test('unknown nick, anonymous session and wrong password answer alike: 401 invalid_credentials', async () => {
  await h.core.register('alice', PW);
  await h.user('bob');
  const answers = await Promise.all([
    refusal(login('nobody', PW)),
    refusal(login('bob', PW)),
    refusal(login('alice', PW + 'x')),
    refusal(login('alice', '')),
  ]);
  for (const err of answers) {
    assert.equal(err.status, 401);
    assert.equal(err.code, 'invalid_credentials');
    assert.equal(err.message, answers[0]?.message);
    assert.ok(err.headers['WWW-Authenticate']);
  }
});

test('register refuses short passwords and taken nicks, and then holds nothing', async () => {
  const short = await refusal(h.core.register('alice', 'seven77'));
  assert.equal(short.status, 400);
  assert.equal(short.code, 'invalid_password');
  assert.match(short.message, /8 characters/);
  // eight characters (not bytes): 'pässwörd' is fine
  const alice = await h.core.register('alice', 'pässwörd');
  assert.equal(alice.nick, 'alice');
  const taken = await refusal(h.core.register('Alice', PW));
  assert.equal(taken.numeric, '433');
  const bad = await refusal(h.core.register('1x', PW));
  assert.equal(bad.numeric, '432');
  assert.equal((await h.store.counts()).sessions, 1);
});

test('failed logins are limited per nick: 429 with Retry-After, even for the right password', async () => {
  await h.core.register('alice', PW);
  // harness: 3 failures per nick per minute
  for (let i = 0; i < 3; i++) {
    assert.equal((await refusal(login('alice', 'wrong-password', `10.0.0.${i}`))).status, 401);
  }
  const limited = await refusal(login('alice', PW, '10.0.0.9'));
  assert.equal(limited.status, 429);
  assert.equal(limited.code, 'too_many_failed_logins');
  const wait = Number(limited.headers['Retry-After']);
  assert.ok(wait >= 1 && wait <= 20, `Retry-After ${wait}`);
  // an unknown nick is limited the same way (no difference to probe for)
  for (let i = 0; i < 3; i++) await refusal(login('ghost', 'x', `10.0.1.${i}`));
  assert.equal((await refusal(login('ghost', 'x', '10.0.1.9'))).status, 429);
  // the other nicks are not affected
  await h.core.register('bob', PW);
  assert.ok((await login('bob', PW, '10.0.0.9')).token);
  h.advance(wait * 1000);
  assert.ok((await login('alice', PW, '10.0.0.9')).token);
});

test('failed logins are limited per address across nicks; right passwords do not count', async () => {
  await h.core.register('alice', PW);
  // successes give their attempt back: no lockout from a busy but honest address
  await login('alice', PW, '192.0.2.1');
  // harness: 5 failures per address per minute
  for (let i = 0; i < 5; i++) {
    assert.equal((await refusal(login(`nick${i}`, 'nope-nope', '192.0.2.1'))).status, 401);
  }
  const limited = await refusal(login('alice', PW, '192.0.2.1'));
  assert.equal(limited.status, 429);
  // another address still logs in
  assert.ok((await login('alice', PW, '192.0.2.2')).token);
});

test('parallel guesses cannot all slip past the limit while hashing', async () => {
  await h.core.register('alice', PW);
  const results = await Promise.all(
    Array.from({ length: 8 }, (_, i) => refusal(login('alice', `guess-${i}-xx`, `10.1.0.${i}`))),
  );
  const statuses = results.map((e) => e.status).sort();
  assert.deepEqual(statuses, [401, 401, 401, 429, 429, 429, 429, 429]);
});

test('MAX_CLIENTS caps the devices of a session; revoking one makes room', async () => {
  const first = client(await h.core.register('alice', PW)); // harness: 3 clients
  await login('alice', PW);
  const third = await login('alice', PW);
  const full = await refusal(login('alice', PW));
  assert.equal(full.status, 403);
  assert.equal(full.code, 'too_many_clients');
  assert.match(full.message, /MAX_CLIENTS/);
  assert.equal((await h.core.listClients(first.caller)).length, 3);
  await h.core.revokeClient(first.caller, third.client_id);
  assert.ok((await login('alice', PW)).token);
});

test('PASS sets a password (then login works), changing it needs the old one', async () => {
  const alice = await h.user('alice');
  assert.equal((await refusal(login('alice', PW))).status, 401);
  const short = await alice.refused({ command: 'PASS', body: ['short'] });
  assert.equal(short.numeric, '461');
  assert.equal(short.status, 400);
  const none = await alice.refused({ command: 'PASS' });
  assert.equal(none.numeric, '461');
  const notYet = await alice.refused({ command: 'PASS', body: ['old-password', PW] });
  assert.equal(notYet.numeric, '464');
  const set = await alice.send({ command: 'PASS', body: [PW] });
  assert.equal(set.replies[0]?.command, 'NOTICE');
  assert.match(String((set.replies[0]?.body as string[])[0]), /Password set/);
  assert.ok((await login('alice', PW)).token);

  const again = await alice.refused({ command: 'PASS', body: ['new-password-1'] });
  assert.equal(again.numeric, '464');
  assert.equal(again.status, 403);
  const wrongOld = await alice.refused({ command: 'PASS', body: ['not-the-old-one', 'new-pw-2'] });
  assert.equal(wrongOld.numeric, '464');
  await alice.send({ command: 'PASS', body: [PW, 'new-password-3'] });
  assert.equal((await refusal(login('alice', PW, '10.9.9.9'))).code, 'invalid_credentials');
  assert.ok((await login('alice', 'new-password-3')).token);
  // the refusal numerics reached the caller's queue; the passwords never did
  const queued = JSON.stringify(await alice.drain());
  assert.ok(queued.includes('"464"'));
  for (const secret of [PW, 'new-password-3', 'not-the-old-one']) {
    assert.ok(!queued.includes(secret), `queue mentions ${secret}`);
  }
});

test('a session with a password is always-on: it keeps nick and channels with no client', async () => {
  const alice = client(await h.core.register('alice', PW));
  const bob = await h.user('bob');
  await alice.send({ command: 'JOIN', to: '#a' });
  await bob.send({ command: 'JOIN', to: '#a' });
  await alice.send({ command: 'AWAY', body: ['gone fishing'] });
  await h.core.logout(alice.caller);
  assert.equal(await h.core.authenticate(alice.token), null);
  assert.equal((await h.store.counts()).clients, 1); // bob's
  // the nick is held; the channel still lists alice; messages to her are kept
  assert.equal((await refusal(h.core.createSession('alice'))).numeric, '433');
  const members = await h.core.listMembers(bob.caller, '#a', null).then((p) => p.items);
  assert.deepEqual(
    members.map((m) => m.nick),
    ['alice', 'bob'],
  );
  await bob.send({ command: 'PRIVMSG', to: '#a', body: ['while you were out'] });
  await bob.send({ command: 'PRIVMSG', to: 'alice', body: ['a DM too'] });
  const back = client(await login('alice', PW));
  const burst = await back.drain();
  assert.ok(commands(burst).includes('JOIN'));
  assert.ok(commands(burst).includes('306'), 'away status is part of the burst');
  const hist = await h.core.history(back.caller, { target: '#a', before: null, limit: 10 });
  assert.deepEqual(texts(hist.messages), ['while you were out']);
  const dms = await h.core.history(back.caller, { target: 'bob', before: null, limit: 10 });
  assert.deepEqual(texts(dms.messages), ['a DM too']);
});

test('ACCOUNT_IDLE_TIMEOUT ends an always-on session with no client like QUIT', async () => {
  const alice = client(await h.core.register('alice', PW));
  const bob = await h.user('bob');
  await alice.send({ command: 'JOIN', to: '#a' });
  await bob.send({ command: 'JOIN', to: '#a' });
  await h.core.logout(alice.caller);
  await bob.drain();
  const hour = 3_600_000;
  const jobs = new Jobs(
    h.core,
    h.store,
    {
      intervalMs: 60_000,
      sessionIdleMs: 24 * hour,
      accountIdleMs: 720 * hour,
      queueMaxAgeMs: 48 * hour,
      maxHistory: 100,
    },
    (err) => assert.fail(String(err)),
    () => h.env.now(),
  );
  // bob stays active; alice's session waits without clients
  h.advance(700 * hour);
  await h.core.authenticate(bob.token);
  let report = await jobs.runOnce();
  assert.equal(report.sessionsEnded, 0);
  assert.ok(await h.store.getSession(alice.caller.sessionId));
  h.advance(21 * hour);
  await h.core.authenticate(bob.token);
  report = await jobs.runOnce();
  assert.equal(report.sessionsEnded, 1);
  assert.equal(await h.store.getSession(alice.caller.sessionId), null);
  const got = await bob.drain();
  assert.deepEqual(commands(got), ['QUIT']);
  assert.equal(got[0]?.from, 'alice');
  assert.equal((await refusal(login('alice', PW))).code, 'invalid_credentials');
});
