// chatd for the reliability suites: the benchmark's process helpers (a free loopback port, a temp
// folder, stop by PID, CPU and RSS from /proc), with the suites' defaults.
import { startChatd as startBenchChatd, type Proc } from '../../bench/lib/proc.js';

export { cpuSeconds, rssKiB, stopAndClean, cleanupAll, makeTempDir } from '../../bench/lib/proc.js';
export type { Proc } from '../../bench/lib/proc.js';

export interface ServerOptions {
  env?: Record<string, string>;
  /** an existing folder holding chat.db (restarts) */
  dir?: string;
}

/** A chatd with flood control and hashcash off (QUALITY §4: except where they are the subject). */
export function startServer(o: ServerOptions = {}): Promise<Proc> {
  return startBenchChatd({
    ...(o.dir ? { dir: o.dir } : {}),
    env: { FLOOD_RATE: '0', HASHCASH_BITS: '0', LOG_LEVEL: 'warn', ...o.env },
  });
}

/** Samples a process's RSS every `everyMs` until stopped; answers the peak and the samples (KiB). */
export function rssSampler(pid: number, rss: (pid: number) => number, everyMs = 500) {
  const samples: number[] = [];
  const take = () => {
    try {
      samples.push(rss(pid));
    } catch {
      // the process is gone
    }
  };
  take();
  const timer = setInterval(take, everyMs);
  return {
    samples,
    stop(): { peakKiB: number; samples: number[] } {
      clearInterval(timer);
      take();
      return { peakKiB: Math.max(0, ...samples), samples };
    },
  };
}
