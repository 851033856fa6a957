// Core scenarios: server-side signature checks (docs/signing.md). A signed command from a session with a
// key must verify over the form that will be delivered, or it is refused 400 bad_signature and
// nothing of it is stored or delivered. (Signer, time, replay and keyless sessions:
// signature-claims.test.ts.)
import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import type { CommandInput } from '../../src/model/envelope.js';
import { generateSigningKey, signAs, verifyDelivered } from '../../src/shared/signing.js';
import { commands, makeHarness, type Harness, type TestClient } from '../helpers/core-harness.js';
import { signedPubkey, type Key } from '../helpers/signing.js';

let h: Harness;
beforeEach(async () => (h = await makeHarness()));
afterEach(async () => h.close());

/** alice (with a key announced) and bob share #a and #b; queues drained */
async function setup(): Promise<{ alice: TestClient; bob: TestClient; key: Key }> {
  const alice = await h.user('alice');
  const bob = await h.user('bob');
  const key = generateSigningKey();
  await alice.send({ command: 'JOIN', to: '#a,#b' });
  await bob.send({ command: 'JOIN', to: '#a,#b' });
  await alice.send(signedPubkey(key, 'alice', h.env.now()));
  await alice.drain();
  await bob.drain();
  return { alice, bob, key };
}

/** signed by alice now; each call a moment later, so equal inputs get distinct signatures */
let tick = 0;
const signed = (input: CommandInput, key: Key): CommandInput =>
  signAs(input, key.privateKey, 'alice', h.env.now() + tick++);

/** sends, expects 400 bad_signature with nothing stored, and returns the message */
async function refusedSignature(from: TestClient, input: CommandInput, ...others: TestClient[]) {
  const before = await h.store.latestSeq();
  const err = await from.refused(input);
  assert.deepEqual([err.status, err.code], [400, 'bad_signature'], JSON.stringify(input));
  assert.equal(await h.store.latestSeq(), before, 'no event stored');
  for (const c of [from, ...others]) assert.deepEqual(await c.drain(), [], 'nothing delivered');
  return err.message;
}

test('a good signature is accepted and delivered with meta intact; recipients can verify it', async () => {
  const { alice, bob, key } = await setup();
  const input = signed(
    { command: 'PRIVMSG', to: '#a', body: ['hi', 'there'], meta: { action: true } },
    key,
  );
  const res = await alice.send(input);
  const [env] = await bob.drain();
  assert.equal(env?.id, res.id);
  assert.deepEqual(env.meta, input.meta);
  assert.deepEqual(env.params, [], 'delivered with params defaulted');
  assert.ok(verifyDelivered(env, key.publicKey));
  // signed with params: [] explicitly, and to a nick: also fine
  await alice.send(signed({ command: 'PRIVMSG', to: 'bob', params: [], body: ['dm'] }, key));
  const [dm] = await bob.drain();
  assert.ok(dm && verifyDelivered(dm, key.publicKey));
});

test('tampered body, to or params: 400 bad_signature, nothing stored or delivered', async () => {
  const { alice, bob, key } = await setup();
  const good = signed({ command: 'PRIVMSG', to: '#a', params: ['p'], body: ['hi'] }, key);
  for (const tampered of [
    { ...good, body: ['hi!'] },
    { ...good, to: '#b' },
    { ...good, params: ['q'] },
    { ...good, params: undefined },
    { ...good, meta: { ...good.meta, action: true } },
    { ...good, command: 'NOTICE' },
  ]) {
    const why = await refusedSignature(alice, tampered, bob);
    assert.match(why, /does not verify/);
  }
  const other = generateSigningKey();
  await refusedSignature(alice, signed({ command: 'PRIVMSG', to: '#a', body: ['x'] }, other), bob);
  await alice.send(good);
  assert.deepEqual(commands(await bob.drain()), ['PRIVMSG'], 'the untampered one passes');
});

test('a refused signature with a txn: the retry answers the same 400 and stores nothing', async () => {
  const { alice, bob, key } = await setup();
  const bad = { ...signed({ command: 'PRIVMSG', to: '#a', body: ['x'] }, key), body: ['y'] };
  await refusedSignature(alice, { ...bad, txn: 't1' }, bob);
  await refusedSignature(alice, { ...bad, txn: 't1' }, bob);
});

test('malformed sig or alg from a session with a key: 400 bad_signature', async () => {
  const { alice, bob, key } = await setup();
  const good = signed({ command: 'PRIVMSG', to: '#a', body: ['x'] }, key);
  const sig = good.meta!.sig;
  for (const meta of [
    { sig },
    { sig, alg: 'rsa' },
    { alg: 'ed25519' },
    { sig: 1, alg: 'ed25519' },
  ]) {
    await refusedSignature(alice, { ...good, meta }, bob);
  }
});

test('unsigned messages are always accepted, also from a session with a key', async () => {
  const { alice, bob } = await setup();
  await alice.send({ command: 'PRIVMSG', to: '#a', body: ['plain'] });
  await bob.send({ command: 'PRIVMSG', to: '#a', body: ['plain too'], meta: { action: true } });
  const got = await alice.drain();
  assert.deepEqual(
    got.map((e) => [e.from, e.body, e.meta]),
    [
      ['alice', ['plain'], {}],
      ['bob', ['plain too'], { action: true }],
    ],
  );
});

test('the command counts in upper case: a signed lower-case command is refused', async () => {
  const { alice, bob, key } = await setup();
  const lower = signed({ command: 'privmsg', to: '#a', body: ['x'] }, key);
  const why = await refusedSignature(alice, lower, bob);
  assert.match(why, /upper case \("PRIVMSG"\)/);
  // signing the delivered (upper-case) form is what counts, however the verb was typed
  const upperSigned = signed({ command: 'PRIVMSG', to: '#a', body: ['y'] }, key);
  await alice.send({ ...upperSigned, command: 'privmsg' });
  const [env] = await bob.drain();
  assert.ok(env && verifyDelivered(env, key.publicKey));
});

test('a signed message to several targets is refused: each target gets its own `to`', async () => {
  const { alice, bob, key } = await setup();
  const why = await refusedSignature(
    alice,
    signed({ command: 'PRIVMSG', to: '#a,#b', body: ['x'] }, key),
    bob,
  );
  assert.match(why, /several targets/);
  const next = generateSigningKey();
  const twice = signedPubkey(next, 'alice', h.env.now(), { to: '#a,#b' });
  assert.match(await refusedSignature(alice, twice, bob), /several targets/);
});

test('key change: a PUBKEY signed with the new key replaces it; the old key is refused after', async () => {
  const { alice, bob, key } = await setup();
  const next = generateSigningKey();
  const announce = signedPubkey(next, 'alice', h.env.now(), { to: '#a' });
  await alice.send(announce);
  await alice.drain();
  const [env] = await bob.drain();
  assert.ok(env && verifyDelivered(env, next.publicKey), 'the proof verifies under the new key');
  await refusedSignature(alice, signed({ command: 'PRIVMSG', to: '#a', body: ['old'] }, key), bob);
  await alice.send(signed({ command: 'PRIVMSG', to: '#a', body: ['new'] }, next));
  await alice.drain();
  const [msg] = await bob.drain();
  assert.ok(msg && verifyDelivered(msg, next.publicKey));
  // a PUBKEY signed with another key than the one it announces (the current one, say) is
  // refused and changes nothing: the proof is of the announced key
  const third = generateSigningKey();
  const vouched = signAs(
    { command: 'PUBKEY', to: '#a', body: { alg: 'ed25519', key: third.publicKey } },
    next.privateKey,
    'alice',
    h.env.now(),
  );
  assert.match(await refusedSignature(alice, vouched, bob), /key this PUBKEY announces/);
  assert.equal((await h.store.getSession(alice.caller.sessionId))?.pubkey, next.publicKey);
});
