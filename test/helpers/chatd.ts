// The one harness that starts real processes for the end-to-end tests, the benchmark (bench/) and
// the reliability suites (reliability/): chatd itself (bin/chatd.js, built by `npm run build`) on
// a free loopback port with its own SQLite file in a temp folder, and any helper process (the
// bench's node:http baseline) through launch().
//
// Every process started here is stopped by its PID only, never by name: stop() (SIGTERM, SIGKILL
// after 10 s), kill() (SIGKILL), and at the latest when this process exits, is interrupted
// (SIGINT/SIGTERM) or ends with leftovers: cleanupAll() SIGKILLs what still runs and removes the
// temp folders made here. Child processes and their pipes do not keep this process alive, so a
// test file that forgets one still ends (and the exit hook kills it).
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const CHATD_BIN = path.join(ROOT, 'bin/chatd.js');

/** SIGTERM waits this long before SIGKILL; kill() waits this long for the exit. */
const STOP_GRACE_MS = 10_000;
/** stdout+stderr kept per process: everything up to this, then the newer half */
const OUTPUT_MAX_CHARS = 32 * 1024 * 1024;

// ---- the registry: what this process started, stopped by PID at exit ----------------------------

const live = new Set<ChildProcess>();
const tempDirs = new Set<string>();

/** SIGKILLs (by PID) every process started here that still runs and removes the temp folders. */
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

/** A new temp folder, removed by removeTempDir() or at exit. */
export function makeTempDir(prefix = 'chatd-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  tempDirs.add(dir);
  return dir;
}

export function removeTempDir(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
  tempDirs.delete(dir);
}

/** A loopback port that was free a moment ago. */
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

// ---- any process ---------------------------------------------------------------------------------

export interface Proc {
  pid: number;
  port: number;
  /** its working folder (chatd: the folder of chat.db) */
  dir: string;
  /** what it wrote to stdout and stderr so far (the newest OUTPUT_MAX_CHARS / 2 at least) */
  output(): string;
  /** true once it has exited */
  exited(): boolean;
  /** resolves true once it has exited, false if it still runs after `timeoutMs` */
  waitExit(timeoutMs?: number): Promise<boolean>;
  /** SIGTERM by PID, SIGKILL after 10 s; resolves with the exit code (null when killed) */
  stop(): Promise<number | null>;
  /** SIGKILL by PID and wait for the exit (throws if it outlives 10 s) */
  kill(): Promise<void>;
}

export interface LaunchOptions {
  args: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  port: number;
  dir: string;
}

/** Spawns `node <args>` with output captured, registered to be stopped by PID at exit. */
export function launch(o: LaunchOptions): Proc {
  const child = spawn(process.execPath, o.args, {
    cwd: o.cwd,
    env: o.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.add(child);
  // neither the child nor its pipes keep this process alive: the exit hook stops a leftover
  child.unref();
  let out = '';
  const keep = (d: Buffer) => {
    out += d.toString();
    if (out.length > OUTPUT_MAX_CHARS) out = out.slice(-OUTPUT_MAX_CHARS / 2);
  };
  for (const stream of [child.stdout, child.stderr]) {
    stream.on('data', keep);
    (stream as unknown as net.Socket).unref?.();
  }
  const exit = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      live.delete(child);
      resolve(code);
    }),
  );
  const exited = () => child.exitCode !== null || child.signalCode !== null;
  const signal = (sig: NodeJS.Signals) => {
    try {
      process.kill(child.pid!, sig);
    } catch {
      // already gone
    }
  };
  const waitExit = async (timeoutMs = STOP_GRACE_MS): Promise<boolean> => {
    if (exited()) return true;
    let timer: NodeJS.Timeout | undefined;
    // a referenced timer: the wait itself keeps this process alive until it ends
    const late = new Promise<false>((resolve) => (timer = setTimeout(resolve, timeoutMs, false)));
    const done = await Promise.race([exit.then(() => true as const), late]);
    clearTimeout(timer);
    return done;
  };
  return {
    pid: child.pid!,
    port: o.port,
    dir: o.dir,
    output: () => out,
    exited,
    waitExit,
    stop: async () => {
      if (exited()) return child.exitCode;
      signal('SIGTERM');
      if (!(await waitExit(STOP_GRACE_MS))) signal('SIGKILL');
      return exit;
    },
    kill: async () => {
      if (!exited()) signal('SIGKILL');
      if (!(await waitExit(STOP_GRACE_MS))) {
        throw new Error(`process ${child.pid} still running ${STOP_GRACE_MS} ms after SIGKILL`);
      }
    },
  };
}

/** Waits until `GET http://127.0.0.1:<port><pathName>` answers 2xx; fails early if it exits. */
export async function waitHttp(proc: Proc, pathName: string, timeoutMs: number): Promise<void> {
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
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  await proc.stop();
  throw new Error(`process ${proc.pid} not ready after ${timeoutMs} ms:\n${proc.output()}`);
}

/**
 * Launches a server on a free port and waits until `readyPath` answers; retries on another port
 * (at most three tries) when the port was taken between choosing and binding. With a fixed port
 * (a restart that clients must find again) there is one try.
 */
export async function launchServer(
  start: (port: number) => Proc,
  readyPath: string,
  opts: { port?: number; readyTimeoutMs?: number } = {},
): Promise<Proc> {
  for (let attempt = 0; ; attempt++) {
    const proc = start(opts.port ?? (await freePort()));
    try {
      await waitHttp(proc, readyPath, opts.readyTimeoutMs ?? 30_000);
      return proc;
    } catch (err) {
      if (opts.port !== undefined || attempt >= 2 || !/EADDRINUSE/.test(proc.output())) throw err;
    }
  }
}

// ---- chatd ---------------------------------------------------------------------------------------

export interface Chatd extends Proc {
  url: string;
  /** the IRC listener's port when started with `irc: true`, else null (IRC_PORT=0: off) */
  ircPort: number | null;
  dbPath: string;
  /** stop (SIGTERM), then start again on the same database file and port */
  restart(extraEnv?: Record<string, string>): Promise<Chatd>;
  /** stop, and remove the folder if the harness made it (a restarted chatd inherits that) */
  cleanup(): Promise<void>;
}

export interface ChatdOptions {
  /** variables over the defaults below (an empty string unsets one, e.g. DBURL: '') */
  env?: Record<string, string>;
  /** folder holding chat.db (restarts on the same file); default: a new temp folder */
  dir?: string;
  /** default: a free one */
  port?: number;
  /** node flags before bin/chatd.js, e.g. ['--cpu-prof'] (CHATD_NODE_ARGS adds to them) */
  nodeArgs?: string[];
  /** how long start-up may take (default 30 s) */
  readyTimeoutMs?: number;
  /** start the IRC listener on a free port (default: off, so parallel servers never collide) */
  irc?: boolean;
  /** the IRC port to use (a restart keeps its port); implies irc */
  ircPort?: number;
}

/**
 * Flags for every chatd started here, from CHATD_NODE_ARGS (split on spaces):
 * `CHATD_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof' npm run test:soak -- --only A2`
 * profiles the server under that load.
 */
function envNodeArgs(): string[] {
  return (process.env.CHATD_NODE_ARGS ?? '').split(' ').filter(Boolean);
}

/**
 * Starts `node bin/chatd.js` on 127.0.0.1 with the database `<dir>/chat.db`, and waits until its
 * healthcheck answers. Flood control and hashcash are off unless the env turns them on (they are
 * the subject of a few suites only); LOG_LEVEL is info (the bench and reliability pass warn).
 */
export function startChatd(opts: ChatdOptions = {}): Promise<Chatd> {
  return start(opts, opts.dir === undefined);
}

/** `owned`: the folder is the harness's to remove (cleanup), and passes on to a restart */
async function start(opts: ChatdOptions, owned: boolean): Promise<Chatd> {
  const dir = opts.dir ?? makeTempDir('chatd-');
  const dbPath = path.join(dir, 'chat.db');
  const nodeArgs = [...envNodeArgs(), ...(opts.nodeArgs ?? [])];
  const ircPort = opts.ircPort ?? (opts.irc ? await freePort() : null);
  const proc = await launchServer(
    (port) =>
      launch({
        args: [...nodeArgs, CHATD_BIN],
        cwd: dir,
        env: {
          PATH: process.env.PATH,
          HOME: process.env.HOME,
          PORT: String(port),
          HOST: '127.0.0.1',
          DBURL: `file:${dbPath}`,
          JOB_INTERVAL: '1h',
          LOG_LEVEL: 'info',
          FLOOD_RATE: '0',
          HASHCASH_BITS: '0',
          IRC_PORT: String(ircPort ?? 0),
          ...opts.env,
        },
        port,
        dir,
      }),
    '/.well-known/healthcheck.json',
    opts,
  );
  return {
    ...proc,
    url: `http://127.0.0.1:${proc.port}`,
    ircPort,
    dbPath,
    restart: async (extraEnv = {}) => {
      await proc.stop();
      const env = { ...opts.env, ...extraEnv };
      const next = await start(
        { ...opts, env, dir, port: proc.port, ircPort: ircPort ?? undefined },
        owned,
      );
      owned = false; // the new process has the folder now
      return next;
    },
    cleanup: async () => {
      await proc.stop();
      if (owned) removeTempDir(dir);
    },
  };
}

/** Stops the process and removes its folder (whoever made it). */
export async function stopAndClean(proc: Proc): Promise<number | null> {
  const code = await proc.stop();
  removeTempDir(proc.dir);
  return code;
}
