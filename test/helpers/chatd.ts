// Runs the real chatd process (bin/chatd.js, built by `npm test`) on a free port with its own
// SQLite file, for end-to-end tests. Stops only the process it started, by PID.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const CHATD_BIN = path.join(ROOT, 'bin/chatd.js');

export interface Chatd {
  url: string;
  port: number;
  pid: number;
  dir: string;
  dbPath: string;
  /** everything the process wrote to stdout and stderr so far */
  output(): string;
  /** SIGTERM and wait for exit; returns the exit code */
  stop(): Promise<number | null>;
  /** SIGKILL and wait */
  kill(): Promise<void>;
  /** stop, then start again on the same database file and port */
  restart(extraEnv?: Record<string, string>): Promise<Chatd>;
  cleanup(): Promise<void>;
}

export interface StartOptions {
  env?: Record<string, string>;
  dir?: string;
  port?: number;
}

export async function startChatd(opts: StartOptions = {}): Promise<Chatd> {
  const dir = opts.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'chatd-e2e-'));
  const dbPath = path.join(dir, 'chat.db');
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    PORT: String(opts.port ?? 0),
    HOST: '127.0.0.1',
    DBURL: `file:${dbPath}`,
    JOB_INTERVAL: '1h',
    LOG_LEVEL: 'info',
    // Suites run without flood control and hashcash except where they are the subject.
    FLOOD_RATE: '0',
    HASHCASH_BITS: '0',
    ...opts.env,
  };
  const child = spawn(process.execPath, [CHATD_BIN], {
    cwd: dir,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const port = await waitForListening(child, () => out);
  const self: Chatd = {
    url: `http://127.0.0.1:${port}`,
    port,
    pid: child.pid!,
    dir,
    dbPath,
    output: () => out,
    stop: () => stopChild(child, 'SIGTERM'),
    kill: async () => void (await stopChild(child, 'SIGKILL')),
    restart: async (extraEnv = {}) => {
      await stopChild(child, 'SIGTERM');
      return startChatd({ env: { ...opts.env, ...extraEnv }, dir, port });
    },
    cleanup: async () => {
      await stopChild(child, 'SIGTERM');
      if (!opts.dir) fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  return self;
}

function waitForListening(child: ChildProcess, output: () => string): Promise<number> {
  return new Promise((resolve, reject) => {
    const deadline = setTimeout(() => fail(new Error('chatd did not start in 15 s')), 15_000);
    const check = () => {
      const m = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(output());
      if (m) {
        cleanup();
        resolve(Number(m[1]));
      }
    };
    const onExit = (code: number | null) =>
      fail(new Error(`chatd exited with ${code} before listening:\n${output()}`));
    const fail = (err: Error) => {
      cleanup();
      reject(err);
    };
    const cleanup = () => {
      clearTimeout(deadline);
      child.stdout?.off('data', check);
      child.off('exit', onExit);
    };
    child.stdout?.on('data', check);
    child.once('exit', onExit);
    check();
  });
}

function stopChild(child: ChildProcess, signal: NodeJS.Signals): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', (code) => {
      clearTimeout(force);
      resolve(code);
    });
    child.kill(signal);
  });
}
