// verifyDelivered (src/shared/signing.ts): what a recipient checks. The delivered envelope has
// params/body/meta defaulted (docs/envelope-and-delivery.md) while the signature covers only what the sender carried,
// so an empty params or body may also have been left out; nothing else may differ.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { makeEnvelope } from '../../src/protocol/envelope.js';
import { deliveredForms } from '../../src/shared/delivered-forms.js';
import type { Body } from '../../src/model/envelope.js';
import {
  generateSigningKey,
  importPublicKey,
  signAs,
  signMessage,
  verifyDelivered,
  type SignableMessage,
} from '../../src/shared/signing.js';
import { TofuStore } from '../../src/shared/tofu.js';

const alice = generateSigningKey();
const mallory = generateSigningKey();

const DELIVERED_AT = Date.UTC(2026, 0, 1);

/** What the server stores and a poll returns for a request (JSON round trip included). */
function deliver(sent: SignableMessage, from = 'alice') {
  const env = makeEnvelope(
    {
      command: sent.command,
      from,
      to: sent.to ?? from,
      params: sent.params as string[] | undefined,
      body: sent.body as Body | undefined,
      meta: sent.meta,
    },
    '00000000-0000-4000-8000-000000000000',
    DELIVERED_AT,
  );
  return JSON.parse(JSON.stringify({ ...env, seq: 7 })) as ReturnType<typeof makeEnvelope> & {
    seq: number;
  };
}

test('each way of leaving out an empty params or body verifies once delivered', () => {
  const cases: SignableMessage[] = [
    { command: 'PRIVMSG', to: '#a', body: ['hi'] }, // params left out
    { command: 'PRIVMSG', to: '#a', params: [], body: ['hi'] },
    { command: 'PUBKEY', to: 'bob', body: { alg: 'ed25519', key: alice.publicKey } },
    { command: 'TOPIC', to: '#a' }, // both left out
    { command: 'TOPIC', to: '#a', params: [], body: [] },
    { command: 'TOPIC', to: '#a', body: [] },
    { command: 'MODE', to: '#a', params: ['+o', 'bob'], meta: { action: true } },
  ];
  for (const sent of cases) {
    const delivered = deliver(signMessage(sent, alice.privateKey));
    assert.ok(verifyDelivered(delivered, alice.publicKey), JSON.stringify(sent));
    assert.ok(!verifyDelivered(delivered, mallory.publicKey), 'another key');
    const key = importPublicKey(alice.publicKey)!;
    assert.ok(verifyDelivered(delivered, key), 'a KeyObject works too');
  }
});

test('the server-set source, account and realname are in no signed form: any (or none) verifies alike', () => {
  const sent = signMessage({ command: 'PRIVMSG', to: '#a', body: ['hi'] }, alice.privateKey);
  const delivered = deliver(sent);
  for (const source of ['alice!~alice@s1.chat', 'alice!~other@s9.chat', undefined]) {
    const withSource =
      source === undefined ? delivered : { ...delivered, source, account: 'alice', realname: 'A' };
    assert.ok(verifyDelivered(withSource, alice.publicKey), String(source));
    for (const form of deliveredForms(withSource)) {
      for (const field of ['source', 'account', 'realname']) assert.ok(!(field in form), field);
    }
  }
});

test('a non-empty field is never left out, and command, to, meta must match exactly', () => {
  const sent = signMessage(
    { command: 'PRIVMSG', to: '#a', params: ['x'], body: ['hi'], meta: { action: true } },
    alice.privateKey,
  );
  const delivered = deliver(sent);
  assert.ok(verifyDelivered(delivered, alice.publicKey));
  const tampered = [
    { ...delivered, params: [] },
    { ...delivered, body: [] },
    { ...delivered, body: ['hi', ''] },
    { ...delivered, command: 'privmsg' },
    { ...delivered, command: 'NOTICE' },
    { ...delivered, to: '#A' },
    { ...delivered, meta: { ...delivered.meta, action: false } },
    { ...delivered, meta: { ...delivered.meta, extra: 1 } },
  ];
  for (const msg of tampered)
    assert.ok(!verifyDelivered(msg, alice.publicKey), JSON.stringify(msg));
  // fields the signature does not cover: server-assigned ones
  const reassigned = { ...delivered, from: 'x', id: 'y', ts: 'z', seq: 1 };
  assert.ok(verifyDelivered(reassigned, alice.publicKey));
});

test('a signature over a lower-case command does not verify on the delivered upper-case one', () => {
  const sent = signMessage({ command: 'privmsg', to: '#a', body: ['hi'] }, alice.privateKey);
  assert.ok(verifyDelivered(sent, alice.publicKey), 'as sent it verifies');
  assert.ok(!verifyDelivered({ ...deliver(sent), command: 'PRIVMSG' }, alice.publicKey));
});

test('meta.alg must be ed25519 and the signature a string; the sig argument overrides meta', () => {
  const delivered = deliver(signMessage({ command: 'PING', to: 'x' }, alice.privateKey));
  const sig = delivered.meta.sig as string;
  assert.ok(verifyDelivered(delivered, alice.publicKey, sig));
  for (const meta of [
    { sig },
    { sig, alg: 'ED25519' },
    { alg: 'ed25519' },
    { sig: 5, alg: 'ed25519' },
  ]) {
    assert.ok(!verifyDelivered({ ...delivered, meta }, alice.publicKey), JSON.stringify(meta));
  }
  assert.ok(!verifyDelivered({ ...delivered, meta: { alg: 'ed25519' } }, alice.publicKey, 'AAAA'));
  assert.ok(!verifyDelivered(delivered, 'not a key'));
  assert.ok(!verifyDelivered({ ...delivered, meta: null } as never, alice.publicKey));
});

test('TofuStore.classify takes verifyDelivered as its check', () => {
  const tofu = new TofuStore();
  tofu.remember('alice', alice.publicKey);
  const good = deliver(
    signAs({ command: 'PRIVMSG', to: '#a', body: ['hi'] }, alice.privateKey, 'alice', DELIVERED_AT),
  );
  assert.equal(tofu.classify('alice', good, verifyDelivered), 'verified');
  assert.equal(tofu.classify('alice', { ...good, body: ['hello'] }, verifyDelivered), 'bad');
  const plain = deliver({ command: 'PRIVMSG', to: '#a', body: ['hi'] });
  assert.equal(tofu.classify('alice', plain, verifyDelivered), 'unsigned');
});

// ---- properties -----------------------------------------------------------------------------

const text = fc.string({ maxLength: 12 });
const sentMessage = fc.record(
  {
    command: fc.constantFrom('PRIVMSG', 'NOTICE', 'PUBKEY', 'TOPIC', 'MODE'),
    to: fc.string({ minLength: 1, maxLength: 12 }),
    params: fc.array(text, { maxLength: 3 }),
    body: fc.oneof(
      fc.array(text, { maxLength: 3 }),
      fc.dictionary(text, fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }),
    ),
    meta: fc.dictionary(
      text.filter((k) => k !== 'sig' && k !== 'alg'),
      fc.jsonValue({ maxDepth: 2 }),
      { maxKeys: 3 },
    ),
  },
  { requiredKeys: ['command', 'to'] },
) as fc.Arbitrary<SignableMessage>;

test('property: whatever the sender left out, the delivered message verifies', () => {
  fc.assert(
    fc.property(sentMessage, (sent) => {
      const delivered = deliver(signMessage(sent, alice.privateKey));
      return verifyDelivered(delivered, alice.publicKey);
    }),
    { numRuns: 150 },
  );
});

test('property: changing any covered field of the delivered message breaks it', () => {
  const change = fc.constantFrom('to', 'params', 'body', 'meta', 'command');
  fc.assert(
    fc.property(sentMessage, change, (sent, field) => {
      const d = deliver(signMessage(sent, alice.privateKey));
      const body = Array.isArray(d.body) ? [...d.body, 'x'] : { ...d.body, ['\u0000x']: 1 };
      const changed = {
        to: { ...d, to: d.to + 'x' },
        params: { ...d, params: [...d.params, ''] },
        body: { ...d, body },
        meta: { ...d, meta: { ...d.meta, ['\u0000x']: null } },
        command: { ...d, command: d.command.toLowerCase() },
      }[field];
      return !verifyDelivered(changed, alice.publicKey);
    }),
    { numRuns: 150 },
  );
});
