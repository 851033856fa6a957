// The benchmark's own processes and measurements: the bare node:http baseline (bench/
// baseline-server.ts), and CPU time and RSS from /proc. chatd is started by the harness shared
// with the tests and the reliability suites (test/helpers/chatd.ts), which also stops every
// process by PID and removes the temp folders, at exit or on an interrupt too.
import fs from 'node:fs';
import path from 'node:path';
import { launch, launchServer, makeTempDir, ROOT, type Proc } from '../../test/helpers/chatd.js';

const BASELINE = path.join(ROOT, 'bench/baseline-server.ts');
/** kernel clock ticks per second for /proc/PID/stat (USER_HZ, 100 on Linux) */
const CLK_TCK = 100;

/** chatd's variables for the benchmark: the load is the point, not its request log */
export const BENCH_CHATD_ENV = { LOG_LEVEL: 'warn' };

export type BaselineMode = 'ack' | 'hold';

/** Starts the bare node:http baseline (bench/baseline-server.ts) in a child process. */
export async function startBaseline(mode: BaselineMode): Promise<Proc> {
  const dir = makeTempDir('baseline-bench-');
  return launchServer(
    (port) =>
      launch({
        args: ['--import', 'tsx', BASELINE, mode, String(port)],
        cwd: ROOT,
        env: { PATH: process.env.PATH, HOME: process.env.HOME },
        port,
        dir,
      }),
    '/ready',
    { readyTimeoutMs: 15_000 },
  );
}

/** Resident set size in KiB (VmRSS of /proc/PID/status). */
export function rssKiB(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  if (!m) throw new Error(`no VmRSS for ${pid}`);
  return Number(m[1]);
}

/** User + system CPU seconds the process has used so far (/proc/PID/stat). */
export function cpuSeconds(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  // fields after the ")" that closes the command name; utime and stime are fields 14 and 15
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
