// Byte budgets of poll answers and history pages (PAGE_MAX_BYTES).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { headWithin, tailWithin } from '../../src/model/byte-budget.js';

const size = (xs: unknown[]) => Buffer.byteLength(JSON.stringify(xs));

test('head and tail stay within the budget, keep order, and never come back empty', () => {
  fc.assert(
    fc.property(
      fc.array(fc.record({ body: fc.string({ maxLength: 200 }) }), { maxLength: 60 }),
      fc.integer({ min: 1, max: 4000 }),
      (items, budget) => {
        for (const [take, part] of [
          [headWithin, (n: number) => items.slice(0, n)],
          [tailWithin, (n: number) => items.slice(items.length - n)],
        ] as const) {
          const got = take(items, budget);
          assert.deepEqual(got, part(got.length));
          if (items.length > 0) assert.ok(got.length >= 1);
          if (got.length > 1) assert.ok(size(got) <= budget + 1);
          // maximal: one more item would break the budget
          if (got.length < items.length && got.length > 0) {
            assert.ok(size(part(got.length + 1)) > budget - 1);
          }
        }
      },
    ),
  );
});

test('one oversized item is still returned (the reader must move on)', () => {
  const big = [{ body: 'x'.repeat(10_000) }, { body: 'y' }];
  assert.equal(headWithin(big, 100).length, 1);
  assert.equal(tailWithin(big, 100).length, 1);
  assert.equal(tailWithin(big, 100)[0]?.body, 'y');
});
