// Delivery: long-poll woken by the bus, the held-poll cap, revocation, cursors. Held polls wait on
// the harness's fake clock: a test waits for a poll to be held (h.waiting) and ends it by
// advancing time, never by sleeping.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import { Delivery } from '../../src/delivery/delivery.js';
import { Jobs, type JobSettings } from '../../src/jobs/jobs.js';
import type { QueueRead, QueueReadOptions, Store } from '../../src/store/store.js';
import {
  DELIVERY_SETTINGS,
  commands,
  makeHarness,
  texts,
  until,
  type Harness,
} from '../helpers/core-harness.js';
import { viaHttp } from '../helpers/http-view.js';

let h: Harness;
beforeEach(async () => (h = await makeHarness()));
afterEach(async () => h.close());

test('a held poll is woken by a message and returns it', async () => {
  const alice = await h.user('alice');
  const bob = await h.user('bob');
  await alice.send({ command: 'JOIN', to: '#c' });
  await bob.send({ command: 'JOIN', to: '#c' });
  await bob.drain();
  const held = bob.poll(10_000);
  await h.waiting(1);
  assert.equal(h.delivery.heldPolls(), 1);
  await alice.send({ command: 'PRIVMSG', to: '#c', body: ['wake up'] });
  // a poll that was not woken would end empty here, at its deadline
  h.advance(10_000);
  const r = await held;
  assert.deepEqual(texts(r.messages), ['wake up']);
  assert.equal(r.last_id, r.messages[0]!.queue_id);
  assert.equal(h.delivery.heldPolls(), 0);
});

test('a message committed between the first read and the wait is not missed', async () => {
  const alice = await h.user('alice');
  const bob = await h.user('bob');
  await alice.send({ command: 'JOIN', to: '#c' });
  await bob.send({ command: 'JOIN', to: '#c' });
  await bob.drain();
  // A store whose first queue read has its snapshot taken, then is slow to come back: the
  // message is committed (and its note published) in that window.
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  let reads = 0;
  const slow: Store = Object.create(h.store) as Store;
  slow.readQueue = async (o: QueueReadOptions): Promise<QueueRead> => {
    const read = await h.store.readQueue(o);
    if (reads++ === 0) await gate;
    return read;
  };
  const delivery = new Delivery(slow, h.bus, DELIVERY_SETTINGS, h.clock);
  try {
    const held = delivery.poll({
      caller: bob.caller,
      after: bob.cursor,
      timeoutMs: 10_000,
      signal: new AbortController().signal,
    });
    await until(() => reads === 1, 'the first read has been taken');
    await alice.send({ command: 'PRIVMSG', to: '#c', body: ['in the window'] });
    release();
    await until(() => reads === 2, 'woken: a second read');
    h.advance(10_000); // not woken: the poll would end empty here
    const r = await held;
    assert.deepEqual(texts(r.messages), ['in the window']);
    assert.equal(reads, 2);
  } finally {
    delivery.shutdown();
  }
});

test('after an empty read, the next poll sees what arrived for its session, channel or client', async () => {
  const alice = await h.user('alice');
  const bob = await h.user('bob');
  await alice.send({ command: 'JOIN', to: '#c' });
  await bob.send({ command: 'JOIN', to: '#c' });
  await bob.drain();
  // each poll(0) below follows an empty read with the same cursor: only the note can tell it
  assert.deepEqual((await bob.poll(0)).messages, []);
  await alice.send({ command: 'PRIVMSG', to: '#c', body: ['to the channel'] });
  assert.deepEqual(texts((await bob.poll(0)).messages), ['to the channel']);
  assert.deepEqual((await bob.poll(0)).messages, []);
  await alice.send({ command: 'PRIVMSG', to: 'bob', body: ['to bob'] });
  assert.deepEqual(texts((await bob.poll(0)).messages), ['to bob']);
  assert.deepEqual((await bob.poll(0)).messages, []);
  await h.core.execute(bob.caller, { command: 'JOIN', to: '#other' });
  assert.deepEqual(commands((await bob.poll(0)).messages).slice(0, 1), ['JOIN']);
  await bob.drain();
  await bob.send({ command: 'PING', params: ['x'] });
  assert.deepEqual(commands((await bob.poll(0)).messages), ['PONG']);
  // and the same through a held poll that starts from a remembered empty read
  assert.deepEqual((await bob.poll(0)).messages, []);
  const held = bob.poll(10_000);
  await h.waiting(1);
  await alice.send({ command: 'PRIVMSG', to: '#c', body: ['while held'] });
  h.advance(10_000);
  assert.deepEqual(texts((await held).messages), ['while held']);
});

test('a held poll from the end of a complete read, with nothing new since, skips one store read', async () => {
  const alice = await h.user('alice');
  await alice.send({ command: 'JOIN', to: '#c' });
  let reads = 0;
  const counting: Store = Object.create(h.store) as Store;
  counting.readQueue = (o: QueueReadOptions) => (reads++, h.store.readQueue(o));
  const delivery = new Delivery(counting, h.bus, DELIVERY_SETTINGS, h.clock);
  const poll = async (after: number, timeoutMs: number) =>
    delivery.poll({ caller: alice.caller, after, timeoutMs, signal: new AbortController().signal });
  /** a held poll that nothing wakes: it ends empty when the clock reaches its deadline */
  const idle = async (after: number, timeoutMs: number) => {
    const p = poll(after, timeoutMs);
    await h.waiting(1);
    h.advance(timeoutMs);
    return p;
  };
  try {
    const all = await poll(0, 0);
    assert.ok(all.messages.length > 0);
    assert.equal(reads, 1);
    assert.deepEqual((await idle(all.last_id, 30)).messages, []);
    assert.equal(reads, 1, 'the complete first answer vouched for what follows it');
    assert.deepEqual((await idle(all.last_id, 30)).messages, []);
    assert.equal(reads, 2, 'once: the next poll reads (a lost note costs one hold at most)');
    assert.deepEqual((await poll(all.last_id, 0)).messages, []);
    assert.deepEqual((await poll(all.last_id, 0)).messages, []);
    assert.equal(reads, 4, 'a poll with timeout 0 always reads');
    // a held poll from a remembered read is still woken by what arrives
    const held = poll(all.last_id, 10_000);
    await h.waiting(1);
    await alice.send({ command: 'TOPIC', to: '#c' }); // a query: 331 RPL_NOTOPIC to this client
    h.advance(10_000);
    assert.deepEqual(commands((await held).messages), ['331']);
    assert.equal(reads, 5, 'woken: one read');
  } finally {
    delivery.shutdown();
  }
});

test('a poll held across a JOIN on another device is woken by it', async () => {
  const alice = await h.user('alice');
  await alice.drain();
  const held = alice.poll(10_000);
  await h.waiting(1);
  await h.core.execute(alice.caller, { command: 'JOIN', to: '#new' });
  h.advance(10_000);
  assert.deepEqual(commands((await held).messages).slice(0, 1), ['JOIN']);
});

test('timeout 0 answers at once; an idle poll ends empty with the same cursor', async () => {
  const alice = await h.user('alice');
  await alice.drain();
  const before = alice.cursor;
  assert.deepEqual((await alice.poll(0)).messages, []);
  let answered = false;
  const held = alice.poll(50).finally(() => (answered = true));
  await h.waiting(1);
  h.advance(49);
  await new Promise((r) => setImmediate(r));
  assert.equal(answered, false, 'still held 1 ms before its deadline');
  h.advance(1);
  const r = await held;
  assert.deepEqual(r.messages, []);
  assert.equal(r.last_id, before);
});

test('a third held poll is refused with 429; revocation ends held polls with 401', async () => {
  const alice = await h.user('alice');
  await alice.drain();
  const p1 = alice.poll(10_000);
  const p2 = alice.poll(10_000);
  await h.waiting(2);
  await assert.rejects(viaHttp(alice.poll(10_000)), { status: 429, code: 'too_many_polls' });
  await h.core.logout(alice.caller);
  // the revocation ends them before their deadline, which the clock never reaches here
  await assert.rejects(viaHttp(p1), { status: 401 });
  await assert.rejects(viaHttp(p2), { status: 401 });
});

test('an aborted poll is released', async () => {
  const alice = await h.user('alice');
  await alice.drain();
  const ac = new AbortController();
  const held = alice.poll(10_000, ac.signal);
  await h.waiting(1);
  ac.abort();
  assert.deepEqual((await held).messages, []);
  assert.equal(h.delivery.heldPolls(), 0);
});

test('a cursor beyond the newest entry is 400', async () => {
  const alice = await h.user('alice');
  alice.cursor = 1_000_000;
  await assert.rejects(viaHttp(alice.poll(0)), { status: 400, code: 'bad_cursor' });
});

test('re-polling with an old cursor returns the same entries again (lost response)', async () => {
  const alice = await h.user('alice');
  await alice.send({ command: 'JOIN', to: '#c' });
  await alice.drain();
  const cursor = alice.cursor;
  await alice.send({ command: 'PRIVMSG', to: '#c', body: ['one'] });
  await alice.send({ command: 'PRIVMSG', to: '#c', body: ['two'] });
  const first = await alice.poll(0);
  alice.cursor = cursor; // the answer never arrived
  const again = await alice.poll(0);
  assert.deepEqual(again, first);
});

test('shutdown answers held polls at once', async () => {
  const alice = await h.user('alice');
  await alice.drain();
  const held = alice.poll(10_000);
  await h.waiting(1);
  h.delivery.shutdown();
  assert.deepEqual((await held).messages, []);
  await assert.rejects(viaHttp(alice.poll(0)), { status: 503 });
});

// ---- which note wakes which held poll (docs/envelope-and-delivery.md "Waking"): each test below places its polls
// first (h.waiting: past the first read, so only notes for their client, session or channels wake
// them), and fails when that wake-up is missing: the clock then reaches the deadline and the poll
// ends empty.

test('a direct message wakes the held polls of every device of the addressee, in no channel', async () => {
  const alice = await h.user('alice');
  const bob = await h.user('bob');
  const phone = await h.device(bob);
  const carol = await h.user('carol');
  for (const c of [bob, phone, carol]) await c.drain();
  const held = [bob, phone, carol].map((c) => c.poll(10_000));
  await h.waiting(3);
  await alice.send({ command: 'PRIVMSG', to: 'bob', body: ['psst'] });
  h.advance(10_000);
  const [laptopGot, phoneGot, carolGot] = await Promise.all(held);
  assert.deepEqual(texts(laptopGot!.messages), ['psst'], 'bob’s first device');
  assert.deepEqual(texts(phoneGot!.messages), ['psst'], 'bob’s second device');
  assert.deepEqual(carolGot!.messages, [], 'nobody else');
});

test('a reply to one client (its WHOIS numerics) wakes that client’s held poll, not its other devices', async () => {
  await h.user('alice');
  const bob = await h.user('bob');
  const phone = await h.device(bob);
  for (const c of [bob, phone]) await c.drain();
  const laptopPoll = bob.poll(10_000);
  const phonePoll = phone.poll(10_000);
  await h.waiting(2);
  // the phone asks while its own poll is held, as a client does: the answer goes to it alone
  const res = await phone.send({ command: 'WHOIS', to: 'alice' });
  assert.deepEqual(commands(res.replies).slice(0, 1), ['311']);
  h.advance(10_000);
  const phoneGot = await phonePoll;
  assert.deepEqual(commands(phoneGot.messages), commands(res.replies));
  assert.deepEqual((await laptopPoll).messages, [], 'the other device of the session');
});

// ---- gap: true reaches the poll answer from the jobs' retention rules (docs/envelope-and-delivery.md, docs/sessions.md)

function jobs(settings: Partial<JobSettings>): Jobs {
  const never = 1_000 * 3_600_000;
  return new Jobs(
    h.core,
    h.store,
    {
      intervalMs: 3_600_000,
      sessionIdleMs: never,
      accountIdleMs: never,
      queueMaxAgeMs: never,
      maxHistory: 1_000_000,
      ...settings,
    },
    (err) => {
      throw err;
    },
    () => h.clock.now(),
  );
}

test('QUEUE_MAX_AGE: a cursor behind rows the age job dropped gets gap: true with what follows', async () => {
  const alice = await h.user('alice');
  const bob = await h.user('bob');
  await bob.drain();
  const behind = bob.cursor;
  for (const t of ['old1', 'old2']) await alice.send({ command: 'PRIVMSG', to: 'bob', body: [t] });
  h.advance(2 * 3_600_000);
  await alice.send({ command: 'PRIVMSG', to: 'bob', body: ['young'] });
  const report = await jobs({ queueMaxAgeMs: 3_600_000 }).runOnce();
  assert.ok(report.queueRowsDeleted >= 2, `rows dropped: ${report.queueRowsDeleted}`);
  const r = await bob.poll(0);
  assert.equal(r.gap, true, 'never a silent skip');
  assert.deepEqual(texts(r.messages), ['young']);
  // the gap is told once: the next answer, from the cursor it gave, has none
  const next = await bob.poll(0);
  assert.equal(next.gap, undefined);
  // a held poll from the old cursor answers at once, with the gap
  bob.cursor = behind;
  const held = await bob.poll(10_000);
  assert.equal(held.gap, true);
  assert.deepEqual(texts(held.messages), ['young']);
});

test('MAX_HISTORY: a member whose cursor fell behind the rotation gets gap: true and the kept rows', async () => {
  const alice = await h.user('alice');
  const bob = await h.user('bob');
  await alice.send({ command: 'JOIN', to: '#c' });
  await bob.send({ command: 'JOIN', to: '#c' });
  await bob.drain();
  const behind = bob.cursor;
  for (let i = 1; i <= 8; i++) {
    await alice.send({ command: 'PRIVMSG', to: '#c', body: [`m${i}`] });
  }
  const report = await jobs({ maxHistory: 3 }).runOnce();
  assert.ok(report.historyRowsDeleted > 0);
  // the held poll finds rows at once: it answers them with the gap, without waiting
  const r = await bob.poll(10_000);
  assert.equal(r.gap, true, 'never a silent skip');
  assert.deepEqual(texts(r.messages), ['m6', 'm7', 'm8']);
  assert.equal((await bob.poll(0)).gap, undefined);
  // and with timeout 0 from the same old cursor
  bob.cursor = behind;
  const again = await bob.poll(0);
  assert.equal(again.gap, true);
  assert.deepEqual(texts(again.messages), ['m6', 'm7', 'm8']);
});
