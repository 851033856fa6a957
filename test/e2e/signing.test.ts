// End to end: signing (docs/signing.md) against the real chatd. Alice announces a key with PUBKEY (signed
// with that key: proof of possession) and signs a PRIVMSG as herself at the current time; Bob
// learns her key (from the announcement and from the members list), polls, and verifies what was
// delivered the way a client would: verifyDelivered through TofuStore. A tampered message is
// refused with 400 and never reaches Bob.
//
// Then each case of the security review's finding 7 ("signed messages can be replayed"), each a
// 400 with its own code that nothing reaches Bob through: a later holder of alice's nick replaying
// her message (keyless, with her borrowed key, with her replayed announcement, with a key of its
// own), a keyless session passing on her message, a borrowed PUBKEY, a stale `ts`, the same signed
// request twice (also after a restart; a retried `txn` still gets the first answer), and a
// `signer` that is not the sender.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, test } from 'node:test';
import type { MemberView, QueuedEnvelope } from '../../src/model/api.js';
import { generateSigningKey, signAs, verifyDelivered } from '../../src/shared/signing.js';
import { provenKey, TofuStore } from '../../src/shared/tofu.js';
import { call, HttpClient } from '../helpers/api.js';
import { startChatd, type Chatd } from '../helpers/chatd.js';
import { signedBy, signedPubkey } from '../helpers/signing.js';

let chatd: Chatd;
let alice: HttpClient;
let bob: HttpClient;
const key = generateSigningKey();
const MIN = 60_000;

/** A PRIVMSG to #sig signed by alice's key as `signer` at `ts`. */
const said = (text: string, signer = 'alice', ts = Date.now()) =>
  signedBy(key, signer, ts, { command: 'PRIVMSG', to: '#sig', body: [text] });

/** The fields of a delivered envelope a client would send to repeat it. */
const asRequest = (env: QueuedEnvelope) => ({
  command: env.command,
  to: env.to,
  params: env.params,
  body: env.body,
  meta: env.meta,
});

async function expectRefused(from: HttpClient, input: Record<string, unknown>, code: string) {
  const r = await from.send(input);
  assert.deepEqual([r.status, r.body.error], [400, code], String(r.body.message));
  assert.deepEqual(await bob.drain(), [], `bob gets nothing of a ${code} refusal`);
  return String(r.body.message);
}

async function members(): Promise<MemberView[]> {
  const r = await call<MemberView[]>(chatd.url, 'GET', '/api/v1/channels/sig/members', {
    token: bob.token,
  });
  assert.equal(r.status, 200);
  return r.body;
}

before(async () => {
  chatd = await startChatd();
  alice = await HttpClient.create(chatd.url, 'alice');
  bob = await HttpClient.create(chatd.url, 'bob');
  assert.equal((await alice.send({ command: 'JOIN', to: '#sig' })).status, 200);
  assert.equal((await alice.send(signedPubkey(key, 'alice', Date.now()))).status, 200);
  assert.equal((await bob.send({ command: 'JOIN', to: '#sig' })).status, 200);
  await alice.drain();
  await bob.drain();
});
after(async () => {
  await chatd?.cleanup();
  // after a restart the chatd object no longer owns its directory
  if (chatd) fs.rmSync(chatd.dir, { recursive: true, force: true });
});

test('a late joiner learns the key from the members list', async () => {
  assert.deepEqual(
    (await members()).map((m) => [m.nick, m.pubkey]),
    [
      ['alice', key.publicKey],
      ['bob', null],
    ],
  );
});

test('a signed PRIVMSG is delivered verifiable; a tampered one is refused and never queued', async () => {
  const tofu = new TofuStore();
  for (const m of await members()) if (m.pubkey) tofu.remember(m.nick, m.pubkey);

  const message = said('signed hello');
  const sent = await alice.send(message);
  assert.equal(sent.status, 200);
  const [got, ...rest] = await bob.drain();
  assert.deepEqual(rest, []);
  assert.ok(got);
  assert.equal(got.id, sent.body.id);
  assert.deepEqual(got.meta, message.meta, 'sig, alg, signer and ts delivered as sent');
  assert.deepEqual(got.params, [], 'params defaulted on delivery, yet it verifies');
  assert.ok(verifyDelivered(got, key.publicKey));
  assert.equal(tofu.classify(got.from, got, verifyDelivered), 'verified');

  const tampered = { ...said('tampered hello'), body: ['tampered hello!'] };
  const refused = await alice.send({ ...tampered, txn: 'tampered-1' });
  assert.deepEqual([refused.status, refused.body.error], [400, 'bad_signature']);
  assert.match(String(refused.body.message), /does not verify/);
  const retried = await alice.send({ ...tampered, txn: 'tampered-1' });
  assert.deepEqual([retried.status, retried.body.error], [400, 'bad_signature']);
  assert.deepEqual(await bob.drain(), [], 'bob never gets the tampered message');

  // an unsigned message still goes through, and is marked unsigned
  assert.equal((await alice.send({ command: 'PRIVMSG', to: '#sig', body: ['plain'] })).status, 200);
  const [plain] = await bob.drain();
  assert.ok(plain);
  assert.equal(tofu.classify(plain.from, plain, verifyDelivered), 'unsigned');
  await alice.drain();
});

test('a signed lower-case command is refused with the rule in the message', async () => {
  const lower = signAs({ command: 'privmsg', to: '#sig', body: ['x'] }, key.privateKey, 'alice');
  assert.match(await expectRefused(alice, lower, 'bad_signature'), /upper case/);
});

test('PUBKEY with a bad body answers 400 invalid_pubkey', async () => {
  const r = await alice.send({ command: 'PUBKEY', body: { alg: 'ed25519', key: 'AAAA' } });
  assert.deepEqual([r.status, r.body.error], [400, 'invalid_pubkey']);
  assert.deepEqual(await bob.drain(), []);
});

test('finding 7: a keyless session cannot pass on alice’s signed message (no_key)', async () => {
  assert.equal((await alice.send(said('pay bob 10'))).status, 200);
  const [original] = await bob.drain();
  await alice.drain();
  const mallory = await HttpClient.create(chatd.url, 'mallory');
  await mallory.send({ command: 'JOIN', to: '#sig' });
  await bob.drain();
  const why = await expectRefused(mallory, asRequest(original!), 'no_key');
  assert.match(why, /no signing key/);
  await mallory.send({ command: 'QUIT' });
  await bob.drain();
});

test('finding 7: a borrowed PUBKEY (someone else’s key, no private key) is refused', async () => {
  const eve = await HttpClient.create(chatd.url, 'eve');
  await eve.send({ command: 'JOIN', to: '#sig' });
  await bob.drain();
  const borrowed = { command: 'PUBKEY', body: { alg: 'ed25519', key: key.publicKey } };
  assert.match(await expectRefused(eve, borrowed, 'bad_signature'), /proof of possession/);
  const own = generateSigningKey();
  const vouched = signedBy(own, 'eve', Date.now(), borrowed);
  assert.match(await expectRefused(eve, vouched, 'bad_signature'), /this PUBKEY announces/);
  assert.equal((await members()).find((m) => m.nick === 'eve')?.pubkey, null, 'no key taken');
  // so alice's signed messages cannot be passed on under her key either
  await expectRefused(eve, said('from eve?', 'eve'), 'no_key');
  await eve.send({ command: 'QUIT' });
  await bob.drain();
});

test('finding 7: a later holder of the nick cannot replay the first holder’s messages', async () => {
  const first = await HttpClient.create(chatd.url, 'carol');
  const carolKey = generateSigningKey();
  await first.send({ command: 'JOIN', to: '#sig' });
  const announced = await first.send(signedPubkey(carolKey, 'carol', Date.now()));
  assert.equal(announced.status, 200);
  const signed = signedBy(carolKey, 'carol', Date.now(), {
    command: 'PRIVMSG',
    to: '#sig',
    body: ['I resign'],
  });
  assert.equal((await first.send(signed)).status, 200);
  const seen = await bob.drain();
  const proof = seen.find((e) => e.command === 'PUBKEY')!;
  const message = seen.find((e) => e.command === 'PRIVMSG')!;
  // what bob's client learned, as chat-cli and the web client learn it
  const tofu = new TofuStore();
  assert.equal(provenKey(proof, verifyDelivered), carolKey.publicKey);
  tofu.remember(proof.from, carolKey.publicKey);
  assert.equal(tofu.classify(message.from, message, verifyDelivered), 'verified');
  await first.send({ command: 'QUIT' });
  await bob.drain();

  const later = await HttpClient.create(chatd.url, 'carol');
  await later.send({ command: 'JOIN', to: '#sig' });
  await bob.drain();
  // without a key, with carol's key borrowed, and with her announcement replayed
  await expectRefused(later, asRequest(message), 'no_key');
  const borrowed = { command: 'PUBKEY', body: proof.body };
  await expectRefused(later, borrowed, 'bad_signature');
  await expectRefused(later, { ...asRequest(proof), to: undefined }, 'replayed_signature');
  await expectRefused(later, asRequest(proof), 'replayed_signature');
  await expectRefused(later, asRequest(message), 'no_key');
  // with a key of its own: carol's signature does not verify under it
  const laterKey = generateSigningKey();
  assert.equal((await later.send(signedPubkey(laterKey, 'carol', Date.now()))).status, 200);
  const [changed] = await bob.drain();
  const newKey = provenKey(changed!, verifyDelivered);
  assert.equal(newKey, laterKey.publicKey);
  assert.equal(tofu.remember(changed!.from, newKey), true, 'bob is told the key changed');
  await expectRefused(later, asRequest(message), 'bad_signature');
  await later.send({ command: 'QUIT' });
  await bob.drain();
});

test('finding 7: a stale ts is refused (stale_signature)', async () => {
  const late = said('an old message', 'alice', Date.now() - 6 * MIN);
  assert.match(await expectRefused(alice, late, 'stale_signature'), /from the server's clock/);
  await expectRefused(
    alice,
    said('from the future', 'alice', Date.now() + 6 * MIN),
    'stale_signature',
  );
  const noTs = signAs({ command: 'PRIVMSG', to: '#sig', body: ['x'] }, key.privateKey, 'alice');
  delete (noTs.meta as { ts?: number }).ts;
  await expectRefused(alice, noTs, 'stale_signature');
});

test('finding 7: the same signed request twice is refused (replayed_signature), also after a restart; a retried txn gets its first answer', async () => {
  const once = said('only once');
  const first = await alice.send({ ...once, txn: 'once-1' });
  assert.equal(first.status, 200);
  assert.equal((await bob.drain()).length, 1);
  await alice.drain();
  const retry = await alice.send({ ...once, txn: 'once-1' });
  assert.deepEqual([retry.status, retry.body], [200, first.body], 'the first answer, again');
  assert.deepEqual(await bob.drain(), [], 'the retry stored nothing');
  assert.match(await expectRefused(alice, once, 'replayed_signature'), /already accepted/);
  await expectRefused(alice, { ...once, txn: 'once-2' }, 'replayed_signature');
  chatd = await chatd.restart();
  await expectRefused(alice, once, 'replayed_signature');
  assert.equal((await alice.send(said('only once'))).status, 200, 'signed anew: accepted');
  assert.equal((await bob.drain()).length, 1);
  await alice.drain();
});

test('finding 7: a signer that is not the sender is refused (bad_signer)', async () => {
  assert.match(await expectRefused(alice, said('as bob', 'bob'), 'bad_signer'), /alice/);
  const noSigner = signAs({ command: 'PRIVMSG', to: '#sig', body: ['x'] }, key.privateKey, 'x');
  delete (noSigner.meta as { signer?: string }).signer;
  await expectRefused(alice, noSigner, 'bad_signer');
  assert.equal((await alice.send(said('as ALICE', 'ALICE'))).status, 200, 'folded: fine');
  assert.equal((await bob.drain()).length, 1);
});
