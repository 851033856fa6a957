// Core scenarios: PUBKEY (SPEC §4, §11) stores the session's key and relays the announcement to a
// nick, to a channel, or once per channel the session is in; bad bodies store nothing.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import { generateSigningKey } from '../../src/shared/signing.js';
import { commands, makeHarness, type Harness, type TestClient } from '../helpers/core-harness.js';

let h: Harness;
beforeEach(async () => (h = await makeHarness()));
afterEach(async () => h.close());

const KEY = generateSigningKey().publicKey;
const announce = (key = KEY) => ({ alg: 'ed25519', key });

async function storedKey(c: TestClient): Promise<string | null | undefined> {
  return (await h.store.getSession(c.caller.sessionId))?.pubkey;
}

/** users who have drained their welcome bursts */
async function users(...nicks: string[]): Promise<TestClient[]> {
  const out: TestClient[] = [];
  for (const nick of nicks) out.push(await h.user(nick));
  return out;
}

async function drainAll(...clients: TestClient[]): Promise<void> {
  for (const c of clients) await c.drain();
}

test('PUBKEY to a nick: both sessions get it like a DM, body and meta as sent; key stored', async () => {
  const [alice, bob, carol] = await users('alice', 'bob', 'carol');
  await drainAll(alice!, bob!, carol!);
  // members in another order than the server would write them: stored as sent
  const body = { key: KEY, alg: 'ed25519' };
  const res = await alice!.send({ command: 'pubkey', to: 'Bob', body, meta: { note: 'hi' } });
  assert.ok(res.id);
  for (const c of [alice!, bob!]) {
    const got = await c.drain();
    assert.deepEqual(commands(got), ['PUBKEY']);
    const env = got[0]!;
    assert.equal(env.id, res.id);
    assert.deepEqual(
      [env.from, env.to, env.params, env.meta],
      ['alice', 'Bob', [], { note: 'hi' }],
    );
    assert.equal(JSON.stringify(env.body), JSON.stringify(body));
  }
  assert.deepEqual(await carol!.drain(), []);
  assert.equal(await storedKey(alice!), KEY);
  assert.equal(await storedKey(bob!), null);
  assert.deepEqual((await h.core.state(bob!.caller, false)).dms, [], 'a key opens no DM window');
});

test('PUBKEY to a channel: like PRIVMSG, members only on +n (key not stored when refused)', async () => {
  const [alice, bob, carol] = await users('alice', 'bob', 'carol');
  await alice!.send({ command: 'JOIN', to: '#a' });
  await bob!.send({ command: 'JOIN', to: '#a' });
  await drainAll(alice!, bob!, carol!);
  const res = await alice!.send({ command: 'PUBKEY', to: '#A', body: announce() });
  for (const c of [alice!, bob!]) {
    const got = await c.drain();
    assert.deepEqual(
      got.map((e) => [e.command, e.from, e.to, e.id]),
      [['PUBKEY', 'alice', '#A', res.id]],
    );
  }
  const err = await carol!.refused({ command: 'PUBKEY', to: '#a', body: announce() });
  assert.deepEqual([err.status, err.numeric], [403, '404']);
  assert.equal(await storedKey(carol!), null, 'a refused announcement changes no key');
  assert.deepEqual(commands(await bob!.drain()), []);
  const ghost = await carol!.refused({ command: 'PUBKEY', to: 'ghost', body: announce() });
  assert.equal(ghost.numeric, '401');
  assert.equal(await storedKey(carol!), null);
});

test('PUBKEY without to: one per channel, each with to = that channel; none without channels', async () => {
  const [alice, bob, carol] = await users('alice', 'bob', 'carol');
  const lone = await alice!.send({ command: 'PUBKEY', body: announce() });
  assert.deepEqual(lone, { id: null, seq: null, replies: [] });
  assert.equal(await storedKey(alice!), KEY, 'stored even with nobody to tell');
  await alice!.send({ command: 'JOIN', to: '#a,#b' });
  await bob!.send({ command: 'JOIN', to: '#a' });
  await carol!.send({ command: 'JOIN', to: '#b' });
  await drainAll(alice!, bob!, carol!);
  const key2 = generateSigningKey().publicKey;
  const res = await alice!.send({ command: 'PUBKEY', body: announce(key2) });
  const mine = await alice!.drain();
  assert.deepEqual(
    mine.map((e) => [e.command, e.to]),
    [
      ['PUBKEY', '#a'],
      ['PUBKEY', '#b'],
    ],
  );
  assert.equal(res.id, mine[0]!.id, 'the answer names the first one');
  assert.deepEqual(
    (await bob!.drain()).map((e) => [e.command, e.to]),
    [['PUBKEY', '#a']],
  );
  assert.deepEqual(
    (await carol!.drain()).map((e) => [e.command, e.to]),
    [['PUBKEY', '#b']],
  );
  assert.equal(await storedKey(alice!), key2);
  // the same key again is fine, and relayed again
  await alice!.send({ command: 'PUBKEY', body: announce(key2) });
  assert.deepEqual(commands(await bob!.drain()), ['PUBKEY']);
});

test('PUBKEY with a bad body: 400 invalid_pubkey, nothing stored or relayed', async () => {
  const [alice, bob] = await users('alice', 'bob');
  await alice!.send({ command: 'JOIN', to: '#a' });
  await bob!.send({ command: 'JOIN', to: '#a' });
  await drainAll(alice!, bob!);
  const raw = Buffer.from(KEY, 'base64');
  const bad: unknown[] = [
    undefined,
    [KEY],
    { alg: 'rsa', key: KEY },
    { key: KEY },
    { alg: 'ed25519' },
    { alg: 'ed25519', key: 'not base64!' },
    { alg: 'ed25519', key: raw.toString('base64url') },
    { alg: 'ed25519', key: raw.subarray(0, 31).toString('base64') },
    { alg: 'ed25519', key: Buffer.concat([raw, raw]).toString('base64') },
    { alg: 'ed25519', key: KEY, extra: 1 },
    { alg: 'ed25519', key: 42 },
  ];
  const before = await h.store.latestSeq();
  for (const body of bad) {
    const err = await alice!.refused({ command: 'PUBKEY', body: body as never });
    assert.deepEqual([err.status, err.code], [400, 'invalid_pubkey'], JSON.stringify(body));
    assert.ok(err.message.length > 10, 'says what is wrong');
  }
  assert.equal(await h.store.latestSeq(), before, 'no event stored');
  assert.equal(await storedKey(alice!), null);
  assert.deepEqual(await bob!.drain(), []);
});

test('the members list shows each member’s key (null when none)', async () => {
  const [alice, bob] = await users('alice', 'bob');
  await alice!.send({ command: 'JOIN', to: '#a' });
  await alice!.send({ command: 'PUBKEY', body: announce() });
  await bob!.send({ command: 'JOIN', to: '#a' });
  const members = await h.core.listMembers(bob!.caller, '#a', null).then((p) => p.items);
  assert.deepEqual(
    members.map((m) => [m.nick, m.pubkey]),
    [
      ['alice', KEY],
      ['bob', null],
    ],
  );
});
