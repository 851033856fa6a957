// The bench's summary table: one row per figure, printed by run.ts and written into RESULTS.md.

export interface Row {
  bench: string;
  figure: string;
  chatd: string;
  baseline: string;
  ratio: string;
  target: string;
  /** yes / no against the target, NO for faults (lost, duplicated…), skipped, or empty */
  ok: string;
}

export function fmt(x: number, digits = 0): string {
  if (!Number.isFinite(x)) return '—';
  return x.toLocaleString('en-US', {
    maximumFractionDigits: digits,
    minimumFractionDigits: digits,
  });
}

/** milliseconds, with a decimal below 100 */
export function fmtMs(x: number): string {
  return `${fmt(x, Math.abs(x) < 100 ? 1 : 0)} ms`;
}
