// Flood control: a burst, then the refill rate, per session (its key); 0 turns it off.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FloodControl } from '../../src/protocol/flood.js';
import { ChatError } from '../../src/protocol/errors.js';
import { httpView, type HttpRefusal } from '../helpers/http-view.js';

function refused(f: FloodControl, session: number, now: number): HttpRefusal | null {
  try {
    f.take(session, now);
    return null;
  } catch (err) {
    assert.ok(err instanceof ChatError);
    return httpView(err);
  }
}

test('a burst, then one command per 1/rate seconds, with Retry-After', () => {
  const f = new FloodControl(3, 2);
  for (let i = 0; i < 3; i++) assert.equal(refused(f, 1, 0), null);
  const err = refused(f, 1, 0)!;
  assert.equal(err.status, 429);
  assert.equal(err.code, 'flood');
  assert.equal(err.headers['Retry-After'], '1');
  assert.equal(refused(f, 1, 499)?.status, 429, 'half a token is not enough');
  assert.equal(refused(f, 1, 500), null, 'one token after 0.5 s at 2/s');
  assert.equal(refused(f, 1, 500)?.status, 429);
  assert.equal(refused(f, 2, 500), null, 'other sessions have their own bucket');
});

test('an idle bucket refills to the burst, never beyond', () => {
  const f = new FloodControl(2, 1);
  assert.equal(refused(f, 1, 0), null);
  assert.equal(refused(f, 1, 0), null);
  assert.equal(refused(f, 1, 60_000), null);
  assert.equal(refused(f, 1, 60_000), null);
  assert.equal(refused(f, 1, 60_000)?.status, 429);
});

test('rate 0 turns flood control off', () => {
  const f = new FloodControl(1, 0);
  for (let i = 0; i < 1000; i++) assert.equal(refused(f, 1, 0), null);
});

test('accepted commands never exceed burst + rate × elapsed (model check)', () => {
  const f = new FloodControl(10, 2);
  let accepted = 0;
  for (let ms = 0; ms <= 10_000; ms += 7) if (!refused(f, 9, ms)) accepted++;
  assert.ok(accepted <= 10 + 2 * 10 + 1, `accepted ${accepted}`);
  assert.ok(accepted >= 10 + 2 * 10 - 1, `accepted ${accepted}`);
});

test('spend may leave a debt that the refill pays off before the next command', () => {
  const f = new FloodControl(10, 2);
  f.take(1, 0);
  f.spend(1, 0, 14); // a command whose answer cost 14 more tokens: 10 - 1 - 14 = -5
  const err = refused(f, 1, 0)!;
  assert.equal(err.status, 429);
  assert.equal(err.headers['Retry-After'], '3', '6 tokens at 2/s');
  assert.equal(refused(f, 1, 2_999)?.status, 429);
  assert.equal(refused(f, 1, 3_000), null);
});
