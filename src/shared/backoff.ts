// How long a client waits before trying again after a failed request (a poll, a send), for the
// web client and chat-cli alike. Pure: the random source and the clock come from the caller, so
// the policy is testable as a function.
//
// Exponential: 1 s, 2 s, 4 s… capped at 30 s, each with ±25 % jitter so that clients cut off
// together do not all come back in the same instant. When the server said how long to wait
// (Retry-After, on 429 and 503), the wait is at least that long: never shorter than asked, and
// spread upward by the same jitter.

export interface BackoffPolicy {
  /** the first wait, ms */
  baseMs: number;
  /** the longest wait before jitter, ms */
  capMs: number;
  /** the jitter, as a fraction of the wait (0.25: ±25 %) */
  jitter: number;
  /**
   * the longest Retry-After honoured, ms: a larger one (a misconfigured proxy) is cut to this,
   * so a client never sleeps for hours (nor overflows a timer, which fires at once past 2^31 ms)
   */
  maxRetryAfterMs: number;
}

/** The policy of both clients' poll and send retries. */
export const RETRY_POLICY: BackoffPolicy = {
  baseMs: 1000,
  capMs: 30_000,
  jitter: 0.25,
  maxRetryAfterMs: 3_600_000,
};

/**
 * The wait in ms before retry number `attempt` (0 for the first retry after a failure).
 * `retryAfterSeconds`: the server's Retry-After, or null when it sent none. `random` returns a
 * number in [0, 1) like Math.random.
 */
export function retryDelay(
  attempt: number,
  retryAfterSeconds: number | null,
  random: () => number,
  policy: BackoffPolicy = RETRY_POLICY,
): number {
  const n = Number.isFinite(attempt) && attempt > 0 ? Math.floor(attempt) : 0;
  // 2^n overflows to Infinity for a huge n; min() with the cap still gives the cap
  const exponential = Math.min(policy.capMs, policy.baseMs * 2 ** n);
  const r = unit(random());
  const backoff = Math.round(exponential * (1 - policy.jitter + 2 * policy.jitter * r));
  if (retryAfterSeconds === null || !(retryAfterSeconds > 0)) return backoff;
  const asked = Math.min(policy.maxRetryAfterMs, retryAfterSeconds * 1000);
  return Math.max(backoff, Math.ceil(asked * (1 + policy.jitter * r)));
}

/** A random draw clamped to [0, 1] (a broken source cannot make a negative or endless wait). */
function unit(x: number): number {
  return Number.isFinite(x) ? Math.min(1, Math.max(0, x)) : 0;
}

/**
 * The seconds a Retry-After header asks for: delay-seconds (`120`) or an HTTP-date (RFC 9110
 * §10.2.3), measured from `nowMs`. Null when there is none, it is unreadable, or already past.
 */
export function parseRetryAfter(header: string | null | undefined, nowMs: number): number | null {
  const value = header?.trim();
  if (!value) return null;
  if (/^\d+(\.\d+)?$/.test(value)) {
    const seconds = Number(value);
    return seconds > 0 ? seconds : null;
  }
  const at = Date.parse(value);
  if (!Number.isFinite(at)) return null;
  const seconds = Math.ceil((at - nowMs) / 1000);
  return seconds > 0 ? seconds : null;
}

/** The retries of one loop: the attempt count grows with each failure until a success resets it. */
export class Backoff {
  private failures = 0;

  constructor(
    private readonly random: () => number = Math.random,
    private readonly policy: BackoffPolicy = RETRY_POLICY,
  ) {}

  /** The wait after one more failure; `retryAfterSeconds` as the server sent it, or null. */
  next(retryAfterSeconds: number | null): number {
    return retryDelay(this.failures++, retryAfterSeconds, this.random, this.policy);
  }

  /** A request succeeded: the next failure waits the shortest time again. */
  reset(): void {
    this.failures = 0;
  }
}
