// Message signatures (docs/signing.md, src/shared/signing.ts) and the clients' trust-on-first-use key
// store (src/shared/tofu.ts).
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { test } from 'node:test';
import fc from 'fast-check';
import { JcsError } from '../../src/shared/jcs.js';
import {
  exportPublicKey,
  generateSigningKey,
  importPublicKey,
  parsePubkeyBody,
  sign,
  signAs,
  signedPayload,
  signMessage,
  verify,
  type SignableMessage,
} from '../../src/shared/signing.js';
import { memoryPersistence, TofuStore, type KeyPersistence } from '../../src/shared/tofu.js';

const alice = generateSigningKey();
const mallory = generateSigningKey();

const message: SignableMessage = {
  command: 'PRIVMSG',
  to: '#general',
  params: [],
  body: ['hello', 'second line ✓'],
  meta: { action: true },
};

const text = (msg: SignableMessage): string => Buffer.from(signedPayload(msg)).toString('utf8');

/** When the envelopes of the TOFU tests were delivered, and signed. */
const AT = Date.UTC(2026, 0, 1, 12);
/** `msg` as delivered at AT (the envelope's `ts`, ISO). */
const at = <M extends SignableMessage>(msg: M) => ({ ...msg, ts: new Date(AT).toISOString() });

test('signed payload: canonical form of the carried fields, meta always present', () => {
  assert.equal(
    text({ command: 'PRIVMSG', to: '#a', body: ['hi'] }),
    '{"body":["hi"],"command":"PRIVMSG","meta":{},"to":"#a"}',
  );
  assert.equal(
    text({ command: 'MODE', to: '#a', params: ['+o', 'bob'], meta: { z: 1, a: [2] } }),
    '{"command":"MODE","meta":{"a":[2],"z":1},"params":["+o","bob"],"to":"#a"}',
  );
  assert.equal(
    text({ command: 'PUBKEY', body: { key: 'k', alg: 'ed25519' } }),
    '{"body":{"alg":"ed25519","key":"k"},"command":"PUBKEY","meta":{}}',
  );
  assert.ok(signedPayload(message) instanceof Uint8Array);
  assert.equal(text({ command: 'X', body: ['é'] }), '{"body":["é"],"command":"X","meta":{}}');
  assert.deepEqual([...signedPayload({ command: 'X', body: ['é'] })].slice(10, 12), [0xc3, 0xa9]);
});

test('absent fields are left out, not defaulted', () => {
  const bare = { command: 'PRIVMSG', to: '#a', body: ['hi'] };
  const withParams = { ...bare, params: [] };
  const withMeta = { ...bare, meta: {} };
  assert.notEqual(text(bare), text(withParams));
  assert.equal(text(bare), text(withMeta), 'meta: {} is the same as no meta');
  assert.equal(text({ ...bare, to: undefined }), text({ command: 'PRIVMSG', body: ['hi'] }));
  assert.notEqual(text({ command: 'PING' }), text({ command: 'PING', body: [] }));
  const sig = sign(bare, alice.privateKey).sig;
  assert.equal(verify(bare, alice.publicKey, sig), true);
  assert.equal(verify(withParams, alice.publicKey, sig), false);
  assert.equal(
    verify({ command: 'PRIVMSG', to: '#a', body: ['hi'], params: undefined }, alice.publicKey, sig),
    true,
  );
});

test('meta.sig and meta.alg are not covered; other meta members are', () => {
  assert.equal(
    text({ command: 'X', meta: { sig: 'AAAA', alg: 'ed25519', action: true } }),
    text({ command: 'X', meta: { action: true } }),
  );
  const signed = signMessage(message, alice.privateKey);
  assert.equal(signed.meta?.alg, 'ed25519');
  assert.equal(signed.meta?.action, true, 'keeps the other meta members');
  assert.equal(verify(signed, alice.publicKey, signed.meta?.sig as string), true);
  // A "__proto__" member as JSON.parse makes it is an ordinary member: covered, not dropped.
  const withProto = JSON.parse('{"command":"X","meta":{"__proto__":{"x":1}}}') as SignableMessage;
  assert.equal(text(withProto), '{"command":"X","meta":{"__proto__":{"x":1}}}');
  const sig = sign({ command: 'X' }, alice.privateKey).sig;
  assert.equal(verify(withProto, alice.publicKey, sig), false);
});

test('sign/verify round trip; any tampering or another key fails', () => {
  const { sig, alg } = sign(message, alice.privateKey);
  assert.equal(alg, 'ed25519');
  assert.equal(Buffer.from(sig, 'base64').length, 64);
  assert.equal(verify(message, alice.publicKey, sig), true);
  assert.equal(verify(message, importPublicKey(alice.publicKey)!, sig), true, 'KeyObject form');
  const tampered: SignableMessage[] = [
    { ...message, command: 'NOTICE' },
    { ...message, to: '#other' },
    { ...message, params: ['x'] },
    { ...message, body: ['hello', 'second line'] },
    { ...message, body: ['hello'] },
    { ...message, meta: { action: false } },
    { ...message, meta: {} },
    { ...message, meta: { action: true, extra: 1 } },
    { command: message.command, to: message.to, body: message.body, meta: message.meta },
  ];
  for (const msg of tampered)
    assert.equal(verify(msg, alice.publicKey, sig), false, JSON.stringify(msg));
  assert.equal(verify(message, mallory.publicKey, sig), false, 'another key');
  assert.equal(verify(message, alice.publicKey, sign(message, mallory.privateKey).sig), false);
  // Key order and meta.sig/alg presence do not matter.
  const reordered = {
    meta: { action: true, sig, alg: 'ed25519' },
    body: message.body,
    params: [],
    to: '#general',
    command: 'PRIVMSG',
  };
  assert.equal(verify(reordered, alice.publicKey, sig), true);
});

test('keys: export/import raw 32-byte base64, KeyObjects of other types refused', () => {
  assert.equal(Buffer.from(alice.publicKey, 'base64').length, 32);
  assert.equal(exportPublicKey(alice.privateKey), alice.publicKey);
  assert.equal(exportPublicKey(importPublicKey(alice.publicKey)!), alice.publicKey);
  const sig = sign(message, alice.privateKey).sig;
  assert.equal(verify(message, alice.privateKey, sig), false, 'a private key is not a public key');
  const { publicKey: x25519 } = generateKeyPairSync('x25519');
  assert.equal(verify(message, x25519, sig), false);
  assert.throws(() => sign(message, importPublicKey(alice.publicKey)!), TypeError);
});

test('verify never throws on malformed keys, signatures or messages', () => {
  const sig = sign(message, alice.privateKey).sig;
  const key = alice.publicKey;
  const rawKey = Buffer.from(key, 'base64');
  const rawSig = Buffer.from(sig, 'base64');
  const badKeys: unknown[] = [
    '',
    key.slice(0, -1), // no padding
    key.replace(/=$/, ''),
    ' ' + key,
    key + '\n',
    rawKey.toString('base64url'),
    Buffer.concat([rawKey, Buffer.from([0])]).toString('base64'), // 33 bytes
    rawKey.subarray(0, 31).toString('base64'), // 31 bytes
    key.slice(0, 42) + String.fromCharCode(key.charCodeAt(42) ^ 1) + '=', // stray trailing bits
    'A'.repeat(43) + '=',
    null,
    42,
    { key },
    [key],
  ];
  for (const bad of badKeys) {
    assert.equal(verify(message, bad as string, sig), false, String(bad));
  }
  const badSigs: unknown[] = [
    '',
    sig.slice(0, -2),
    rawSig.toString('base64url'),
    rawSig.subarray(0, 63).toString('base64'),
    Buffer.concat([rawSig, Buffer.from([1])]).toString('base64'),
    Buffer.alloc(64).toString('base64'),
    Buffer.alloc(64, 0xff).toString('base64'),
    undefined,
    64,
  ];
  for (const bad of badSigs) {
    assert.equal(verify(message, key, bad as string), false, String(bad));
  }
  const badMessages: unknown[] = [
    { command: 'X', body: [NaN] },
    { command: 'X', body: ['\ud800'] },
    { command: 'X', meta: 'nope' },
    { command: 'X', meta: null },
    { command: 'X', meta: [] },
    { command: 'X', body: { deep: JSON.parse('['.repeat(100) + ']'.repeat(100)) as unknown } },
    { command: 'X', body: 1n },
  ];
  for (const bad of badMessages) {
    assert.equal(verify(bad as SignableMessage, key, sig), false);
  }
  assert.throws(() => signedPayload({ command: 'X', body: [NaN] }), JcsError);
  assert.throws(
    () => signedPayload({ command: 'X', meta: 'x' } as unknown as SignableMessage),
    TypeError,
  );
  fc.assert(
    fc.property(
      fc.string({ unit: 'binary', maxLength: 100 }),
      fc.string({ maxLength: 100 }),
      (k, s) => {
        assert.equal(verify(message, k, s), false);
        assert.equal(verify(message, key, s), false);
        assert.equal(verify(message, k, sig), false);
      },
    ),
    { numRuns: 500, seed: 25519 },
  );
  // Well-formed base64 of the right lengths that is not a valid key/signature pair.
  fc.assert(
    fc.property(
      fc.uint8Array({ minLength: 32, maxLength: 32 }),
      fc.uint8Array({ minLength: 64, maxLength: 64 }),
      (k, s) => {
        const k64 = Buffer.from(k).toString('base64');
        const s64 = Buffer.from(s).toString('base64');
        assert.equal(verify(message, k64, s64), false);
        assert.equal(verify(message, key, s64), false);
        assert.equal(verify(message, k64, sig), false);
      },
    ),
    { numRuns: 300, seed: 8032 },
  );
});

test('parsePubkeyBody accepts exactly {alg: "ed25519", key: <32 bytes>}', () => {
  assert.deepEqual(parsePubkeyBody({ alg: 'ed25519', key: alice.publicKey }), {
    ok: true,
    value: { alg: 'ed25519', key: alice.publicKey },
  });
  assert.deepEqual(parsePubkeyBody(JSON.parse(`{"key":"${alice.publicKey}","alg":"ed25519"}`)), {
    ok: true,
    value: { alg: 'ed25519', key: alice.publicKey },
  });
  const cases: [unknown, string][] = [
    [null, 'not-an-object'],
    ['ed25519', 'not-an-object'],
    [[alice.publicKey], 'not-an-object'],
    [undefined, 'not-an-object'],
    [{ key: alice.publicKey }, 'missing-alg'],
    [{ alg: 'Ed25519', key: alice.publicKey }, 'unsupported-alg'],
    [{ alg: 'rsa', key: alice.publicKey }, 'unsupported-alg'],
    [{ alg: null, key: alice.publicKey }, 'unsupported-alg'],
    [{ alg: 'ed25519' }, 'missing-key'],
    [{ alg: 'ed25519', key: 7 }, 'bad-key'],
    [{ alg: 'ed25519', key: '' }, 'bad-key'],
    [{ alg: 'ed25519', key: alice.publicKey.replace('=', '') }, 'bad-key'],
    [{ alg: 'ed25519', key: Buffer.alloc(64).toString('base64') }, 'bad-key'],
    [
      { alg: 'ed25519', key: Buffer.from(alice.publicKey, 'base64').toString('base64url') },
      'bad-key',
    ],
    [{ alg: 'ed25519', key: alice.publicKey, comment: 'mine' }, 'unexpected-field'],
  ];
  for (const [body, reason] of cases) {
    assert.deepEqual(
      parsePubkeyBody(body),
      { ok: false, reason },
      JSON.stringify(body) ?? 'undefined',
    );
  }
});

test('TOFU: first key pinned; unsigned, verified, bad, key-changed; trust and forget', () => {
  const store = new TofuStore();
  const signed = at(signAs(message, alice.privateKey, 'Alice', AT));
  const forged = at(signAs(message, mallory.privateKey, 'Alice', AT));

  assert.equal(store.classify('Alice', at(message), verify), 'unsigned', 'no meta.sig');
  assert.equal(store.classify('Alice', at({ command: 'X' }), verify), 'unsigned', 'no meta');
  assert.equal(store.classify('Alice', signed, verify), 'unsigned', 'signed, but no key known yet');

  assert.equal(store.remember('Alice', alice.publicKey), false, 'first key: pinned, not a change');
  assert.equal(store.remember('alice', alice.publicKey), false, 'same key again');
  assert.equal(store.pinnedKey('ALICE'), alice.publicKey, 'nicks are casefolded');
  assert.equal(store.classify('alice', signed, verify), 'verified');
  assert.equal(store.classify('Alice', forged, verify), 'bad');
  assert.equal(store.classify('Alice', { ...signed, body: ['edited'] }, verify), 'bad');
  assert.equal(
    store.classify('Alice', { ...signed, meta: { ...signed.meta, alg: 'rsa' } }, verify),
    'bad',
  );
  assert.equal(
    store.classify('Alice', { ...signed, meta: { ...signed.meta, sig: 5 } }, verify),
    'bad',
  );
  assert.equal(store.classify('Alice', at(message), verify), 'unsigned', 'signing is per message');
  const throwing = (): boolean => {
    throw new Error('boom');
  };
  assert.equal(
    store.classify('Alice', signed, throwing),
    'bad',
    'a throwing verifier counts as bad',
  );

  // The nick announces another key: a change, and its messages are flagged until trusted.
  assert.equal(store.remember('Alice', mallory.publicKey), true);
  assert.equal(
    store.remember('Alice', mallory.publicKey),
    true,
    'still differs from the pinned key',
  );
  assert.equal(store.currentKey('Alice'), mallory.publicKey);
  assert.equal(store.pinnedKey('Alice'), alice.publicKey);
  assert.equal(store.classify('Alice', forged, verify), 'key-changed');
  assert.equal(store.classify('Alice', signed, verify), 'bad', 'old key no longer current');
  assert.equal(store.remember('Alice', alice.publicKey), false, 'back to the pinned key');
  assert.equal(store.classify('Alice', signed, verify), 'verified');

  store.remember('Alice', mallory.publicKey);
  store.trust('Alice');
  assert.equal(store.pinnedKey('Alice'), mallory.publicKey);
  assert.equal(store.classify('Alice', forged, verify), 'verified', 'after the user accepts it');
  assert.equal(store.remember('Alice', mallory.publicKey), false);

  store.forget('alice');
  assert.equal(store.pinnedKey('Alice'), undefined);
  assert.equal(store.classify('Alice', forged, verify), 'unsigned');
  assert.equal(store.remember('Alice', alice.publicKey), false, 'pinned afresh after forget');
});

test('TOFU: pinned keys persist through the pluggable store, casefolded (rfc1459)', () => {
  const saved: Record<string, string>[] = [];
  let current: Record<string, string> = {
    'Bob[away]': alice.publicKey,
    carol: 7 as unknown as string,
  };
  const persistence: KeyPersistence = {
    load: () => current,
    save: (keys) => {
      saved.push(keys);
      current = keys;
    },
  };
  const first = new TofuStore(persistence);
  assert.equal(first.pinnedKey('bob{AWAY}'), alice.publicKey, 'loaded and folded');
  assert.equal(first.pinnedKey('carol'), undefined, 'non-string entries ignored');
  first.remember('Dave', mallory.publicKey);
  assert.deepEqual(saved.at(-1), { 'bob{away}': alice.publicKey, dave: mallory.publicKey });
  assert.equal(first.remember('dave', alice.publicKey), true);
  assert.equal(saved.length, 1, 'an unaccepted change is not persisted');

  const second = new TofuStore(persistence);
  assert.equal(second.pinnedKey('DAVE'), mallory.publicKey);
  assert.equal(second.currentKey('dave'), mallory.publicKey, 'announcements last one run');
  const fromDave = at(
    signAs({ command: 'PRIVMSG', to: 'me', body: ['yo'] }, mallory.privateKey, 'Dave', AT),
  );
  assert.equal(second.classify('Dave', fromDave, verify), 'verified');

  const mem = memoryPersistence({ erin: alice.publicKey });
  const third = new TofuStore(mem);
  third.remember('frank', mallory.publicKey);
  assert.deepEqual(mem.load(), { erin: alice.publicKey, frank: mallory.publicKey });
});

test('measure: µs per verify of a typical message (reported, not asserted)', (t) => {
  const msg: SignableMessage = {
    command: 'PRIVMSG',
    to: '#general',
    body: ['a typical line of chat, about sixty characters long or so…'],
    meta: {},
  };
  const { sig } = sign(msg, alice.privateKey);
  const keyObject = importPublicKey(alice.publicKey)!;
  const median = (fn: () => unknown, runs = 2000): number => {
    for (let i = 0; i < 200; i++) fn();
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      const start = process.hrtime.bigint();
      fn();
      times.push(Number(process.hrtime.bigint() - start) / 1000);
    }
    times.sort((a, b) => a - b);
    return times[times.length >> 1]!;
  };
  const fromBase64 = median(() => verify(msg, alice.publicKey, sig));
  const fromKeyObject = median(() => verify(msg, keyObject, sig));
  const payloadOnly = median(() => signedPayload(msg));
  const signing = median(() => sign(msg, alice.privateKey));
  t.diagnostic(
    `verify median ${fromBase64.toFixed(1)} µs (base64 key), ${fromKeyObject.toFixed(1)} µs ` +
      `(KeyObject); signedPayload ${payloadOnly.toFixed(1)} µs; sign ${signing.toFixed(1)} µs`,
  );
});
