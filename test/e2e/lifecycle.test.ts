// End to end: idle expiry, logout, restart on the same file, ids never reused, txn retries.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { call, HttpClient } from '../helpers/api.js';
import { startChatd } from '../helpers/chatd.js';

const cmds = (envs: { command: string }[]) => envs.map((e) => e.command);

test('idle expiry ends an orphaned session like QUIT: members get QUIT, the nick is freed', async () => {
  const chatd = await startChatd({ env: { SESSION_IDLE_TIMEOUT: '4s', JOB_INTERVAL: '200ms' } });
  try {
    const sleepy = await HttpClient.create(chatd.url, 'sleepy');
    const awake = await HttpClient.create(chatd.url, 'awake');
    await sleepy.send({ command: 'JOIN', to: '#idle' });
    await awake.send({ command: 'JOIN', to: '#idle' });
    await awake.drain();
    // awake keeps polling (each poll counts as activity; last_seen is written at most every 2 s,
    // so the timeout is well above that); sleepy does nothing.
    const events: { command: string; from: string; body: unknown }[] = [];
    const deadline = Date.now() + 12_000;
    while (!events.some((e) => e.command === 'QUIT') && Date.now() < deadline) {
      events.push(...(await awake.poll(1)).messages);
    }
    const quit = events.find((e) => e.command === 'QUIT');
    assert.ok(quit, 'members receive QUIT');
    assert.equal(quit.from, 'sleepy');
    assert.equal(
      (await call(chatd.url, 'GET', '/api/v1/state', { token: sleepy.token })).status,
      401,
    );
    await HttpClient.create(chatd.url, 'sleepy'); // the nick is free again
    assert.equal(
      (await call(chatd.url, 'GET', '/api/v1/state', { token: awake.token })).status,
      200,
    );
  } finally {
    await chatd.cleanup();
  }
});

test('logout of the last client ends the session (QUIT to channels, nick released)', async () => {
  const chatd = await startChatd();
  try {
    const a = await HttpClient.create(chatd.url, 'leaver');
    const b = await HttpClient.create(chatd.url, 'stayer');
    await a.send({ command: 'JOIN', to: '#bye' });
    await b.send({ command: 'JOIN', to: '#bye' });
    await b.drain();
    const out = await call(chatd.url, 'POST', '/api/v1/logout', { token: a.token });
    assert.deepEqual([out.status, out.body], [200, { status: 'ok' }]);
    assert.deepEqual(cmds(await b.drain()), ['QUIT']);
    assert.equal((await call(chatd.url, 'GET', '/api/v1/state', { token: a.token })).status, 401);
    await HttpClient.create(chatd.url, 'leaver');
  } finally {
    await chatd.cleanup();
  }
});

test('a restart on the same file keeps history, sessions and cursors; new ids are larger', async () => {
  let chatd = await startChatd();
  try {
    const a = await HttpClient.create(chatd.url, 'persist');
    const b = await HttpClient.create(chatd.url, 'reader');
    await a.send({ command: 'JOIN', to: '#keep' });
    await b.send({ command: 'JOIN', to: '#keep' });
    await a.send({ command: 'TOPIC', to: '#keep', body: ['kept topic'] });
    for (let i = 0; i < 5; i++) await a.send({ command: 'PRIVMSG', to: '#keep', body: [`m${i}`] });
    await b.drain();
    const cursor = b.cursor!;
    await a.send({ command: 'PRIVMSG', to: '#keep', body: ['unread'] });
    const maxBefore = Math.max(...b.received.map((e) => e.seq), cursor);
    assert.equal(await chatd.stop(), 0, 'graceful stop exits 0');
    chatd = await chatd.restart();
    const state = await call<{ nick: string; channels: { name: string; topic: string }[] }>(
      chatd.url,
      'GET',
      '/api/v1/state',
      { token: b.token },
    );
    assert.equal(state.status, 200, 'tokens survive the restart');
    assert.deepEqual(
      state.body.channels.map((c) => [c.name, c.topic]),
      [['#keep', 'kept topic']],
    );
    b.cursor = cursor;
    const unread = await b.drain();
    assert.deepEqual(
      unread.map((e) => e.body),
      [['unread']],
      'the cursor resumes exactly',
    );
    const sent = await a.send({ command: 'PRIVMSG', to: '#keep', body: ['after restart'] });
    assert.ok(
      (sent.body.seq as number) > maxBefore + 1,
      'new ids are larger than every earlier one',
    );
    const hist = await call<{ messages: { body: string[] }[] }>(
      chatd.url,
      'GET',
      '/api/v1/history?target=%23keep&limit=50',
      { token: b.token },
    );
    assert.deepEqual(
      hist.body.messages.map((m) => m.body[0]),
      ['m0', 'm1', 'm2', 'm3', 'm4', 'unread', 'after restart'],
    );
  } finally {
    await chatd.cleanup();
  }
});

test('queue ids are never reused, also after pruning everything and restarting', async () => {
  let chatd = await startChatd({
    env: { QUEUE_MAX_AGE: '300ms', MAX_HISTORY: '1', JOB_INTERVAL: '100ms' },
  });
  try {
    const a = await HttpClient.create(chatd.url, 'prunee');
    await a.send({ command: 'JOIN', to: '#p' });
    for (let i = 0; i < 10; i++) await a.send({ command: 'PRIVMSG', to: '#p', body: [`x${i}`] });
    await a.drain();
    const oldMax = a.cursor!;
    await new Promise((r) => setTimeout(r, 1200)); // the job prunes client rows and old history
    chatd = await chatd.restart();
    const sent = await a.send({ command: 'PRIVMSG', to: '#p', body: ['new'] });
    assert.ok((sent.body.seq as number) > oldMax, `${String(sent.body.seq)} > ${oldMax}`);
    const got = await a.drain();
    assert.deepEqual(
      got.filter((e) => e.command === 'PRIVMSG').map((e) => e.body),
      [['new']],
    );
  } finally {
    await chatd.cleanup();
  }
});

test('a txn retried over HTTP returns the first answer and stores nothing twice', async () => {
  const chatd = await startChatd();
  try {
    const a = await HttpClient.create(chatd.url, 'txn');
    await a.send({ command: 'JOIN', to: '#t' });
    const first = await a.send({ command: 'PRIVMSG', to: '#t', body: ['once'], txn: 'abc-1' });
    const second = await a.send({ command: 'PRIVMSG', to: '#t', body: ['once'], txn: 'abc-1' });
    assert.deepEqual([second.status, second.body], [first.status, first.body]);
    const hist = await call<{ messages: unknown[] }>(
      chatd.url,
      'GET',
      '/api/v1/history?target=%23t',
      {
        token: a.token,
      },
    );
    assert.equal(hist.body.messages.length, 1);
  } finally {
    await chatd.cleanup();
  }
});

test('graceful shutdown answers held polls first and exits 0', async () => {
  const chatd = await startChatd();
  try {
    const a = await HttpClient.create(chatd.url, 'held');
    await a.drain();
    const held = call<{ messages: unknown[] }>(
      chatd.url,
      'GET',
      `/api/v1/messages?after=${a.cursor}&timeout=25`,
      {
        token: a.token,
      },
    );
    await new Promise((r) => setTimeout(r, 300));
    const t0 = Date.now();
    const code = chatd.stop();
    const r = await held;
    assert.ok([200, 503].includes(r.status), `held poll answered ${r.status}`);
    assert.ok(Date.now() - t0 < 5000);
    assert.equal(await code, 0);
  } finally {
    await chatd.cleanup();
  }
});
