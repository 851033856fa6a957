// The read budget (docs/limits.md): reads that cost more than a poll — history pages, channel and
// member listings, the session state — draw from a per-session bucket counted in pages of
// PAGE_MAX_BYTES (READ_BURST pages at once, then READ_RATE pages per second). A read pays for the
// bytes it answered, at least MIN_READ_BYTES, so a flood of tiny reads is not free either, and a
// refused read (403, 404) pays the minimum. Polls never count.
import type { CoreSettings } from './environment.js';
import { TokenBuckets } from './flood.js';

/** The least a read costs: a small answer still takes a query and a round of JSON. */
export const MIN_READ_BYTES = 4096;

/** A read's answer and its JSON bytes, as the read measured them when it cut its page. */
export interface Measured<T> {
  value: T;
  bytes: number;
}

export class ReadBudget {
  private readonly buckets: TokenBuckets;

  constructor(
    private readonly settings: CoreSettings,
    private readonly now: () => number,
  ) {
    this.buckets = new TokenBuckets(settings.readBurst, settings.readRate, {
      code: 'read_budget',
      what: 'too many reads',
      unit: ' pages',
    });
  }

  /** Runs a read for the session, refused with 429 while its read budget is in debt. */
  async run<T>(sessionId: number, read: () => Promise<Measured<T>>): Promise<T> {
    this.buckets.check(sessionId, this.now(), this.pages(MIN_READ_BYTES));
    let bytes = MIN_READ_BYTES;
    try {
      const answer = await read();
      bytes = Math.max(bytes, answer.bytes);
      return answer.value;
    } finally {
      this.buckets.spend(sessionId, this.now(), this.pages(bytes));
    }
  }

  private pages(bytes: number): number {
    return bytes / this.settings.pageMaxBytes;
  }
}
