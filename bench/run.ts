// The benchmark suite (bench/README.md: P1, P2, P4, P5, P6, P8; and CRYPTO, the per-request crypto
// costs), run by `npm run bench`:
//   npm run bench -- [--only p1,p2,p4,p5,p6,p8,crypto] [--quick] [--seconds N] [--runs N]
//                    [--max-requests N] [--polls N]  (P5's held polls, default 1000)
//                    [--shapes a,a-rate,b-long,c] [--peers ngircd,inspircd]  (P2 only)
//                    [--rates 50,100,200,400] [--transports longpoll,sse,irc,ngircd,inspircd]  (P4)
//                    [--write-results]  (bench/RESULTS.md and the charts in bench/results/*.svg)
// Each figure is the median of 3 runs, next to a baseline measured in the same run and the ratio.
// Starts its own chatd, baseline and peer IRC server processes (127.0.0.1 only, temp folders),
// stops only those by PID (CRYPTO runs in this process, no server). Prints a table and writes
// bench/results/latest.json.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { runP1, type P1Result } from './p1.js';
import {
  p2Ratio,
  runP2,
  SHAPE_NAMES,
  type P2Result,
  type ServerFigures as Fig,
  type ShapeName,
} from './p2-irc.js';
import { runP4, TRANSPORT_NAMES } from './p4.js';
import { runP5 } from './p5.js';
import { runP6, type P6Result } from './p6.js';
import { runP8 } from './p8.js';
import { writeReport, type BenchSummary } from './report.js';
import { rowsP4, rowsP8 } from './rows-p4-p8.js';
import { runCrypto, type CryptoResult } from './crypto.js';
import type { P5Result } from './p5.js';
import { cleanupAll, ROOT } from '../test/helpers/chatd.js';
import { PEER_NAMES, peerLabel, type PeerName } from './lib/peers.js';
import { ratio, round, type BenchOptions } from './lib/stats.js';
import { fmt, type Row } from './lib/table.js';

const ALL = ['p1', 'p2', 'p4', 'p5', 'p6', 'p8', 'crypto'] as const;
type Name = (typeof ALL)[number];

function options() {
  const { values } = parseArgs({
    options: {
      only: { type: 'string' },
      quick: { type: 'boolean', default: false },
      seconds: { type: 'string' },
      runs: { type: 'string' },
      'max-requests': { type: 'string' },
      polls: { type: 'string' },
      shapes: { type: 'string' },
      peers: { type: 'string' },
      rates: { type: 'string' },
      transports: { type: 'string' },
      'write-results': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(
      'usage: npm run bench -- [--only p1,p2,p4,p5,p6,p8,crypto] [--quick] [--seconds N] [--runs N] [--max-requests N] [--polls N] [--shapes a,a-rate,b-long,c] [--peers ngircd,inspircd] [--rates 50,100,200,400] [--transports ' +
        TRANSPORT_NAMES.join(',') +
        '] [--write-results]',
    );
    process.exit(0);
  }
  const only = (values.only ?? ALL.join(','))
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  for (const n of only) {
    if (!(ALL as readonly string[]).includes(n)) throw new Error(`--only: unknown benchmark ${n}`);
  }
  const quick = values.quick ?? false;
  const num = (v: string | undefined, name: string, dflt: number, max: number) => {
    if (v === undefined) return dflt;
    const n = Number(v);
    if (!Number.isFinite(n) || n <= 0 || n > max) throw new Error(`--${name}: 0 < N <= ${max}`);
    return n;
  };
  const bench: BenchOptions = {
    quick,
    seconds: num(values.seconds, 'seconds', quick ? 1 : 5, 60),
    warmupSeconds: quick ? 0.3 : 1,
    runs: Math.round(num(values.runs, 'runs', 3, 9)),
    maxRequests: Math.round(num(values['max-requests'], 'max-requests', 2_000_000, 1e8)),
    // the fd limit is 20,000 per process: N client sockets here, N server sockets in chatd
    polls: Math.round(num(values.polls, 'polls', quick ? 200 : 1000, 10_000)),
    log: (line) => console.log(line),
  };
  const list = <T extends string>(v: string | undefined, all: readonly T[], name: string) => {
    if (v === undefined) return undefined;
    const xs = v
      .split(',')
      .map((x) => x.trim().toLowerCase())
      .filter(Boolean);
    for (const x of xs) {
      if (!(all as readonly string[]).includes(x)) {
        throw new Error(`--${name}: unknown ${x} (one of ${all.join(', ')})`);
      }
    }
    return xs as T[];
  };
  // --peers none: chatd alone
  const peers = values.peers === 'none' ? [] : list<PeerName>(values.peers, PEER_NAMES, 'peers');
  const p2 = { shapes: list<ShapeName>(values.shapes, SHAPE_NAMES, 'shapes'), peers };
  let rates: number[] | undefined;
  if (values.rates !== undefined) {
    rates = values.rates.split(',').map((x) => Number(x.trim()));
    if (rates.length === 0 || rates.some((r) => !Number.isInteger(r) || r <= 0 || r > 2000)) {
      throw new Error('--rates: integers, 0 < rate <= 2000 (messages per second)');
    }
  }
  const p4 = { transports: list(values.transports, TRANSPORT_NAMES, 'transports'), rates };
  return { only: only as Name[], bench, p2, p4, writeResults: values['write-results'] ?? false };
}

function rowsP1(r: P1Result): Row[] {
  return [
    {
      bench: 'P1',
      figure: 'acked PRIVMSG/s, 10 members polling, 50 conns',
      chatd: fmt(r.msgsPerSec),
      baseline: `${fmt(r.baselineReqPerSec)} req/s`,
      ratio: fmt(r.ratio, 2),
      target: '≥ 0.40',
      ok: r.ratio >= r.target ? 'yes' : 'no',
    },
    {
      bench: 'P1',
      figure: 'server CPU (% of one core)',
      chatd: fmt(r.chatdCpu),
      baseline: fmt(r.baselineCpu),
      ratio: '',
      target: '',
      ok: '',
    },
    {
      bench: 'P1',
      figure: 'the same per second of server CPU',
      chatd: fmt(r.msgsPerCpuSec),
      baseline: `${fmt(r.baselinePerCpuSec)} req/s`,
      ratio: fmt(r.cpuRatio, 2),
      target: '',
      ok: '',
    },
    {
      bench: 'P1',
      figure: 'load generator CPU (% of one core)',
      chatd: fmt(r.generatorCpu),
      baseline: fmt(r.baselineGeneratorCpu),
      ratio: '',
      target: '',
      ok: '',
    },
    {
      bench: 'P1',
      figure: 'lost / dup / reordered / phantom / non-200',
      chatd: `${r.lost} / ${r.duplicates} / ${r.reordered} / ${r.phantom} / ${r.non200}`,
      baseline: '',
      ratio: '',
      target: 'all 0',
      ok: r.lost + r.duplicates + r.reordered + r.phantom + r.non200 === 0 ? 'yes' : 'NO',
    },
  ];
}

function rowsP2(r: P2Result): Row[] {
  const rows: Row[] = [];
  const present = r.peers.filter((p) => !p.missing).map((p) => p.name);
  const base = (p: PeerName) => {
    const v = r.peers.find((x) => x.name === p)?.version;
    return v ? `${peerLabel(p)} ${v}` : peerLabel(p);
  };
  for (const p of r.peers) {
    if (p.missing) {
      rows.push({
        bench: 'P2',
        figure: `${p.label} SKIPPED: ${p.missing}`,
        chatd: '',
        baseline: '',
        ratio: '',
        target: '',
        ok: 'skipped',
      });
    }
  }
  const add = (
    shape: P2Result['shapes'][number],
    figure: string,
    f: (x: Fig) => number,
    show: (x: number) => string,
    target: (p: PeerName) => string,
    ok: (chatd: number, times: number, p: PeerName) => string,
  ) => {
    const chatd = shape.servers.chatd;
    const peers: (PeerName | null)[] = present.length > 0 ? present : [null];
    for (const p of peers) {
      const peer = p ? shape.servers[p] : undefined;
      const times = p ? p2Ratio(shape, p, f) : NaN;
      const c = chatd ? f(chatd) : NaN;
      rows.push({
        bench: 'P2',
        figure: `${shape.shape.name}: ${figure}${p ? ` (base: ${base(p)})` : ''}`,
        chatd: show(c),
        baseline: peer ? show(f(peer)) : '',
        ratio: Number.isNaN(times) ? '' : fmt(times, 2),
        target: p ? target(p) : '',
        ok: p && Number.isFinite(c) ? ok(c, times, p) : '',
      });
    }
  };
  const blank = () => '';
  const perSec = (x: number) => fmt(x);
  const ms = (x: number) => `${fmt(x, 1)} ms`;
  for (const shape of r.shapes) {
    const s = shape.shape;
    if (s.name === 'a' || s.name === 'b-long') {
      const geq1 = (_c: number, t: number) => (t >= 1 ? 'yes' : 'no');
      add(
        shape,
        `deliveries/s, ${s.what}`,
        (x) => x.deliveriesPerSec,
        perSec,
        (p) => (p === 'ngircd' ? '≥ 1.0' : s.name === 'a' ? 'stretch ≥ 1.0' : ''),
        (c, t, p) => (p === 'ngircd' || s.name === 'a' ? geq1(c, t) : ''),
      );
      add(
        shape,
        'deliveries per server CPU-second',
        (x) => x.deliveriesPerCpuSec,
        perSec,
        blank,
        blank,
      );
      add(shape, 'latency p99 (closed loop)', (x) => x.latencyMs.p99, ms, blank, blank);
    }
    if (s.name === 'a-rate') {
      add(shape, `latency p50, ${s.what}`, (x) => x.latencyMs.p50, ms, blank, blank);
      add(
        shape,
        'latency p99',
        (x) => x.latencyMs.p99,
        ms,
        () => '≤ 10 ms',
        (c) => (c <= 10 ? 'yes' : 'no'),
      );
    }
    if (s.name === 'c') {
      add(
        shape,
        `RSS per idle IRC connection, ${s.what}`,
        (x) => x.kibPerClient,
        (x) => `${fmt(x, 2)} KiB`,
        () => '≤ 20 KiB',
        (c) => (c <= 20 ? 'yes' : 'no'),
      );
    }
  }
  const faults = (x: Fig | undefined) =>
    x
      ? `${x.missing} / ${x.duplicates} / ${x.reordered} / ${x.phantom} / ${x.closedEarly} / ${x.setupFailed + x.failedRuns.length}`
      : '';
  const total = (x: Fig | undefined) =>
    x
      ? x.missing +
        x.duplicates +
        x.reordered +
        x.phantom +
        x.closedEarly +
        x.setupFailed +
        x.failedRuns.length
      : 0;
  for (const shape of r.shapes) {
    const chatd = shape.servers.chatd;
    const peers = present.map((p) => shape.servers[p]);
    rows.push({
      bench: 'P2',
      figure: `${shape.shape.name}: missing / dup / reord. / phantom / closed / not set up (base: ${present.map(peerLabel).join(' + ') || 'none'})`,
      chatd: faults(chatd),
      baseline: peers.map(faults).join(' + '),
      ratio: '',
      target: 'all 0',
      ok: total(chatd) + peers.reduce((t, x) => t + total(x), 0) === 0 ? 'yes' : 'NO',
    });
  }
  return rows;
}

function rowsP5(r: P5Result): Row[] {
  return [
    {
      bench: 'P5',
      figure: `RSS per held idle long-poll (${r.polls} polls)`,
      chatd: `${fmt(r.chatdKiB, 1)} KiB`,
      baseline: `${fmt(r.baselineKiB, 1)} KiB`,
      ratio: fmt(r.ratio, 2),
      target: '≤ 12 KiB',
      ok: r.chatdKiB <= r.targetKiB ? 'yes' : 'no',
    },
    {
      bench: 'P5',
      figure: 'polls answered early / not held',
      chatd: String(r.notHeld),
      baseline: String(r.baselineNotHeld),
      ratio: '',
      target: '0',
      ok: r.notHeld + r.baselineNotHeld === 0 ? 'yes' : 'NO',
    },
  ];
}

function rowsP6(r: P6Result): Row[] {
  const { big, small, mid } = r;
  const bad = (x: P6Result['big']) => x.lost + x.duplicates + x.reordered + x.phantom + x.non200;
  const counts = (xs: P6Result['big'][]) =>
    (['lost', 'duplicates', 'reordered', 'phantom', 'non200'] as const)
      .map((k) => xs.reduce((s, x) => s + x[k], 0))
      .join(' / ');
  return [
    {
      bench: 'P6',
      figure: `msgs/s, ${fmt(big.members)} members, ${big.pollers} polling (base: ${small.members}/${small.pollers})`,
      chatd: fmt(big.msgsPerSec),
      baseline: fmt(small.msgsPerSec),
      ratio: fmt(r.rateRatio, 2),
      target: '≥ 1,000/s',
      ok: big.msgsPerSec >= r.targetMsgsPerSec ? 'yes' : 'no',
    },
    {
      bench: 'P6',
      figure: `msgs/s, same, base: ${mid.members} members, ${mid.pollers} polling`,
      chatd: fmt(big.msgsPerSec),
      baseline: fmt(mid.msgsPerSec),
      ratio: fmt(r.rateRatioMid, 2),
      target: 'ratio ≈ 1',
      ok: '',
    },
    {
      bench: 'P6',
      figure: `database bytes per message (base: ${small.members} members)`,
      chatd: fmt(big.bytesPerMsg),
      baseline: fmt(small.bytesPerMsg),
      ratio: fmt(r.bytesRatio, 2),
      target: 'ratio ≈ 1',
      ok: r.bytesRatio <= 1.5 ? 'yes' : 'no',
    },
    {
      bench: 'P6',
      figure: `database bytes per message (base: ${mid.members} members)`,
      chatd: fmt(big.bytesPerMsg),
      baseline: fmt(mid.bytesPerMsg),
      ratio: fmt(r.bytesRatioMid, 2),
      target: 'ratio ≈ 1',
      ok: r.bytesRatioMid <= 1.5 ? 'yes' : 'no',
    },
    {
      bench: 'P6',
      figure: 'PRIVMSGs delivered to pollers/s (base: 10 members)',
      chatd: fmt(big.deliveriesPerSec),
      baseline: fmt(small.deliveriesPerSec),
      ratio: '',
      target: '',
      ok: '',
    },
    {
      bench: 'P6',
      figure: 'server CPU (% of one core; base: 10 members)',
      chatd: fmt(big.cpu),
      baseline: fmt(small.cpu),
      ratio: '',
      target: '',
      ok: '',
    },
    {
      bench: 'P6',
      figure: 'lost / dup / reord. / phantom / non-200 (base: 10 + 100)',
      chatd: counts([big]),
      baseline: counts([small, mid]),
      ratio: '',
      target: 'all 0',
      ok: bad(big) + bad(small) + bad(mid) === 0 ? 'yes' : 'NO',
    },
  ];
}

function rowsCrypto(r: CryptoResult): Row[] {
  const us = (x: number) => `${fmt(x, 2)} µs`;
  const ms = (x: number) => `${fmt(x, 1)} ms`;
  const row = (figure: string, chatd: string, baseline = '', times = NaN, target = ''): Row => ({
    bench: 'CRYPTO',
    figure,
    chatd,
    baseline,
    ratio: Number.isNaN(times) ? '' : fmt(times, 2),
    target,
    ok: '',
  });
  const rows: Row[] = [];
  for (const m of r.mint) {
    rows.push(
      row(`mintStamp ${m.bits} bits, median of ${m.stamps} stamps`, ms(m.medianMs)),
      row(
        `mintStamp ${m.bits} bits, mean (base: 2^${m.bits} tries at mint rate)`,
        ms(m.meanMs),
        ms(m.expectedMeanMs),
        ratio(m.meanMs, m.expectedMeanMs),
        'ratio ≈ 1 (luck)',
      ),
    );
  }
  rows.push(
    row(
      'mintStamp SHA-256 tries/s (base: createHash per stamp)',
      fmt(r.mintTriesPerSec),
      fmt(r.nativeHashesPerSec),
      ratio(r.mintTriesPerSec, r.nativeHashesPerSec),
    ),
    row(
      'checkStamp, valid 20-bit stamp (base: 1 createHash SHA-256)',
      us(r.check.validUs),
      us(r.check.baselineUs),
      r.check.validRatio,
    ),
    row(
      'checkStamp, bogus stamp (not enough zero bits)',
      us(r.check.bogusUs),
      us(r.check.baselineUs),
      r.check.bogusRatio,
    ),
  );
  for (const s of r.signatures) {
    rows.push(
      row(
        `verify, ${s.label} (${fmt(s.payloadBytes)} B; base: bare verify)`,
        us(s.verifyUs),
        us(s.baselineUs),
        s.verifyRatio,
      ),
      row(
        `  same, key as base64 (imported per call)`,
        us(s.verifyB64Us),
        us(s.baselineUs),
        s.verifyB64Ratio,
      ),
      row(`  signedPayload alone`, us(s.signedPayloadUs), us(s.baselineUs), s.payloadRatio),
    );
  }
  const c = r.scrypt;
  rows.push(
    row(`scrypt N=16384 r=8 p=1, one at a time, median of ${c.samples}`, ms(c.medianMs)),
    row(
      `scrypt/s, ${c.concurrency} in flight, pool ${c.threadpool} (base: 1 at a time)`,
      fmt(c.concurrentPerSec, 1),
      fmt(c.sequentialPerSec, 1),
      c.speedup,
      `ratio ≈ ${r.cores} (cores)`,
    ),
    row(
      `scrypt latency, ${c.concurrency} in flight (base: 1 at a time)`,
      ms(c.concurrentLatencyMs),
      ms(c.medianMs),
      ratio(c.concurrentLatencyMs, c.medianMs),
    ),
  );
  return rows;
}

function printTable(rows: Row[]): void {
  const cols: (keyof Row)[] = ['bench', 'figure', 'chatd', 'baseline', 'ratio', 'target', 'ok'];
  const width = cols.map((c) => Math.max(c.length, ...rows.map((r) => r[c].length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i >= 2 && i <= 4 ? c.padStart(width[i]!) : c.padEnd(width[i]!)))
      .join('  ');
  console.log(line(cols));
  console.log(line(width.map((w) => '-'.repeat(w))));
  for (const r of rows) console.log(line(cols.map((c) => r[c])));
}

async function main(): Promise<void> {
  const { only, bench, p2, p4, writeResults } = options();
  const started = Date.now();
  const results: BenchSummary['results'] = {};
  const rows: Row[] = [];
  const errors: Record<string, string> = {};
  const loadBefore = os.loadavg()[0]!;
  console.log(
    `chat bench: ${only.join(', ')}; ${bench.runs} runs of ${bench.seconds} s${bench.quick ? ' (quick)' : ''}; node ${process.version}, ${os.cpus().length} cores, load average ${loadBefore.toFixed(2)}`,
  );
  for (const name of only) {
    console.log(`\n${name.toUpperCase()}`);
    const t0 = Date.now();
    try {
      if (name === 'p1') rows.push(...rowsP1((results.p1 = await runP1(bench))));
      if (name === 'p2') rows.push(...rowsP2((results.p2 = await runP2(bench, p2))));
      if (name === 'p4') rows.push(...rowsP4((results.p4 = await runP4(bench, p4))));
      if (name === 'p5') rows.push(...rowsP5((results.p5 = await runP5(bench))));
      if (name === 'p6') rows.push(...rowsP6((results.p6 = await runP6(bench))));
      if (name === 'p8') rows.push(...rowsP8((results.p8 = await runP8(bench))));
      if (name === 'crypto') rows.push(...rowsCrypto((results.crypto = await runCrypto(bench))));
    } catch (err) {
      errors[name] = err instanceof Error ? (err.stack ?? err.message) : String(err);
      console.error(`${name} failed: ${errors[name]}`);
    }
    console.log(`  (${round((Date.now() - t0) / 1000, 1)} s)`);
  }
  const loadAfter = os.loadavg()[0]!;
  console.log(
    `\nmedians of ${bench.runs} runs; baselines measured in the same run; load average ${loadAfter.toFixed(2)}\n`,
  );
  printTable(rows);
  const out = path.join(ROOT, 'bench/results/latest.json');
  fs.mkdirSync(path.dirname(out), { recursive: true });
  const summary: BenchSummary = {
    date: new Date().toISOString(),
    node: process.version,
    cores: os.cpus().length,
    cpuModel: os.cpus()[0]?.model,
    loadAverage: { before: loadBefore, after: loadAfter },
    command: `npm run bench -- ${process.argv.slice(2).join(' ')}`.trim(),
    commit: gitCommit(),
    options: { ...bench, log: undefined, only },
    seconds: round((Date.now() - started) / 1000, 1),
    table: rows,
    results,
    errors,
  };
  fs.writeFileSync(out, JSON.stringify(summary, null, 2) + '\n');
  console.log(`\nwrote ${path.relative(process.cwd(), out)} (${summary.seconds} s in total)`);
  if (writeResults) {
    for (const f of writeReport(summary, path.join(ROOT, 'bench'))) {
      console.log(`wrote ${path.relative(process.cwd(), f)}`);
    }
  }
  if (Object.keys(errors).length > 0) process.exitCode = 1;
}

/** the commit measured (with "+changes" when the tree differs from it), or undefined */
function gitCommit(): string | undefined {
  try {
    const head = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src', 'bin', 'web'], {
      cwd: ROOT,
      encoding: 'utf8',
    }).trim();
    return dirty ? `${head}+changes` : head;
  } catch {
    return undefined;
  }
}

main()
  .catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  })
  .finally(cleanupAll);
