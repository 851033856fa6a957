// Medians, ratios and the options every benchmark shares.

export interface BenchOptions {
  quick: boolean;
  /** measured seconds per run */
  seconds: number;
  warmupSeconds: number;
  runs: number;
  /** hard cap on requests per run */
  maxRequests: number;
  /** P5: held polls (default 1000, 200 with --quick) */
  polls: number;
  log: (line: string) => void;
}

export function median(values: number[]): number {
  const v = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return NaN;
  const mid = Math.floor(v.length / 2);
  return v.length % 2 ? v[mid]! : (v[mid - 1]! + v[mid]!) / 2;
}

export function ratio(a: number, b: number): number {
  return b === 0 ? NaN : a / b;
}

export function round(x: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** Adds counts of `b` into `a` (status histograms, error counts). */
export function addCounts(a: Record<string, number>, b: Record<string, number>): void {
  for (const [k, v] of Object.entries(b)) a[k] = (a[k] ?? 0) + v;
}

/** A 200-byte-ish PRIVMSG body (sender and sequence first, padded). */
export function privmsgBody(channel: string, worker: number, n: number): Buffer {
  const text = `w${worker} n${n} `.padEnd(150, 'x');
  return Buffer.from(JSON.stringify({ command: 'PRIVMSG', to: channel, body: [text] }));
}

/** Logs what a chatd run left behind that deserves a look: an exit code, log lines, poll errors. */
export function logTrouble(
  o: BenchOptions,
  x: { exitCode: number | null; serverLog: string; firstError: string | null },
  pollErrors: Record<string, number>,
): void {
  if (x.exitCode !== 0) o.log(`    chatd exited with ${x.exitCode}`);
  if (x.firstError) o.log(`    first non-200: ${x.firstError}`);
  if (Object.keys(pollErrors).length > 0) o.log(`    poll errors: ${JSON.stringify(pollErrors)}`);
  if (x.serverLog.trim()) o.log(`    chatd log (tail):\n${x.serverLog.slice(-1500)}`);
}
