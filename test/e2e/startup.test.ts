// End to end: start-up with no configuration, and a bad value stopping it with a clear message.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { call } from '../helpers/api.js';
import { CHATD_BIN, startChatd } from '../helpers/chatd.js';

test('with no DBURL chatd creates ./data/chat.db in its working directory', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chatd-default-'));
  const chatd = await startChatd({ dir, env: { DBURL: '' } });
  try {
    assert.equal((await call(chatd.url, 'GET', '/.well-known/healthcheck.json')).status, 200);
    assert.ok(fs.existsSync(path.join(dir, 'data', 'chat.db')));
  } finally {
    await chatd.cleanup();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('an invalid variable stops chatd at start with a message naming it', () => {
  const r = spawnSync(process.execPath, [CHATD_BIN], {
    env: { PATH: process.env.PATH, PORT: 'eighty', DBURL: 'file:/nonexistent-dir-never/x.db' },
    encoding: 'utf8',
    timeout: 15_000,
  });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /PORT/);
});

test('SIGTERM ends chatd even when its stdout pipe was closed (chatd | head)', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chatd-pipe-'));
  const child = spawn(process.execPath, [CHATD_BIN], {
    cwd: dir,
    env: { PATH: process.env.PATH, PORT: '0', IRC_PORT: '0', DBURL: `file:${dir}/chat.db` },
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  try {
    await new Promise<void>((resolve) => {
      child.stdout.on('data', (d: Buffer) => {
        if (d.toString().includes('listening on')) resolve();
      });
    });
    child.stdout.destroy(); // the reader goes away, as `head` does
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const code = await Promise.race([exited, sleep(8000).then(() => 'hung' as const)]);
    assert.notEqual(code, 'hung', 'chatd must exit');
  } finally {
    child.kill('SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
