// Core scenarios: NICK, QUIT, DMs, devices, AWAY, idempotent txn.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import { hashToken } from '../../src/protocol/tokens.js';
import { commands, makeHarness, TestClient, texts, type Harness } from '../helpers/core-harness.js';
import { viaHttp } from '../helpers/http-view.js';

let h: Harness;
beforeEach(async () => (h = await makeHarness()));
afterEach(async () => h.close());

/** a further device of the same session (login arrives with a later issue) */
async function secondDevice(of: TestClient): Promise<TestClient> {
  const token = `device-${Math.random()}`;
  const client = await h.store.transaction((tx) =>
    tx.createClient({ sessionId: of.caller.sessionId, tokenHash: hashToken(token), createdAt: 0 }),
  );
  return new TestClient(
    h.core,
    h.delivery,
    { sessionId: of.caller.sessionId, clientId: client.id },
    token,
  );
}

test('nick rules at creation: 432 for bad syntax, 433 when taken (case-folded)', async () => {
  await h.user('Alice[1]');
  for (const bad of [
    '',
    '1abc',
    '-x',
    'a b',
    'a,b',
    'a*',
    'a?',
    'a!',
    'a@',
    'a#',
    'a:',
    'ä',
    'x'.repeat(33),
  ]) {
    await assert.rejects(h.core.createSession(bad), (e: { numeric?: string }) =>
      ['431', '432'].includes(e.numeric ?? ''),
    );
  }
  await assert.rejects(viaHttp(h.core.createSession('alice{1}')), { numeric: '433', status: 409 });
  await assert.rejects(h.core.createSession('ALICE[1]'), { numeric: '433' });
});

test('NICK reaches each session sharing a channel once, the own clients, nobody else', async () => {
  const alice = await h.user('alice');
  const alice2 = await secondDevice(alice);
  const bob = await h.user('bob');
  const carol = await h.user('carol');
  await alice.send({ command: 'JOIN', to: '#a,#b' });
  await bob.send({ command: 'JOIN', to: '#a,#b' });
  for (const c of [alice, alice2, bob, carol]) await c.drain();
  const res = await alice.send({ command: 'NICK', body: ['Alicia'] });
  for (const c of [alice, alice2, bob]) {
    const got = await c.drain();
    assert.deepEqual(commands(got), ['NICK'], 'exactly one NICK');
    assert.equal(got[0]!.from, 'alice');
    assert.deepEqual(got[0]!.body, ['Alicia']);
    assert.equal(got[0]!.id, res.id);
  }
  assert.deepEqual(await carol.drain(), []);
  assert.equal((await bob.refused({ command: 'NICK', body: ['ALICIA'] })).numeric, '433');
  assert.equal((await bob.refused({ command: 'NICK', body: ['9x'] })).numeric, '432');
  assert.equal((await bob.refused({ command: 'NICK' })).numeric, '431');
  const same = await alice.send({ command: 'NICK', body: ['Alicia'] });
  assert.equal(same.seq, null, 'same nick is a no-op');
  await alice.send({ command: 'NICK', params: ['alicia'] });
  const state = await h.core.state(alice.caller, false);
  assert.equal(state.nick, 'alicia', 'a case change is allowed');
});

test('NICK with no channels still reaches the own other clients', async () => {
  const alice = await h.user('alice');
  const alice2 = await secondDevice(alice);
  await alice.drain();
  await alice.send({ command: 'NICK', body: ['al'] });
  assert.deepEqual(commands(await alice2.drain()), ['NICK']);
});

test('QUIT reaches channel peers once, frees the nick, revokes every token', async () => {
  const alice = await h.user('alice');
  const alice2 = await secondDevice(alice);
  const bob = await h.user('bob');
  const carol = await h.user('carol');
  await alice.send({ command: 'JOIN', to: '#a,#b' });
  await bob.send({ command: 'JOIN', to: '#a,#b' });
  await bob.drain();
  await carol.drain();
  await alice.send({ command: 'QUIT', body: ['gone'] });
  const got = await bob.drain();
  assert.deepEqual(commands(got), ['QUIT']);
  assert.deepEqual(got[0]!.body, ['Quit: gone']);
  assert.deepEqual(await carol.drain(), []);
  assert.equal(await h.core.authenticate(alice.token), null);
  assert.equal(await h.core.authenticate(alice2.token), null);
  await h.user('alice'); // the nick is free again
  // the channels survive with bob in them
  const list = await h.core.listChannels(bob.caller, null).then((p) => p.items);
  assert.deepEqual(
    list.map((c) => [c.name, c.members]),
    [
      ['#a', 1],
      ['#b', 1],
    ],
  );
});

test('DMs reach every client of both sessions; self-DM once; 301 when away', async () => {
  const alice = await h.user('alice');
  const alice2 = await secondDevice(alice);
  const bob = await h.user('bob');
  const bob2 = await secondDevice(bob);
  const carol = await h.user('carol');
  for (const c of [alice, bob, carol]) await c.drain();
  await alice.send({ command: 'PRIVMSG', to: 'Bob', body: ['psst'] });
  for (const c of [alice, alice2, bob, bob2]) assert.deepEqual(texts(await c.drain()), ['psst']);
  assert.deepEqual(await carol.drain(), []);
  await alice.send({ command: 'PRIVMSG', to: 'alice', body: ['note to self'] });
  assert.deepEqual(texts(await alice2.drain()), ['note to self']);
  const away = await bob.send({ command: 'AWAY', body: ['lunch'] });
  assert.deepEqual(commands(away.replies), ['306']);
  const res = await alice.send({ command: 'PRIVMSG', to: 'bob', body: ['hello?'] });
  assert.deepEqual(commands(res.replies), ['301']);
  assert.deepEqual(res.replies[0]!.body, ['lunch']);
  assert.deepEqual(commands((await bob.send({ command: 'AWAY' })).replies), ['305']);
  const state = await h.core.state(alice.caller, false);
  assert.deepEqual(state.dms.sort(), ['alice', 'bob']);
  const dm = await h.core.history(bob.caller, { target: 'alice', before: null, limit: 50 });
  assert.deepEqual(texts(dm.messages), ['psst', 'hello?']);
  const none = await h.core.history(carol.caller, { target: 'alice', before: null, limit: 50 });
  assert.deepEqual(none.messages, [], 'DM history is scoped to the pair');
});

test('a retried txn returns the first answer and stores nothing new', async () => {
  const alice = await h.user('alice');
  const bob = await h.user('bob');
  await alice.send({ command: 'JOIN', to: '#c' });
  await bob.send({ command: 'JOIN', to: '#c' });
  await bob.drain();
  const first = await alice.send({ command: 'PRIVMSG', to: '#c', body: ['once'], txn: 't-1' });
  const again = await alice.send({ command: 'PRIVMSG', to: '#c', body: ['once'], txn: 't-1' });
  // the same answer; `stored` (for the transport, not the HTTP answer) says this call stored none
  assert.deepEqual(again, { ...first, stored: [] });
  assert.deepEqual(first.stored, [first.seq]);
  assert.deepEqual(texts(await bob.drain()), ['once']);
  const e1 = await alice.refused({ command: 'PRIVMSG', to: '#none', body: ['x'], txn: 't-2' });
  const e2 = await alice.refused({ command: 'PRIVMSG', to: '#none', body: ['x'], txn: 't-2' });
  assert.equal(e2.numeric, e1.numeric);
  assert.equal(e2.status, e1.status);
  assert.deepEqual(
    e2.replies.map((r) => r.id),
    e1.replies.map((r) => r.id),
  );
});

test('logout of one client keeps the session; of the last one ends it', async () => {
  const alice = await h.user('alice');
  const alice2 = await secondDevice(alice);
  const bob = await h.user('bob');
  await alice.send({ command: 'JOIN', to: '#c' });
  await bob.send({ command: 'JOIN', to: '#c' });
  await bob.drain();
  await h.core.logout(alice2.caller);
  assert.equal(await h.core.authenticate(alice2.token), null);
  assert.ok(await h.core.authenticate(alice.token));
  assert.deepEqual(await bob.drain(), []);
  await h.core.logout(alice.caller);
  assert.deepEqual(commands(await bob.drain()), ['QUIT']);
  assert.equal(await h.core.authenticate(alice.token), null);
});

test('revoking a client: only own clients (404 otherwise)', async () => {
  const alice = await h.user('alice');
  const alice2 = await secondDevice(alice);
  const bob = await h.user('bob');
  await assert.rejects(viaHttp(h.core.revokeClient(bob.caller, alice2.caller.clientId)), {
    status: 404,
    code: 'no_such_client',
  });
  const clients = await h.core.listClients(alice.caller);
  assert.deepEqual(
    clients.map((c) => c.current),
    [true, false],
  );
  await h.core.revokeClient(alice.caller, alice2.caller.clientId);
  assert.equal((await h.core.listClients(alice.caller)).length, 1);
});
