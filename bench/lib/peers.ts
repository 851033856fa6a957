// The IRC servers P2 compares chatd's IRC listener with: ngIRCd and InspIRCd from Debian's
// packages (`apt-get install -y ngircd inspircd`). Each run gets a temp folder (the harness's, so
// it is removed at exit) with a config made from bench/peers/<name>.conf.in ({{PORT}} and {{DIR}}
// filled in), listens on 127.0.0.1 only, runs in the foreground as a child of this process and is
// stopped by its PID: SIGTERM, then SIGKILL after 5 s, and SIGKILL at the latest when this process
// exits. A peer that is not installed is reported with the reason and skipped.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { freePort, makeTempDir, removeTempDir, ROOT } from '../../test/helpers/chatd.js';
import { sleep } from './proc.js';

export type PeerName = 'ngircd' | 'inspircd';
export const PEER_NAMES: readonly PeerName[] = ['ngircd', 'inspircd'];

const PEER_INFO: Record<PeerName, { label: string; binary: string; config: string }> = {
  ngircd: { label: 'ngIRCd', binary: 'ngircd', config: 'ngircd.conf' },
  inspircd: { label: 'InspIRCd', binary: 'inspircd', config: 'inspircd.conf' },
};

const STOP_GRACE_MS = 5_000;
const READY_TIMEOUT_MS = 15_000;

export interface PeerCheck {
  name: PeerName;
  label: string;
  /** the executable, or null when the peer is missing */
  bin: string | null;
  version: string | null;
  /** why the peer is skipped, or null */
  missing: string | null;
}

export interface PeerProc {
  name: PeerName;
  pid: number;
  port: number;
  dir: string;
  output(): string;
  exited(): boolean;
  stop(): Promise<void>;
}

const live = new Set<ChildProcess>();

function killLive(): void {
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
}
process.once('exit', killLive);

export function peerLabel(name: PeerName): string {
  return PEER_INFO[name].label;
}

/** The executable on PATH or in the sbin folders (Debian puts both servers in /usr/sbin). */
function findBinary(name: string): string | null {
  const dirs = [...(process.env.PATH ?? '').split(':'), '/usr/sbin', '/usr/local/sbin', '/sbin'];
  for (const dir of dirs.filter(Boolean)) {
    const file = path.join(dir, name);
    try {
      fs.accessSync(file, fs.constants.X_OK);
      return file;
    } catch {
      // not here
    }
  }
  return null;
}

/** Is the peer installed, and which version; `missing` says why not and how to install it. */
export function checkPeer(name: PeerName): PeerCheck {
  const info = PEER_INFO[name];
  const template = path.join(ROOT, 'bench/peers', `${info.config}.in`);
  const base = { name, label: info.label };
  if (!fs.existsSync(template)) {
    return { ...base, bin: null, version: null, missing: `no config template ${template}` };
  }
  const bin = findBinary(info.binary);
  if (!bin) {
    return {
      ...base,
      bin: null,
      version: null,
      missing: `${info.label} is not installed (no ${info.binary} on PATH or in /usr/sbin; apt-get install -y ${info.binary})`,
    };
  }
  let version: string | null = null;
  try {
    const out = execFileSync(bin, ['--version'], {
      encoding: 'utf8',
      timeout: 5_000,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const first = out.split('\n').find((l) => /\d+\.\d+/.test(l));
    version = first?.match(/\d+\.\d+(\.\d+)?/)?.[0] ?? null;
  } catch (err) {
    // `inspircd --version` exits non-zero on some builds: take the version from its output
    const raw = (err as { stdout?: string | Buffer }).stdout;
    const out = raw === undefined ? '' : raw.toString();
    version = out.match(/\d+\.\d+(\.\d+)?/)?.[0] ?? null;
  }
  return { ...base, bin, version, missing: null };
}

function writeConfig(name: PeerName, dir: string, port: number): string {
  const info = PEER_INFO[name];
  const template = fs.readFileSync(path.join(ROOT, 'bench/peers', `${info.config}.in`), 'utf8');
  const file = path.join(dir, info.config);
  fs.writeFileSync(
    file,
    template.replaceAll('{{PORT}}', String(port)).replaceAll('{{DIR}}', dir),
    'utf8',
  );
  fs.writeFileSync(path.join(dir, 'motd.txt'), 'chat bench peer\n', 'utf8');
  return file;
}

function args(name: PeerName, config: string): string[] {
  if (name === 'ngircd') return ['--nodaemon', '--config', config];
  // InspIRCd refuses to run as root unless told to; it stays in the foreground with --nofork
  const root = process.getuid?.() === 0 ? ['--runasroot'] : [];
  return ['--config', config, '--nofork', ...root];
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

/** Starts the peer on a free loopback port and waits until it accepts connections. */
export async function startPeer(check: PeerCheck): Promise<PeerProc> {
  if (!check.bin) throw new Error(check.missing ?? `${check.label} is missing`);
  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    const dir = makeTempDir(`${check.name}-bench-`);
    const config = writeConfig(check.name, dir, port);
    const child = spawn(check.bin, args(check.name, config), {
      cwd: dir,
      env: { PATH: process.env.PATH, HOME: dir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    live.add(child);
    child.unref();
    let out = '';
    for (const stream of [child.stdout, child.stderr]) {
      stream.on('data', (d: Buffer) => {
        out = (out + d.toString()).slice(-64 * 1024);
      });
      (stream as unknown as net.Socket).unref?.();
    }
    const exit = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    void exit.then(() => live.delete(child));
    const exited = () => child.exitCode !== null || child.signalCode !== null;
    const stop = async () => {
      if (!exited()) {
        process.kill(child.pid!, 'SIGTERM');
        const done = await Promise.race([exit.then(() => true), sleep(STOP_GRACE_MS)]);
        if (!done && !exited()) process.kill(child.pid!, 'SIGKILL');
      }
      await exit;
      removeTempDir(dir);
    };
    const proc: PeerProc = {
      name: check.name,
      pid: child.pid!,
      port,
      dir,
      output: () => out,
      exited,
      stop,
    };
    const deadline = Date.now() + READY_TIMEOUT_MS;
    while (!exited() && Date.now() < deadline && !(await canConnect(port))) await sleep(50);
    if (!exited() && Date.now() < deadline) return proc;
    const log = out;
    await stop();
    if (attempt < 2 && /in use|EADDRINUSE|bind/i.test(log)) continue;
    throw new Error(`${check.label} did not come up on 127.0.0.1:${port}:\n${log.slice(-2000)}`);
  }
}
