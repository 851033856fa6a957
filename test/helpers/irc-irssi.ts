// irssi in a real terminal for the end-to-end tests: a tmux server of the test's own (a unique -L
// socket, no tmux config), one pane running irssi with a throwaway --home holding a minimal
// config (no networks, no servers to autoconnect to, no scripts, nothing saved), typing into it
// one key at a time as a person does, reading what it shows with capture-pane, and a cleanup that
// stops the tmux server and then makes sure, by PID, that neither it nor irssi is left running.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export function irssiAvailable(): boolean {
  return spawnSync('irssi', ['--version'], { stdio: 'ignore', timeout: 10_000 }).status === 0;
}

export function tmuxAvailable(): boolean {
  return spawnSync('tmux', ['-V'], { stdio: 'ignore', timeout: 10_000 }).status === 0;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * irssi's config for a test user: no chatnets, servers or channels (nothing to autoconnect to),
 * settings never saved back, no logging.
 */
export function irssiConfig(nick: string): string {
  return [
    'servers = ( );',
    'chatnets = { };',
    'channels = ( );',
    'aliases = { };',
    'settings = {',
    '  core = {',
    `    real_name = "${nick} (irssi test)";`,
    `    user_name = "${nick}";`,
    `    nick = "${nick}";`,
    '    settings_autosave = "no";',
    '    recode = "no";',
    '  };',
    '  "fe-common/core" = {',
    '    autolog = "no";',
    '  };',
    '  "irc/core" = { lag_check_time = "0"; };',
    '};',
    '',
  ].join('\n');
}

export interface IrssiOptions {
  nick: string;
  port: number;
  host?: string;
  columns?: number;
  rows?: number;
}

/** One irssi in its own tmux server. */
export class IrssiPane {
  readonly socket = `chat-irssi-test-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  readonly home: string;
  private readonly target = 'irssi';
  private started = false;
  /** the tmux server's and irssi's PIDs, for the cleanup */
  private pids: number[] = [];

  constructor(private readonly opts: IrssiOptions) {
    this.home = fs.mkdtempSync(path.join(os.tmpdir(), 'chat-irssi-'));
    fs.writeFileSync(path.join(this.home, 'config'), irssiConfig(opts.nick));
    // an empty autorun folder: no script of the machine's user is loaded
    fs.mkdirSync(path.join(this.home, 'scripts', 'autorun'), { recursive: true });
  }

  private tmux(...args: string[]): string {
    return execFileSync('tmux', ['-L', this.socket, '-f', '/dev/null', ...args], {
      encoding: 'utf8',
      timeout: 10_000,
    });
  }

  /** Starts irssi connecting to the server (`irssi --home … -n nick -c host -p port`). */
  start(): void {
    const { nick, port, host = '127.0.0.1', columns = 200, rows = 50 } = this.opts;
    const command = [
      'exec irssi',
      `--home=${this.home}`,
      `-n ${nick}`,
      `-c ${host}`,
      `-p ${port}`,
    ].join(' ');
    if (!irssiAvailable()) throw new Error('irssi is not installed (apt-get install irssi)');
    // remain-on-exit before the session exists: an irssi that exits at once stays to be read
    this.tmux(
      'start-server',
      ';',
      'set-option',
      '-g',
      'remain-on-exit',
      'on',
      ';',
      'new-session',
      '-d',
      '-s',
      this.target,
      '-x',
      String(columns),
      '-y',
      String(rows),
      '-e',
      `HOME=${this.home}`,
      '-e',
      'LANG=C.UTF-8',
      '-e',
      'LC_ALL=C.UTF-8',
      command,
    );
    this.started = true;
    this.pids = [Number(this.display('#{pid}')), Number(this.display('#{pane_pid}'))].filter(
      (p) => Number.isInteger(p) && p > 0,
    );
  }

  display(format: string): string {
    return this.tmux('display-message', '-p', '-t', this.target, format).trim();
  }

  /** What the pane shows now: wrapped lines joined, trailing blanks of each line dropped. */
  capture(): string {
    return this.tmux('capture-pane', '-p', '-J', '-t', this.target)
      .split('\n')
      .map((line) => line.trimEnd())
      .join('\n');
  }

  /**
   * Types `text` one key at a time with a short pause between keys, then presses Enter. `;` goes
   * as its byte (tmux reads a lone `;` argument as a command separator).
   */
  async type(text: string, keyDelayMs = 8): Promise<void> {
    for (const ch of text) {
      if (ch === ';') this.tmux('send-keys', '-t', this.target, '-H', '3b');
      else this.tmux('send-keys', '-t', this.target, '-l', ch);
      await sleep(keyDelayMs);
    }
    this.tmux('send-keys', '-t', this.target, 'Enter');
  }

  /** Presses a key by its tmux name (`M-1`, `C-n`, `PageUp`…). */
  key(name: string): void {
    this.tmux('send-keys', '-t', this.target, name);
  }

  /** Waits until the screen satisfies `check`; fails after `ms` with the screen. */
  async waitFor(check: RegExp | ((screen: string) => boolean), ms = 15_000): Promise<string> {
    const ok = typeof check === 'function' ? check : (s: string) => check.test(s);
    const deadline = Date.now() + ms;
    let screen = '';
    for (;;) {
      screen = this.capture();
      if (ok(screen)) return screen;
      if (Date.now() > deadline || this.isDead()) {
        const why = this.isDead() ? 'irssi exited' : `not on screen after ${ms} ms`;
        throw new Error(`irssi: ${String(check)}: ${why}:\n${screen}`);
      }
      await sleep(100);
    }
  }

  isDead(): boolean {
    return this.display('#{pane_dead}') === '1';
  }

  /** Waits until irssi has exited (the pane is dead); fails after `ms` with the screen. */
  async waitExit(ms = 15_000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!this.isDead()) {
      if (Date.now() > deadline) {
        throw new Error(`irssi still running after ${ms} ms:\n${this.capture()}`);
      }
      await sleep(100);
    }
  }

  /**
   * Stops this socket's tmux server, then SIGKILLs by PID whatever of it or irssi is still there,
   * and removes the socket file and the home folder. Safe to call more than once.
   */
  async kill(): Promise<void> {
    if (this.started) {
      this.started = false;
      spawnSync('tmux', ['-L', this.socket, 'kill-server'], { stdio: 'ignore', timeout: 10_000 });
      const deadline = Date.now() + 5_000;
      while (this.pids.some(alive) && Date.now() < deadline) await sleep(50);
      for (const pid of this.pids.filter(alive)) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // gone meanwhile
        }
      }
      const dir = path.join(
        process.env.TMUX_TMPDIR || os.tmpdir(),
        `tmux-${process.getuid?.() ?? 0}`,
      );
      fs.rmSync(path.join(dir, this.socket), { force: true });
    }
    fs.rmSync(this.home, { recursive: true, force: true });
  }
}

/** Whether `pid` still runs (a zombie waiting to be reaped does not count). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true; // no /proc: signal 0 is all we know
  }
}
