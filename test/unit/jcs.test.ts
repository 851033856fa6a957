// RFC 8785 canonical JSON (src/shared/jcs.ts): the RFC's published examples, escaping, key
// order, refusals, and fast-check properties.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  canonicalize,
  JCS_MAX_DEPTH,
  JcsError,
  type JcsErrorReason,
} from '../../src/shared/jcs.js';

function refuses(value: unknown, reason: JcsErrorReason, path?: string): void {
  assert.throws(
    () => canonicalize(value),
    (err: unknown) => {
      assert.ok(err instanceof JcsError, `expected JcsError, got ${String(err)}`);
      assert.equal(err.reason, reason);
      if (path !== undefined) assert.equal(err.path, path);
      return true;
    },
  );
}

test('RFC 8785 §3.2.2/§3.2.3/§3.2.4 sample: input, canonical text and UTF-8 bytes', () => {
  // The sample input, as JSON text (escapes included), from RFC 8785 §3.2.2.
  const input = String.raw`{
    "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
    "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
    "literals": [null, true, false]
  }`;
  const expected = String.raw`{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\u000f\nA'B\"\\\\\"/"}`;
  const out = canonicalize(JSON.parse(input));
  assert.equal(out, expected);
  // RFC 8785 §3.2.4: the same result as UTF-8 bytes.
  const hex = `7b 22 6c 69 74 65 72 61 6c 73 22 3a 5b 6e 75 6c 6c 2c 74 72
    75 65 2c 66 61 6c 73 65 5d 2c 22 6e 75 6d 62 65 72 73 22 3a
    5b 33 33 33 33 33 33 33 33 33 2e 33 33 33 33 33 33 33 2c 31
    65 2b 33 30 2c 34 2e 35 2c 30 2e 30 30 32 2c 31 65 2d 32 37
    5d 2c 22 73 74 72 69 6e 67 22 3a 22 e2 82 ac 24 5c 75 30 30
    30 66 5c 6e 41 27 42 5c 22 5c 5c 5c 5c 5c 22 2f 22 7d`;
  assert.equal(Buffer.from(out, 'utf8').toString('hex'), hex.replace(/\s+/g, ''));
});

test('RFC 8785 §3.2.3 sorting example: keys ordered by UTF-16 code units', () => {
  const input = String.raw`{
    "\u20ac": "Euro Sign",
    "\r": "Carriage Return",
    "\ufb33": "Hebrew Letter Dalet With Dagesh",
    "1": "One",
    "\ud83d\ude00": "Emoji: Grinning Face",
    "\u0080": "Control",
    "\u00f6": "Latin Small Letter O With Diaeresis"
  }`;
  const out = canonicalize(JSON.parse(input));
  const order = [...out.matchAll(/:"([^"]*)"/g)].map((m) => m[1]);
  assert.deepEqual(order, [
    'Carriage Return',
    'One',
    'Control',
    'Latin Small Letter O With Diaeresis',
    'Euro Sign',
    'Emoji: Grinning Face',
    'Hebrew Letter Dalet With Dagesh',
  ]);
  assert.equal(
    out,
    '{"\\r":"Carriage Return","1":"One","\u0080":"Control",' +
      '"\u00f6":"Latin Small Letter O With Diaeresis","\u20ac":"Euro Sign",' +
      '"\ud83d\ude00":"Emoji: Grinning Face","\ufb33":"Hebrew Letter Dalet With Dagesh"}',
  );
});

test('RFC 8785 Appendix B number samples (IEEE 754 bits → JSON text)', () => {
  const samples: [string, string | null][] = [
    ['0000000000000000', '0'],
    ['8000000000000000', '0'], // minus zero
    ['0000000000000001', '5e-324'],
    ['8000000000000001', '-5e-324'],
    ['7fefffffffffffff', '1.7976931348623157e+308'],
    ['ffefffffffffffff', '-1.7976931348623157e+308'],
    ['4340000000000000', '9007199254740992'],
    ['c340000000000000', '-9007199254740992'],
    ['4430000000000000', '295147905179352830000'],
    ['7fffffffffffffff', null], // NaN
    ['7ff0000000000000', null], // Infinity
    ['44b52d02c7e14af5', '9.999999999999997e+22'],
    ['44b52d02c7e14af6', '1e+23'],
    ['44b52d02c7e14af7', '1.0000000000000001e+23'],
    ['444b1ae4d6e2ef4e', '999999999999999700000'],
    ['444b1ae4d6e2ef4f', '999999999999999900000'],
    ['444b1ae4d6e2ef50', '1e+21'],
    ['3eb0c6f7a0b5ed8c', '9.999999999999997e-7'],
    ['3eb0c6f7a0b5ed8d', '0.000001'],
    ['41b3de4355555553', '333333333.3333332'],
    ['41b3de4355555554', '333333333.33333325'],
    ['41b3de4355555555', '333333333.3333333'],
    ['41b3de4355555556', '333333333.3333334'],
    ['41b3de4355555557', '333333333.33333343'],
    ['becbf647612f3696', '-0.0000033333333333333333'],
    ['43143ff3c1cb0959', '1424953923781206.2'], // round to even
  ];
  for (const [bits, expected] of samples) {
    const n = Buffer.from(bits, 'hex').readDoubleBE(0);
    if (expected === null) refuses(n, 'non-finite-number', '$');
    else assert.equal(canonicalize(n), expected, bits);
  }
});

test('numbers as the §3.2.2 sample writes them, and the small/large switch-overs', () => {
  const cases: [number, string][] = [
    // eslint-disable-next-line no-loss-of-precision -- the RFC sample literal, on purpose
    [333333333.33333329, '333333333.3333333'],
    [1e30, '1e+30'],
    [4.5, '4.5'],
    [2e-3, '0.002'],
    [1e-27, '1e-27'],
    [1e-7, '1e-7'],
    [1e-6, '0.000001'],
    [1e20, '100000000000000000000'],
    [1e21, '1e+21'],
    [-0, '0'],
    [-1.5, '-1.5'],
    [10, '10'],
  ];
  for (const [n, text] of cases) assert.equal(canonicalize(n), text, text);
  assert.equal(canonicalize([-0, { a: -0 }]), '[0,{"a":0}]');
  refuses(-Infinity, 'non-finite-number');
  refuses({ x: [1, NaN] }, 'non-finite-number', '$.x[1]');
});

test('string escaping: only " \\ and U+0000–U+001F, short forms where they exist', () => {
  const short: Record<number, string> = { 8: '\\b', 9: '\\t', 10: '\\n', 12: '\\f', 13: '\\r' };
  for (let c = 0; c < 0x20; c++) {
    const expected = short[c] ?? '\\u' + c.toString(16).padStart(4, '0');
    assert.equal(canonicalize(String.fromCharCode(c)), `"${expected}"`, `U+${c.toString(16)}`);
  }
  assert.equal(canonicalize('\u001f\u000b'), '"\\u001f\\u000b"', 'lowercase hex');
  assert.equal(canonicalize('say "hi" \\ bye'), '"say \\"hi\\" \\\\ bye"');
  // Everything else as is: solidus, DEL, C1 controls, line/paragraph separators, BMP and astral.
  for (const s of ['/', '\u007f', '\u0080', '\u2028\u2029', 'äöü €', '\ud83d\ude00', '\ufeff']) {
    assert.equal(canonicalize(s), `"${s}"`, JSON.stringify(s));
  }
  assert.equal(canonicalize(''), '""');
  assert.equal(canonicalize('a\tb\nc'), '"a\\tb\\nc"');
  assert.equal(canonicalize({ 'k\n"': 'v' }), '{"k\\n\\"":"v"}', 'member names too');
});

test('literals, arrays in order, no whitespace, nested objects sorted', () => {
  assert.equal(canonicalize(null), 'null');
  assert.equal(canonicalize(true), 'true');
  assert.equal(canonicalize(false), 'false');
  assert.equal(canonicalize([]), '[]');
  assert.equal(canonicalize({}), '{}');
  assert.equal(canonicalize([3, 1, 2]), '[3,1,2]');
  assert.equal(
    canonicalize({ b: [{ z: 1, a: 2 }], a: { d: null, c: [true] }, '': 0 }),
    '{"":0,"a":{"c":[true],"d":null},"b":[{"a":2,"z":1}]}',
  );
  const bare = Object.create(null) as Record<string, unknown>;
  bare.y = 1;
  bare.x = 2;
  assert.equal(canonicalize(bare), '{"x":2,"y":1}', 'null-prototype objects are plain');
  // A "__proto__" member made by JSON.parse is an own member and is kept.
  assert.equal(
    canonicalize(JSON.parse('{"__proto__":{"a":1},"b":2}')),
    '{"__proto__":{"a":1},"b":2}',
  );
});

test('key order is by UTF-16 code units, not code points or locale', () => {
  // U+1F600 is D83D DE00 in UTF-16, so it sorts before U+FB33 though its code point is larger.
  assert.equal(
    canonicalize({ '\ufb33': 1, '\ud83d\ude00': 2, '\u20ac': 3, '\r': 4, '1': 5, a: 6, B: 7 }),
    '{"\\r":4,"1":5,"B":7,"a":6,"\u20ac":3,"\ud83d\ude00":2,"\ufb33":1}',
  );
  assert.equal(canonicalize({ aa: 1, a: 2, ab: 3, '': 4 }), '{"":4,"a":2,"aa":1,"ab":3}');
  // No ':' in names, so the values' positions in the text give the emitted order.
  const keyArb = fc.string({ unit: 'binary', maxLength: 6 }).filter((k) => !k.includes(':'));
  const codeUnits = (s: string): number[] =>
    Array.from({ length: s.length }, (_, i) => s.charCodeAt(i));
  fc.assert(
    fc.property(fc.uniqueArray(keyArb, { maxLength: 12 }), (keys) => {
      const obj = Object.fromEntries(keys.map((k, i) => [k, i]));
      const parsed = JSON.parse(canonicalize(obj)) as Record<string, number>;
      // Recover the emitted order from the values (JSON.parse would reorder integer-like keys).
      const emitted = [...canonicalize(obj).matchAll(/:(\d+)[,}]/g)].map(
        (m) => keys[Number(m[1])]!,
      );
      assert.equal(emitted.length, keys.length);
      for (let i = 1; i < emitted.length; i++) {
        const a = codeUnits(emitted[i - 1]!);
        const b = codeUnits(emitted[i]!);
        let k = 0;
        while (k < a.length && k < b.length && a[k] === b[k]) k++;
        assert.ok(k < b.length && (k === a.length || a[k]! < b[k]!), 'ascending code units');
      }
      assert.deepEqual(parsed, obj);
    }),
    { numRuns: 300, seed: 8785 },
  );
});

/** -0 canonicalizes to "0", so parsing back yields +0: compare against a copy with -0 → 0. */
function withoutMinusZero(value: unknown): unknown {
  if (Object.is(value, -0)) return 0;
  if (Array.isArray(value)) return value.map(withoutMinusZero);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withoutMinusZero(v)]));
  }
  return value;
}

/** The same value with every object's members inserted in a seeded random order. */
function reinserted(value: unknown, seed: { s: number }): unknown {
  if (Array.isArray(value)) return value.map((v) => reinserted(v, seed));
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value);
    for (let i = entries.length - 1; i > 0; i--) {
      seed.s = (seed.s * 1103515245 + 12345) >>> 0;
      const j = seed.s % (i + 1);
      [entries[i], entries[j]] = [entries[j]!, entries[i]!];
    }
    return Object.fromEntries(entries.map(([k, v]) => [k, reinserted(v, seed)]));
  }
  return value;
}

const jsonValues = fc.jsonValue({ stringUnit: 'binary', maxDepth: 6 });

test('properties: parse round trip, idempotence, insertion-order independence (fast-check)', () => {
  fc.assert(
    fc.property(jsonValues, fc.nat(), (value, seed) => {
      const text = canonicalize(value);
      assert.deepEqual(JSON.parse(text), withoutMinusZero(value));
      assert.equal(canonicalize(JSON.parse(text)), text);
      assert.equal(canonicalize(reinserted(value, { s: seed })), text);
    }),
    { numRuns: 1000, seed: 42 },
  );
});

test('strings match ECMAScript JSON.stringify for well-formed text (fast-check)', () => {
  // RFC 8785 §3.2.2.2 defers to ECMA-262 JSON.stringify for strings; use it as an oracle.
  fc.assert(
    fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (s) => {
      assert.equal(canonicalize(s), JSON.stringify(s));
    }),
    { numRuns: 2000, seed: 7 },
  );
  const controls = fc.string({
    unit: fc.integer({ min: 0, max: 0x7f }).map((c) => String.fromCharCode(c)),
  });
  fc.assert(
    fc.property(controls, (s) => assert.equal(canonicalize(s), JSON.stringify(s))),
    { numRuns: 1000, seed: 8 },
  );
});

test('refuses non-JSON values with a typed error and a path', () => {
  refuses(undefined, 'undefined', '$');
  refuses([1, undefined], 'undefined', '$[1]');
  refuses({ a: { b: undefined } }, 'undefined', '$.a.b');
  // eslint-disable-next-line no-sparse-arrays
  refuses([1, , 3], 'undefined', '$[1]');
  refuses({ f: () => 1 }, 'function', '$.f');
  refuses(10n, 'bigint');
  refuses([Symbol('x')], 'symbol', '$[0]');
  refuses(NaN, 'non-finite-number');
  refuses(Infinity, 'non-finite-number');
  refuses('\ud800', 'lone-surrogate');
  refuses('a\udc00b', 'lone-surrogate');
  refuses({ list: ['ok', '\ud83d'] }, 'lone-surrogate', '$.list[1]');
  refuses({ ['\ude00']: 1 }, 'lone-surrogate', '$');
  refuses(new Date(0), 'not-plain-object');
  refuses(new Map(), 'not-plain-object');
  refuses({ n: Object(1) as unknown }, 'not-plain-object', '$.n');
  refuses(new (class Thing {})(), 'not-plain-object');
  refuses({ 'odd key': [undefined] }, 'undefined', '$["odd key"][0]');
});

test('nesting: 64 levels pass, 65 refuse; 100,000 levels and cycles refuse without overflow', () => {
  const nestArrays = (depth: number): unknown => {
    let v: unknown = 1;
    for (let i = 0; i < depth; i++) v = [v];
    return v;
  };
  const nestObjects = (depth: number): unknown => {
    let v: unknown = 1;
    for (let i = 0; i < depth; i++) v = { k: v };
    return v;
  };
  assert.equal(JCS_MAX_DEPTH, 64);
  assert.equal(canonicalize(nestArrays(64)), '['.repeat(64) + '1' + ']'.repeat(64));
  refuses(nestArrays(65), 'too-deep');
  assert.equal(canonicalize(nestObjects(64)).length, 64 * 6 + 1);
  refuses(nestObjects(65), 'too-deep');
  refuses(nestArrays(100_000), 'too-deep');
  refuses(nestObjects(100_000), 'too-deep');
  const cyclic: Record<string, unknown> = { a: 1 };
  cyclic.self = cyclic;
  refuses(cyclic, 'too-deep');
  // The walk is iterative: with the bound lifted, 100,000 levels serialize without recursion.
  const deep = canonicalize(nestArrays(100_000), { maxDepth: Infinity });
  assert.equal(deep.length, 200_001);
  assert.equal(canonicalize(nestArrays(3), { maxDepth: 3 }), '[[[1]]]');
  assert.throws(() => canonicalize(nestArrays(3), { maxDepth: 2 }), JcsError);
});
