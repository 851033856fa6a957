// The summary table's rows for P4 (delivery latency against offered rate) and P8 (start-up).
import type { P4Result, P4TransportResult } from './p4.js';
import type { P8Result } from './p8.js';
import { ratio } from './lib/stats.js';
import { fmt, fmtMs, type Row } from './lib/table.js';

export function rowsP4(r: P4Result): Row[] {
  const rows: Row[] = [];
  for (const t of r.transports) {
    if (t.skipped) {
      rows.push({
        bench: 'P4',
        figure: `${t.label} SKIPPED: ${t.skipped}`,
        chatd: '',
        baseline: '',
        ratio: '',
        target: '',
        ok: 'skipped',
      });
    }
  }
  const peers = r.transports.filter((t) => t.kind === 'peer' && !t.skipped);
  const at = (t: P4TransportResult) => t.cells.find((c) => c.rate === r.targetRate);
  for (const t of r.transports) {
    if (t.kind !== 'chatd' || t.skipped) continue;
    const c = at(t);
    if (!c) continue;
    const bases: (P4TransportResult | null)[] = peers.length > 0 ? peers : [null];
    for (const [fig, f] of [
      ['p99', (x: NonNullable<ReturnType<typeof at>>) => x.p99],
      ['p50', (x: NonNullable<ReturnType<typeof at>>) => x.p50],
    ] as const) {
      for (const b of bases) {
        const bc = b ? at(b) : undefined;
        const target = fig === 'p99' && t.targetP99Ms !== null ? t.targetP99Ms : null;
        rows.push({
          bench: 'P4',
          figure: `${t.label}: latency ${fig} at ${r.targetRate} msgs/s into ${r.members}${b ? ` (base: ${b.label})` : ''}`,
          chatd: fmtMs(f(c)),
          baseline: bc ? fmtMs(f(bc)) : '',
          ratio: bc ? fmt(ratio(f(c), f(bc)), 1) : '',
          target: target !== null ? `≤ ${target} ms` : '',
          ok: target !== null && Number.isFinite(f(c)) ? (f(c) <= target ? 'yes' : 'no') : '',
        });
      }
    }
    rows.push({
      bench: 'P4',
      figure: `${t.label}: deliveries/s at ${r.targetRate} msgs/s (offered: ${fmt(r.targetRate * (r.members - 1))})`,
      chatd: fmt(c.deliveriesPerSec),
      baseline: '',
      ratio: '',
      target: '',
      ok: '',
    });
  }
  const live = r.transports.filter((t) => !t.skipped);
  const faults = (t: P4TransportResult) =>
    t.cells.reduce((s, c) => s + c.missing + c.duplicates + c.failed.length, 0);
  rows.push({
    bench: 'P4',
    figure: 'missing / duplicate deliveries + failed runs, all rates',
    chatd: live
      .filter((t) => t.kind === 'chatd')
      .map((t) => `${t.name} ${faults(t)}`)
      .join(', '),
    baseline: live
      .filter((t) => t.kind === 'peer')
      .map((t) => `${t.name} ${faults(t)}`)
      .join(', '),
    ratio: '',
    target: 'all 0',
    ok: live.every((t) => faults(t) === 0) ? 'yes' : 'NO',
  });
  return rows;
}

export function rowsP8(r: P8Result): Row[] {
  const { empty, seeded } = r;
  return [
    {
      bench: 'P8',
      figure: 'start → first healthy answer, empty database',
      chatd: fmtMs(empty.medianMs),
      baseline: '',
      ratio: '',
      target: `< ${fmt(empty.targetMs)} ms`,
      ok: Number.isFinite(empty.medianMs) ? (empty.medianMs < empty.targetMs ? 'yes' : 'no') : '',
    },
    {
      bench: 'P8',
      figure: `the same with ${fmt(seeded.messages)} stored messages (base: empty)`,
      chatd: fmtMs(seeded.medianMs),
      baseline: fmtMs(empty.medianMs),
      ratio: fmt(r.ratio, 2),
      target: `< ${fmt(seeded.targetMs)} ms`,
      ok: Number.isFinite(seeded.medianMs)
        ? seeded.medianMs < seeded.targetMs
          ? 'yes'
          : 'no'
        : '',
    },
    {
      bench: 'P8',
      figure: 'failed starts (base: empty)',
      chatd: String(seeded.failed.length),
      baseline: String(empty.failed.length),
      ratio: '',
      target: '0',
      ok: seeded.failed.length + empty.failed.length === 0 ? 'yes' : 'NO',
    },
  ];
}
