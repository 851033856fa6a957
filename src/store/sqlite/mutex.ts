// A FIFO async lock. Store transactions are async (their callbacks await store methods) but share
// one writer connection, so two of them must never interleave on it.
export class Mutex {
  private tail: Promise<void> = Promise.resolve();

  /** resolves, in call order, with the function that releases the lock */
  async lock(): Promise<() => void> {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const previous = this.tail;
    this.tail = previous.then(() => held);
    await previous;
    return release;
  }

  /** runs fn while holding the lock; released however fn ends */
  async with<T>(fn: () => Promise<T> | T): Promise<T> {
    const release = await this.lock();
    try {
      return await fn();
    } finally {
      release();
    }
  }
}
