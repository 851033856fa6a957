// The retry policy both clients' poll loops use (src/shared/backoff.ts): exponential with jitter
// and a cap, never sooner than the server's Retry-After, and Retry-After read in both its forms.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  Backoff,
  parseRetryAfter,
  retryDelay,
  RETRY_POLICY,
  type BackoffPolicy,
} from '../../src/shared/backoff.js';

const at = (r: number) => () => r;

test('exponential from 1 s to the 30 s cap, ±25 % jitter (table)', () => {
  const cases: [attempt: number, random: number, ms: number][] = [
    [0, 0.5, 1000],
    [0, 0, 750],
    [0, 1, 1250],
    [1, 0.5, 2000],
    [2, 0.5, 4000],
    [3, 0.5, 8000],
    [4, 0.5, 16_000],
    [5, 0.5, 30_000],
    [6, 0.5, 30_000],
    [5, 0, 22_500],
    [5, 1, 37_500],
    [1e6, 0.5, 30_000],
    [-3, 0.5, 1000], // nonsense attempt counts read as the first
    [Number.NaN, 0.5, 1000],
  ];
  for (const [attempt, random, ms] of cases) {
    assert.equal(retryDelay(attempt, null, at(random)), ms, `attempt ${attempt}, random ${random}`);
  }
});

test('a Retry-After is a floor: never sooner, spread upward by the jitter (table)', () => {
  const cases: [attempt: number, retryAfter: number | null, random: number, ms: number][] = [
    [0, 5, 0, 5000], // 503 Retry-After: 5 on the first failure
    [0, 5, 1, 6250],
    [0, 5, 0.5, 5625],
    [0, 1, 0, 1000],
    [5, 1, 0.5, 30_000], // the backoff is already longer than asked
    [3, 10, 0, 10_000],
    [0, 0, 0.5, 1000], // Retry-After: 0 asks for nothing
    [0, -4, 0.5, 1000],
    [0, Number.NaN, 0.5, 1000],
    [0, 1e9, 0, 3_600_000], // cut to an hour
  ];
  for (const [attempt, retryAfter, random, ms] of cases) {
    assert.equal(
      retryDelay(attempt, retryAfter, at(random)),
      ms,
      `attempt ${attempt}, Retry-After ${retryAfter}, random ${random}`,
    );
  }
});

test('a broken random source cannot make a negative or endless wait', () => {
  assert.equal(retryDelay(0, null, at(-5)), 750);
  assert.equal(retryDelay(0, null, at(7)), 1250);
  assert.equal(retryDelay(0, null, at(Number.NaN)), 750);
  assert.equal(retryDelay(0, null, at(Number.POSITIVE_INFINITY)), 750);
});

const policy = fc.record<BackoffPolicy>({
  baseMs: fc.integer({ min: 1, max: 10_000 }),
  capMs: fc.integer({ min: 1, max: 600_000 }),
  jitter: fc.double({ min: 0, max: 0.9, noNaN: true }),
  maxRetryAfterMs: fc.integer({ min: 1, max: 86_400_000 }),
});
const unitArb = fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true });

test('every wait lies within the jitter band of the capped exponential (fast-check)', () => {
  fc.assert(
    fc.property(fc.nat({ max: 2000 }), unitArb, policy, (attempt, r, p) => {
      const d = retryDelay(attempt, null, at(r), p);
      const mid = Math.min(p.capMs, p.baseMs * 2 ** attempt);
      assert.ok(
        d >= Math.floor(mid * (1 - p.jitter)) && d <= Math.ceil(mid * (1 + p.jitter)),
        `${d}`,
      );
      assert.ok(Number.isFinite(d) && d >= 0);
    }),
  );
});

test('waits never shrink as failures grow, for one random draw (fast-check)', () => {
  fc.assert(
    fc.property(fc.nat({ max: 60 }), unitArb, (attempt, r) => {
      assert.ok(retryDelay(attempt + 1, null, at(r)) >= retryDelay(attempt, null, at(r)));
    }),
  );
});

test('with a Retry-After the wait is at least that long, and at most what the jitter adds (fast-check)', () => {
  fc.assert(
    fc.property(
      fc.nat({ max: 40 }),
      fc.integer({ min: 1, max: 3600 }),
      unitArb,
      (attempt, retryAfter, r) => {
        const d = retryDelay(attempt, retryAfter, at(r));
        assert.ok(d >= retryAfter * 1000, `${d} < ${retryAfter} s`);
        const without = retryDelay(attempt, null, at(r));
        assert.ok(d <= Math.max(without, Math.ceil(retryAfter * 1000 * (1 + RETRY_POLICY.jitter))));
      },
    ),
  );
});

test('Backoff counts failures until a success resets it', () => {
  const b = new Backoff(at(0.5));
  assert.deepEqual(
    [b.next(null), b.next(null), b.next(null), b.next(5), b.next(null)],
    [1000, 2000, 4000, 8000, 16_000],
  );
  b.reset();
  assert.equal(b.next(null), 1000);
  assert.equal(b.next(3), 3375); // second failure: 2 s backoff, but 3 s asked (+12.5 % jitter)
});

test('Retry-After: delay-seconds and HTTP-dates (table)', () => {
  const now = Date.parse('2026-01-02T03:04:05.000Z');
  const cases: [string | null | undefined, number | null][] = [
    ['5', 5],
    [' 120 ', 120],
    ['1.5', 1.5],
    ['0', null],
    ['-1', null],
    ['', null],
    [null, null],
    [undefined, null],
    ['soon', null],
    ['5s', null],
    ['Fri, 02 Jan 2026 03:04:35 GMT', 30],
    ['Fri, 02 Jan 2026 03:04:05 GMT', null], // now: nothing to wait for
    ['Fri, 02 Jan 2026 03:00:00 GMT', null], // past
    ['Fri, 02 Jan 2026 03:04:05 GMT ', null],
  ];
  for (const [header, seconds] of cases) {
    assert.equal(parseRetryAfter(header, now), seconds, JSON.stringify(header));
  }
  // a date part of a second ahead still asks for a (whole) second
  assert.equal(parseRetryAfter('Fri, 02 Jan 2026 03:04:06 GMT', now + 200), 1);
});

test('delay-seconds read back exactly; dates round up to whole seconds (fast-check)', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 1e9 }), (s) => {
      assert.equal(parseRetryAfter(String(s), 0), s);
    }),
  );
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 4e12 }),
      fc.integer({ min: 1, max: 1e6 }),
      (nowMs, ahead) => {
        const date = new Date(Math.floor(nowMs / 1000) * 1000 + ahead * 1000).toUTCString();
        assert.equal(parseRetryAfter(date, Math.floor(nowMs / 1000) * 1000), ahead);
      },
    ),
  );
});
