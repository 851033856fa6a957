// Flood control for one IRC connection, the way IRC servers do it: a burst of FLOOD_BURST lines,
// then FLOOD_RATE lines per second, with excess lines delayed ("fake lag") rather than refused;
// a client with far more lines waiting than it could ever be allowed soon is cut off with
// `ERROR :Excess Flood`. The session's own allowance in the core still applies on top (shared by
// all of a session's clients); this gate only keeps one socket from monopolising the core.

/** Lines waiting beyond which a connection is cut off, at least (a paste of a page is fine). */
const EXCESS_MIN_LINES = 200;

export class FloodGate {
  private left: number;
  private at: number;
  private readonly excessLines: number;

  constructor(
    private readonly burst: number,
    /** lines per second; 0: off */
    private readonly rate: number,
    now = Date.now(),
  ) {
    this.at = now;
    this.left = burst;
    this.excessLines = Math.max(EXCESS_MIN_LINES, burst * 20);
  }

  private refill(now: number): void {
    if (this.rate === 0) return;
    // a clock that steps back refills nothing (and takes nothing)
    const elapsed = Math.max(0, now - this.at);
    this.left = Math.min(this.burst, this.left + (elapsed / 1000) * this.rate);
    this.at = Math.max(this.at, now);
  }

  /** ms before the next line may run (0: now) */
  waitMs(now = Date.now()): number {
    if (this.rate === 0) return 0;
    this.refill(now);
    return this.left >= 1 ? 0 : Math.ceil(((1 - this.left) / this.rate) * 1000);
  }

  take(now = Date.now()): void {
    if (this.rate === 0) return;
    this.refill(now);
    this.left -= 1;
  }

  /** true when this many waiting lines is flooding, not typing or pasting */
  excess(waitingLines: number): boolean {
    return this.rate !== 0 && waitingLines > this.excessLines;
  }
}
