// In-process bus for a single chatd: notes reach listeners on a later microtask, so a publisher
// never runs reader code inside its own call stack.
import type { Bus, BusListener, BusNote } from './bus.js';

export class MemoryBus implements Bus {
  private readonly listeners = new Set<BusListener>();

  async publish(note: BusNote): Promise<void> {
    queueMicrotask(() => {
      for (const listener of this.listeners) listener(note);
    });
  }

  subscribe(listener: BusListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    this.listeners.clear();
  }
}
