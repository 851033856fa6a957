// From the bench's JSON summary to what people read: the SVG charts in bench/results/ and
// bench/RESULTS.md. run.ts calls writeReport() after a run given --write-results; on its own it
// redraws both from a saved summary without measuring anything:
//   node --import tsx bench/report.ts [bench/results/latest.json]
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { P1Result } from './p1.js';
import type { P2Result } from './p2-irc.js';
import type { P4Result } from './p4.js';
import type { P5Result } from './p5.js';
import type { P6Result } from './p6.js';
import type { P8Result } from './p8.js';
import type { CryptoResult } from './crypto.js';
import { lineChart, PALETTE, type Series } from './lib/svg-chart.js';
import { fmt, type Row } from './lib/table.js';

export interface BenchSummary {
  date: string;
  node: string;
  cores: number;
  cpuModel?: string;
  loadAverage: { before: number; after: number };
  /** the command line that produced it, for RESULTS.md's "reproduce" */
  command?: string;
  commit?: string;
  options: Record<string, unknown>;
  seconds: number;
  table: Row[];
  results: {
    p1?: P1Result;
    p2?: P2Result;
    p4?: P4Result;
    p5?: P5Result;
    p6?: P6Result;
    p8?: P8Result;
    crypto?: CryptoResult;
  };
  errors: Record<string, string>;
}

export interface Chart {
  /** file name under bench/results/ */
  file: string;
  title: string;
  svg: string;
}

/** 7 hex digits, keeping a "+changes" mark */
function shortCommit(c: string, n = 7): string {
  const [hash, mark] = c.split('+');
  return mark ? `${hash!.slice(0, n)}+${mark}` : hash!.slice(0, n);
}

function subtitle(s: BenchSummary, medians = true): string {
  const runs = typeof s.options.runs === 'number' ? s.options.runs : '?';
  const what = medians ? `medians of ${runs} runs` : `${runs} runs`;
  return `${s.date.slice(0, 10)}, ${s.commit ? `${shortCommit(s.commit)}, ` : ''}${s.cores} cores, node ${s.node}, ${what}`;
}

/** The charts a summary holds data for (none for a part that did not run). */
export function charts(s: BenchSummary): Chart[] {
  const out: Chart[] = [];
  const p4 = s.results.p4;
  if (p4) {
    const live = p4.transports.filter((t) => !t.skipped);
    const series: Series[] = [];
    live.forEach((t, i) => {
      const color = PALETTE[i % PALETTE.length]!;
      series.push({
        name: `${t.label} p99`,
        color,
        points: t.cells.map((c) => ({ x: c.rate, y: c.p99 })),
      });
      series.push({
        name: `${t.label} p50`,
        color,
        dashed: true,
        points: t.cells.map((c) => ({ x: c.rate, y: c.p50 })),
      });
    });
    const skipped = p4.transports.filter((t) => t.skipped).map((t) => t.label);
    const title = `Delivery latency into ${p4.members} members against offered rate`;
    out.push({
      file: 'p4-latency.svg',
      title,
      svg: lineChart({
        title,
        subtitle: subtitle(s) + (skipped.length ? `; not installed: ${skipped.join(', ')}` : ''),
        xLabel: 'offered rate (messages/s from one sender)',
        yLabel: 'delivery latency (ms)',
        xScale: 'log',
        yScale: 'log',
        series,
        targets: [
          { y: 10, label: 'IRC target p99 ≤ 10 ms' },
          { y: 25, label: 'long-poll target p99 ≤ 25 ms' },
        ],
        width: 820,
        height: 460,
      }),
    });
  }
  const p6 = s.results.p6;
  if (p6?.curve) {
    const title = 'Long-poll throughput against channel size';
    out.push({
      file: 'p6-members.svg',
      title,
      svg: lineChart({
        title,
        subtitle: `${subtitle(s)}; 50 closed-loop senders`,
        xLabel: 'members in the channel',
        yLabel: 'acknowledged PRIVMSG/s',
        xScale: 'log',
        yScale: 'linear',
        series: [...new Set(p6.curve.map((x) => x.pollers))]
          .sort((a, b) => b - a)
          .map((pollers) => ({
            name: `${fmt(pollers)} members polling`,
            points: p6.curve
              .filter((x) => x.pollers === pollers)
              .map((x) => ({ x: x.members, y: x.msgsPerSec })),
          })),
        targets: [{ y: p6.targetMsgsPerSec, label: `target ≥ ${fmt(p6.targetMsgsPerSec)}/s` }],
      }),
    });
  }
  const p8 = s.results.p8;
  if (p8) {
    const title = 'Start-up to healthy, per run';
    const runs = (x: P8Result['empty']) => x.starts.map((st, i) => ({ x: i + 1, y: st.ms }));
    out.push({
      file: 'p8-startup.svg',
      title,
      svg: lineChart({
        title,
        subtitle: subtitle(s, false),
        xLabel: 'run',
        yLabel: 'spawn → first 200 from the health check (ms)',
        series: [
          { name: 'empty database', points: runs(p8.empty) },
          { name: `${fmt(p8.seeded.messages)} messages`, points: runs(p8.seeded) },
        ],
        targets: [
          { y: p8.empty.targetMs, label: `empty: < ${fmt(p8.empty.targetMs)} ms` },
          { y: p8.seeded.targetMs, label: `seeded: < ${fmt(p8.seeded.targetMs)} ms` },
        ],
      }),
    });
  }
  return out;
}

function mdTable(header: string[], rows: string[][], right: number[] = []): string {
  const esc = (c: string) => c.replace(/\|/g, '\\|');
  const sep = header.map((_, i) => (right.includes(i) ? '---:' : '---'));
  return [header, sep, ...rows].map((r) => `| ${r.map(esc).join(' | ')} |`).join('\n');
}

function p4Matrix(p4: P4Result): string {
  const live = p4.transports.filter((t) => !t.skipped);
  const header = ['transport', 'msgs/s', 'p50', 'p90', 'p99', 'max', 'deliveries/s', 'server CPU'];
  const rows: string[][] = [];
  for (const t of live) {
    for (const c of t.cells) {
      const ms = (x: number) => (Number.isFinite(x) ? `${fmt(x, x < 100 ? 1 : 0)}` : '—');
      rows.push([
        t.label,
        fmt(c.rate),
        ms(c.p50),
        ms(c.p90),
        ms(c.p99),
        ms(c.max),
        fmt(c.deliveriesPerSec),
        `${fmt(c.serverCpuPercent)} %`,
      ]);
    }
  }
  return mdTable(header, rows, [1, 2, 3, 4, 5, 6, 7]);
}

/** The verdicts: every row with a target, as a list. */
function verdicts(table: Row[]): string[] {
  return table
    .filter((r) => r.target && r.ok)
    .map((r) => {
      const mark = r.ok === 'yes' ? 'PASS' : r.ok === 'skipped' ? 'SKIPPED' : 'MISS';
      return `- **${mark}** ${r.bench} ${r.figure}: ${r.chatd}${r.ratio ? ` (ratio ${r.ratio})` : ''}, target ${r.target}`;
    });
}

export function resultsMarkdown(s: BenchSummary, chartList: Chart[]): string {
  const only = Array.isArray(s.options.only) ? (s.options.only as string[]).join(', ') : 'all';
  const lines: string[] = [];
  lines.push(
    '# Benchmark results',
    '',
    `Generated by \`npm run bench -- --write-results\` (bench/report.ts) from a real run on the team's`,
    'shared build machine; [bench/README.md](README.md) says what each figure is and',
    '[docs/performance.md](../docs/performance.md) how to read them. Do not edit by hand: run the bench.',
    '',
    `- **Date**: ${s.date}${s.commit ? ` (commit ${shortCommit(s.commit, 12)})` : ''}`,
    `- **Machine**: ${s.cores} cores${s.cpuModel ? ` (${s.cpuModel})` : ''}, node ${s.node}, load average ${s.loadAverage.before.toFixed(2)} before and ${s.loadAverage.after.toFixed(2)} after (the machine is shared: compare ratios within this run, not absolute times across runs)`,
    `- **Parts**: ${only}; ${String(s.options.runs)} runs of ${String(s.options.seconds)} s each${s.options.quick ? ' (--quick: a smoke run, not figures)' : ''}; ${fmt(s.seconds / 60, 1)} min in all`,
    `- **Reproduce**: \`${s.command ?? 'npm run bench -- --write-results'}\``,
    '',
    '## Against the targets',
    '',
    ...verdicts(s.table),
  );
  const errs = Object.entries(s.errors);
  if (errs.length > 0) {
    lines.push('', '**Parts that failed to run:**', '');
    for (const [name, text] of errs) lines.push(`- ${name}: ${text.split('\n')[0]}`);
  }
  if (chartList.length > 0) {
    lines.push('', '## Charts', '');
    for (const c of chartList) lines.push(`![${c.title}](results/${c.file})`, '');
    lines.pop();
  }
  const p4 = s.results.p4;
  if (p4) {
    lines.push(
      '',
      `## P4: delivery latency into ${p4.members} members, by offered rate`,
      '',
      'Milliseconds, medians of the runs; deliveries/s offered = rate × ' +
        `${p4.members - 1}. A transport that cannot keep up queues, and its latency grows with the run.`,
      '',
      p4Matrix(p4),
    );
    const skipped = p4.transports.filter((t) => t.skipped);
    for (const t of skipped) lines.push('', `${t.label} was skipped: ${t.skipped}`);
  }
  const p6 = s.results.p6;
  if (p6?.curve) {
    lines.push(
      '',
      '## P6: throughput against channel size',
      '',
      '50 closed-loop senders post into one channel; every acknowledged message is checked at every poller.',
      '',
      mdTable(
        ['members', 'polling', 'msgs/s', 'deliveries to pollers/s', 'server CPU', 'bytes/msg'],
        p6.curve.map((x) => [
          fmt(x.members),
          fmt(x.pollers),
          fmt(x.msgsPerSec),
          fmt(x.deliveriesPerSec),
          `${fmt(x.cpu)} %`,
          fmt(x.bytesPerMsg),
        ]),
        [0, 1, 2, 3, 4, 5],
      ),
    );
  }
  const p8 = s.results.p8;
  if (p8) {
    lines.push(
      '',
      '## P8: start-up to healthy',
      '',
      mdTable(
        ['database', 'median', 'min', 'max', 'RSS when healthy', 'runs'],
        [p8.empty, p8.seeded].map((x) => [
          x.messages === 0
            ? 'empty (no file)'
            : `${fmt(x.messages)} messages (${fmt(x.dbBytes / 1048576)} MiB)`,
          `${fmt(x.medianMs)} ms`,
          `${fmt(x.minMs)} ms`,
          `${fmt(x.maxMs)} ms`,
          `${fmt(x.rssKiB / 1024)} MiB`,
          String(x.starts.length),
        ]),
        [1, 2, 3, 4, 5],
      ),
      '',
      `Seeding the messages through the store took ${fmt(p8.seedSeconds, 1)} s.`,
    );
  }
  lines.push(
    '',
    '## Every figure',
    '',
    mdTable(
      ['bench', 'figure', 'chatd', 'baseline', 'ratio', 'target', 'ok'],
      s.table.map((r) => [r.bench, r.figure, r.chatd, r.baseline, r.ratio, r.target, r.ok]),
      [2, 3, 4],
    ),
    '',
  );
  return lines.join('\n');
}

/** Writes the charts into `dir`/results/ and `dir`/RESULTS.md; returns the paths written. */
export function writeReport(s: BenchSummary, benchDir: string): string[] {
  const written: string[] = [];
  const resultsDir = path.join(benchDir, 'results');
  fs.mkdirSync(resultsDir, { recursive: true });
  const list = charts(s);
  for (const c of list) {
    const file = path.join(resultsDir, c.file);
    fs.writeFileSync(file, c.svg);
    written.push(file);
  }
  const md = path.join(benchDir, 'RESULTS.md');
  fs.writeFileSync(md, resultsMarkdown(s, list));
  written.push(md);
  return written;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const input = process.argv[2] ?? path.join(here, 'results/latest.json');
  let summary: BenchSummary;
  try {
    summary = JSON.parse(fs.readFileSync(input, 'utf8')) as BenchSummary;
  } catch (err) {
    console.error(
      `report: cannot read ${input}: ${err instanceof Error ? err.message : String(err)}`,
    );
    process.exit(1);
  }
  if (!Array.isArray(summary.table) || typeof summary.results !== 'object') {
    console.error(`report: ${input} is not a bench summary (no table or results)`);
    process.exit(1);
  }
  for (const f of writeReport(summary, here))
    console.log(`wrote ${path.relative(process.cwd(), f)}`);
}
