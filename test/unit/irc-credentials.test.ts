// SASL PLAIN and PASS as the IRC listener reads them (src/transports/irc/credentials.ts).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  decodePlain,
  parsePass,
  SASL_CHUNK_BYTES,
  SaslBuffer,
  splitAccount,
} from '../../src/transports/irc/credentials.js';

const plain = (s: string) => Buffer.from(s, 'utf8');

test('PLAIN: authcid names the account, `nick@device` names a device, authzid must agree', () => {
  assert.deepEqual(decodePlain(plain('\0alice\0pw')), {
    kind: 'login',
    nick: 'alice',
    device: null,
    password: 'pw',
  });
  assert.deepEqual(decodePlain(plain('alice\0alice@phone\0p w:x')), {
    kind: 'login',
    nick: 'alice',
    device: 'phone',
    password: 'p w:x',
  });
  assert.equal(decodePlain(plain('bob\0alice\0pw')), null, 'acting as another account');
  for (const bad of ['alice\0pw', '\0\0pw', '\0alice\0', '\0@phone\0pw', 'a\0b\0c\0d']) {
    assert.equal(decodePlain(plain(bad)), null, JSON.stringify(bad));
  }
  assert.equal(decodePlain(Buffer.from([0, 0xff, 0, 0x61])), null, 'not UTF-8');
});

test('PASS: hashcash:, account:password, nick@device:password, or a bare password', () => {
  assert.deepEqual(parsePass('hashcash:1:20:x', 'n'), { kind: 'hashcash', stamp: '1:20:x' });
  assert.deepEqual(parsePass('alice@laptop:s3cret:x', 'n'), {
    kind: 'login',
    nick: 'alice',
    device: 'laptop',
    password: 's3cret:x',
  });
  assert.deepEqual(parsePass('justapassword', 'carol'), {
    kind: 'login',
    nick: 'carol',
    device: null,
    password: 'justapassword',
  });
  assert.deepEqual(parsePass(':starts-with-colon', 'carol'), {
    kind: 'login',
    nick: 'carol',
    device: null,
    password: ':starts-with-colon',
  });
  assert.deepEqual(splitAccount('alice@'), { nick: 'alice', device: null });
});

test('AUTHENTICATE chunks: 400-byte pieces continue, a shorter one or + ends; bounded', () => {
  const b = new SaslBuffer();
  const msg = Buffer.from('\0alice\0' + 'x'.repeat(400)).toString('base64');
  assert.ok(msg.length > SASL_CHUNK_BYTES);
  const chunks = msg.match(/.{1,400}/g)!;
  for (const c of chunks.slice(0, -1)) assert.equal(b.add(c), 'more');
  const last = chunks.at(-1)!;
  const out = last.length === SASL_CHUNK_BYTES ? (b.add(last), b.add('+')) : b.add(last);
  assert.ok(Buffer.isBuffer(out));
  assert.equal(decodePlain(out)?.password, 'x'.repeat(400));
  assert.equal(new SaslBuffer().add('!!!!'), 'invalid');
  const flood = new SaslBuffer();
  let r: ReturnType<SaslBuffer['add']> = 'more';
  for (let i = 0; i < 10 && r === 'more'; i++) r = flood.add('A'.repeat(SASL_CHUNK_BYTES));
  assert.equal(r, 'too_long');
});
