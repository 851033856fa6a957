// Core scenarios: PUBKEY (docs/commands.md, docs/signing.md) stores the session's key and relays the announcement to a
// nick, to a channel (who may speak there: +n, +m, bans), or once per channel the session is in;
// bad bodies store nothing. Every PUBKEY is signed with the key it announces (proof of
// possession; the refusals are in signature-claims.test.ts).
import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import type { CommandInput } from '../../src/model/envelope.js';
import { generateSigningKey, signAs } from '../../src/shared/signing.js';
import { commands, makeHarness, type Harness, type TestClient } from '../helpers/core-harness.js';
import { signedPubkey } from '../helpers/signing.js';

let h: Harness;
beforeEach(async () => (h = await makeHarness()));
afterEach(async () => h.close());

const PAIR = generateSigningKey();
const KEY = PAIR.publicKey;
let tick = 0;
/** `c`'s PUBKEY of PAIR (or `pair`), signed as `nick`, a millisecond after the last one */
const pubkey = (nick: string, extra: Partial<CommandInput> = {}, pair = PAIR): CommandInput =>
  signedPubkey(pair, nick, h.env.now() + tick++, extra);

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
  const sent = signAs(
    { command: 'PUBKEY', to: 'Bob', body, meta: { note: 'hi' } },
    PAIR.privateKey,
    'alice',
    h.env.now(),
  );
  const res = await alice!.send({ ...sent, command: 'pubkey' });
  assert.ok(res.id);
  for (const c of [alice!, bob!]) {
    const got = await c.drain();
    assert.deepEqual(commands(got), ['PUBKEY']);
    const env = got[0]!;
    assert.equal(env.id, res.id);
    assert.deepEqual([env.from, env.to, env.params, env.meta], ['alice', 'Bob', [], sent.meta]);
    assert.equal(JSON.stringify(env.body), JSON.stringify(body));
    assert.equal(JSON.stringify(env.meta), JSON.stringify(sent.meta), 'meta in its order');
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
  const res = await alice!.send(pubkey('alice', { to: '#A' }));
  for (const c of [alice!, bob!]) {
    const got = await c.drain();
    assert.deepEqual(
      got.map((e) => [e.command, e.from, e.to, e.id]),
      [['PUBKEY', 'alice', '#A', res.id]],
    );
  }
  const err = await carol!.refused(pubkey('carol', { to: '#a' }));
  assert.deepEqual([err.status, err.numeric], [403, '404']);
  assert.equal(await storedKey(carol!), null, 'a refused announcement changes no key');
  assert.deepEqual(commands(await bob!.drain()), []);
  const ghost = await carol!.refused(pubkey('carol', { to: 'ghost' }));
  assert.equal(ghost.numeric, '401');
  assert.equal(await storedKey(carol!), null);
});

test('PUBKEY without to: one per channel, each with to = that channel; none without channels', async () => {
  const [alice, bob, carol] = await users('alice', 'bob', 'carol');
  const lone = await alice!.send(pubkey('alice'));
  assert.deepEqual(lone, { id: null, seq: null, replies: [], stored: [] });
  assert.equal(await storedKey(alice!), KEY, 'stored even with nobody to tell');
  await alice!.send({ command: 'JOIN', to: '#a,#b' });
  await bob!.send({ command: 'JOIN', to: '#a' });
  await carol!.send({ command: 'JOIN', to: '#b' });
  await drainAll(alice!, bob!, carol!);
  const pair2 = generateSigningKey();
  const key2 = pair2.publicKey;
  const res = await alice!.send(pubkey('alice', {}, pair2));
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
  // the same key again (a new proof) is fine, and relayed again
  await alice!.send(pubkey('alice', {}, pair2));
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
  await alice!.send(pubkey('alice'));
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

test('PUBKEY to a channel obeys +m and bans like PRIVMSG; voiced members and ops speak', async () => {
  const [alice, bob, carol] = await users('alice', 'bob', 'carol');
  await alice!.send({ command: 'JOIN', to: '#m' }); // alice is op
  await bob!.send({ command: 'JOIN', to: '#m' });
  await carol!.send({ command: 'JOIN', to: '#m' });
  await alice!.send({ command: 'MODE', to: '#m', params: ['+m'] });
  await drainAll(alice!, bob!, carol!);
  const moderated = await bob!.refused(pubkey('bob', { to: '#m' }));
  assert.deepEqual([moderated.status, moderated.numeric], [403, '404']);
  assert.match(moderated.message, /\+m/);
  assert.equal(await storedKey(bob!), null);
  await alice!.send(pubkey('alice', { to: '#m' }));
  assert.deepEqual(commands(await carol!.drain()), ['PUBKEY'], 'an op speaks through +m');
  await alice!.send({ command: 'MODE', to: '#m', params: ['+v', 'bob'] });
  await bob!.send(pubkey('bob', { to: '#m' }));
  assert.deepEqual(commands(await carol!.drain()), ['MODE', 'PUBKEY'], 'voiced: heard');
  await alice!.send({ command: 'MODE', to: '#m', params: ['-m'] });
  await alice!.send({ command: 'MODE', to: '#m', params: ['+b', 'carol'] });
  await drainAll(alice!, bob!, carol!);
  const banned = await carol!.refused(pubkey('carol', { to: '#m' }));
  assert.deepEqual([banned.numeric, banned.message], ['404', 'Cannot send to channel (+b)']);
  assert.deepEqual(commands(await bob!.drain()), []);
});

test('PUBKEY without to: no announcement where the caller cannot speak, a 404 each, key stored', async () => {
  const [alice, bob, carol] = await users('alice', 'bob', 'carol');
  await alice!.send({ command: 'JOIN', to: '#open,#mod,#ban' });
  await bob!.send({ command: 'JOIN', to: '#open,#mod,#ban' });
  await carol!.send({ command: 'JOIN', to: '#open,#mod,#ban' });
  await alice!.send({ command: 'MODE', to: '#mod', params: ['+m'] });
  await alice!.send({ command: 'MODE', to: '#ban', params: ['+b', 'bob'] });
  await drainAll(alice!, bob!, carol!);
  const res = await bob!.send(pubkey('bob'));
  assert.deepEqual(
    res.replies.map((r) => [r.command, r.params, r.body]),
    [
      ['404', ['#ban'], ['Cannot send to channel (+b)']],
      ['404', ['#mod'], ['Cannot send to channel (+m)']],
    ],
  );
  assert.deepEqual(
    (await carol!.drain()).map((e) => [e.command, e.to]),
    [['PUBKEY', '#open']],
  );
  assert.equal(await storedKey(bob!), KEY, 'stored: #open and the members list carry it');
  // nowhere to speak: no announcement at all, and still stored
  const pair2 = generateSigningKey();
  await alice!.send({ command: 'MODE', to: '#open', params: ['+m'] });
  await drainAll(alice!, bob!, carol!);
  const none = await bob!.send(pubkey('bob', {}, pair2));
  assert.deepEqual(commands(none.replies), ['404', '404', '404']);
  assert.equal(none.id, null);
  assert.deepEqual(await carol!.drain(), []);
  assert.equal(await storedKey(bob!), pair2.publicKey);
});
