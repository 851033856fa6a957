// Duration strings for configuration: "90s", "15m", "24h", "7d", "1h30m", or plain milliseconds.

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const PART_RE = /(\d+)(ms|s|m|h|d)/gy;

/** Returns milliseconds, or null when the text is not a duration. */
export function parseDuration(text: string): number | null {
  const t = text.trim();
  if (/^\d+$/.test(t)) return Number(t);
  if (t === '') return null;
  PART_RE.lastIndex = 0;
  let total = 0;
  let end = 0;
  for (let m = PART_RE.exec(t); m; m = PART_RE.exec(t)) {
    total += Number(m[1]) * (UNIT_MS[m[2] ?? ''] ?? 0);
    end = PART_RE.lastIndex;
  }
  return end === t.length && end > 0 && Number.isSafeInteger(total) ? total : null;
}
