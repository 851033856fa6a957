// Keeps asking GET /.well-known/healthcheck.json while a test attacks the server, one request at a
// time on its own connection, and records the longest stretch without a good answer ("health
// keeps answering", reliability/README.mdc). Bounded by a deadline.
import http from 'node:http';
import { percentiles, type Percentiles } from './checker.js';
import { call, sleep } from './http.js';

export interface HealthReport {
  checks: number;
  failures: number;
  /** longest time between two consecutive 200 answers (ms), including the wait for the last */
  longestGapMs: number;
  latencyMs: Percentiles;
}

export class HealthWatch {
  private stopped = false;
  private loop: Promise<void> | null = null;
  private readonly latencies: number[] = [];
  private failures = 0;
  private lastOk = performance.now();
  private longestGap = 0;
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

  constructor(
    private readonly port: number,
    private readonly everyMs = 50,
  ) {}

  start(deadline: number): this {
    this.lastOk = performance.now();
    this.loop = (async () => {
      while (!this.stopped && Date.now() < deadline) {
        const t0 = performance.now();
        try {
          const r = await call(this.port, 'GET', '/.well-known/healthcheck.json', {
            agent: this.agent,
          });
          const t1 = performance.now();
          this.latencies.push(t1 - t0);
          if (r.status === 200) {
            this.longestGap = Math.max(this.longestGap, t1 - this.lastOk);
            this.lastOk = t1;
          } else {
            this.failures++;
          }
        } catch {
          this.failures++;
        }
        await sleep(this.everyMs);
      }
    })();
    return this;
  }

  async stop(): Promise<HealthReport> {
    this.stopped = true;
    await this.loop;
    this.agent.destroy();
    const gap = Math.max(this.longestGap, performance.now() - this.lastOk - this.everyMs);
    return {
      checks: this.latencies.length + this.failures,
      failures: this.failures,
      longestGapMs: Math.round(gap),
      latencyMs: percentiles(this.latencies),
    };
  }
}
