// Byte budgets for answers that hold many messages (poll answers, history pages): counting
// entries alone lets 500 messages of 4 KiB make a 2 MiB answer (reliability test F5). Sizes are
// those of the JSON the client receives.

/** the UTF-8 size of a value's JSON (plus one for the separating comma) */
export function jsonBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value), 'utf8') + 1;
}

/** Items cut to a byte budget, with the bytes they take (what a read budget charges). */
export interface Sized<T> {
  items: T[];
  bytes: number;
}

/**
 * The longest prefix of `items` within `budget` bytes — never empty when `items` is not, so a
 * single oversized message still moves the reader forward.
 */
export function headSized<T>(items: readonly T[], budget: number): Sized<T> {
  let used = 0;
  let n = 0;
  for (const item of items) {
    const size = jsonBytes(item);
    if (n > 0 && used + size > budget) break;
    used += size;
    n++;
  }
  return { items: items.slice(0, n), bytes: used };
}

/** The longest suffix of `items` within `budget` bytes (history pages keep the newest). */
export function tailSized<T>(items: readonly T[], budget: number): Sized<T> {
  let used = 0;
  let n = 0;
  for (let i = items.length - 1; i >= 0; i--) {
    const size = jsonBytes(items[i]);
    if (n > 0 && used + size > budget) break;
    used += size;
    n++;
  }
  return { items: items.slice(items.length - n), bytes: used };
}

export function headWithin<T>(items: readonly T[], budget: number): T[] {
  return headSized(items, budget).items;
}

export function tailWithin<T>(items: readonly T[], budget: number): T[] {
  return tailSized(items, budget).items;
}
