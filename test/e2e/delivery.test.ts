// End to end against the real chatd process and SQLite file: fan-out to every client of every
// session exactly once and in order, lost answers, DMs, devices, long-poll wake-ups.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { call, HttpClient } from '../helpers/api.js';
import { startChatd, type Chatd } from '../helpers/chatd.js';
import { addDevice } from '../helpers/devices.js';

let chatd: Chatd;
before(async () => (chatd = await startChatd()));
after(async () => chatd.cleanup());

const privmsgs = (c: HttpClient) =>
  c.received.filter((e) => e.command === 'PRIVMSG').map((e) => (e.body as string[])[0]);

async function devices(first: HttpClient & { sessionId: number }, n: number) {
  const out: HttpClient[] = [first];
  for (let i = 1; i < n; i++) {
    out.push(new HttpClient(chatd.url, await addDevice(chatd.dbPath, first.sessionId), first.nick));
  }
  return out;
}

test('two sessions with three clients each: every client gets every message once, in order', async () => {
  const alice = await HttpClient.create(chatd.url, 'alice');
  const bob = await HttpClient.create(chatd.url, 'bob');
  const clients = [...(await devices(alice, 3)), ...(await devices(bob, 3))];
  assert.equal((await alice.send({ command: 'JOIN', to: '#six' })).status, 200);
  assert.equal((await bob.send({ command: 'JOIN', to: '#six' })).status, 200);
  // Three of the six hold long-polls while the messages are sent; the others poll afterwards.
  const held = clients.slice(0, 3).map(async (c) => {
    while (privmsgs(c).length < 40) await c.poll(5);
  });
  const sent: string[] = [];
  for (let i = 0; i < 20; i++) {
    for (const [who, sender] of [
      ['a', alice],
      ['b', bob],
    ] as const) {
      const text = `${who}${i}`;
      const r = await sender.send({ command: 'PRIVMSG', to: '#six', body: [text] });
      assert.equal(r.status, 200);
      sent.push(text);
    }
  }
  await Promise.all(held);
  for (const c of clients.slice(3)) await c.drain();
  for (const c of clients) {
    assert.deepEqual(privmsgs(c), sent, 'exactly once and in order');
    const ids = c.received.map((e) => e.queue_id);
    assert.deepEqual(
      ids,
      [...ids].sort((x, y) => x - y),
    );
    assert.equal(new Set(ids).size, ids.length);
  }
});

test('a client whose poll answer was lost re-polls with its old cursor and loses nothing', async () => {
  const carol = await HttpClient.create(chatd.url, 'carol');
  await carol.send({ command: 'JOIN', to: '#lost' });
  await carol.drain();
  const cursor = carol.cursor;
  for (const t of ['one', 'two', 'three'])
    await carol.send({ command: 'PRIVMSG', to: '#lost', body: [t] });
  const lost = await call<{ messages: { body: string[] }[] }>(
    chatd.url,
    'GET',
    `/api/v1/messages?after=${cursor}&timeout=0`,
    { token: carol.token },
  );
  assert.equal(lost.body.messages.length, 3); // ...and this answer "never arrived"
  const again = await call<{ messages: { body: string[] }[] }>(
    chatd.url,
    'GET',
    `/api/v1/messages?after=${cursor}&timeout=0`,
    { token: carol.token },
  );
  assert.deepEqual(again.body, lost.body);
});

test('DMs reach every client of both sides and nobody else', async () => {
  const dan = await HttpClient.create(chatd.url, 'dan');
  const erin = await HttpClient.create(chatd.url, 'erin');
  const frank = await HttpClient.create(chatd.url, 'frank');
  const all = [...(await devices(dan, 2)), ...(await devices(erin, 2))];
  for (const c of [...all, frank]) await c.drain();
  assert.equal((await dan.send({ command: 'PRIVMSG', to: 'erin', body: ['secret'] })).status, 200);
  for (const c of all)
    assert.deepEqual(privmsgs({ received: await c.drain() } as HttpClient), ['secret']);
  assert.deepEqual(await frank.drain(), []);
});

test('a held long-poll is woken by a message from another session', async () => {
  const gail = await HttpClient.create(chatd.url, 'gail');
  const hank = await HttpClient.create(chatd.url, 'hank');
  await gail.send({ command: 'JOIN', to: '#wake' });
  await hank.send({ command: 'JOIN', to: '#wake' });
  await hank.drain();
  const started = Date.now();
  const held = hank.poll(20);
  await new Promise((r) => setTimeout(r, 200));
  await gail.send({ command: 'PRIVMSG', to: '#wake', body: ['ding'] });
  const r = await held;
  assert.deepEqual(
    r.messages.map((m) => m.body),
    [['ding']],
  );
  assert.ok(Date.now() - started < 5000, 'answered on the wake-up, not the timeout');
});

test('a held long-poll is woken by a direct message to its nick (no shared channel)', async () => {
  const kim = await HttpClient.create(chatd.url, 'kim');
  const lee = await HttpClient.create(chatd.url, 'lee');
  await lee.drain();
  const started = Date.now();
  const held = lee.poll(8);
  await new Promise((r) => setTimeout(r, 200));
  assert.equal((await kim.send({ command: 'PRIVMSG', to: 'lee', body: ['dm ding'] })).status, 200);
  const r = await held;
  assert.deepEqual(
    r.messages.map((m) => [m.command, m.body]),
    [['PRIVMSG', ['dm ding']]],
  );
  assert.ok(Date.now() - started < 5000, 'answered on the wake-up, not the timeout');
});

test('a held long-poll is woken by a reply to its own client (WHOIS sent while it is held)', async () => {
  await HttpClient.create(chatd.url, 'max');
  const ned = await HttpClient.create(chatd.url, 'ned');
  const [, phone] = await devices(ned, 2);
  await ned.drain();
  await phone!.drain();
  const started = Date.now();
  const phonePoll = phone!.poll(8);
  const laptopPoll = ned.poll(2);
  await new Promise((r) => setTimeout(r, 200));
  const res = await phone!.send({ command: 'WHOIS', to: 'max' });
  assert.equal(res.status, 200);
  const r = await phonePoll;
  assert.equal(r.messages[0]?.command, '311', JSON.stringify(r.messages));
  assert.ok(Date.now() - started < 5000, 'answered on the wake-up, not the timeout');
  // the reply was queued to the phone alone: the laptop's poll ends empty at its timeout
  assert.deepEqual((await laptopPoll).messages, []);
});

test('a third held poll is 429; revoking a client ends its held polls with 401 within a second', async () => {
  const ivy = await HttpClient.create(chatd.url, 'ivy');
  const [, phone] = await devices(ivy, 2);
  await phone!.drain();
  const q = `/api/v1/messages?after=${phone!.cursor}&timeout=20`;
  const p1 = call(chatd.url, 'GET', q, { token: phone!.token });
  const p2 = call(chatd.url, 'GET', q, { token: phone!.token });
  await new Promise((r) => setTimeout(r, 300));
  const third = await call(chatd.url, 'GET', q, { token: phone!.token });
  assert.equal(third.status, 429);
  assert.ok(third.headers.get('retry-after'));
  const clients = await call<{ client_id: number; current: boolean }[]>(
    chatd.url,
    'GET',
    '/api/v1/clients',
    { token: ivy.token },
  );
  const other = clients.body.find((c) => !c.current)!;
  const t0 = Date.now();
  assert.equal(
    (await call(chatd.url, 'DELETE', `/api/v1/clients/${other.client_id}`, { token: ivy.token }))
      .status,
    200,
  );
  const [r1, r2] = await Promise.all([p1, p2]);
  assert.equal(r1.status, 401);
  assert.equal(r2.status, 401);
  assert.ok(Date.now() - t0 < 1000, `ended after ${Date.now() - t0} ms`);
  assert.equal(
    (await call(chatd.url, 'GET', '/api/v1/state', { token: phone!.token })).status,
    401,
  );
  assert.equal((await call(chatd.url, 'GET', '/api/v1/state', { token: ivy.token })).status, 200);
});

test('a client further behind than QUEUE_MAX_ENTRIES gets gap: true and the newest entries', async () => {
  const capped = await startChatd({ env: { QUEUE_MAX_ENTRIES: '20', POLL_BATCH_MAX: '20' } });
  try {
    const talker = await HttpClient.create(capped.url, 'talker');
    const sleeper = await HttpClient.create(capped.url, 'sleeper');
    await talker.send({ command: 'JOIN', to: '#cap' });
    await sleeper.send({ command: 'JOIN', to: '#cap' });
    await sleeper.drain();
    for (let i = 0; i < 50; i++)
      await talker.send({ command: 'PRIVMSG', to: '#cap', body: [`c${i}`] });
    const r = await sleeper.poll(0);
    assert.equal(r.gap, true, 'never a silent skip');
    assert.deepEqual(
      r.messages.map((m) => (m.body as string[])[0]),
      Array.from({ length: 20 }, (_, i) => `c${30 + i}`),
    );
    const next = await sleeper.poll(0);
    assert.equal(next.gap, undefined);
    assert.deepEqual(next.messages, []);
  } finally {
    await capped.cleanup();
  }
});

test('a member behind MAX_HISTORY rotation (the background job) gets gap: true and the kept rows', async () => {
  const rotating = await startChatd({ env: { MAX_HISTORY: '5', JOB_INTERVAL: '100ms' } });
  try {
    const talker = await HttpClient.create(rotating.url, 'talker');
    const sleeper = await HttpClient.create(rotating.url, 'sleeper');
    await talker.send({ command: 'JOIN', to: '#rot' });
    await sleeper.send({ command: 'JOIN', to: '#rot' });
    await sleeper.drain();
    const behind = sleeper.cursor;
    for (let i = 0; i < 20; i++)
      await talker.send({ command: 'PRIVMSG', to: '#rot', body: [`r${i}`] });
    // the job runs every 100 ms: wait (bounded) until the channel's history is down to 5
    const deadline = Date.now() + 10_000;
    for (;;) {
      const h = await call<{ messages: unknown[] }>(
        rotating.url,
        'GET',
        '/api/v1/history?target=%23rot&limit=100',
        { token: talker.token },
      );
      if (h.body.messages.length <= 5) break;
      assert.ok(Date.now() < deadline, `history not rotated after 10 s: ${h.body.messages.length}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const r = await sleeper.poll(0);
    assert.equal(r.gap, true, 'never a silent skip');
    const texts = r.messages.filter((m) => m.command === 'PRIVMSG').map((m) => m.body);
    assert.deepEqual(
      texts,
      ['r15', 'r16', 'r17', 'r18', 'r19'].map((t) => [t]),
    );
    assert.equal((await sleeper.poll(0)).gap, undefined, 'reported once');
    // a held poll from the old cursor answers at once, with the gap
    sleeper.cursor = behind;
    const held = await sleeper.poll(10);
    assert.equal(held.gap, true);
  } finally {
    await rotating.cleanup();
  }
});
