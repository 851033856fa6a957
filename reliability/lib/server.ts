// chatd for the reliability suites: the harness shared with the tests and the benchmark
// (test/helpers/chatd.ts: a free loopback port, a temp folder, stop by PID, kill -9, output), with
// the suites' defaults; CPU and RSS from /proc come from the benchmark's helpers.
import { startChatd, type Chatd } from '../../test/helpers/chatd.js';

export { cleanupAll, makeTempDir, stopAndClean } from '../../test/helpers/chatd.js';
export { cpuSeconds, rssKiB } from '../../bench/lib/proc.js';
export type Proc = Chatd;

export interface ServerOptions {
  env?: Record<string, string>;
  /** an existing folder holding chat.db (restarts) */
  dir?: string;
  /** also start the IRC listener on a free port (`proc.ircPort`; docs/irc.md) */
  irc?: boolean;
}

/** A chatd with flood control and hashcash off (reliability/README.md: except where they are the subject). */
export function startServer(o: ServerOptions = {}): Promise<Proc> {
  return startChatd({
    ...(o.dir ? { dir: o.dir } : {}),
    ...(o.irc ? { irc: true } : {}),
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
