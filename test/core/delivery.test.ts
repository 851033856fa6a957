// Delivery: long-poll woken by the bus, the held-poll cap, revocation, cursors.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import { commands, makeHarness, texts, type Harness } from '../helpers/core-harness.js';

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
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(h.delivery.heldPolls(), 1);
  await alice.send({ command: 'PRIVMSG', to: '#c', body: ['wake up'] });
  const r = await held;
  assert.deepEqual(texts(r.messages), ['wake up']);
  assert.equal(r.last_id, r.messages[0]!.queue_id);
  assert.equal(h.delivery.heldPolls(), 0);
});

test('a poll held across a JOIN on another device is woken by it', async () => {
  const alice = await h.user('alice');
  await alice.drain();
  const held = alice.poll(10_000);
  await new Promise((r) => setTimeout(r, 20));
  await h.core.execute(alice.caller, { command: 'JOIN', to: '#new' });
  assert.deepEqual(commands((await held).messages).slice(0, 1), ['JOIN']);
});

test('timeout 0 answers at once; an idle poll ends empty with the same cursor', async () => {
  const alice = await h.user('alice');
  await alice.drain();
  const before = alice.cursor;
  const r = await alice.poll(50);
  assert.deepEqual(r.messages, []);
  assert.equal(r.last_id, before);
});

test('a third held poll is refused with 429; revocation ends held polls with 401', async () => {
  const alice = await h.user('alice');
  await alice.drain();
  const p1 = alice.poll(10_000);
  const p2 = alice.poll(10_000);
  await new Promise((r) => setTimeout(r, 20));
  await assert.rejects(alice.poll(10_000), { status: 429, code: 'too_many_polls' });
  const started = Date.now();
  await h.core.logout(alice.caller);
  await assert.rejects(p1, { status: 401 });
  await assert.rejects(p2, { status: 401 });
  assert.ok(Date.now() - started < 1000);
});

test('an aborted poll is released', async () => {
  const alice = await h.user('alice');
  await alice.drain();
  const ac = new AbortController();
  const held = alice.poll(10_000, ac.signal);
  await new Promise((r) => setTimeout(r, 20));
  ac.abort();
  assert.deepEqual((await held).messages, []);
  assert.equal(h.delivery.heldPolls(), 0);
});

test('a cursor beyond the newest entry is 400', async () => {
  const alice = await h.user('alice');
  alice.cursor = 1_000_000;
  await assert.rejects(alice.poll(0), { status: 400, code: 'bad_cursor' });
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
  await new Promise((r) => setTimeout(r, 20));
  h.delivery.shutdown();
  assert.deepEqual((await held).messages, []);
  await assert.rejects(alice.poll(0), { status: 503 });
});
