// The shape every reliability test has (reliability/README.md): an id from the test plan, the tiers it
// runs in, and a run() that returns figures and the failed criteria. The runner (run.ts) writes
// one JSON summary per test and prints the `N passed, N failed` line.

export type Tier = 'ci' | 'soak';

export interface TestContext {
  tier: Tier;
  /** prints a progress line (prefixed with the test id) */
  log(line: string): void;
  /** hard stop for the test's own loops: every loop is bounded by count and by time */
  deadline: number;
}

export interface Outcome {
  /** figures to report (reliability/README.md "figure to report" column), JSON-serialisable */
  figures: Record<string, unknown>;
  /** pass criteria that did not hold, one line each; empty = passed */
  failures: string[];
  /** what the test could not do the way the plan says, and what it did instead */
  notes?: string[];
}

export interface ReliabilityTest {
  /** reliability/README.md id, e.g. "A1" */
  id: string;
  title: string;
  tiers: readonly Tier[];
  /** upper bound of the test's run time in seconds, per tier (the runner enforces it) */
  budgetSeconds: Partial<Record<Tier, number>>;
  run(ctx: TestContext): Promise<Outcome>;
}

/** Collects failed criteria: `check(cond, "lost = 0 (got 3)")`. */
export class Criteria {
  readonly failures: string[] = [];

  check(ok: boolean, criterion: string): void {
    if (!ok) this.failures.push(criterion);
  }

  /** `value` must equal `expected` (exact criteria: lost, dup, 5xx…) */
  equal(name: string, value: unknown, expected: unknown): void {
    this.check(value === expected, `${name} = ${String(expected)} (got ${String(value)})`);
  }

  /** a timing criterion: reported, and failed only beyond `slack` × its target (reliability/README.md) */
  timing(name: string, value: number, target: number, slack = 10): void {
    this.check(
      value <= target * slack,
      `${name} ≤ ${target * slack} (${slack}× ${target}; got ${value})`,
    );
  }
}
