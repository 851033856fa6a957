// Byte budgets for answers that hold many messages (poll answers, history pages): counting
// entries alone lets 500 messages of 4 KiB make a 2 MiB answer (reliability test F5). Sizes are
// those of the JSON the client receives.

/** the UTF-8 size of a value's JSON (plus one for the separating comma) */
function jsonBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value), 'utf8') + 1;
}

/**
 * The longest prefix of `items` within `budget` bytes — never empty when `items` is not, so a
 * single oversized message still moves the reader forward.
 */
export function headWithin<T>(items: readonly T[], budget: number): T[] {
  let used = 0;
  let n = 0;
  for (const item of items) {
    used += jsonBytes(item);
    if (n > 0 && used > budget) break;
    n++;
  }
  return items.slice(0, n);
}

/** The longest suffix of `items` within `budget` bytes (history pages keep the newest). */
export function tailWithin<T>(items: readonly T[], budget: number): T[] {
  let used = 0;
  let n = 0;
  for (let i = items.length - 1; i >= 0; i--) {
    used += jsonBytes(items[i]);
    if (n > 0 && used > budget) break;
    n++;
  }
  return items.slice(items.length - n);
}
