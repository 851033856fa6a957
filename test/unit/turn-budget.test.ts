// TurnBudget (src/delivery/turn-budget.ts): queue reads start at once while the current turn of
// the event loop has budget left; later ones wait for the next turn, where they run one after the
// other, in arrival order, until its budget is spent; at least one runs per turn. A fake
// scheduler and clock: no timing decides anything here.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TurnBudget, type TurnScheduler } from '../../src/delivery/turn-budget.js';

class FakeTurns implements TurnScheduler {
  t = 0;
  private deferred: (() => void)[] = [];
  now = () => this.t;
  defer = (fn: () => void) => void this.deferred.push(fn);
  /** runs what was deferred, as the next turn would */
  turn(): void {
    const fns = this.deferred;
    this.deferred = [];
    for (const fn of fns) fn();
  }
}

const settle = () => new Promise((r) => setImmediate(r));

function reader(s: FakeTurns, budget: TurnBudget) {
  const started: string[] = [];
  const all: Promise<void>[] = [];
  return {
    started,
    all,
    /** starts reads as Node would: each asks after the one before it did its work */
    async ask(...reads: [string, number][]) {
      for (const [name, cost] of reads) {
        all.push(
          budget.run(async () => {
            started.push(name);
            s.t += cost;
          }),
        );
        await settle();
      }
    },
  };
}

void test('turn budget: reads start at once until the turn spent its budget, the rest next turn', async () => {
  const s = new FakeTurns();
  const budget = new TurnBudget(20, s);
  const r = reader(s, budget);
  await r.ask(['a', 15], ['b', 15], ['c', 5], ['d', 5], ['e', 30], ['f', 1]);
  // a and b fit (0 and 15 ms spent when they asked); the others wait
  assert.deepEqual(r.started, ['a', 'b']);
  assert.equal(budget.queued, 4);
  s.turn();
  await settle();
  // next turn: c, d and e in order (10 ms spent before e), then the budget is spent: f waits
  assert.deepEqual(r.started, ['a', 'b', 'c', 'd', 'e']);
  s.turn();
  await settle();
  assert.deepEqual(r.started, ['a', 'b', 'c', 'd', 'e', 'f']);
  await Promise.all(r.all);
  // nothing waits: a new turn has its whole budget again
  s.turn();
  await r.ask(['g', 5], ['h', 5]);
  assert.deepEqual(r.started.slice(6), ['g', 'h']);
  await Promise.all(r.all);
});

void test('turn budget: one read larger than the budget still runs, one per turn', async () => {
  const s = new FakeTurns();
  const budget = new TurnBudget(10, s);
  const r = reader(s, budget);
  await r.ask(['1', 100], ['2', 100], ['3', 100]);
  assert.deepEqual(r.started, ['1']);
  s.turn();
  await settle();
  assert.deepEqual(r.started, ['1', '2']);
  s.turn();
  await settle();
  assert.deepEqual(r.started, ['1', '2', '3']);
  await Promise.all(r.all);
});

void test('turn budget: a read that fails still lets the next one run', async () => {
  const s = new FakeTurns();
  const budget = new TurnBudget(10, s);
  s.t = 0;
  const first = budget.run(async () => {
    s.t += 50;
  });
  await first;
  const failing = budget.run(async () => {
    throw new Error('store down');
  });
  const after = budget.run(async () => 'ran');
  s.turn();
  await assert.rejects(failing, /store down/);
  assert.equal(await after, 'ran');
});
