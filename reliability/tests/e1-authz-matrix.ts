// E1 (CI): the authorization matrix of reliability/README.mde. It exists already as an end-to-end suite:
// test/e2e/authz-matrix.test.ts runs the case table of test/helpers/authz-cases.ts — one entry per
// route of ROUTES, so a new endpoint without cases fails it — against real chatd processes (no
// token, malformed tokens, tokens revoked by logout/QUIT/DELETE/idle expiry, another session, a
// non-member, a member), and checks the trace log for 5xx answers and leaked tokens.
//
// Why a child process and not an import: the table is a clean helper, but the code that plays it
// (caller roles, revoked victims, the refusal and log assertions) lives in the test file, inside
// node:test's describe/test. Importing the table alone would mean copying that code here, and two
// copies drift. So E1 runs the suite itself with node's test runner (TAP), in its own process
// group (killed by that group's id if it overruns), and reads the leaf results: each leaf test is
// one cell of the matrix (a route × a caller role, or a public/basic case); "does not apply"
// cells are skipped by the suite with a reason starting "not applicable", and counted apart. It
// also checks that every route of the live ROUTES has its cells.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ROUTES } from '../../src/transports/http/routes/index.js';
import { Criteria, type ReliabilityTest } from '../lib/types.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SUITE = 'test/e2e/authz-matrix.test.ts';

interface Leaf {
  name: string;
  ok: boolean;
  /** the reason of a `# SKIP` directive ('' for none given), null when the test ran */
  skip: string | null;
  /** the enclosing suite (a route key for the matrix cells) */
  suite: string | null;
}

interface Tap {
  leaves: Leaf[];
  suites: Set<string>;
  summary: Record<string, number>;
}

/** Reads node's TAP: leaf tests (their YAML says type 'test'), suite names, the # counts. */
export function parseTap(text: string): Tap {
  const lines = text.split('\n');
  const leaves: Leaf[] = [];
  const suites = new Set<string>();
  const summary: Record<string, number> = {};
  /** open "# Subtest:" names by indent */
  const open: { indent: number; name: string }[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const sub = /^(\s*)# Subtest: (.*)$/.exec(line);
    if (sub) {
      const indent = sub[1]!.length;
      while (open.length && open[open.length - 1]!.indent >= indent) open.pop();
      open.push({ indent, name: sub[2]! });
      continue;
    }
    const m = /^(\s*)(not )?ok \d+ - (.*?)(?: # (SKIP|TODO)\b ?(.*))?$/.exec(line);
    if (m) {
      const indent = m[1]!.length;
      let type = 'test';
      for (let j = i + 1; j < Math.min(lines.length, i + 8); j++) {
        const t = /type: '(\w+)'/.exec(lines[j]!);
        if (t) {
          type = t[1]!;
          break;
        }
        if (/^\s*\.\.\.\s*$/.test(lines[j]!)) break;
      }
      while (open.length && open[open.length - 1]!.indent > indent) open.pop();
      const parent = open.filter((o) => o.indent < indent).pop();
      if (type === 'suite') suites.add(m[3]!);
      else {
        const skip = m[4] === 'SKIP' ? (m[5] ?? '') : null;
        leaves.push({ name: m[3]!, ok: !m[2], skip, suite: parent?.name ?? null });
      }
      continue;
    }
    const s = /^# (tests|suites|pass|fail|cancelled|skipped|todo) (\d+)$/.exec(line);
    if (s) summary[s[1]!] = Number(s[2]);
  }
  return { leaves, suites, summary };
}

function runSuite(
  deadline: number,
): Promise<{ code: number | null; out: string; killed: boolean }> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', '--test', '--test-reporter=tap', SUITE],
      // detached: its own process group, so the suite's chatd processes can be stopped with it
      { cwd: ROOT, detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: process.env },
    );
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    let killed = false;
    const timer = setTimeout(
      () => {
        killed = true;
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {
          // already gone
        }
      },
      Math.max(1_000, deadline - Date.now()),
    );
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out, killed });
    });
  });
}

export const e1: ReliabilityTest = {
  id: 'E1',
  title: 'Authorization matrix (test/e2e/authz-matrix.test.ts, from the route table)',
  tiers: ['ci', 'soak'],
  budgetSeconds: { ci: 90, soak: 90 },
  async run(ctx) {
    const c = new Criteria();
    const started = Date.now();
    const { code, out, killed } = await runSuite(ctx.deadline - 5_000);
    const seconds = Math.round((Date.now() - started) / 100) / 10;
    const tap = parseTap(out);
    const na = tap.leaves.filter((l) => l.skip !== null && /^not applicable\b/.test(l.skip));
    const otherSkips = tap.leaves.filter((l) => l.skip !== null && !na.includes(l));
    const cells = tap.leaves.filter((l) => l.skip === null);
    const passed = cells.filter((l) => l.ok).length;
    const failed = tap.leaves.filter((l) => !l.ok);

    c.check(!killed, `the suite finished within the budget (killed after ${seconds} s)`);
    c.equal('suite exit code', code, 0);
    c.check(tap.leaves.length > 0, 'TAP results were read');
    c.equal('failed cells', failed.length, 0);
    c.equal('TAP # fail', tap.summary.fail ?? -1, 0);
    c.equal('cells skipped for another reason than "not applicable"', otherSkips.length, 0);
    c.equal('TAP # skipped = not-applicable cells', tap.summary.skipped, na.length);
    c.equal('TAP # tests = leaves read', tap.summary.tests, tap.leaves.length);
    for (const f of failed.slice(0, 10))
      c.check(false, `cell failed: ${f.suite ?? ''} › ${f.name}`);
    // every route of the live table has its cells (the suite also fails a route without cases)
    const keys = ROUTES.map((r) => `${r.method} ${r.path}`);
    const uncovered = keys.filter(
      (k) => !tap.suites.has(k) && !tap.leaves.some((l) => l.suite === k),
    );
    c.check(uncovered.length === 0, `every route has cells (missing: ${uncovered.join(', ')})`);
    if (code !== 0 && tap.leaves.length === 0) ctx.log(out.slice(-2000));
    return {
      figures: {
        cells: cells.length,
        passed,
        failed: failed.length,
        not_applicable: na.length,
        routes: keys.length,
        suite_seconds: seconds,
        tap_summary: tap.summary,
        '5xx': 'asserted 0 by the suite (trace-log check of every request line)',
      },
      failures: c.failures,
      notes: [
        `ran \`node --import tsx --test ${SUITE}\` as a child process: the cases are a clean ` +
          'helper but the code that plays them lives in the e2e file; importing would duplicate it',
      ],
    };
  },
};
