// The IRC connection's flood gate and a device's queue stretches (pure parts of the listener).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FloodGate } from '../../src/transports/irc/flood-gate.js';
import { stretchesFor } from '../../src/transports/irc/queue-reader.js';

test('flood gate: a burst at once, then the rate (fake lag); far too many waiting is excess', () => {
  const t0 = 1_000_000;
  const g = new FloodGate(3, 2, t0);
  for (let i = 0; i < 3; i++) {
    assert.equal(g.waitMs(t0), 0);
    g.take(t0);
  }
  assert.equal(g.waitMs(t0), 500, 'one line per 500 ms at 2/s');
  assert.equal(g.waitMs(t0 + 500), 0);
  assert.equal(g.excess(200), false);
  assert.equal(g.excess(201), true);
  const off = new FloodGate(3, 0, t0);
  for (let i = 0; i < 100; i++) off.take(t0);
  assert.equal(off.waitMs(t0), 0);
  assert.equal(off.excess(1_000_000), false);
});

test('stretches: a fresh client reads live from its first entry; a resumed device burst, backlog, live', () => {
  const base = { id: 1, client_id: 2, nick: 'a', token: 't' };
  assert.deepEqual(stretchesFor(base), [
    { after: null, until: Infinity, saves: true, paced: false },
  ]);
  assert.deepEqual(
    stretchesFor({ ...base, resume: { after: 10, burstFirst: 50, burstLast: 60 } }),
    [
      { after: 49, until: 60, saves: false, paced: true },
      { after: 10, until: 49, saves: true, paced: true },
      { after: 60, until: Infinity, saves: true, paced: false },
    ],
  );
  // nothing missed: no backlog stretch
  assert.equal(
    stretchesFor({ ...base, resume: { after: 49, burstFirst: 50, burstLast: 60 } }).length,
    2,
  );
});
