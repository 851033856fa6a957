// ExecuteResult.stored (core-contract.ts): the seqs of the events a command stored, in order —
// not its replies — so a transport can echo its own events; [] for a remembered txn.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import { makeHarness, type Harness } from '../helpers/core-harness.js';

let h: Harness;
beforeEach(async () => (h = await makeHarness()));
afterEach(async () => h.close());

test('a PRIVMSG to three targets stored three events, in order; its replies are not among them', async () => {
  const alice = await h.user('alice');
  const bob = await h.user('bob');
  await alice.send({ command: 'JOIN', to: '#a,#b' });
  await bob.send({ command: 'AWAY', body: ['lunch'] });
  await alice.drain();
  const r = await alice.send({ command: 'PRIVMSG', to: '#a,bob,#b', body: ['hi'] });
  assert.equal(r.stored.length, 3);
  assert.equal(r.stored[0], r.seq);
  const mine = (await alice.drain()).filter((e) => e.command === 'PRIVMSG');
  assert.deepEqual(
    mine.map((e) => e.to),
    ['#a', 'bob', '#b'],
  );
  assert.deepEqual(
    mine.map((e) => e.seq),
    r.stored,
  );
  // bob is away: 301 is a reply, queued between the events but not stored as one
  assert.deepEqual(
    r.replies.map((e) => e.command),
    ['301'],
  );
  assert.ok(!r.stored.includes(r.replies[0]!.seq));
  assert.ok(r.replies[0]!.seq > r.stored[1]! && r.replies[0]!.seq < r.stored[2]!);
});

test('a refused target stores nothing for it; every target refused stores nothing', async () => {
  const alice = await h.user('alice');
  await h.user('bob');
  await alice.send({ command: 'JOIN', to: '#a' });
  const r = await alice.send({ command: 'PRIVMSG', to: '#a,#none,bob', body: ['hi'] });
  assert.equal(r.stored.length, 2);
  assert.deepEqual(
    r.replies.map((e) => e.command),
    ['403'],
  );
  const none = await alice.refused({ command: 'PRIVMSG', to: '#none,nobody', body: ['hi'] });
  assert.equal(none.status, 404);
});

test('a JOIN stored its JOIN only (topic and names are replies); a query stores nothing', async () => {
  const alice = await h.user('alice');
  const r = await alice.send({ command: 'JOIN', to: '#a' });
  assert.deepEqual(r.stored, [r.seq]);
  assert.deepEqual(
    r.replies.map((e) => e.command),
    ['353', '366'],
  );
  const who = await alice.send({ command: 'NAMES', to: '#a' });
  assert.deepEqual(who.stored, []);
  assert.equal(who.seq, null);
});

test('a remembered txn answers as first, with stored [] (it stored nothing this time)', async () => {
  const alice = await h.user('alice');
  await alice.send({ command: 'JOIN', to: '#a' });
  const first = await alice.send({ command: 'TOPIC', to: '#a', body: ['t'], txn: 'x1' });
  assert.deepEqual(first.stored, [first.seq]);
  const again = await alice.send({ command: 'TOPIC', to: '#a', body: ['t'], txn: 'x1' });
  assert.deepEqual(again, { ...first, stored: [] });
  // what is remembered is the HTTP answer's fields only
  const kept = await h.store.getTxn(alice.caller.clientId, 'x1');
  assert.deepEqual(Object.keys(kept?.response as object).sort(), ['id', 'replies', 'seq']);
});
