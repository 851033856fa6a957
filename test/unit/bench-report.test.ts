// The bench's report (bench/report.ts): from a run's JSON summary to the charts and RESULTS.md.
// A small hand-made summary: the report must say PASS/MISS from the table's verdicts, list skipped
// transports, and draw a chart only for the parts that ran.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { charts, resultsMarkdown, type BenchSummary } from '../../bench/report.js';
import type { P4Result } from '../../bench/p4.js';

const cell = (rate: number, p50: number, p99: number) => ({
  rate,
  runs: [],
  failed: [],
  p50,
  p90: p99,
  p99,
  max: p99,
  deliveriesPerSec: rate * 199,
  sentPerSec: rate,
  serverCpuPercent: 50,
  missing: 0,
  duplicates: 0,
});

const p4: P4Result = {
  members: 200,
  rates: [50, 200],
  targetRate: 200,
  transports: [
    {
      name: 'irc',
      label: 'chatd IRC',
      kind: 'chatd',
      targetP99Ms: 10,
      skipped: null,
      cells: [cell(50, 2, 5), cell(200, 4, 30)],
    },
    {
      name: 'ngircd',
      label: 'ngIRCd',
      kind: 'peer',
      targetP99Ms: null,
      skipped: 'not installed: apt-get install -y ngircd',
      cells: [],
    },
  ],
};

function summary(): BenchSummary {
  return {
    date: '2026-12-08T03:00:00.000Z',
    node: 'v20.20.2',
    cores: 2,
    loadAverage: { before: 1.5, after: 2.5 },
    command: 'npm run bench -- --only p4 --write-results',
    commit: 'abcdef0123456789abcdef0123456789abcdef01',
    options: { runs: 3, seconds: 5, quick: false, only: ['p4'] },
    seconds: 600,
    table: [
      {
        bench: 'P4',
        figure: 'chatd IRC: latency p99 at 200 msgs/s into 200',
        chatd: '30.0 ms',
        baseline: '',
        ratio: '',
        target: '≤ 10 ms',
        ok: 'no',
      },
      {
        bench: 'P4',
        figure: 'missing / duplicate deliveries',
        chatd: 'irc 0',
        baseline: '',
        ratio: '',
        target: 'all 0',
        ok: 'yes',
      },
      {
        bench: 'P4',
        figure: 'ngIRCd SKIPPED: not installed',
        chatd: '',
        baseline: '',
        ratio: '',
        target: '',
        ok: 'skipped',
      },
    ],
    results: { p4 },
    errors: {},
  };
}

test('a chart only for the parts that ran', () => {
  const list = charts(summary());
  assert.deepEqual(
    list.map((c) => c.file),
    ['p4-latency.svg'],
  );
  const svg = list[0]!.svg;
  // p99 and p50 of the one transport that ran; the skipped peer is named in the subtitle
  assert.match(svg, /chatd IRC p99/);
  assert.match(svg, /chatd IRC p50/);
  assert.match(svg, /not installed: ngIRCd/);
  assert.doesNotMatch(svg, /NaN|undefined/);
});

test('RESULTS.md: machine, command, verdicts, the P4 table and the skipped transport', () => {
  const s = summary();
  const md = resultsMarkdown(s, charts(s));
  assert.match(md, /^# Benchmark results/);
  assert.match(md, /2 cores, node v20\.20\.2, load average 1\.50 before and 2\.50 after/);
  assert.match(md, /`npm run bench -- --only p4 --write-results`/);
  assert.match(md, /commit abcdef012345/);
  assert.match(
    md,
    /\*\*MISS\*\* P4 chatd IRC: latency p99 at 200 msgs\/s into 200: 30\.0 ms, target ≤ 10 ms/,
  );
  assert.match(md, /\*\*PASS\*\* P4 missing \/ duplicate deliveries/);
  assert.match(
    md,
    /!\[Delivery latency into 200 members against offered rate\]\(results\/p4-latency\.svg\)/,
  );
  assert.match(md, /\| chatd IRC \| 200 \| 4\.0 \| 30\.0 \| 30\.0 \| 30\.0 \| 39,800 \| 50 % \|/);
  assert.match(md, /ngIRCd was skipped: not installed/);
  assert.doesNotMatch(md, /NaN|undefined/);
});

test('RESULTS.md names a part that failed to run', () => {
  const s = summary();
  s.errors = { p8: 'Error: chatd exited during start-up\n  at …' };
  const md = resultsMarkdown(s, []);
  assert.match(md, /- p8: Error: chatd exited during start-up$/m);
});
