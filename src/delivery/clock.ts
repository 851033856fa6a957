// The time a held poll waits by: its deadline and the timer that ends it. The composition root
// passes the one clock whose now() the core's env also reads (the system clock in production; the
// core harness's fake clock in tests), so a held poll times out when a test advances time.

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
