// Hashcash stamps (docs/hashcash.md) and the pure-JS SHA-256 behind them: table tests and properties.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  MAX_STAMP_LENGTH,
  checkStamp,
  formatStamp,
  leadingZeroBits,
  mintStamp,
  mintStampSync,
  parseStamp,
  stampDate,
  type CheckOptions,
} from '../../src/shared/hashcash.js';
import { Sha256, sha256 } from '../../src/shared/sha256.js';

const RUNS = { seed: 20250101 };
const NOW = new Date('2025-03-01T12:00:00Z');
const DAY = 86_400_000;
const utf8 = (s: string) => new TextEncoder().encode(s);
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const nodeSha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const opts = (over: Partial<CheckOptions> = {}): CheckOptions => ({
  requiredBits: 8,
  resource: 'chat',
  now: NOW,
  ...over,
});
/** Deterministic "random" bytes so minted stamps are reproducible. */
const fixedRandom = (fill: number) => (b: Uint8Array) => b.fill(fill);

// ---- SHA-256 ----------------------------------------------------------------------------

test('sha256: FIPS 180-4 vectors', () => {
  const cases: [string, string][] = [
    ['', 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'],
    ['abc', 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'],
    [
      'abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq',
      '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1',
    ],
  ];
  for (const [input, digest] of cases) assert.equal(hex(sha256(utf8(input))), digest, input);
  assert.equal(
    hex(sha256(new Uint8Array(1_000_000).fill(0x61))),
    'cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0',
    'one million "a"',
  );
});

test('sha256 equals node:crypto on arbitrary bytes, incl. every padding boundary (fast-check)', () => {
  for (let n = 0; n <= 200; n++) {
    const b = Uint8Array.from({ length: n }, (_, i) => (i * 31 + n) & 255);
    assert.equal(hex(sha256(b)), nodeSha256(b), `length ${n}`);
  }
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 600 }), (b) => {
      assert.equal(hex(sha256(b)), nodeSha256(b));
    }),
    { ...RUNS, numRuns: 1000 },
  );
});

test('sha256 equals node:crypto on non-ASCII text (fast-check)', () => {
  fc.assert(
    fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (s) => {
      assert.equal(hex(sha256(utf8(s))), createHash('sha256').update(s, 'utf8').digest('hex'));
    }),
    { ...RUNS, numRuns: 500 },
  );
});

test('incremental updates in any chunking, copyFrom and reset give the one-shot digest', () => {
  fc.assert(
    fc.property(
      fc.uint8Array({ maxLength: 400 }),
      fc.array(fc.nat(400), { maxLength: 6 }),
      (b, cuts) => {
        const points = [0, ...cuts.map((c) => Math.min(c, b.length)).sort((x, y) => x - y)];
        const h = new Sha256();
        for (let i = 0; i < points.length; i++) {
          h.update(b, points[i], points[i + 1] ?? b.length);
        }
        const clone = new Sha256().copyFrom(h);
        const expected = nodeSha256(b);
        assert.equal(hex(h.digest()), expected);
        assert.equal(hex(clone.digest()), expected);
        assert.equal(hex(h.reset().update(b).digest()), expected);
      },
    ),
    { ...RUNS, numRuns: 500 },
  );
});

// ---- helpers ----------------------------------------------------------------------------

test('leadingZeroBits', () => {
  const cases: [number[], number][] = [
    [[], 0],
    [[0x80], 0],
    [[0x40], 1],
    [[0x01], 7],
    [[0x00], 8],
    [[0x00, 0x00, 0x0f], 20],
    [[0x00, 0xff], 8],
    [[0, 0, 0, 0], 32],
  ];
  for (const [bytes, n] of cases) assert.equal(leadingZeroBits(Uint8Array.from(bytes)), n);
});

test('stampDate is the UTC date as YYMMDD', () => {
  assert.equal(stampDate(new Date('2025-03-01T00:00:00Z')), '250301');
  assert.equal(stampDate(new Date('2025-12-31T23:59:59.999Z')), '251231');
  assert.equal(stampDate(new Date('2031-01-09T05:00:00+09:00')), '310108');
});

// ---- mint + check -------------------------------------------------------------------------

test('minted stamps at 8 and 12 bits verify and have the format of docs/hashcash.md', async () => {
  for (const bits of [8, 12]) {
    const stamp = await mintStamp({ bits, resource: 'chat', now: NOW });
    assert.match(stamp, new RegExp(`^1:${bits}:250301:chat::[A-Za-z0-9+/=]{16}:[0-9]+$`));
    const result = checkStamp(stamp, opts({ requiredBits: bits }));
    assert.ok(result.ok, `${stamp}: ${JSON.stringify(result)}`);
    assert.equal(result.stamp.text, stamp);
    assert.ok(leadingZeroBits(sha256(utf8(stamp))) >= bits);
    const sync = mintStampSync({ bits, resource: 'chat', now: NOW });
    assert.equal(checkStamp(sync, opts({ requiredBits: bits })).ok, true, sync);
  }
});

test('a stamp with more bits than required is accepted; two mints differ (random rand)', () => {
  const a = mintStampSync({ bits: 10, resource: 'chat', now: NOW });
  const b = mintStampSync({ bits: 10, resource: 'chat', now: NOW });
  assert.notEqual(a, b);
  assert.equal(checkStamp(a, opts({ requiredBits: 4 })).ok, true);
});

test('mintStamp yields, reports progress and can be aborted', async () => {
  const progress: number[] = [];
  let timerRan = false;
  setTimeout(() => (timerRan = true), 0);
  // Fixed rand: the counter is found after 4545 tries. sliceMs 0 yields after every batch of
  // 1024 tries, so the progress reports are exactly known.
  const options = { bits: 14, resource: 'chat', now: NOW, random: fixedRandom(7) };
  const stamp = await mintStamp({
    ...options,
    sliceMs: 0,
    onProgress: (tries) => progress.push(tries),
  });
  assert.equal(stamp, '1:14:250301:chat::BwcHBwcHBwcHBwcH:4544');
  assert.deepEqual(progress, [1024, 2048, 3072, 4096]);
  assert.equal(timerRan, true, 'the event loop ran timers while minting');
  assert.equal(stamp, mintStampSync(options));
  assert.equal(await mintStamp(options), stamp, 'default slices, same search');

  const ac = new AbortController();
  ac.abort(new Error('cancelled'));
  await assert.rejects(mintStamp({ bits: 40, resource: 'chat', signal: ac.signal }), /cancelled/);
});

test('mint refuses impossible parameters', () => {
  assert.throws(() => mintStampSync({ bits: 8.5, resource: 'chat' }), RangeError);
  assert.throws(() => mintStampSync({ bits: 8, resource: 'a:b' }), RangeError);
  assert.throws(() => mintStampSync({ bits: 8, resource: '' }), RangeError);
  assert.throws(() => mintStampSync({ bits: 8, resource: 'x'.repeat(250) }), RangeError);
});

// A valid 8-bit stamp for the NOW date whose hash has exactly 8 zero bits (so claiming 9 is a
// lie), to derive failing variants from.
const GOOD = (() => {
  for (let fill = 0; ; fill++) {
    const s = mintStampSync({ bits: 8, resource: 'chat', now: NOW, random: fixedRandom(fill) });
    if (leadingZeroBits(sha256(utf8(s))) === 8) return s;
  }
})();
const GOOD_FIELDS = GOOD.split(':');
const withField = (i: number, value: string) =>
  GOOD_FIELDS.map((f, j) => (j === i ? value : f)).join(':');

test('check reasons: wrong resource, too few bits, insufficient work', () => {
  assert.equal(checkStamp(GOOD, opts()).ok, true, GOOD);
  assert.deepEqual(checkStamp(GOOD, opts({ resource: 'other' })), {
    ok: false,
    reason: 'wrong_resource',
  });
  assert.deepEqual(checkStamp(GOOD, opts({ resource: 'Chat' })), {
    ok: false,
    reason: 'wrong_resource',
  });
  // The stamp claims 8 bits, the server wants 9.
  assert.deepEqual(checkStamp(GOOD, opts({ requiredBits: 9 })), {
    ok: false,
    reason: 'too_few_bits',
  });
  // Claims 20 bits, but its hash does not have them.
  const liar = `1:20:250301:chat::${GOOD_FIELDS[5]}:0`;
  assert.ok(leadingZeroBits(sha256(utf8(liar))) < 20, 'precondition');
  assert.deepEqual(checkStamp(liar, opts({ requiredBits: 20 })), {
    ok: false,
    reason: 'insufficient_work',
  });
  // Claims 9 bits, the server wants 8, the hash has exactly 8: the claim is what must hold.
  let counter = 0;
  const claim9 = (n: number) => `1:9:250301:chat::${GOOD_FIELDS[5]}:${n}`;
  while (leadingZeroBits(sha256(utf8(claim9(counter)))) !== 8) counter++;
  assert.deepEqual(checkStamp(claim9(counter), opts({ requiredBits: 8 })), {
    ok: false,
    reason: 'insufficient_work',
  });
});

test('check reasons: the date may be off by 2 days, not 3, in both directions', () => {
  for (const [offset, ok] of [
    [-3, false],
    [-2, true],
    [0, true],
    [2, true],
    [3, false],
  ] as const) {
    const stamp = mintStampSync({ bits: 8, resource: 'chat', now: new Date(+NOW + offset * DAY) });
    const result = checkStamp(stamp, opts());
    assert.equal(result.ok, ok, `${offset} days: ${JSON.stringify(result)}`);
    if (!result.ok) assert.equal(result.reason, 'stale_date');
  }
  // The window counts UTC calendar days: at 23:59 UTC tomorrow+2 is still fine.
  const lateNow = new Date('2025-03-01T23:59:59Z');
  const early = mintStampSync({ bits: 8, resource: 'chat', now: new Date('2025-03-03T00:00:00Z') });
  assert.equal(checkStamp(early, opts({ now: lateNow })).ok, true);
  const custom = mintStampSync({ bits: 8, resource: 'chat', now: new Date(+NOW + DAY) });
  assert.deepEqual(checkStamp(custom, opts({ maxSkewDays: 0 })), {
    ok: false,
    reason: 'stale_date',
  });
});

test('parse reasons: malformed fields and wrong version', () => {
  const malformed = [
    '',
    'hello',
    '1',
    '1:8:250301:chat::AAAA', // 6 fields
    GOOD + ':x', // 8 fields
    withField(5, ''), // empty rand
    withField(6, ''), // empty counter
    withField(5, 'ab-cd'), // bad character
    withField(5, 'ab cd'),
    withField(6, 'é'),
    withField(6, '1'.repeat(65)), // 65-char counter
    withField(5, 'A'.repeat(65)),
    withField(4, 'ext'), // extension must be empty
    withField(3, ''), // empty resource
    withField(3, 'ch at'),
    withField(1, ''), // bits
    withField(1, 'x'),
    withField(1, '08'),
    withField(1, '257'),
    withField(1, '1000'),
    withField(2, '25031'), // date
    withField(2, '2503011'),
    withField(2, '251301'), // month 13
    withField(2, '250230'), // 30 February
    withField(2, '25030a'),
    withField(0, ''), // version
    withField(0, 'v1'),
    'x'.repeat(MAX_STAMP_LENGTH + 1),
    GOOD + ':' + 'A'.repeat(MAX_STAMP_LENGTH), // long
  ];
  for (const text of malformed) {
    assert.deepEqual(parseStamp(text), { ok: false, reason: 'malformed' }, text);
    assert.deepEqual(checkStamp(text, opts()), { ok: false, reason: 'malformed' }, text);
  }
  for (const text of [
    withField(0, '0'),
    withField(0, '2'),
    '0:250301:chat:1',
    withField(0, '01'),
  ]) {
    assert.deepEqual(parseStamp(text), { ok: false, reason: 'wrong_version' }, text);
    assert.deepEqual(checkStamp(text, opts()), { ok: false, reason: 'wrong_version' }, text);
  }
  for (const notText of [undefined, null, 42, {}, ['1:8'], Buffer.from(GOOD)]) {
    assert.deepEqual(checkStamp(notText, opts()), { ok: false, reason: 'malformed' });
  }
  // Leap day and full-length fields are fine.
  assert.equal(parseStamp(withField(2, '280229')).ok, true);
  assert.equal(parseStamp(withField(5, 'Az09+/='.repeat(9).slice(0, 64))).ok, true);
});

test('parseStamp never throws, and what it accepts round-trips through formatStamp (fast-check)', () => {
  // Arbitrary strings, and strings over a stamp-like alphabet so that the deeper checks run.
  const stampish = fc
    .array(
      fc.oneof(
        fc.constantFrom('1', '8', '20', '250301', 'chat', '', 'AAAA', '0', '999999', 'é', ' '),
        fc.string({ unit: 'binary', maxLength: 8 }),
      ),
      { maxLength: 9 },
    )
    .map((parts) => parts.join(':'));
  const anyText = fc.oneof(fc.string({ unit: 'binary', maxLength: 400 }), stampish);
  fc.assert(
    fc.property(anyText, (text) => {
      const result = parseStamp(text);
      if (result.ok) {
        assert.equal(formatStamp(result.stamp), text);
        assert.ok(text.length <= MAX_STAMP_LENGTH);
      } else {
        assert.ok(result.reason === 'malformed' || result.reason === 'wrong_version');
      }
      const checked = checkStamp(text, opts());
      assert.equal(typeof checked.ok, 'boolean');
    }),
    { ...RUNS, numRuns: 3000 },
  );
});

test('mint then check round-trips for arbitrary resources and dates (fast-check)', () => {
  const resource = fc
    .string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 30 })
    .filter((s) => !/[\s:\x7f]/.test(s));
  const when = fc.date({
    min: new Date('2000-01-01'),
    max: new Date('2099-12-31'),
    noInvalidDate: true,
  });
  fc.assert(
    fc.property(resource, when, fc.integer({ min: -2, max: 2 }), (res, now, skew) => {
      const stamp = mintStampSync({ bits: 4, resource: res, now });
      const checkedAt = new Date(+now + skew * DAY);
      const result = checkStamp(stamp, { requiredBits: 4, resource: res, now: checkedAt });
      assert.ok(result.ok, `${stamp}: ${JSON.stringify(result)}`);
      assert.equal(result.stamp.resource, res);
      assert.equal(result.stamp.date, stampDate(now));
    }),
    { ...RUNS, numRuns: 300 },
  );
});

test('cost of refusing a bogus stamp (printed, not asserted)', (t) => {
  const bogus = `1:20:${stampDate(NOW)}:chat::${GOOD_FIELDS[5]}:1`; // passes all but the hash
  const cases: [string, unknown][] = [
    ['well-formed, insufficient work (one hash)', bogus],
    ['malformed, 256 characters', 'A'.repeat(256)],
    ['1 MiB string', 'A'.repeat(1 << 20)],
  ];
  for (const [name, text] of cases) {
    const n = 20_000;
    const start = performance.now();
    for (let i = 0; i < n; i++) checkStamp(text, opts({ requiredBits: 20 }));
    const us = ((performance.now() - start) * 1000) / n;
    t.diagnostic(`checkStamp ${name}: ${us.toFixed(2)} µs`);
  }
});
