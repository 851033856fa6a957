// One session's commands run one at a time (docs/DEVELOPING.md), so awaits inside a handler can never let
// a second command of the same session overtake the first.
export class SerialQueue {
  private readonly tails = new Map<number, Promise<void>>();

  run<T>(key: number, fn: () => Promise<T>): Promise<T> {
    const prev = this.tails.get(key) ?? Promise.resolve();
    const result = prev.then(fn);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }

  /** resolves when every queued command has finished (graceful shutdown, tests) */
  async idle(): Promise<void> {
    while (this.tails.size) await Promise.all(this.tails.values());
  }
}
