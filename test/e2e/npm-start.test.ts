// End to end: `npm start` is how the README starts the server, so the PID it gives (`npm start &`,
// a supervisor's child) must stop the server. The start script execs node, so no shell stands
// between npm and chatd, and npm hands SIGTERM/SIGINT on to chatd and exits when it does: killing
// that PID stops the server and leaves no orphan serving.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** PIDs of processes whose environment holds `marker` (Linux /proc), other than this one. */
function processesWith(marker: string): number[] {
  const pids: number[] = [];
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      if (fs.readFileSync(`/proc/${name}/environ`, 'latin1').split('\0').includes(marker)) {
        pids.push(Number(name));
      }
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return pids;
}

async function answers(port: number): Promise<boolean> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/.well-known/healthcheck.json`, {
      signal: AbortSignal.timeout(2000),
    });
    return res.ok;
  } catch {
    return false;
  }
}

async function until(what: string, ok: () => boolean | Promise<boolean>, ms = 10_000) {
  const deadline = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > deadline) assert.fail(`${what} within ${ms} ms`);
    await sleep(100);
  }
}

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  test(
    `${signal} to the PID of npm start stops chatd, and no process of the run remains`,
    {
      skip: fs.existsSync('/proc/self/environ') ? false : 'needs /proc',
      timeout: 60_000,
    },
    async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chatd-npm-start-'));
      const dburl = `file:${path.join(dir, 'chat.db')}`;
      const npm = spawn('npm', ['start'], {
        cwd: ROOT,
        env: {
          PATH: process.env.PATH,
          HOME: process.env.HOME,
          PORT: '0',
          IRC_PORT: '0',
          HOST: '127.0.0.1',
          DBURL: dburl,
          LOG_LEVEL: 'info',
          npm_config_update_notifier: 'false',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      npm.stdout.on('data', (d: Buffer) => (out += d.toString()));
      npm.stderr.on('data', (d: Buffer) => (out += d.toString()));
      const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
        npm.once('exit', (code, sig) => resolve({ code, signal: sig })),
      );
      const marker = `DBURL=${dburl}`;
      try {
        await until(
          'chatd listening',
          () => /listening on http:\/\/127\.0\.0\.1:\d+/.test(out),
          30_000,
        );
        const port = Number(/listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(out)![1]);
        assert.ok(await answers(port), 'chatd answers');
        const serverPids = processesWith(marker);
        assert.ok(serverPids.includes(npm.pid!), 'the run is found by its environment');
        assert.ok(serverPids.length >= 2, `npm and chatd: ${serverPids.join(' ')}`);

        npm.kill(signal);
        const exit = await Promise.race([exited, sleep(20_000, null, { ref: false })]);
        assert.ok(exit, `npm start exits on ${signal}`);
        await until('the port stops answering', async () => !(await answers(port)));
        await until(
          'no process of the run remains',
          () => processesWith(marker).length === 0,
          5_000,
        );
        assert.match(
          out,
          new RegExp(`"signal":"${signal}".*shutting down`),
          'chatd got the signal',
        );
        assert.match(out, /"msg":"stopped"/, 'and stopped gracefully');
      } finally {
        // only what this run started, found by its own database path
        for (const pid of processesWith(marker)) {
          try {
            process.kill(pid, 'SIGKILL');
          } catch {
            // already gone
          }
        }
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  );
}
