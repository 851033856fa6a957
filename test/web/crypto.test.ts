// The web client's pure modules, in Node: Ed25519 (WebCrypto's and the @noble/ed25519 fallback for
// pages without it) on RFC 8032's vectors and against node:crypto, the browser-side signed-message
// check against src/shared/signing.ts, the browser's own signatures verified by the Node side
// (what chatd and chat-cli run), and link detection.
import assert from 'node:assert/strict';
import { generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import type { Envelope } from '../../src/model/api.js';
import {
  exportPublicKey,
  signMessage,
  signedPayload,
  verifyDelivered as nodeVerifyDelivered,
} from '../../src/shared/signing.js';
import { encodeBase64 } from '../../web/src/crypto/base64.js';
import {
  nobleEngine,
  webCryptoEngine,
  type Ed25519Engine,
  type Subtle,
} from '../../web/src/crypto/ed25519-engines.js';
import { signCommand, signedBytes } from '../../web/src/crypto/sign.js';
import { candidatePayloads, decodeBase64, verifyDelivered } from '../../web/src/crypto/verify.js';
import { linkify } from '../../web/src/util/linkify.js';

const keyPair = () => {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const raw = Buffer.from(exportPublicKey(publicKey), 'base64');
  return { privateKey, publicKey, raw: new Uint8Array(raw), b64: raw.toString('base64') };
};

const hex = (h: string) => new Uint8Array(Buffer.from(h, 'hex'));

/** RFC 8032 section 7.1, TEST 1 to 3: public key, message, signature. */
const RFC8032 = [
  {
    pk: 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a',
    msg: '',
    sig: 'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
  },
  {
    pk: '3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c',
    msg: '72',
    sig: '92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00',
  },
  {
    pk: 'fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025',
    msg: 'af82',
    sig: '6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a',
  },
];

const engines: Ed25519Engine[] = [
  nobleEngine,
  webCryptoEngine(globalThis.crypto.subtle as unknown as Subtle),
];

for (const engine of engines) {
  void describe(`Ed25519 engine: ${engine.kind}`, () => {
    test('RFC 8032 test vectors verify, and nothing altered does', async () => {
      for (const v of RFC8032) {
        const [pk, msg, sig] = [hex(v.pk), hex(v.msg), hex(v.sig)];
        assert.equal(await engine.verify(pk, sig, msg), true, `vector ${v.pk.slice(0, 8)}`);
        const flipped = sig.slice();
        flipped[7]! ^= 1;
        assert.equal(await engine.verify(pk, flipped, msg), false, 'a flipped signature bit');
        assert.equal(await engine.verify(pk, sig, hex('00' + v.msg)), false, 'another message');
      }
    });

    test('accepts signatures made by node:crypto and refuses every altered part', async () => {
      const { privateKey, raw } = keyPair();
      const other = keyPair();
      for (const length of [0, 1, 33, 200]) {
        const message = randomBytes(length);
        const sig = new Uint8Array(sign(null, message, privateKey));
        assert.equal(await engine.verify(raw, sig, message), true, `${length}-byte message`);
        assert.equal(await engine.verify(other.raw, sig, message), false, 'another key');
        if (length > 0) {
          const changed = Buffer.from(message);
          changed[0]! ^= 0x80;
          assert.equal(await engine.verify(raw, sig, changed), false, 'a changed message');
        }
      }
      await fc.assert(
        fc.asyncProperty(fc.uint8Array({ maxLength: 300 }), async (data) => {
          const sig = new Uint8Array(sign(null, data, privateKey));
          return engine.verify(raw, sig, data);
        }),
        { numRuns: 40 },
      );
    });

    test('refuses malformed input without throwing', async () => {
      const { privateKey, raw } = keyPair();
      const message = Buffer.from('hello');
      const sig = new Uint8Array(sign(null, message, privateKey));
      assert.equal(await engine.verify(raw.subarray(1), sig, message), false, 'short key');
      assert.equal(await engine.verify(raw, sig.subarray(1), message), false, 'short signature');
      assert.equal(
        await engine.verify(new Uint8Array(32).fill(0xff), sig, message),
        false,
        'not a point',
      );
      // S + L: the same point equation, but a non-canonical scalar (malleability) is refused.
      const L = 2n ** 252n + 27742317777372353535851937790883648493n;
      let s = 0n;
      for (let i = 63; i >= 32; i--) s = (s << 8n) | BigInt(sig[i]!);
      let big = s + L;
      const malleable = sig.slice();
      for (let i = 32; i < 64; i++, big >>= 8n) malleable[i] = Number(big & 0xffn);
      assert.equal(await engine.verify(raw, malleable, message), false, 'S ≥ L');
    });

    test('a key it generates signs what node:crypto and chatd accept', async () => {
      const key = await engine.generate();
      assert.equal(key.kind, engine.kind === 'noble' ? 'raw' : 'webcrypto');
      const input = { command: 'privmsg', to: '#c', body: ['from the browser'] };
      const signed = await signCommand(input, key, 'alice', 1_767_225_600_000);
      assert.deepEqual(signed.meta, {
        signer: 'alice',
        ts: 1_767_225_600_000,
        sig: signed.meta?.sig,
        alg: 'ed25519',
      });
      assert.equal(signed.command, 'PRIVMSG', 'signed as delivered: upper case');
      // the bytes are src/shared/signing.ts's, and the signature holds over the delivered form
      assert.deepEqual(Buffer.from(signedBytes(signed)), Buffer.from(signedPayload(signed)));
      const pk = encodeBase64(key.publicKey);
      const env = delivered(signed);
      assert.equal(nodeVerifyDelivered(env, pk), true, 'node:crypto verifies it');
      assert.equal(await verifyDelivered(env, pk, engine), true, 'so does the page');
      assert.equal(nodeVerifyDelivered({ ...env, body: ['changed'] }, pk), false);
      // a PUBKEY's proof of possession: signed without `to`, delivered with a channel as `to`
      const proof = await signCommand(
        { command: 'PUBKEY', body: { alg: 'ed25519', key: pk } },
        key,
        'alice',
        1_767_225_600_001,
      );
      assert.equal(nodeVerifyDelivered(delivered({ ...proof, to: '#c' }), pk), true, 'PUBKEY');
    });
  });
}

/** What recipients receive: params, body and meta always present, the command upper case. */
function delivered(input: object): Envelope {
  const m = input as Record<string, unknown>;
  return {
    id: 'x',
    seq: 1,
    command: String(m.command).toUpperCase(),
    from: 'alice',
    to: String(m.to),
    params: (m.params as string[]) ?? [],
    body: (m.body as string[]) ?? [],
    ts: new Date(0).toISOString(),
    meta: (m.meta as Record<string, unknown>) ?? {},
  };
}

void describe('verifyDelivered (browser side)', () => {
  const { privateKey, b64 } = keyPair();

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
      for (const engine of engines) {
        const accepts = await verifyDelivered(env, b64, engine);
        assert.equal(accepts, true, `${engine.kind} accepts ${JSON.stringify(form)}`);
        const altered = { ...env, body: ['something else'] };
        assert.equal(await verifyDelivered(altered, b64, engine), false, 'altered text');
        const elsewhere = { ...env, to: '#d' };
        assert.equal(await verifyDelivered(elsewhere, b64, engine), false, 'altered target');
      }
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
