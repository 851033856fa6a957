// The web client's pure modules, in Node: SHA-512 and Ed25519 verification (the fallback for pages
// without WebCrypto) against node:crypto, the browser-side signed-message check against
// src/shared/signing.ts, and link detection.
import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import type { Envelope } from '../../src/model/api.js';
import {
  exportPublicKey,
  signMessage,
  signedPayload,
  verifyDelivered as nodeVerifyDelivered,
} from '../../src/shared/signing.js';
import { ed25519Verify } from '../../web/src/crypto/ed25519.js';
import { sha512 } from '../../web/src/crypto/sha512.js';
import { candidatePayloads, decodeBase64, verifyDelivered } from '../../web/src/crypto/verify.js';
import { linkify } from '../../web/src/util/linkify.js';

const keyPair = () => {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const raw = Buffer.from(exportPublicKey(publicKey), 'base64');
  return { privateKey, publicKey, raw: new Uint8Array(raw), b64: raw.toString('base64') };
};

void describe('sha512', () => {
  test('matches node:crypto around the block boundaries and on random input', () => {
    for (const n of [0, 1, 55, 56, 111, 112, 127, 128, 129, 239, 240, 256, 1000]) {
      const data = randomBytes(n);
      assert.equal(
        Buffer.from(sha512(data)).toString('hex'),
        createHash('sha512').update(data).digest('hex'),
        `${n} bytes`,
      );
    }
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), (data) => {
        const ours = Buffer.from(sha512(data)).toString('hex');
        return ours === createHash('sha512').update(data).digest('hex');
      }),
      { numRuns: 60 },
    );
  });
});

void describe('ed25519Verify (pure JavaScript)', () => {
  test('accepts signatures made by node:crypto and refuses every altered part', () => {
    const { privateKey, raw } = keyPair();
    const other = keyPair();
    for (const length of [0, 1, 33, 200]) {
      const message = randomBytes(length);
      const sig = new Uint8Array(sign(null, message, privateKey));
      assert.equal(ed25519Verify(raw, sig, message), true, `${length}-byte message`);
      assert.equal(ed25519Verify(other.raw, sig, message), false, 'another key');
      const flipped = sig.slice();
      flipped[length % 64]! ^= 1;
      assert.equal(ed25519Verify(raw, flipped, message), false, 'a flipped signature bit');
      if (length > 0) {
        const changed = Buffer.from(message);
        changed[0]! ^= 0x80;
        assert.equal(ed25519Verify(raw, sig, changed), false, 'a changed message');
      }
    }
  });

  test('refuses malformed input without throwing', () => {
    const { privateKey, raw } = keyPair();
    const message = Buffer.from('hello');
    const sig = new Uint8Array(sign(null, message, privateKey));
    assert.equal(ed25519Verify(raw.subarray(1), sig, message), false, 'short key');
    assert.equal(ed25519Verify(raw, sig.subarray(1), message), false, 'short signature');
    assert.equal(ed25519Verify(new Uint8Array(32).fill(0xff), sig, message), false, 'not a point');
    // S + L: the same point equation, but a non-canonical scalar (malleability) is refused.
    const L = 2n ** 252n + 27742317777372353535851937790883648493n;
    let s = 0n;
    for (let i = 63; i >= 32; i--) s = (s << 8n) | BigInt(sig[i]!);
    let big = s + L;
    const malleable = sig.slice();
    for (let i = 32; i < 64; i++, big >>= 8n) malleable[i] = Number(big & 0xffn);
    assert.equal(ed25519Verify(raw, malleable, message), false, 'S ≥ L');
  });
});

void describe('verifyDelivered (browser side)', () => {
  const { privateKey, b64 } = keyPair();

  /** What recipients receive: params, body and meta always present, the command upper case. */
  const delivered = (input: Record<string, unknown>): Envelope => ({
    id: 'x',
    seq: 1,
    command: String(input.command).toUpperCase(),
    from: 'alice',
    to: String(input.to),
    params: (input.params as string[]) ?? [],
    body: (input.body as string[]) ?? [],
    ts: new Date(0).toISOString(),
    meta: (input.meta as Record<string, unknown>) ?? {},
  });

  test('the candidate payloads include the form the sender signed', () => {
    const msg = { command: 'PRIVMSG', to: '#c', body: ['hi'], meta: { action: true } };
    const candidates = candidatePayloads(delivered(msg)).map((b) => Buffer.from(b).toString());
    assert.ok(candidates.includes(Buffer.from(signedPayload(msg)).toString()));
  });

  test('agrees with src/shared/signing.ts on signed, altered and unsigned messages', async () => {
    const forms = [
      { command: 'PRIVMSG', to: '#c', body: ['hello', 'two lines'] },
      { command: 'PRIVMSG', to: 'bob', body: ['dm'], meta: { action: true } },
      { command: 'NOTICE', to: '#c', params: [], body: ['no params in the request'] },
      { command: 'PRIVMSG', to: '#c', params: ['x'], body: ['with params'] },
    ];
    for (const form of forms) {
      const env = delivered(signMessage(form, privateKey));
      assert.equal(nodeVerifyDelivered(env, b64), true, 'node accepts');
      assert.equal(
        await verifyDelivered(env, b64),
        true,
        `browser accepts ${JSON.stringify(form)}`,
      );
      const altered = { ...env, body: ['something else'] };
      assert.equal(await verifyDelivered(altered, b64), false, 'altered text');
      assert.equal(await verifyDelivered({ ...env, to: '#d' }, b64), false, 'altered target');
    }
    const unsigned = delivered({ command: 'PRIVMSG', to: '#c', body: ['plain'] });
    assert.equal(await verifyDelivered(unsigned, b64), false);
    const wrongAlg = delivered(signMessage(forms[0]!, privateKey));
    wrongAlg.meta = { ...wrongAlg.meta, alg: 'rsa' };
    assert.equal(await verifyDelivered(wrongAlg, b64), false);
  });

  test('strict base64 of the exact length', () => {
    assert.equal(decodeBase64('AAAA', 3)?.length, 3);
    for (const bad of ['AAA', 'AAAA=', 'AA A', 'AAAB'.replace('B', '-'), 42, null]) {
      assert.equal(decodeBase64(bad, 3), null, String(bad));
    }
    assert.equal(decodeBase64('AAE=', 2)?.length, 2);
    assert.equal(decodeBase64('AAF=', 2), null, 'stray bits: not the canonical spelling');
  });
});

void describe('linkify', () => {
  const links = (text: string) =>
    linkify(text)
      .filter((s) => s.href)
      .map((s) => s.href);
  test('finds http(s) links and leaves sentence punctuation outside', () => {
    assert.deepEqual(links('see https://example.org/a?b=1.'), ['https://example.org/a?b=1']);
    assert.deepEqual(links('(http://x.example/y), and HTTPS://Z.example!'), [
      'http://x.example/y',
      'https://z.example/',
    ]);
    assert.deepEqual(links('https://en.wikipedia.org/wiki/Foo_(bar)'), [
      'https://en.wikipedia.org/wiki/Foo_(bar)',
    ]);
  });
  test('nothing else becomes a link, and the text is kept whole', () => {
    for (const text of [
      'javascript:alert(1)',
      'data:text/html,<script>alert(1)</script>',
      'ftp://example.org/file',
      '<a href="javascript:alert(1)">x</a>',
      'http://',
    ]) {
      assert.deepEqual(links(text), [], text);
    }
    const text = 'a http://x.example/"><img src=x> b';
    assert.equal(
      linkify(text)
        .map((s) => s.text)
        .join(''),
      text,
    );
    assert.deepEqual(links(text), ['http://x.example/']);
  });
});
