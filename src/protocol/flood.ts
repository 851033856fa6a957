// Flood control (SPEC §12): a token bucket per client on commands — a burst, then a steady refill
// rate. Polls are not commands and never count. The clock is injected, so tests need no sleeping.
import { ChatError } from './errors.js';

interface Bucket {
  tokens: number;
  at: number;
}

/** Buckets kept before full (idle) ones are swept, so memory follows active clients only. */
const SWEEP_ABOVE = 10_000;

export class FloodControl {
  private readonly buckets = new Map<number, Bucket>();

  /** `ratePerSecond` 0 turns flood control off (benchmarks, tests). */
  constructor(
    readonly burst: number,
    readonly ratePerSecond: number,
  ) {}

  get enabled(): boolean {
    return this.ratePerSecond > 0;
  }

  /** Takes one token for this client, or throws 429 with Retry-After when there is none. */
  take(clientId: number, now: number): void {
    if (!this.enabled) return;
    const b = this.refilled(this.buckets.get(clientId), now);
    if (b.tokens < 1) {
      const waitMs = ((1 - b.tokens) / this.ratePerSecond) * 1000;
      this.buckets.set(clientId, b);
      throw new ChatError({
        code: 'flood',
        status: 429,
        message: `too many commands: at most ${this.burst} at once, then ${this.ratePerSecond}/s`,
        headers: { 'Retry-After': String(Math.max(1, Math.ceil(waitMs / 1000))) },
      });
    }
    b.tokens -= 1;
    this.buckets.set(clientId, b);
    if (this.buckets.size > SWEEP_ABOVE) this.sweep(now);
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
