// Bounded work per turn of the event loop. One bus note can wake hundreds of held polls, each
// woken read is deferred to the same next turn (delivery.ts), and each one reads, shapes and
// writes up to a page of 500 entries: all of them in one turn held every other client (and the
// timers) for over a second. Reads now go through `run()`: while the current turn has spent less
// than its budget they start at once; once it is spent, the reads that follow wait for the next
// turn (Node serves sockets and timers in between), where they start one after the other, in
// arrival order, until that turn's budget is spent too. At least one read runs per turn, so a
// page larger than the budget still moves.

export interface TurnScheduler {
  /** milliseconds, monotonic */
  now(): number;
  /** runs fn on a later turn of the event loop, after pending I/O */
  defer(fn: () => void): void;
}

const nodeScheduler: TurnScheduler = {
  now: () => performance.now(),
  defer: (fn) => void setImmediate(fn),
};

export class TurnBudget {
  /** when the current turn's first read started (null: none yet) */
  private startedAt: number | null = null;
  private turnEndScheduled = false;
  private waiting: (() => void)[] = [];

  constructor(
    private readonly budgetMs: number,
    private readonly scheduler: TurnScheduler = nodeScheduler,
  ) {}

  /** runs `read` at once while this turn has budget left, else on a later turn */
  async run<T>(read: () => Promise<T>): Promise<T> {
    await this.slot();
    try {
      return await read();
    } finally {
      this.finished();
    }
  }

  /** reads waiting for a turn (diagnostics, tests) */
  get queued(): number {
    return this.waiting.length;
  }

  private async slot(): Promise<void> {
    if (this.waiting.length === 0) {
      const now = this.scheduler.now();
      if (this.startedAt === null) {
        this.startedAt = now;
        this.scheduleTurnEnd();
        return;
      }
      if (now - this.startedAt < this.budgetMs) return;
    }
    // over budget, or others wait already (they go first)
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  /**
   * A read is done: the next waiting one starts now if the turn has budget left. One at a time,
   * so each starts only after the one before it spent its time: releasing several together
   * would let them all start before any of them had spent anything.
   */
  private finished(): void {
    if (this.waiting.length === 0 || this.startedAt === null) return;
    if (this.scheduler.now() - this.startedAt >= this.budgetMs) return;
    this.waiting.shift()?.();
  }

  private scheduleTurnEnd(): void {
    if (this.turnEndScheduled) return;
    this.turnEndScheduled = true;
    this.scheduler.defer(() => this.turnEnd());
  }

  /** a new turn: the first waiting read opens it, the others follow it while the budget lasts */
  private turnEnd(): void {
    this.turnEndScheduled = false;
    this.startedAt = null;
    const next = this.waiting.shift();
    if (next === undefined) return;
    this.startedAt = this.scheduler.now();
    this.scheduleTurnEnd();
    next();
  }
}
