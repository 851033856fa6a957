// Failed-login limits (SPEC §12): a bucket of allowed failures per client address and per nick,
// refilled steadily. While either bucket is empty, /login answers 429 with Retry-After before
// looking at the password at all, so guessing stops even for the right password. Unknown nicks
// have buckets too: answering them differently would reveal which nicks exist. An attempt takes
// its failure up front and gets it back when the password was right, so a hundred parallel
// guesses cannot all pass the check while the first ones are still hashing.
import { ChatError } from './errors.js';

export interface LoginLimitSettings {
  /** failures allowed per nick before waiting; refilled over `windowMs` */
  perNick: number;
  /** failures allowed per address before waiting; refilled over `windowMs` */
  perAddress: number;
  windowMs: number;
}

interface Bucket {
  /** failures still allowed (fractional while refilling) */
  left: number;
  at: number;
}

/** Buckets kept before refilled ones are swept, so memory follows recent failures only. */
const SWEEP_ABOVE = 10_000;

class FailureBuckets {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly capacity: number,
    private readonly windowMs: number,
  ) {}

  /** ms until one more attempt is allowed; 0 when one is allowed now */
  waitMs(key: string, now: number): number {
    const b = this.refilled(key, now);
    if (b.left >= 1) return 0;
    return Math.ceil(((1 - b.left) * this.windowMs) / this.capacity);
  }

  add(key: string, delta: number, now: number): void {
    const b = this.refilled(key, now);
    this.buckets.set(key, { left: Math.min(this.capacity, Math.max(0, b.left + delta)), at: now });
    if (this.buckets.size > SWEEP_ABOVE) this.sweep(now);
  }

  private refilled(key: string, now: number): Bucket {
    const b = this.buckets.get(key);
    if (!b) return { left: this.capacity, at: now };
    const gained = (Math.max(0, now - b.at) / this.windowMs) * this.capacity;
    return { left: Math.min(this.capacity, b.left + gained), at: now };
  }

  private sweep(now: number): void {
    for (const key of this.buckets.keys()) {
      if (this.refilled(key, now).left >= this.capacity) this.buckets.delete(key);
    }
  }
}

export class LoginLimiter {
  private readonly byNick: FailureBuckets;
  private readonly byAddress: FailureBuckets;

  constructor(settings: LoginLimitSettings) {
    this.byNick = new FailureBuckets(settings.perNick, settings.windowMs);
    this.byAddress = new FailureBuckets(settings.perAddress, settings.windowMs);
  }

  /** Throws 429 when this nick or this address used up its failures; else counts a failure
   * until `succeeded` gives it back. */
  begin(nickKey: string, address: string, now: number): void {
    const wait = Math.max(this.byNick.waitMs(nickKey, now), this.byAddress.waitMs(address, now));
    if (wait <= 0) {
      this.byNick.add(nickKey, -1, now);
      this.byAddress.add(address, -1, now);
      return;
    }
    throw new ChatError({
      code: 'too_many_failed_logins',
      status: 429,
      message: 'too many failed logins for this nick or from this address; try again later',
      headers: { 'Retry-After': String(Math.max(1, Math.ceil(wait / 1000))) },
    });
  }

  /** The attempt begun for this nick and address was right: it does not count. */
  succeeded(nickKey: string, address: string, now: number): void {
    this.byNick.add(nickKey, 1, now);
    this.byAddress.add(address, 1, now);
  }
}
