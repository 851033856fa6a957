// The reliability runner (reliability/README.md): runs the tests of one tier one after another (so they
// do not disturb each other's timing), writes one JSON summary per test to reliability/results/,
// prints a line per test and the final `N passed, N failed` line; exit code 1 on any failure.
//
//   node --import tsx reliability/run.ts [--tier ci|soak] [--only A1,B4] [--list]
//   (`--only C3` also runs the rows of that family, such as C3-IRC)
//
// `npm run test:reliability` runs the CI tier (also in .ci/run); `npm run test:soak` the soak one.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cleanupAll } from './lib/server.js';
import type { Outcome, ReliabilityTest, Tier } from './lib/types.js';
import { TESTS } from './tests/index.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const RESULTS = path.join(HERE, 'results');
/** what a test may overrun its budget by before the runner gives up on it */
const GRACE_SECONDS = 30;

function args() {
  const argv = process.argv.slice(2);
  const value = (name: string) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const tierArg = value('--tier') ?? 'ci';
  if (tierArg !== 'ci' && tierArg !== 'soak') {
    throw new Error(`--tier must be ci or soak, not ${tierArg}`);
  }
  const tier: Tier = tierArg;
  const only = value('--only')
    ?.split(',')
    .map((s) => s.trim().toUpperCase())
    .filter(Boolean);
  return { tier, only, list: argv.includes('--list') };
}

interface Summary extends Outcome {
  id: string;
  title: string;
  tier: Tier;
  passed: boolean;
  seconds: number;
  startedAt: string;
}

async function runOne(t: ReliabilityTest, tier: Tier): Promise<Summary> {
  const budget = t.budgetSeconds[tier] ?? 60;
  const started = Date.now();
  const log = (line: string) => console.log(`  [${t.id}] ${line}`);
  let outcome: Outcome;
  let timer: NodeJS.Timeout | undefined;
  try {
    const overrun = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`ran past its budget of ${budget} s (+${GRACE_SECONDS} s grace)`)),
        (budget + GRACE_SECONDS) * 1000,
      );
    });
    outcome = await Promise.race([
      t.run({ tier, log, deadline: started + budget * 1000 }),
      overrun,
    ]);
  } catch (err) {
    outcome = { figures: {}, failures: [`threw: ${(err as Error).stack ?? String(err)}`] };
  } finally {
    clearTimeout(timer);
  }
  return {
    id: t.id,
    title: t.title,
    tier,
    passed: outcome.failures.length === 0,
    seconds: Math.round((Date.now() - started) / 100) / 10,
    startedAt: new Date(started).toISOString(),
    ...outcome,
  };
}

/**
 * `--only C3` selects C3 and the rows of its family (`C3-IRC`): an id, or an id followed by '-'.
 * B1 does not select B12 or B13.
 */
function selects(sel: string, id: string): boolean {
  return id === sel || id.startsWith(`${sel}-`);
}

/** the headline figures of a summary on one line */
function brief(figures: Record<string, unknown>): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(figures)) {
    if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') {
      parts.push(`${k}=${String(v)}`);
    }
    if (parts.length >= 8) break;
  }
  return parts.join(' ');
}

async function main(): Promise<void> {
  const { tier, only, list } = args();
  const chosen = TESTS.filter(
    (t) => t.tiers.includes(tier) && (!only || only.some((sel) => selects(sel, t.id))),
  );
  if (only) {
    const unknown = only.filter((sel) => !TESTS.some((t) => selects(sel, t.id)));
    if (unknown.length) throw new Error(`no such test: ${unknown.join(', ')}`);
  }
  if (list) {
    for (const t of chosen) console.log(`${t.id}\t${t.tiers.join(',')}\t${t.title}`);
    return;
  }
  fs.mkdirSync(RESULTS, { recursive: true });
  console.log(`reliability: ${chosen.length} test(s), tier ${tier}`);
  const summaries: Summary[] = [];
  for (const t of chosen) {
    console.log(`${t.id} ${t.title}`);
    const s = await runOne(t, tier);
    cleanupAll(); // whatever a failed test left running
    summaries.push(s);
    fs.writeFileSync(path.join(RESULTS, `${t.id}.json`), JSON.stringify(s, null, 2) + '\n');
    console.log(`${s.passed ? 'PASS' : 'FAIL'} ${t.id} (${s.seconds} s) ${brief(s.figures)}`);
    for (const f of s.failures) console.log(`     ✗ ${f}`);
    for (const n of s.notes ?? []) console.log(`     note: ${n}`);
  }
  const passed = summaries.filter((s) => s.passed).length;
  const failed = summaries.length - passed;
  fs.writeFileSync(
    path.join(RESULTS, `summary-${tier}.json`),
    JSON.stringify({ tier, passed, failed, tests: summaries.map((s) => s.id) }, null, 2) + '\n',
  );
  if (chosen.length === 0) {
    console.log('no tests selected');
    process.exitCode = 1;
  }
  console.log(`${passed} passed, ${failed} failed`);
  if (failed > 0) process.exitCode = 1;
}

main().catch((err: unknown) => {
  console.error(err);
  cleanupAll();
  process.exitCode = 1;
});
