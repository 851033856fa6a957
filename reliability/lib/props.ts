// fast-check for the property tests of reliability/README.mdd (D1, D4, D5): every property has numRuns
// and a time limit (CI: 1,000 runs or what the test asks, ≤ 20 s; soak: 100,000, a few
// minutes), one seed per test run printed in the figures so a failure can be replayed with
// RELIABILITY_SEED=<seed>, and the slowest single input measured (a hang shows up there).
import fc from 'fast-check';
import type { Tier } from './types.js';

export interface PropertyRun {
  name: string;
  /** runs executed (fewer than asked when the time limit interrupted it) */
  runs: number;
  asked: number;
  failed: boolean;
  interrupted: boolean;
  seed: number;
  /** the shrunk counterexample, JSON-ish, when it failed */
  counterexample: string | null;
  error: string | null;
  /** the slowest single input, ms */
  maxMs: number;
  seconds: number;
}

export interface Budget {
  numRuns: number;
  timeLimitMs: number;
}

/** reliability/README.mdd: 1,000 runs and ≤ 20 s in CI, 100,000 runs and a few minutes in soak. */
export function budgetFor(tier: Tier, ci = 1_000, soak = 100_000, soakLimitMs = 240_000): Budget {
  return tier === 'ci'
    ? { numRuns: ci, timeLimitMs: 20_000 }
    : { numRuns: soak, timeLimitMs: soakLimitMs };
}

/** The seed of this run: RELIABILITY_SEED to replay one, else a fresh 31-bit integer. */
export function seedFor(): number {
  const fixed = process.env.RELIABILITY_SEED;
  if (fixed !== undefined && /^-?\d+$/.test(fixed)) return Number(fixed);
  return (Math.random() * 0x7fffffff) | 0;
}

function show(value: unknown): string {
  try {
    return fc.stringify(value).slice(0, 600);
  } catch {
    return String(value).slice(0, 600);
  }
}

function summarise(
  name: string,
  d: fc.RunDetails<unknown>,
  asked: number,
  maxMs: number,
  t0: number,
): PropertyRun {
  const err = d.errorInstance;
  return {
    name,
    runs: d.numRuns,
    asked,
    failed: d.failed,
    interrupted: d.interrupted,
    seed: d.seed,
    counterexample: d.failed ? show(d.counterexample) : null,
    error: d.failed ? (err instanceof Error ? err.message : String(err)).slice(0, 600) : null,
    maxMs: Math.round(maxMs * 10) / 10,
    seconds: Math.round((performance.now() - t0) / 100) / 10,
  };
}

/** Checks a synchronous property; `predicate` throws to fail. */
export function checkSync<T>(
  name: string,
  arb: fc.Arbitrary<T>,
  predicate: (value: T) => void,
  budget: Budget,
  seed: number,
): PropertyRun {
  let maxMs = 0;
  const t0 = performance.now();
  const details = fc.check(
    fc.property(arb, (v) => {
      const s = performance.now();
      try {
        predicate(v);
      } finally {
        maxMs = Math.max(maxMs, performance.now() - s);
      }
    }),
    {
      numRuns: budget.numRuns,
      seed,
      plugins: [fc.interruptAfterTimeLimit(budget.timeLimitMs)],
    },
  );
  return summarise(name, details, budget.numRuns, maxMs, t0);
}

/** Checks an asynchronous property; `predicate` rejects to fail. */
export async function checkAsync<T>(
  name: string,
  arb: fc.Arbitrary<T>,
  predicate: (value: T) => Promise<void>,
  budget: Budget,
  seed: number,
): Promise<PropertyRun> {
  let maxMs = 0;
  const t0 = performance.now();
  const details = await fc.check(
    fc.asyncProperty(arb, async (v) => {
      const s = performance.now();
      try {
        await predicate(v);
      } finally {
        maxMs = Math.max(maxMs, performance.now() - s);
      }
    }),
    {
      numRuns: budget.numRuns,
      seed,
      plugins: [fc.interruptAfterTimeLimit(budget.timeLimitMs)],
    },
  );
  return summarise(name, details, budget.numRuns, maxMs, t0);
}

/**
 * One line per property for the failures list; empty when it held. `requireAllRuns` (CI): a
 * property the time limit cut short fails too, as it did not do what the plan says; in soak the
 * runs done within the limit are reported instead.
 */
export function propertyFailures(r: PropertyRun, requireAllRuns = true): string[] {
  const out: string[] = [];
  if (r.failed) {
    out.push(
      `${r.name}: failed after ${r.runs} runs (seed ${r.seed}): ${r.error}; ` +
        `counterexample ${r.counterexample}`,
    );
  }
  if (requireAllRuns && !r.failed && r.runs < r.asked) {
    out.push(`${r.name}: only ${r.runs} of ${r.asked} runs within the time limit`);
  }
  return out;
}
