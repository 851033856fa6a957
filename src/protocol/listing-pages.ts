// Listings that can outgrow one answer (the channel directory, a channel's members) are paged:
// a page holds at most POLL_BATCH_MAX entries and PAGE_MAX_BYTES of JSON, and `next` is the
// sort key of its last entry, which the following request passes back as `after`.
import { headSized } from '../model/byte-budget.js';

export interface Page<T> {
  items: T[];
  /** the `after` of the next page, or null when this is the last */
  next: string | null;
}

/** A page with the JSON bytes its entries took when it was cut (for the read budget). */
export interface SizedPage<T> extends Page<T> {
  bytes: number;
}

export interface PageLimits {
  maxItems: number;
  maxBytes: number;
}

/** The page of `items` after the key `after`; `items` must be sorted by `keyOf`, keys unique. */
export function pageAfter<T>(
  items: readonly T[],
  keyOf: (item: T) => string,
  after: string | null,
  limits: PageLimits,
): SizedPage<T> {
  const start = after === null ? 0 : firstAfter(items, keyOf, after);
  const window = items.slice(start, start + limits.maxItems);
  const { items: page, bytes } = headSized(window, limits.maxBytes);
  const more = start + page.length < items.length;
  const last = page[page.length - 1];
  return { items: page, next: more && last !== undefined ? keyOf(last) : null, bytes };
}

/** Index of the first item whose key sorts after `after` (binary search). */
function firstAfter<T>(items: readonly T[], keyOf: (item: T) => string, after: string): number {
  let lo = 0;
  let hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (keyOf(items[mid]!) <= after) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
