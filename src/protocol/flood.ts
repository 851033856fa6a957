// Budgets per session (SPEC §12): token buckets with a burst and a steady refill rate, keyed by
// session id, so every client (device) of a session draws from the same one — a new client is no
// new budget. Flood control for commands is one; the read budget (history, listings) another.
// A request must find at least `need` tokens to start; what it costs is known only once it has
// run (a WHO's answer, a history page's bytes), so `spend` may leave the bucket in debt, and the
// next request waits until the refill has paid it off. The clock is injected: tests never sleep.
import { ChatError } from './errors.js';

interface Bucket {
  tokens: number;
  at: number;
}

/** Buckets kept before full (idle) ones are swept, so memory follows active sessions only. */
const SWEEP_ABOVE = 10_000;

export interface BudgetRefusal {
  /** snake_case error code of the 429 */
  code: string;
  /** what ran out, for the message */
  what: string;
  /** what a token is, for the message (default: one command) */
  unit?: string;
}

export class TokenBuckets {
  private readonly buckets = new Map<number, Bucket>();

  /** `ratePerSecond` 0 turns the budget off (benchmarks, tests). */
  constructor(
    readonly burst: number,
    readonly ratePerSecond: number,
    private readonly refusal: BudgetRefusal,
  ) {}

  get enabled(): boolean {
    return this.ratePerSecond > 0;
  }

  /** Throws 429 with Retry-After unless `key` has at least `need` tokens now. */
  check(key: number, now: number, need = 1): void {
    if (!this.enabled) return;
    const b = this.refilled(this.buckets.get(key), now);
    this.buckets.set(key, b);
    if (b.tokens >= need) return;
    const waitMs = ((need - b.tokens) / this.ratePerSecond) * 1000;
    const unit = this.refusal.unit ?? '';
    throw new ChatError({
      code: this.refusal.code,
      status: 429,
      message: `${this.refusal.what}: at most ${this.burst}${unit} at once, then ${this.ratePerSecond}${unit}/s per session`,
      headers: { 'Retry-After': String(Math.max(1, Math.ceil(waitMs / 1000))) },
    });
  }

  /** Takes `cost` tokens (the bucket may go into debt). */
  spend(key: number, now: number, cost: number): void {
    if (!this.enabled || cost <= 0) return;
    const b = this.refilled(this.buckets.get(key), now);
    b.tokens -= cost;
    this.buckets.set(key, b);
    if (this.buckets.size > SWEEP_ABOVE) this.sweep(now);
  }

  /** check(key, now, 1), then spend one token: the common case of a command. */
  take(key: number, now: number): void {
    this.check(key, now, 1);
    this.spend(key, now, 1);
  }

  private refilled(b: Bucket | undefined, now: number): Bucket {
    if (!b) return { tokens: this.burst, at: now };
    const elapsed = Math.max(0, now - b.at) / 1000;
    return { tokens: Math.min(this.burst, b.tokens + elapsed * this.ratePerSecond), at: now };
  }

  private sweep(now: number): void {
    for (const [id, b] of this.buckets) {
      if (this.refilled(b, now).tokens >= this.burst) this.buckets.delete(id);
    }
  }
}

/**
 * What a request costs beyond its first token: one more per 16 KiB it stored. A 4 KiB message
 * costs one token; a WHO or NAMES that fills a reply page costs the time it would take to send
 * that much as messages, so no command writes faster than messages can (SPEC §12 "bounded work").
 */
export const BYTES_PER_TOKEN = 16 * 1024;

export function extraTokensFor(bytesWritten: number): number {
  return Math.floor(bytesWritten / BYTES_PER_TOKEN);
}

/** Flood control for commands (SPEC §12): FLOOD_BURST, then FLOOD_RATE per second. */
export class FloodControl extends TokenBuckets {
  constructor(burst: number, ratePerSecond: number) {
    super(burst, ratePerSecond, { code: 'flood', what: 'too many commands' });
  }
}
