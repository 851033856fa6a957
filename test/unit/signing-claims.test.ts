// The signer and time inside a signature (src/shared/signed-meta.ts) and what clients make of them
// (src/shared/tofu.ts): the verdict `invalid` for a signature that names another sender or a time
// far from the envelope's, and PUBKEY announcements remembered only with a proof of possession.
// These are the envelopes a hostile or careless server could deliver: an honest chatd refuses
// each of them before storing it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { makeEnvelope } from '../../src/protocol/envelope.js';
import type { Body } from '../../src/model/envelope.js';
import {
  isSigned,
  SIGNATURE_WINDOW_MS,
  signedMetaProblem,
  withSignerAndTime,
} from '../../src/shared/signed-meta.js';
import {
  generateSigningKey,
  signAs,
  signMessage,
  verifyDelivered,
  type SignableMessage,
} from '../../src/shared/signing.js';
import { keyClaim, provenKey, TofuStore } from '../../src/shared/tofu.js';

const alice = generateSigningKey();
const mallory = generateSigningKey();
const T = Date.UTC(2026, 0, 1, 12);
const MIN = 60_000;

/** What a poll returns for `sent` from `from`, stored at server time `at`. */
function deliver(sent: SignableMessage, from: string, at = T, to = sent.to ?? '#c') {
  const env = makeEnvelope(
    {
      command: sent.command,
      from,
      to,
      params: sent.params as string[] | undefined,
      body: sent.body as Body | undefined,
      meta: sent.meta,
    },
    '00000000-0000-4000-8000-000000000000',
    at,
  );
  return JSON.parse(JSON.stringify({ ...env, seq: 1 })) as typeof env & { seq: number };
}

const hello = { command: 'PRIVMSG', to: '#c', body: ['hello'] };

test('signedMetaProblem: signer folds to the sender, ts an integer within 5 minutes', () => {
  assert.equal(SIGNATURE_WINDOW_MS, 5 * MIN);
  const ok = { signer: 'Alice[x]', ts: T };
  assert.equal(signedMetaProblem(ok, 'alice{X}', T), null, 'rfc1459 folding');
  assert.equal(signedMetaProblem({ ...ok, ts: T - 5 * MIN }, 'alice[x]', T), null, 'edge: 5 min');
  assert.equal(signedMetaProblem({ ...ok, ts: T + 5 * MIN }, 'alice[x]', T), null);
  const cases: [Record<string, unknown>, string][] = [
    [{ ts: T }, 'no-signer'],
    [{ signer: '', ts: T }, 'no-signer'],
    [{ signer: 5, ts: T }, 'no-signer'],
    [{ signer: 'mallory', ts: T }, 'wrong-signer'],
    [{ signer: 'alice[x]' }, 'no-ts'],
    [{ signer: 'alice[x]', ts: String(T) }, 'no-ts'],
    [{ signer: 'alice[x]', ts: T + 0.5 }, 'no-ts'],
    [{ signer: 'alice[x]', ts: 2 ** 60 }, 'no-ts'],
    [{ signer: 'alice[x]', ts: T - 5 * MIN - 1 }, 'stale'],
    [{ signer: 'alice[x]', ts: T + 5 * MIN + 1 }, 'stale'],
  ];
  for (const [meta, problem] of cases) {
    assert.equal(signedMetaProblem(meta, 'alice[x]', T), problem, JSON.stringify(meta));
  }
  assert.equal(signedMetaProblem(ok, 'alice[x]', NaN), 'stale', 'an unreadable clock');
  assert.equal(isSigned({ sig: 'x' }), true);
  assert.equal(isSigned({ alg: 'ed25519' }), true);
  assert.equal(isSigned({ signer: 'a', ts: 1 }), false);
  assert.equal(isSigned(undefined), false);
  assert.deepEqual(withSignerAndTime({ command: 'X', meta: { a: 1 } }, 'me', 7).meta, {
    a: 1,
    signer: 'me',
    ts: 7,
  });
});

test('signAs: signer and ts are inside the signed form', () => {
  const signed = signAs(hello, alice.privateKey, 'alice', T);
  assert.deepEqual([signed.meta.signer, signed.meta.ts, signed.meta.alg], ['alice', T, 'ed25519']);
  const env = deliver(signed, 'alice');
  assert.ok(verifyDelivered(env, alice.publicKey));
  for (const meta of [
    { ...env.meta, signer: 'mallory' },
    { ...env.meta, ts: T + 1 },
    { sig: env.meta.sig, alg: 'ed25519' },
  ]) {
    assert.equal(verifyDelivered({ ...env, meta }, alice.publicKey), false, JSON.stringify(meta));
  }
});

test('classify: invalid when the signer is not the sender or the time is far off', () => {
  const tofu = new TofuStore();
  tofu.remember('alice', alice.publicKey);
  tofu.remember('mallory', mallory.publicKey);
  const good = deliver(signAs(hello, alice.privateKey, 'alice', T), 'alice');
  assert.equal(tofu.classify(good.from, good, verifyDelivered), 'verified');
  // alice's message delivered as if mallory (a later holder of the nick, a relay) sent it
  const relayed = { ...good, from: 'mallory' };
  assert.equal(tofu.classify(relayed.from, relayed, verifyDelivered), 'invalid');
  // the same envelope delivered again much later, or with a time that was stale when signed
  for (const at of [T + 5 * MIN + 1, T - 5 * MIN - 1, T + 24 * 60 * MIN]) {
    const late = deliver(signAs(hello, alice.privateKey, 'alice', T), 'alice', at);
    assert.equal(tofu.classify('alice', late, verifyDelivered), 'invalid', `delivered at ${at}`);
  }
  const edge = deliver(signAs(hello, alice.privateKey, 'alice', T), 'alice', T + 5 * MIN);
  assert.equal(tofu.classify('alice', edge, verifyDelivered), 'verified', '5 min is still fine');
  // signed without signer or ts (the old form): invalid, though the signature itself verifies
  const old = deliver(signMessage(hello, alice.privateKey), 'alice');
  assert.ok(verifyDelivered(old, alice.publicKey));
  assert.equal(tofu.classify('alice', old, verifyDelivered), 'invalid');
  // invalid is decided before any key: also for a nick with no key known, and a bad signature
  const stranger = deliver(signAs(hello, mallory.privateKey, 'alice', T), 'zed');
  assert.equal(tofu.classify('zed', stranger, verifyDelivered), 'invalid');
  const forged = deliver(signAs(hello, mallory.privateKey, 'alice', T), 'alice');
  assert.equal(tofu.classify('alice', forged, verifyDelivered), 'bad', 'names alice, wrong key');
  const unreadable = { ...good, ts: 'not a time' };
  assert.equal(tofu.classify('alice', unreadable, verifyDelivered), 'invalid');
  // malformed sig/alg stays bad; no sig stays unsigned
  assert.equal(
    tofu.classify('alice', { ...good, meta: { ...good.meta, alg: 'rsa' } }, verifyDelivered),
    'bad',
  );
  assert.equal(tofu.classify('alice', deliver(hello, 'alice'), verifyDelivered), 'unsigned');
});

test('PUBKEY: remembered only with a proof of possession by its sender, at its time', () => {
  const announce = (key: string) => ({ command: 'PUBKEY', body: { alg: 'ed25519', key } });
  // to all channels: signed without `to`, delivered with `to` set to each channel
  const proof = signAs(announce(alice.publicKey), alice.privateKey, 'alice', T);
  const env = deliver(proof, 'alice', T, '#c');
  assert.deepEqual(keyClaim(env), { key: alice.publicKey, sig: proof.meta.sig });
  assert.equal(provenKey(env, verifyDelivered), alice.publicKey);
  assert.equal(provenKey(deliver(proof, 'alice', T, '#other'), verifyDelivered), alice.publicKey);
  // signed with `to`: verifies with that `to` only
  const toBob = signAs({ ...announce(alice.publicKey), to: 'bob' }, alice.privateKey, 'alice', T);
  assert.equal(provenKey(deliver(toBob, 'alice', T, 'bob'), verifyDelivered), alice.publicKey);
  assert.equal(provenKey(deliver(toBob, 'alice', T, 'carol'), verifyDelivered), null);
  // only PUBKEY may drop `to`: a PRIVMSG signed without one does not verify with one
  const noTo = signAs({ command: 'PRIVMSG', body: ['x'] }, alice.privateKey, 'alice', T);
  assert.equal(verifyDelivered(deliver(noTo, 'alice', T, '#c'), alice.publicKey), false);

  const refused: [string, ReturnType<typeof deliver>][] = [
    ['unsigned', deliver(announce(alice.publicKey), 'mallory')],
    [
      // mallory announces alice's key, signing with her own
      'borrowed key',
      deliver(signAs(announce(alice.publicKey), mallory.privateKey, 'mallory', T), 'mallory'),
    ],
    ['replayed by another nick', { ...env, from: 'mallory' }],
    ['replayed later', deliver(proof, 'alice', T + 6 * MIN)],
    [
      'old form (no signer/ts)',
      deliver(signMessage(announce(alice.publicKey), alice.privateKey), 'alice'),
    ],
    ['not a PUBKEY', deliver(signAs(hello, alice.privateKey, 'alice', T), 'alice')],
    ['body without key', deliver({ ...proof, body: { alg: 'ed25519' } }, 'alice')],
  ];
  for (const [why, bad] of refused) assert.equal(provenKey(bad, verifyDelivered), null, why);
  const throwing = (): boolean => {
    throw new Error('boom');
  };
  assert.equal(provenKey(env, throwing), null, 'a throwing verifier proves nothing');
});
