// End to end: signing (SPEC §11) against the real chatd. Alice announces a key with PUBKEY and
// signs a PRIVMSG; Bob learns her key (from the announcement and from the members list), polls,
// and verifies what was delivered the way a client would: verifyDelivered through TofuStore. A
// tampered message is refused with 400 and never reaches Bob.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { MemberView } from '../../src/shared/api-types.js';
import { generateSigningKey, signMessage, verifyDelivered } from '../../src/shared/signing.js';
import { TofuStore } from '../../src/shared/tofu.js';
import { call, HttpClient } from '../helpers/api.js';
import { startChatd, type Chatd } from '../helpers/chatd.js';

let chatd: Chatd;
let alice: HttpClient;
let bob: HttpClient;
const key = generateSigningKey();

before(async () => {
  chatd = await startChatd();
  alice = await HttpClient.create(chatd.url, 'alice');
  bob = await HttpClient.create(chatd.url, 'bob');
  assert.equal((await alice.send({ command: 'JOIN', to: '#sig' })).status, 200);
  const announced = await alice.send({
    command: 'PUBKEY',
    body: { alg: 'ed25519', key: key.publicKey },
  });
  assert.equal(announced.status, 200);
  assert.equal((await bob.send({ command: 'JOIN', to: '#sig' })).status, 200);
  await alice.drain();
  await bob.drain();
});
after(async () => chatd.cleanup());

test('a late joiner learns the key from the members list', async () => {
  const r = await call<MemberView[]>(chatd.url, 'GET', '/api/v1/channels/sig/members', {
    token: bob.token,
  });
  assert.equal(r.status, 200);
  assert.deepEqual(
    r.body.map((m) => [m.nick, m.pubkey]),
    [
      ['alice', key.publicKey],
      ['bob', null],
    ],
  );
});

test('a signed PRIVMSG is delivered verifiable; a tampered one is refused and never queued', async () => {
  const tofu = new TofuStore();
  const members = await call<MemberView[]>(chatd.url, 'GET', '/api/v1/channels/sig/members', {
    token: bob.token,
  });
  for (const m of members.body) if (m.pubkey) tofu.remember(m.nick, m.pubkey);

  const unsigned = { command: 'PRIVMSG', to: '#sig', body: ['signed hello'], meta: {} };
  const message = signMessage(unsigned, key.privateKey);
  const sent = await alice.send(message);
  assert.equal(sent.status, 200);
  const [got, ...rest] = await bob.drain();
  assert.deepEqual(rest, []);
  assert.ok(got);
  assert.equal(got.id, sent.body.id);
  assert.deepEqual(got.meta, message.meta, 'sig and alg delivered as sent');
  assert.deepEqual(got.params, [], 'params defaulted on delivery, yet it verifies');
  assert.ok(verifyDelivered(got, key.publicKey));
  assert.equal(tofu.classify(got.from, got, verifyDelivered), 'verified');

  const tampered = { ...message, body: ['tampered hello'] };
  const refused = await alice.send({ ...tampered, txn: 'tampered-1' });
  assert.equal(refused.status, 400);
  assert.equal(refused.body.error, 'bad_signature');
  assert.match(String(refused.body.message), /does not verify/);
  const retried = await alice.send({ ...tampered, txn: 'tampered-1' });
  assert.deepEqual([retried.status, retried.body.error], [400, 'bad_signature']);
  assert.deepEqual(await bob.drain(), [], 'bob never gets the tampered message');

  // an unsigned message still goes through, and is marked unsigned
  assert.equal((await alice.send({ command: 'PRIVMSG', to: '#sig', body: ['plain'] })).status, 200);
  const [plain] = await bob.drain();
  assert.ok(plain);
  assert.equal(tofu.classify(plain.from, plain, verifyDelivered), 'unsigned');
});

test('a signed lower-case command is refused with the rule in the message', async () => {
  const lower = signMessage({ command: 'privmsg', to: '#sig', body: ['x'] }, key.privateKey);
  const r = await alice.send(lower);
  assert.deepEqual([r.status, r.body.error], [400, 'bad_signature']);
  assert.match(String(r.body.message), /upper case/);
  assert.deepEqual(await bob.drain(), []);
});

test('PUBKEY with a bad body answers 400 invalid_pubkey', async () => {
  const r = await alice.send({ command: 'PUBKEY', body: { alg: 'ed25519', key: 'AAAA' } });
  assert.deepEqual([r.status, r.body.error], [400, 'invalid_pubkey']);
  assert.deepEqual(await bob.drain(), []);
});
