// Allowances (docs/limits.md): keyed buckets of rare events, each holding `capacity` of them and refilled
// steadily, so that an empty bucket is full again after `windowMs` (one event back every
// windowMs / capacity). One class behind every authentication limit: failed logins per nick and
// per address, successful logins per account, OPER failures per session, per address and
// overall, and /metrics failures per address and overall. An attempt may take its event up front
// and give it back once it turns out not to count, so parallel attempts cannot all pass the check
// while the first ones are still running. The clock is passed in: tests never sleep.
// Flood control and the read budget (flood.ts) use the same buckets, spending with `charge`,
// which may leave a bucket in debt: what a command cost is known only after it ran.
export interface AllowanceSpec {
  /** events allowed at once */
  capacity: number;
  /** ms in which an empty bucket refills completely */
  windowMs: number;
}

interface Bucket {
  /** events still allowed (fractional while refilling) */
  left: number;
  at: number;
}

/** Buckets kept before full ones are swept, so memory follows recent events only. */
const SWEEP_ABOVE = 10_000;

export class Allowances<K extends string | number = string> {
  private readonly buckets = new Map<K, Bucket>();
  /** the next sweep happens above this size; raised when a sweep frees little, so that a map
   * full of recent events is not swept (O(n)) on every add */
  private sweepAbove = SWEEP_ABOVE;

  constructor(readonly spec: AllowanceSpec) {}

  /** ms until `need` events (default one) are allowed for `key`; 0 when they are now */
  waitMs(key: K, now: number, need = 1): number {
    const b = this.refilled(key, now);
    if (b.left >= need) return 0;
    return Math.ceil(((need - b.left) * this.spec.windowMs) / this.spec.capacity);
  }

  /** Takes `cost` events, going below empty if need be (a debt the refill pays off). */
  charge(key: K, cost: number, now: number): void {
    const b = this.refilled(key, now);
    this.buckets.set(key, { left: b.left - cost, at: now });
    if (this.buckets.size > this.sweepAbove) this.sweep(now);
  }

  /** Counts one event (never below empty: a caller checks `waitMs` first). */
  take(key: K, now: number): void {
    this.add(key, -1, now);
  }

  /** Gives back an event taken up front that turned out not to count. */
  giveBack(key: K, now: number): void {
    this.add(key, 1, now);
  }

  /** Buckets held now (for tests and memory checks). */
  get size(): number {
    return this.buckets.size;
  }

  private add(key: K, delta: number, now: number): void {
    const b = this.refilled(key, now);
    const left = Math.min(this.spec.capacity, Math.max(0, b.left + delta));
    this.buckets.set(key, { left, at: now });
    if (this.buckets.size > this.sweepAbove) this.sweep(now);
  }

  private refilled(key: K, now: number): Bucket {
    const b = this.buckets.get(key);
    if (!b) return { left: this.spec.capacity, at: now };
    const gained = (Math.max(0, now - b.at) / this.spec.windowMs) * this.spec.capacity;
    return { left: Math.min(this.spec.capacity, b.left + gained), at: now };
  }

  private sweep(now: number): void {
    for (const key of this.buckets.keys()) {
      if (this.refilled(key, now).left >= this.spec.capacity) this.buckets.delete(key);
    }
    this.sweepAbove = Math.max(SWEEP_ABOVE, 2 * this.buckets.size);
  }
}

/**
 * Failures limited per client address and overall (OPER, /metrics): an attempt is allowed only
 * while its address and the server as a whole both have failures left. The overall bucket is
 * what stops guessing spread over many addresses; an attempt whose transport knows no address
 * counts overall only.
 */
export class FailureLimits {
  private readonly byAddress: Allowances<string>;
  private readonly overall: Allowances<string>;

  constructor(perAddress: AllowanceSpec, overall: AllowanceSpec) {
    this.byAddress = new Allowances(perAddress);
    this.overall = new Allowances(overall);
  }

  /** ms until an attempt from `address` is allowed; 0 when it is allowed now */
  waitMs(address: string | undefined, now: number): number {
    const own = address === undefined ? 0 : this.byAddress.waitMs(address, now);
    return Math.max(own, this.overall.waitMs('', now));
  }

  failed(address: string | undefined, now: number): void {
    if (address !== undefined) this.byAddress.take(address, now);
    this.overall.take('', now);
  }
}
