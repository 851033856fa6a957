// Core scenarios: what binds a signature to its sender and its time (docs/signing.md). A signed message
// from a session without a key is `no_key`; `meta.signer` must fold to the sender's nick
// (`bad_signer`); `meta.ts` must be within 5 minutes of the server's clock (`stale_signature`); a
// signature is accepted once (`replayed_signature`). Each refusal is a 400 that stores nothing.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import type { CommandInput } from '../../src/model/envelope.js';
import { SIGNATURE_WINDOW_MS } from '../../src/shared/signed-meta.js';
import { generateSigningKey, signMessage } from '../../src/shared/signing.js';
import { commands, makeHarness, type Harness, type TestClient } from '../helpers/core-harness.js';
import { signedBy, signedPubkey, type Key } from '../helpers/signing.js';

let h: Harness;
beforeEach(async () => (h = await makeHarness()));
afterEach(async () => h.close());

const MIN = 60_000;

/** alice (key announced) and bob (no key) share #a; queues drained */
async function setup(): Promise<{ alice: TestClient; bob: TestClient; key: Key }> {
  const alice = await h.user('alice');
  const bob = await h.user('bob');
  const key = generateSigningKey();
  await alice.send({ command: 'JOIN', to: '#a' });
  await bob.send({ command: 'JOIN', to: '#a' });
  await alice.send(signedPubkey(key, 'alice', h.env.now()));
  await alice.drain();
  await bob.drain();
  return { alice, bob, key };
}

const hello = (text = 'hello'): CommandInput => ({ command: 'PRIVMSG', to: '#a', body: [text] });

/** sends, expects 400 `code` with nothing stored or delivered; returns the message */
async function refused(
  from: TestClient,
  input: CommandInput,
  code: string,
  ...others: TestClient[]
) {
  const before = await h.store.latestSeq();
  const err = await from.refused(input);
  assert.deepEqual([err.status, err.code], [400, code], JSON.stringify(input.meta));
  assert.equal(await h.store.latestSeq(), before, 'no event stored');
  for (const c of [from, ...others]) assert.deepEqual(await c.drain(), [], 'nothing delivered');
  return err.message;
}

test('a signed message from a session that announced no key: 400 no_key', async () => {
  const { alice, bob, key } = await setup();
  // bob passes on a message alice signed (exactly as it was delivered to him)
  await alice.send(signedBy(key, 'alice', h.env.now(), hello('from alice')));
  const [original] = await bob.drain();
  await alice.drain();
  const copy = { command: 'PRIVMSG', to: '#a', body: original!.body, meta: original!.meta };
  assert.match(await refused(bob, copy, 'no_key', alice), /no signing key/);
  // also with bob's own name and a fresh time, and a lone alg: signed, so it needs a key
  const own = signedBy(generateSigningKey(), 'bob', h.env.now(), hello('mine'));
  await refused(bob, own, 'no_key', alice);
  await refused(bob, { ...hello(), meta: { alg: 'ed25519' } }, 'no_key', alice);
  await bob.send(hello('unsigned is fine'));
  assert.deepEqual(commands(await alice.drain()), ['PRIVMSG']);
});

test('meta.signer must fold to the sender’s current nick: 400 bad_signer', async () => {
  const { alice, bob, key } = await setup();
  const now = h.env.now();
  const withoutSigner = signMessage({ ...hello(), meta: { ts: now } }, key.privateKey);
  assert.match(await refused(alice, withoutSigner, 'bad_signer', bob), /meta\.signer/);
  const asBob = signedBy(key, 'bob', now, hello());
  assert.match(await refused(alice, asBob, 'bad_signer', bob), /current nick \(alice\)/);
  await alice.send(signedBy(key, 'ALICE', now, hello('folded')));
  assert.deepEqual(commands(await bob.drain()), ['PRIVMSG'], 'the nick folds (rfc1459)');
  // after NICK, the old nick no longer signs
  await alice.send({ command: 'NICK', body: ['alicia'] });
  await alice.drain();
  await bob.drain();
  await refused(alice, signedBy(key, 'alice', now + 1, hello('old name')), 'bad_signer', bob);
  await alice.send(signedBy(key, 'alicia', now + 2, hello('new name')));
  assert.deepEqual(commands(await bob.drain()), ['PRIVMSG']);
});

test('meta.ts must be an integer within 5 minutes of the server clock: 400 stale_signature', async () => {
  const { alice, bob, key } = await setup();
  const now = h.env.now();
  assert.equal(SIGNATURE_WINDOW_MS, 5 * MIN);
  const noTs = signMessage({ ...hello(), meta: { signer: 'alice' } }, key.privateKey);
  assert.match(await refused(alice, noTs, 'stale_signature', bob), /must carry meta\.ts/);
  for (const ts of [String(now), now + 0.5, null]) {
    const odd = signMessage({ ...hello(), meta: { signer: 'alice', ts } }, key.privateKey);
    await refused(alice, odd, 'stale_signature', bob);
  }
  const late = signedBy(key, 'alice', now - 5 * MIN - 1, hello());
  assert.match(await refused(alice, late, 'stale_signature', bob), /-300 s from the server/);
  await refused(alice, signedBy(key, 'alice', now + 5 * MIN + 1, hello()), 'stale_signature', bob);
  await alice.send(signedBy(key, 'alice', now - 5 * MIN, hello('edge, past')));
  await alice.send(signedBy(key, 'alice', now + 5 * MIN, hello('edge, future')));
  assert.deepEqual(commands(await bob.drain()), ['PRIVMSG', 'PRIVMSG']);
});

test('a signature is accepted once: 400 replayed_signature; a retried txn answers as before', async () => {
  const { alice, bob, key } = await setup();
  const once = signedBy(key, 'alice', h.env.now(), hello('once'));
  const first = await alice.send({ ...once, txn: 't1' });
  assert.deepEqual(commands(await bob.drain()), ['PRIVMSG']);
  await alice.drain();
  // the lost-answer retry: same txn, the first answer, nothing stored again
  assert.deepEqual(await alice.send({ ...once, txn: 't1' }), { ...first, stored: [] });
  await refused(alice, once, 'replayed_signature', bob);
  assert.match(
    await refused(alice, { ...once, txn: 't2' }, 'replayed_signature', bob),
    /already accepted/,
  );
  // the same text signed again (a later ts) is a new signature
  await alice.send(signedBy(key, 'alice', h.env.now() + 1, hello('once')));
  assert.deepEqual(commands(await bob.drain()), ['PRIVMSG']);
  await alice.drain();
  // once the window is over it is stale, also after the retention job forgot the record
  h.advance(SIGNATURE_WINDOW_MS + 1);
  await refused(alice, once, 'stale_signature', bob);
  await h.store.prune({
    now: h.env.now() + 10 * MIN,
    queueMaxAgeMs: 1e12,
    maxHistory: 1e6,
    txnMaxAgeMs: 1e12,
  });
  await refused(alice, once, 'stale_signature', bob);
});

test('a refused signature is not spent; one whose only target refused the message is', async () => {
  const { alice, bob, key } = await setup();
  const tampered = { ...signedBy(key, 'alice', h.env.now(), hello('x')), body: ['y'] };
  await refused(alice, tampered, 'bad_signature', bob);
  // rolled back with its command: the untampered original still passes
  const original = { ...tampered, body: ['x'] };
  await alice.send(original);
  assert.deepEqual(commands(await bob.drain()), ['PRIVMSG']);
  // to a nick that does not exist: 401 among the replies, the request is answered for good
  const toGhost = signedBy(key, 'alice', h.env.now() + 1, {
    command: 'PRIVMSG',
    to: 'ghost',
    body: ['boo'],
  });
  assert.equal((await alice.refused(toGhost)).numeric, '401');
  await h.user('ghost');
  await alice.drain();
  await refused(alice, toGhost, 'replayed_signature', bob);
});

test('PUBKEY proves possession: unsigned, borrowed, replayed or stale announcements are refused', async () => {
  const { alice, bob, key } = await setup();
  const stored = async (c: TestClient) => (await h.store.getSession(c.caller.sessionId))?.pubkey;
  const unsigned = { command: 'PUBKEY', body: { alg: 'ed25519', key: key.publicKey } };
  assert.match(await refused(bob, unsigned, 'bad_signature', alice), /proof of possession/);
  // bob announces alice's key, signing with a key of his own
  const own = generateSigningKey();
  const borrowed = signedBy(own, 'bob', h.env.now(), unsigned);
  assert.match(await refused(bob, borrowed, 'bad_signature', alice), /this PUBKEY announces/);
  // alice's own announcement, replayed by bob: it names alice
  const alices = signedPubkey(key, 'alice', h.env.now() + 1);
  await refused(bob, alices, 'bad_signer', alice);
  await refused(bob, signedPubkey(own, 'bob', h.env.now() - 6 * MIN), 'stale_signature', alice);
  assert.equal(await stored(bob), null, 'no key taken');
  // alice's setup announcement again: spent
  await refused(alice, signedPubkey(key, 'alice', h.env.now()), 'replayed_signature', bob);
  await bob.send(signedPubkey(own, 'bob', h.env.now()));
  assert.equal(await stored(bob), own.publicKey);
});
