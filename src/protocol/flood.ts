// Budgets per session (docs/limits.md): token buckets with a burst and a steady refill rate, keyed by
// session id, so every client (device) of a session draws from the same one — a new client is no
// new budget. Flood control for commands is one; the read budget (history, listings) another.
// A request must find at least `need` tokens to start; what it costs is known only once it has
// run (a WHO's answer, a history page's bytes), so `spend` may leave the bucket in debt, and the
// next request waits until the refill has paid it off. The clock is injected: tests never sleep.
import type { RefusalCode } from '../model/refusal-codes.js';
import { Allowances } from './allowance.js';
import { retryLater } from './errors.js';

export interface BudgetRefusal {
  /** the refusal's code (a "retry later" one) */
  code: RefusalCode;
  /** what ran out, for the message */
  what: string;
  /** what a token is, for the message (default: one command) */
  unit?: string;
}

/** Token buckets per session: `burst` at once, refilled at `ratePerSecond`. */
export class TokenBuckets {
  private readonly buckets: Allowances<number> | null;

  /** `ratePerSecond` 0 turns the budget off (benchmarks, tests). */
  constructor(
    readonly burst: number,
    readonly ratePerSecond: number,
    private readonly refusal: BudgetRefusal,
  ) {
    this.buckets =
      ratePerSecond > 0
        ? new Allowances({ capacity: burst, windowMs: (burst / ratePerSecond) * 1000 })
        : null;
  }

  get enabled(): boolean {
    return this.buckets !== null;
  }

  /** Throws 429 with Retry-After unless `key` has at least `need` tokens now. */
  check(key: number, now: number, need = 1): void {
    const wait = this.buckets?.waitMs(key, now, need) ?? 0;
    if (wait <= 0) return;
    const { what, code } = this.refusal;
    const unit = this.refusal.unit ?? '';
    const limits = `at most ${this.burst}${unit} at once, then ${this.ratePerSecond}${unit}/s per session`;
    throw retryLater(code, `${what}: ${limits}`, wait);
  }

  /** Takes `cost` tokens (the bucket may go into debt). */
  spend(key: number, now: number, cost: number): void {
    if (cost > 0) this.buckets?.charge(key, cost, now);
  }

  /** check(key, now, 1), then spend one token: the common case of a command. */
  take(key: number, now: number): void {
    this.check(key, now, 1);
    this.spend(key, now, 1);
  }
}

/**
 * What a request costs beyond its first token: one more per 16 KiB it stored. A 4 KiB message
 * costs one token; a WHO or NAMES that fills a reply page costs the time it would take to send
 * that much as messages, so no command writes faster than messages can (docs/limits.md "bounded work").
 */
export const BYTES_PER_TOKEN = 16 * 1024;

export function extraTokensFor(bytesWritten: number): number {
  return Math.floor(bytesWritten / BYTES_PER_TOKEN);
}

/** Flood control for commands (docs/limits.md): FLOOD_BURST, then FLOOD_RATE per second. */
export class FloodControl extends TokenBuckets {
  constructor(burst: number, ratePerSecond: number) {
    super(burst, ratePerSecond, { code: 'flood', what: 'too many commands' });
  }
}
