// A tmux server of the test's own (unique -L socket) to run chat-cli in real terminals: start a
// pane with a command and environment, type into it (send-keys -l, a pause, then Enter, which
// ink inputs need), read the screen (capture-pane) and the pane title, wait with a deadline.
// kill() stops only this socket's server.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export function tmuxAvailable(): boolean {
  return spawnSync('tmux', ['-V'], { stdio: 'ignore' }).status === 0;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class Tmux {
  readonly socket = `chat-cli-test-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  private started = false;

  run(...args: string[]): string {
    return execFileSync('tmux', ['-L', this.socket, '-f', '/dev/null', ...args], {
      encoding: 'utf8',
      timeout: 10_000,
    });
  }

  /** A new detached session named `name` running `command` (through sh) with `env` set. */
  start(
    name: string,
    command: string,
    env: Record<string, string>,
    size = { columns: 120, rows: 32 },
  ): void {
    const envArgs = Object.entries(env).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
    this.run(
      'new-session',
      '-d',
      '-s',
      name,
      '-x',
      String(size.columns),
      '-y',
      String(size.rows),
      ...envArgs,
      command,
    );
    if (!this.started) {
      this.started = true;
      // a pane whose program exited stays (to be read, and restarted with respawn)
      this.run('set-option', '-g', 'remain-on-exit', 'on');
    }
    this.run('set-option', '-t', name, 'remain-on-exit', 'on');
  }

  /** Runs `command` again in the (dead) pane of session `name`. */
  respawn(name: string, command: string): void {
    this.run('respawn-pane', '-k', '-t', name, command);
  }

  capture(name: string): string {
    return this.run('capture-pane', '-p', '-t', name);
  }

  display(name: string, format: string): string {
    return this.run('display-message', '-p', '-t', name, format).trim();
  }

  /** Types `text` literally, pauses, then presses Enter. */
  async type(name: string, text: string): Promise<void> {
    this.run('send-keys', '-t', name, '-l', text);
    await sleep(150);
    this.run('send-keys', '-t', name, 'Enter');
    await sleep(50);
  }

  key(name: string, key: string): void {
    this.run('send-keys', '-t', name, key);
  }

  /** Waits until the screen satisfies `check` (a regex or a predicate), at most `ms`. */
  async waitFor(
    name: string,
    check: RegExp | ((screen: string) => boolean),
    ms = 15_000,
  ): Promise<string> {
    const ok = typeof check === 'function' ? check : (s: string) => check.test(s);
    const deadline = Date.now() + ms;
    let screen = '';
    while (Date.now() < deadline) {
      screen = this.capture(name);
      if (ok(screen)) return screen;
      await sleep(100);
    }
    throw new Error(`timed out after ${ms} ms waiting for ${String(check)} in ${name}:\n${screen}`);
  }

  async waitDead(name: string, ms = 10_000): Promise<void> {
    const deadline = Date.now() + ms;
    while (Date.now() < deadline) {
      if (this.display(name, '#{pane_dead}') === '1') return;
      await sleep(100);
    }
    throw new Error(`the program in ${name} did not exit in ${ms} ms:\n${this.capture(name)}`);
  }

  kill(): void {
    if (!this.started) return;
    spawnSync('tmux', ['-L', this.socket, 'kill-server'], { stdio: 'ignore', timeout: 10_000 });
    // the socket file can outlive the server
    const dir = path.join(
      process.env.TMUX_TMPDIR || os.tmpdir(),
      `tmux-${process.getuid?.() ?? 0}`,
    );
    fs.rmSync(path.join(dir, this.socket), { force: true });
  }
}
