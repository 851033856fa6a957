// What a connection-oriented transport asks of the core (core-contract.ts ConnectedClients):
// keepAlive as authenticate's throttled last_seen, and disconnect, which keeps a device client,
// deletes any other and ends a session without a password with its last client, as QUIT.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import type { SessionCreated } from '../../src/model/api.js';
import type { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import {
  commands,
  makeHarness,
  refusal,
  T0,
  TestClient,
  type Harness,
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

const lastSeen = async (c: TestClient) => (await h.store.getClient(c.caller.clientId))?.lastSeen;

test('keepAlive writes last_seen (client and session) at most every 2 s', async () => {
  const alice = await h.user('alice');
  h.advance(1_000);
  await h.core.keepAlive(alice.caller);
  assert.equal(await lastSeen(alice), T0, 'too soon');
  h.advance(1_000);
  await h.core.keepAlive(alice.caller);
  assert.equal(await lastSeen(alice), T0 + 2_000);
  assert.equal((await h.store.getSession(alice.caller.sessionId))?.lastSeen, T0 + 2_000);
  h.advance(1_999);
  await h.core.keepAlive(alice.caller);
  assert.equal(await lastSeen(alice), T0 + 2_000);
  // authenticate shares the same throttle
  h.advance(1);
  await h.core.authenticate(alice.token);
  assert.equal(await lastSeen(alice), T0 + 4_000);
  h.advance(1_000);
  await h.core.keepAlive(alice.caller);
  assert.equal(await lastSeen(alice), T0 + 4_000);
});

test('keepAlive and saveCursor go on quietly while the store cannot write', async () => {
  const alice = await h.user('alice');
  await h.core.register('bob', PW);
  const phone = client(await h.core.loginDevice('bob', PW, '10.0.0.1', 'phone'));
  const cursor = (await h.store.getClient(phone.caller.clientId))?.cursor;
  const store = h.store as SqliteStore;
  store.writerPragma('query_only = ON');
  h.advance(5_000);
  await h.core.keepAlive(alice.caller);
  await h.core.saveCursor(phone.caller, cursor! + 3);
  store.writerPragma('query_only = OFF');
  assert.equal(await lastSeen(alice), T0);
  assert.equal((await h.store.getClient(phone.caller.clientId))?.cursor, cursor);
});

test('keepAlive for a gone client, or one of another session, writes nothing and throws nothing', async () => {
  const alice = await h.user('alice');
  const bob = await h.user('bob');
  h.advance(5_000);
  await h.core.keepAlive({ sessionId: bob.caller.sessionId, clientId: alice.caller.clientId });
  assert.equal(await lastSeen(alice), T0);
  await h.core.logout(alice.caller);
  await h.core.keepAlive(alice.caller);
});

test('disconnect keeps a device client: token, cursor and session stay', async () => {
  const alice = client(await h.core.register('alice', PW));
  const phone = client(await h.core.loginDevice('alice', PW, '10.0.0.1', 'phone'));
  await h.core.saveCursor(phone.caller, (await h.store.latestSeq()) - 1);
  const before = await h.store.getClient(phone.caller.clientId);
  await h.core.disconnect(phone.caller, 'Ping timeout');
  assert.deepEqual(await h.store.getClient(phone.caller.clientId), before);
  assert.deepEqual(await h.core.authenticate(phone.token), phone.caller);
  assert.equal((await h.core.listClients(alice.caller)).length, 2);
});

test('disconnect deletes any other client; a session with a password stays (always-on)', async () => {
  const alice = client(await h.core.register('alice', PW));
  const bob = await h.user('bob');
  await alice.send({ command: 'JOIN', to: '#a' });
  await bob.send({ command: 'JOIN', to: '#a' });
  await bob.drain();
  await h.core.disconnect(alice.caller, 'Connection closed');
  assert.equal(await h.store.getClient(alice.caller.clientId), null);
  assert.equal(await h.core.authenticate(alice.token), null);
  assert.ok(await h.store.getSession(alice.caller.sessionId));
  assert.deepEqual(await bob.drain(), [], 'no QUIT');
});

test('disconnect of one of two clients of an anonymous session ends nothing', async () => {
  const alice = await h.user('alice');
  const other = await h.device(alice);
  await h.core.disconnect(alice.caller, 'Connection closed');
  assert.equal(await h.store.getClient(alice.caller.clientId), null);
  assert.ok(await h.store.getSession(alice.caller.sessionId));
  assert.deepEqual(await h.core.authenticate(other.token), other.caller);
});

test('disconnect of the last client of an anonymous session ends it as QUIT with the reason', async () => {
  const alice = await h.user('alice');
  const bob = await h.user('bob');
  await alice.send({ command: 'JOIN', to: '#a' });
  await bob.send({ command: 'JOIN', to: '#a' });
  await bob.drain();
  await h.core.disconnect(alice.caller, 'Ping timeout: 120 seconds');
  const got = await bob.drain();
  assert.deepEqual(commands(got), ['QUIT']);
  assert.equal(got[0]?.from, 'alice');
  assert.deepEqual(got[0]?.body, ['Ping timeout: 120 seconds']);
  assert.equal(got[0]?.source, `alice!~alice@s${alice.caller.sessionId}.test.chat`);
  assert.equal(await h.store.getSession(alice.caller.sessionId), null);
  assert.equal(await h.core.authenticate(alice.token), null);
  assert.ok((await h.core.createSession('alice')).token, 'the nick is free again');
});

test('disconnect when the client or the session is gone already is fine', async () => {
  const alice = await h.user('alice');
  const bob = await h.user('bob');
  await alice.send({ command: 'QUIT', body: ['bye'] });
  await h.core.disconnect(alice.caller, 'Connection closed');
  const other = await h.device(bob);
  await h.core.revokeClient(bob.caller, other.caller.clientId);
  await h.core.disconnect(other.caller, 'Connection closed');
  assert.ok(await h.store.getSession(bob.caller.sessionId), 'a revoked client ends nothing more');
  // a caller naming a client of another session touches neither
  const carol = await h.user('carol');
  await h.core.disconnect(
    { sessionId: bob.caller.sessionId, clientId: carol.caller.clientId },
    'x',
  );
  assert.deepEqual(await h.core.authenticate(carol.token), carol.caller);
  assert.deepEqual(await h.core.authenticate(bob.token), bob.caller);
  assert.equal((await refusal(h.core.createSession('bob'))).numeric, '433');
});
