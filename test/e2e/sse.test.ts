// End to end against the real chatd: GET /api/v1/events delivers the long-poll's queue as
// Server-Sent Events (docs/envelope-and-delivery.md "Server-Sent Events") — ids, resume across a
// dropped connection and a restart, revocation, the held-poll limit, gaps, heartbeats, a slow
// reader's bounded cost, and bad cursors.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { PollResult } from '../../src/model/api.js';
import { call, HttpClient } from '../helpers/api.js';
import { startChatd, type Chatd } from '../helpers/chatd.js';
import { addDevice } from '../helpers/devices.js';
import { isRefusal, SseStream, type OpenOptions } from '../helpers/sse-client.js';

let chatd: Chatd;
before(async () => (chatd = await startChatd({ env: { SSE_HEARTBEAT_SECONDS: '1' } })));
after(async () => chatd.cleanup());

async function open(base: string, token: string, o: OpenOptions = {}): Promise<SseStream> {
  const s = await SseStream.open(base, token, o);
  if (isRefusal(s)) throw new Error(`stream refused: ${s.status} ${JSON.stringify(s.body)}`);
  return s;
}

async function say(from: HttpClient, to: string, texts: string[]): Promise<void> {
  for (const text of texts) {
    const r = await from.send({ command: 'PRIVMSG', to, body: [text] });
    assert.equal(r.status, 200, JSON.stringify(r.body));
  }
}

const range = (prefix: string, from: number, to: number) =>
  Array.from({ length: to - from }, (_, i) => `${prefix}${from + i}`);

test('entries arrive as events: id = queue id, data = the long-poll envelope, stream headers', async () => {
  const ann = await HttpClient.create(chatd.url, 'ann');
  const ben = await HttpClient.create(chatd.url, 'ben');
  await ann.send({ command: 'JOIN', to: '#sse' });
  await ben.send({ command: 'JOIN', to: '#sse' });
  const s = await open(chatd.url, ann.token);
  assert.match(String(s.res.headers['content-type']), /^text\/event-stream/);
  assert.equal(s.res.headers['cache-control'], 'no-store');
  assert.equal(s.res.headers['x-accel-buffering'], 'no');
  // Without a cursor it starts where a long-poll without `after` starts: the oldest kept entry.
  const polled = await call<PollResult>(chatd.url, 'GET', '/api/v1/messages?timeout=0', {
    token: ann.token,
  });
  await s.until(() => s.entries().length >= polled.body.messages.length, 'the backlog');
  assert.deepEqual(s.entries().slice(0, polled.body.messages.length), polled.body.messages);
  for (const e of s.events.filter((x) => x.event === '')) {
    assert.equal(e.id, String((JSON.parse(e.data) as { queue_id: number }).queue_id));
  }
  // live: sent after the stream caught up
  await say(ben, '#sse', ['live one', 'live two']);
  await s.until(() => s.texts().length === 2, 'the live messages');
  assert.deepEqual(s.texts(), ['live one', 'live two']);
  const ids = s.entries().map((e) => e.queue_id);
  assert.deepEqual(
    ids,
    [...ids].sort((a, b) => a - b),
  );
  assert.equal(new Set(ids).size, ids.length);
  s.close();
});

test('a dropped stream resumes with Last-Event-ID (or ?after) without loss or duplicates', async () => {
  const cal = await HttpClient.create(chatd.url, 'cal');
  const dee = await HttpClient.create(chatd.url, 'dee');
  await cal.send({ command: 'JOIN', to: '#drop' });
  await dee.send({ command: 'JOIN', to: '#drop' });
  const first = await open(chatd.url, cal.token);
  await say(dee, '#drop', range('m', 0, 5));
  await first.until(() => first.texts().length === 5, 'five messages');
  const resumeAt = first.lastId()!;
  first.close(); // mid-stream: the server must notice and release its slot
  await say(dee, '#drop', range('m', 5, 10)); // while no stream is open
  const second = await open(chatd.url, cal.token, { lastEventId: resumeAt });
  await say(dee, '#drop', range('m', 10, 15));
  await second.until(() => second.texts().length === 10, 'the missed and the live ones');
  assert.deepEqual([...first.texts(), ...second.texts()], range('m', 0, 15));
  const seen = [...first.entries(), ...second.entries()].map((e) => e.queue_id);
  assert.equal(new Set(seen).size, seen.length, 'no entry twice');
  // ?after= does the same as Last-Event-ID, for clients that cannot set the header
  const third = await open(chatd.url, cal.token, { after: resumeAt });
  await third.until(() => third.texts().length === 10, 'the same ten again');
  assert.deepEqual(third.texts(), range('m', 5, 15));
  second.close();
  third.close();
});

test('across a chatd restart the stream ends cleanly and resumes on the same data without loss', async () => {
  const own = await startChatd();
  try {
    const eve = await HttpClient.create(own.url, 'eve');
    const fay = await HttpClient.create(own.url, 'fay');
    await eve.send({ command: 'JOIN', to: '#restart' });
    await fay.send({ command: 'JOIN', to: '#restart' });
    const s = await open(own.url, eve.token);
    await say(fay, '#restart', range('r', 0, 3));
    await s.until(() => s.texts().length === 3, 'three messages');
    const resumeAt = s.lastId()!;
    const restarted = await own.restart();
    assert.equal(await s.ended(), 'end', 'shutdown ends the response, not the connection');
    await say(fay, '#restart', range('r', 3, 6));
    const again = await open(restarted.url, eve.token, { lastEventId: resumeAt });
    await again.until(() => again.texts().length === 3, 'the three sent after the restart');
    assert.deepEqual([...s.texts(), ...again.texts()], range('r', 0, 6));
    again.close();
  } finally {
    await own.cleanup();
  }
});

test('revocation ends the stream within a second: logout elsewhere, DELETE /clients/{id}', async () => {
  const gus = await HttpClient.create(chatd.url, 'gus');
  // logout with the stream's own token, sent on another connection
  const s1 = await open(chatd.url, gus.token);
  await s1.until(() => s1.comments >= 1, 'the stream to open');
  const phone = await addDevice(chatd.dbPath, gus.sessionId);
  const t0 = Date.now();
  assert.equal((await call(chatd.url, 'POST', '/api/v1/logout', { token: gus.token })).status, 200);
  assert.equal(await s1.ended(5000), 'end');
  assert.ok(Date.now() - t0 < 1000, `ended after ${Date.now() - t0} ms`);
  const revoked = s1.events.find((e) => e.event === 'revoked');
  assert.ok(revoked, 'an `event: revoked` says why');
  assert.equal((JSON.parse(revoked.data) as { error: string }).error, 'invalid_token');
  const refused = await SseStream.open(chatd.url, gus.token);
  assert.ok(isRefusal(refused));
  assert.equal(refused.status, 401);
  // another client of the session revokes this one
  const hal = await HttpClient.create(chatd.url, 'hal');
  const tablet = await addDevice(chatd.dbPath, hal.sessionId);
  const s2 = await open(chatd.url, tablet);
  await s2.until(() => s2.comments >= 1, 'the stream to open');
  const clients = await call<{ client_id: number; current: boolean }[]>(
    chatd.url,
    'GET',
    '/api/v1/clients',
    { token: hal.token },
  );
  const other = clients.body.find((c) => !c.current)!;
  const t1 = Date.now();
  const del = await call(chatd.url, 'DELETE', `/api/v1/clients/${other.client_id}`, {
    token: hal.token,
  });
  assert.equal(del.status, 200);
  assert.equal(await s2.ended(5000), 'end');
  assert.ok(Date.now() - t1 < 1000, `ended after ${Date.now() - t1} ms`);
  assert.ok(s2.events.some((e) => e.event === 'revoked'));
  void phone;
});

test('a stream is one of the 2 held polls: a third stream or poll is 429', async () => {
  const ida = await HttpClient.create(chatd.url, 'ida');
  await ida.drain();
  const a = await open(chatd.url, ida.token);
  const b = await open(chatd.url, ida.token);
  const third = await SseStream.open(chatd.url, ida.token);
  assert.ok(isRefusal(third));
  assert.equal(third.status, 429);
  assert.equal(third.body.error, 'too_many_polls');
  assert.ok(third.headers['retry-after']);
  const poll = await call(chatd.url, 'GET', `/api/v1/messages?after=${ida.cursor}&timeout=5`, {
    token: ida.token,
  });
  assert.equal(poll.status, 429);
  // a held poll plus a stream: a further stream is the third
  b.close();
  a.close();
  let c: SseStream | null = null;
  // the closed streams' slots are released once the server noticed the close
  for (let i = 0; c === null; i++) {
    const r = await SseStream.open(chatd.url, ida.token);
    if (!isRefusal(r)) c = r;
    else if (i > 100) assert.fail(`the slots were never released: ${r.status}`);
    else await new Promise((res) => setTimeout(res, 100));
  }
  const held = call(chatd.url, 'GET', `/api/v1/messages?after=${ida.cursor}&timeout=20`, {
    token: ida.token,
  });
  await new Promise((r) => setTimeout(r, 300));
  const fourth = await SseStream.open(chatd.url, ida.token);
  assert.ok(isRefusal(fourth));
  assert.equal(fourth.status, 429);
  c.close();
  await ida.send({ command: 'PING', body: ['end the held poll'] });
  assert.equal((await held).status, 200);
});

test('a stream further behind than QUEUE_MAX_ENTRIES gets `event: gap` before the newest entries', async () => {
  const capped = await startChatd({ env: { QUEUE_MAX_ENTRIES: '20', POLL_BATCH_MAX: '20' } });
  try {
    const talker = await HttpClient.create(capped.url, 'talker');
    const sleeper = await HttpClient.create(capped.url, 'sleeper');
    await talker.send({ command: 'JOIN', to: '#cap' });
    await sleeper.send({ command: 'JOIN', to: '#cap' });
    await sleeper.drain();
    await say(talker, '#cap', range('c', 0, 50));
    const s = await open(capped.url, sleeper.token, { lastEventId: String(sleeper.cursor) });
    await s.until(() => s.texts().length === 20, 'the twenty kept');
    assert.equal(s.events[0]!.event, 'gap', 'never a silent skip');
    assert.equal(s.events[0]!.id, null, 'a gap event does not move the cursor');
    assert.deepEqual(s.texts(), range('c', 30, 50));
    assert.equal(s.events.filter((e) => e.event === 'gap').length, 1);
    s.close();
  } finally {
    await capped.cleanup();
  }
});

test('a comment heartbeat arrives every SSE_HEARTBEAT_SECONDS on a quiet stream', async () => {
  const jo = await HttpClient.create(chatd.url, 'jo');
  await jo.drain();
  const s = await open(chatd.url, jo.token, { lastEventId: String(jo.cursor) });
  await s.until(() => s.comments >= 3, 'the first byte and two heartbeats');
  assert.deepEqual(s.events, [], 'heartbeats are comments, not events');
  s.close();
});

test('a quiet stream outlives the server’s 30 s request timeout', async () => {
  // no heartbeat within the wait: nothing but the open response keeps the connection busy
  const quiet = await startChatd({ env: { SSE_HEARTBEAT_SECONDS: '3600' } });
  try {
    const lee = await HttpClient.create(quiet.url, 'lee');
    await lee.drain();
    const s = await open(quiet.url, lee.token, { lastEventId: String(lee.cursor) });
    await new Promise((r) => setTimeout(r, 35_000)); // past requestTimeout (30 s)
    assert.equal(s.endedBy, null, 'still open');
    await lee.send({ command: 'PING', body: ['still there?'] });
    await s.until(() => s.entries().some((e) => e.command === 'PONG'), 'the PONG');
    s.close();
  } finally {
    await quiet.cleanup();
  }
});

test('bad Last-Event-ID or after is a 400 JSON error before the stream starts', async () => {
  const kim = await HttpClient.create(chatd.url, 'kim');
  await kim.drain();
  const cases: [string, OpenOptions, string][] = [
    ['Last-Event-ID 007', { lastEventId: '007' }, 'invalid_request'],
    ['Last-Event-ID -1', { lastEventId: '-1' }, 'invalid_request'],
    ['Last-Event-ID abc', { lastEventId: 'abc' }, 'invalid_request'],
    ['Last-Event-ID empty', { lastEventId: '' }, 'invalid_request'],
    ['Last-Event-ID 1e3', { lastEventId: '1e3' }, 'invalid_request'],
    ['after=01', { after: '01' }, 'invalid_request'],
    ['after beyond the newest', { after: String(kim.cursor! + 1000) }, 'bad_cursor'],
    ['Last-Event-ID beyond', { lastEventId: String(kim.cursor! + 1000) }, 'bad_cursor'],
  ];
  for (const [label, o, code] of cases) {
    const r = await SseStream.open(chatd.url, kim.token, o);
    assert.ok(isRefusal(r), `${label}: refused`);
    assert.equal(r.status, 400, label);
    assert.match(String(r.headers['content-type']), /application\/json/, label);
    assert.equal(r.body.error, code, label);
  }
  const unknown = await call(chatd.url, 'GET', '/api/v1/events?token=x', { token: kim.token });
  assert.equal(unknown.status, 400);
  const noToken = await call(chatd.url, 'GET', '/api/v1/events');
  assert.equal(noToken.status, 401);
});

const METRICS = { METRICS_USERNAME: 'scrape', METRICS_PASSWORD: 'scrape-secret-1' };

/** chatd_sse_buffered_bytes from /metrics: what the open streams hold unsent */
async function sseBuffered(base: string): Promise<number> {
  const auth = Buffer.from(`${METRICS.METRICS_USERNAME}:${METRICS.METRICS_PASSWORD}`).toString(
    'base64',
  );
  const r = await fetch(`${base}/metrics`, { headers: { authorization: `Basic ${auth}` } });
  const m = /^chatd_sse_buffered_bytes (\d+)/m.exec(await r.text());
  assert.ok(m, 'the gauge is exported');
  return Number(m[1]);
}

test('a reader that stops reading costs the server bounded memory; others are still served', async () => {
  // one message may be 60 KB here, so that a few hundred outgrow every buffer
  const own = await startChatd({ env: { MAX_MESSAGE_SIZE: '61440', ...METRICS } });
  try {
    const loud = await HttpClient.create(own.url, 'loud');
    const slow = await HttpClient.create(own.url, 'slow');
    const keen = await HttpClient.create(own.url, 'keen');
    for (const c of [loud, slow, keen]) await c.send({ command: 'JOIN', to: '#flood' });
    await slow.drain();
    const paused = await open(own.url, slow.token, { lastEventId: String(slow.cursor) });
    await paused.until(() => paused.comments >= 1, 'the stream to open');
    paused.res.pause(); // reads nothing more: the kernel buffers fill, then the server's
    const reader = await open(own.url, keen.token);
    // 640 messages of 60 KB: about 40 MB of JSON, far more than the socket buffers hold
    const line = 'x'.repeat(3900);
    const body = Array.from({ length: 15 }, (_, i) => `${i} ${line}`);
    const N = 640;
    let peak = 0;
    for (let i = 0; i < N; i++) {
      const r = await loud.send({ command: 'PRIVMSG', to: '#flood', body: [`big${i}`, ...body] });
      assert.equal(r.status, 200);
      if (i % 20 === 19) peak = Math.max(peak, await sseBuffered(own.url));
    }
    // the server kept serving the other reader, all of it
    await reader.until(
      () => reader.texts().length === N,
      'every message at the keen reader',
      120_000,
    );
    peak = Math.max(peak, await sseBuffered(own.url));
    // at most one batch (PAGE_MAX_BYTES, 256 KiB) beyond the socket's high-water mark, whatever
    // the reader owes; without backpressure this is tens of MB
    assert.ok(peak < 1024 * 1024, `the streams held ${peak} bytes unsent`);
    // and the paused reader, once it reads again, gets everything in order
    paused.res.resume();
    await paused.until(
      () => paused.texts().length === N,
      'every message at the slow reader',
      120_000,
    );
    assert.deepEqual(paused.texts(), range('big', 0, N));
    paused.close();
    reader.close();
    // A reader stuck with a full buffer does not hold up shutdown: chatd stops cleanly (exit 0,
    // not the shutdown deadline's exit 1) and cuts that one connection.
    const stuck = await open(own.url, slow.token);
    stuck.res.pause();
    for (let i = 0; (await sseBuffered(own.url)) === 0; i++) {
      if (i > 200) assert.fail('the stuck stream never filled its buffers');
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal(await own.stop(), 0);
    stuck.res.resume();
    await stuck.ended();
  } finally {
    await own.cleanup();
  }
});
