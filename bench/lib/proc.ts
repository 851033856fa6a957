// Child processes of the benchmark: chatd and the bare node:http baseline, each in its own temp
// folder, bound to 127.0.0.1 only. Every process started here is stopped by its PID, and every
// temp folder removed, also when the bench is interrupted.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const CHATD_BIN = path.join(ROOT, 'bin/chatd.js');
const BASELINE = path.join(ROOT, 'bench/baseline-server.ts');
/** kernel clock ticks per second for /proc/PID/stat (USER_HZ, 100 on Linux) */
const CLK_TCK = 100;

const live = new Set<ChildProcess>();
const tempDirs = new Set<string>();

/** Kills (by PID) what is still running and removes temp folders; safe to call twice. */
export function cleanupAll(): void {
  for (const child of live) {
    if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
      try {
        process.kill(child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
  live.clear();
  for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
  tempDirs.clear();
}

process.once('exit', cleanupAll);
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    cleanupAll();
    process.exit(130);
  });
}

export function makeTempDir(prefix = 'chat-bench-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  tempDirs.add(dir);
  return dir;
}

export function removeTempDir(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
  tempDirs.delete(dir);
}

export interface Proc {
  pid: number;
  port: number;
  dir: string;
  /** stdout and stderr so far (the tail) */
  output(): string;
  /** SIGTERM, SIGKILL after 10 s; resolves with the exit code (null when killed) */
  stop(): Promise<number | null>;
  /** true once the process has exited */
  exited(): boolean;
}

/** A port that was free a moment ago (chatd logs its port only at info level). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

function track(child: ChildProcess, port: number, dir: string): Proc {
  live.add(child);
  let out = '';
  const keep = (d: Buffer) => {
    out += d.toString();
    if (out.length > 200_000) out = out.slice(-100_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exit = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      live.delete(child);
      resolve(code);
    }),
  );
  return {
    pid: child.pid!,
    port,
    dir,
    output: () => out,
    exited: () => child.exitCode !== null || child.signalCode !== null,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      const force = setTimeout(() => {
        if (child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
      }, 10_000);
      process.kill(child.pid!, 'SIGTERM');
      const code = await exit;
      clearTimeout(force);
      return code;
    },
  };
}

async function waitHttp(proc: Proc, pathName: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (proc.exited()) throw new Error(`process ${proc.pid} exited early:\n${proc.output()}`);
    try {
      const res = await fetch(`http://127.0.0.1:${proc.port}${pathName}`);
      await res.arrayBuffer();
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await sleep(50);
  }
  await proc.stop();
  throw new Error(`process ${proc.pid} not ready after ${timeoutMs} ms:\n${proc.output()}`);
}

export interface ChatdOptions {
  /** folder holding chat.db (default: a new temp folder, removed by stopChatd) */
  dir?: string;
  env?: Record<string, string>;
  /** extra node flags, e.g. ['--cpu-prof'] */
  nodeArgs?: string[];
}

/**
 * Flags for every chatd a benchmark or reliability test starts, from CHATD_NODE_ARGS (split on
 * spaces): `CHATD_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof' npm run test:soak -- --only A2`
 * profiles the server under that load.
 */
function envNodeArgs(): string[] {
  return (process.env.CHATD_NODE_ARGS ?? '').split(' ').filter(Boolean);
}

/** Starts `node bin/chatd.js` on a free port with the database `<dir>/chat.db`. */
export async function startChatd(opts: ChatdOptions = {}): Promise<Proc> {
  const dir = opts.dir ?? makeTempDir('chatd-bench-');
  const nodeArgs = [...envNodeArgs(), ...(opts.nodeArgs ?? [])];
  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      PORT: String(port),
      HOST: '127.0.0.1',
      DBURL: `file:${path.join(dir, 'chat.db')}`,
      LOG_LEVEL: 'warn',
      JOB_INTERVAL: '1h',
      // the load is the point here, not flood control or the cost of minting stamps
      FLOOD_RATE: '0',
      HASHCASH_BITS: '0',
      ...opts.env,
    };
    const child = spawn(process.execPath, [...nodeArgs, CHATD_BIN], {
      cwd: dir,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const proc = track(child, port, dir);
    try {
      await waitHttp(proc, '/.well-known/healthcheck.json', 30_000);
      return proc;
    } catch (err) {
      if (attempt >= 2 || !/EADDRINUSE/.test(proc.output())) throw err;
    }
  }
}

export type BaselineMode = 'ack' | 'hold';

/** Starts the bare node:http baseline (bench/baseline-server.ts) in a child process. */
export async function startBaseline(mode: BaselineMode): Promise<Proc> {
  const dir = makeTempDir('baseline-bench-');
  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    const child = spawn(process.execPath, ['--import', 'tsx', BASELINE, mode, String(port)], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, HOME: process.env.HOME },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const proc = track(child, port, dir);
    try {
      await waitHttp(proc, '/ready');
      return proc;
    } catch (err) {
      if (attempt >= 2 || !/EADDRINUSE/.test(proc.output())) throw err;
    }
  }
}

/** Stops the process and removes its folder. */
export async function stopAndClean(proc: Proc): Promise<number | null> {
  const code = await proc.stop();
  removeTempDir(proc.dir);
  return code;
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
