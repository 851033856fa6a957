// The time a held poll waits by: its deadline and the timer that ends it. Production uses the
// system clock; the core scenario tests pass the harness's fake clock (the same one the core's
// env.now() reads), so a held poll times out when the test advances time, not after a real wait.

export interface DeliveryClock {
  /** ms since epoch */
  now(): number;
  /** calls fn once, `ms` from now; answers a function that cancels it */
  after(ms: number, fn: () => void): () => void;
}

export const systemClock: DeliveryClock = {
  now: () => Date.now(),
  after: (ms, fn) => {
    const timer = setTimeout(fn, ms);
    return () => clearTimeout(timer);
  },
};
