// Allowances (the buckets behind every authentication limit), FailureLimits (per address and
// overall) and the LoginLimiter built on them: capacity, steady refill, taking up front and
// giving back, and memory that follows recent events only. The clock is a number.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Allowances, FailureLimits } from '../../src/protocol/allowance.js';
import { retryLater } from '../../src/protocol/errors.js';
import { ChatError } from '../../src/protocol/errors.js';
import { httpView, type HttpRefusal } from '../helpers/http-view.js';
import { ACCOUNT_LOGIN_WINDOW_MS, LoginLimiter } from '../../src/protocol/login-limits.js';

function refusal(fn: () => void): HttpRefusal | null {
  try {
    fn();
    return null;
  } catch (err) {
    assert.ok(err instanceof ChatError);
    return httpView(err);
  }
}

test('a bucket allows `capacity` events, then one per windowMs / capacity', () => {
  const a = new Allowances<string>({ capacity: 3, windowMs: 3_000 });
  for (let i = 0; i < 3; i++) {
    assert.equal(a.waitMs('k', 0), 0);
    a.take('k', 0);
  }
  assert.equal(a.waitMs('k', 0), 1_000, 'one event back per second');
  assert.equal(a.waitMs('k', 400), 600);
  assert.equal(a.waitMs('k', 1_000), 0);
  a.take('k', 1_000);
  assert.equal(a.waitMs('k', 1_000), 1_000);
  assert.equal(a.waitMs('other', 1_000), 0, 'every key has its own bucket');
  // an idle bucket refills to its capacity, never beyond
  assert.equal(a.waitMs('k', 60_000), 0);
  for (let i = 0; i < 3; i++) a.take('k', 60_000);
  assert.ok(a.waitMs('k', 60_000) > 0);
});

test('giving back undoes a take; a bucket never goes below empty or above full', () => {
  const a = new Allowances<number>({ capacity: 2, windowMs: 60_000 });
  a.take(7, 0);
  a.take(7, 0);
  a.take(7, 0); // already empty: stays empty rather than owing
  a.giveBack(7, 0);
  assert.equal(a.waitMs(7, 0), 0, 'one back');
  a.giveBack(7, 0);
  a.giveBack(7, 0); // full already
  a.take(7, 0);
  a.take(7, 0);
  assert.ok(a.waitMs(7, 0) > 0, 'capacity stays 2');
});

test('accepted events never exceed capacity + elapsed / (windowMs / capacity) (model check)', () => {
  const a = new Allowances<string>({ capacity: 10, windowMs: 600_000 });
  let accepted = 0;
  for (let ms = 0; ms <= 600_000; ms += 997) {
    if (a.waitMs('x', ms) === 0) {
      a.take('x', ms);
      accepted++;
    }
  }
  assert.ok(accepted <= 10 + 10 + 1, `accepted ${accepted}`);
  assert.ok(accepted >= 10 + 10 - 1, `accepted ${accepted}`);
});

test('full buckets are swept once there are many; recent ones stay', () => {
  const a = new Allowances<string>({ capacity: 1, windowMs: 1_000 });
  for (let i = 0; i < 10_000; i++) a.take(`old${i}`, 0);
  assert.equal(a.size, 10_000);
  a.take('new', 5_000); // 10,001 buckets: the sweep drops every refilled one
  assert.equal(a.size, 1);
  assert.ok(a.waitMs('new', 5_000) > 0);
});

test('a sweep that frees nothing is not repeated on every event', () => {
  const a = new Allowances<string>({ capacity: 1, windowMs: 3_600_000 });
  for (let i = 0; i < 10_001; i++) a.take(`k${i}`, 0);
  const t0 = performance.now();
  for (let i = 0; i < 5_000; i++) a.take(`more${i}`, 1);
  const ms = performance.now() - t0;
  assert.equal(a.size, 15_001, 'nothing was refilled, so nothing was dropped');
  // 5,000 sweeps of 10,000 entries would take seconds
  assert.ok(ms < 1_000, `5,000 takes took ${ms.toFixed(0)} ms`);
});

test('FailureLimits: an address runs out on its own; the overall bucket stops many addresses', () => {
  const f = new FailureLimits({ capacity: 2, windowMs: 60_000 }, { capacity: 5, windowMs: 60_000 });
  f.failed('10.0.0.1', 0);
  f.failed('10.0.0.1', 0);
  assert.equal(f.waitMs('10.0.0.1', 0), 30_000);
  assert.equal(f.waitMs('10.0.0.2', 0), 0, 'other addresses still may try');
  f.failed('10.0.0.2', 0);
  f.failed('10.0.0.3', 0);
  assert.equal(f.waitMs('10.0.0.4', 0), 0, 'four failures of five overall');
  f.failed(undefined, 0); // no address known: counts overall only
  assert.equal(f.waitMs('10.0.0.9', 0), 12_000, 'overall used up: every address waits');
  assert.equal(f.waitMs(undefined, 0), 12_000);
  assert.equal(f.waitMs('10.0.0.9', 12_000), 0);
});

test('retryLater: retry after whole seconds, at least 1; over HTTP a 429 with Retry-After', () => {
  const e = httpView(retryLater('flood', 'text', 1_001));
  assert.deepEqual([e.facts.retryAfterSeconds, e.code], [2, 'flood']);
  assert.deepEqual([e.status, e.headers['Retry-After']], [429, '2']);
  assert.equal(retryLater('flood', 't', 1).facts.retryAfterSeconds, 1);
});

test('LoginLimiter: successful logins per account, claimed up front, given back on failure', () => {
  const l = new LoginLimiter({ perNick: 5, perAddress: 20, windowMs: 900_000, perAccount: 3 });
  for (let i = 0; i < 3; i++)
    assert.equal(
      refusal(() => l.claimLogin(1, 0)),
      null,
    );
  const err = refusal(() => l.claimLogin(1, 0))!;
  assert.deepEqual([err.status, err.code], [429, 'too_many_logins']);
  const perLogin = ACCOUNT_LOGIN_WINDOW_MS / 3;
  assert.equal(err.headers['Retry-After'], String(perLogin / 1000));
  assert.equal(
    refusal(() => l.claimLogin(2, 0)),
    null,
    'another account is not affected',
  );
  l.unclaim(1, 0); // that login did not attach a client
  assert.equal(
    refusal(() => l.claimLogin(1, 0)),
    null,
  );
  assert.equal(refusal(() => l.claimLogin(1, perLogin - 1))?.status, 429);
  assert.equal(
    refusal(() => l.claimLogin(1, perLogin)),
    null,
  );
});

test('LoginLimiter: failures per nick and address taken up front, released when no guess', () => {
  const l = new LoginLimiter({ perNick: 2, perAddress: 100, windowMs: 60_000, perAccount: 10 });
  l.begin('alice', '10.0.0.1', 0);
  l.release('alice', '10.0.0.1', 0); // right password, or refused before it was looked at
  l.begin('alice', '10.0.0.1', 0);
  l.begin('alice', '10.0.0.2', 0);
  const err = refusal(() => l.begin('alice', '10.0.0.3', 0))!;
  assert.deepEqual([err.status, err.code], [429, 'too_many_failed_logins']);
  assert.equal(err.headers['Retry-After'], '30');
  assert.equal(
    refusal(() => l.begin('bob', '10.0.0.3', 0)),
    null,
  );
});
