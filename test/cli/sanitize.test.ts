// The terminal sanitizer: every control character, C1 control, bidi override and lone surrogate
// from the network comes out as visible text; printable text comes out unchanged.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { sanitize, sanitizeDeep } from '../../src/cli/sanitize.js';

// anything a terminal could act on: C0, DEL, C1, bidi formatting, line/paragraph separators
// eslint-disable-next-line no-control-regex
const DANGEROUS = /[\u0000-\u001f\u007f-\u009f\p{Bidi_Control}\u2028\u2029]/u;

test('escape sequences and controls are shown, not interpreted', () => {
  const cases: [string, string][] = [
    ['\x1b]0;PWNED\x07', '^[]0;PWNED^G'],
    ['\x1b[2J\x1b[H', '^[[2J^[[H'],
    ['\x9b2J', '\\x9b2J'],
    ['\x9d0;title\x9c', '\\x9d0;title\\x9c'],
    ['a\rb\bc\x00d\x7f', 'a^Mb^Hc^@d^?'],
    ['tab\there', 'tab^Ihere'],
    ['line\nbreak', 'line^Jbreak'],
    ['\u202eevil\u202c', '\\u202eevil\\u202c'],
    ['sep\u2028x', 'sep\\u2028x'],
    // every bidi control (issue 12 finding 9: U+061C passed before)
    ['\u061cmark', '\\u061cmark'],
    ['\u200eltr\u200f', '\\u200eltr\\u200f'],
    ['\u2066iso\u2069', '\\u2066iso\\u2069'],
    ['lone \ud800 surrogate', 'lone \\ud800 surrogate'],
  ];
  for (const [input, shown] of cases) assert.equal(sanitize(input), shown, JSON.stringify(input));
});

test('printable text, emoji and other scripts pass unchanged', () => {
  for (const s of ['hello', 'ünïcödé', '日本語', '👍🏽 family 👨‍👩‍👧', '^[ already caret', 'a\\x1b b']) {
    assert.equal(sanitize(s), s);
  }
});

test('property: no dangerous character survives, and sanitize is idempotent', () => {
  fc.assert(
    fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (s) => {
      const out = sanitize(s);
      assert.ok(!DANGEROUS.test(out), JSON.stringify(out));
      assert.ok(out.isWellFormed());
      assert.equal(sanitize(out), out);
    }),
    { numRuns: 2000 },
  );
});

test('property: strings without dangerous characters are left alone', () => {
  fc.assert(
    fc.property(fc.string({ unit: 'grapheme', maxLength: 100 }), (s) => {
      fc.pre(!DANGEROUS.test(s));
      assert.equal(sanitize(s), s);
    }),
    { numRuns: 1000 },
  );
});

test('sanitizeDeep reaches every string of an envelope and keeps __proto__ a plain member', () => {
  const env = JSON.parse(
    '{"from":"x\\u001b","params":["\\u0007"],"body":["\\u009b"],"meta":{"__proto__":{"k":"\\u001b"},"n":1}}',
  ) as Record<string, unknown>;
  const out = sanitizeDeep(env);
  assert.deepEqual(JSON.parse(JSON.stringify(out)), {
    from: 'x^[',
    params: ['^G'],
    body: ['\\x9b'],
    meta: { ['__proto__']: { k: '^[' }, n: 1 },
  });
  assert.equal(Object.getPrototypeOf((out as { meta: object }).meta), Object.prototype);
});
