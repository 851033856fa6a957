// The held-poll index: a waiter whose channels are not known yet is woken by every note (its
// first read may be missing a commit that happened meanwhile); once placed, only by its own.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WaiterIndex, type Waiter } from '../../src/delivery/waiters.js';

function waiter(clientId: number, sessionId: number) {
  const seen: string[] = [];
  const w: Waiter = {
    clientId,
    sessionId,
    wake: () => seen.push('wake'),
    revoke: () => seen.push('revoke'),
    finish: () => seen.push('finish'),
  };
  return { w, seen };
}

const wake = (w: Waiter) => w.wake();

test('an unplaced waiter wakes on any note; a placed one only on its channels', () => {
  const idx = new WaiterIndex();
  const a = waiter(1, 10);
  idx.add(a.w);
  idx.forChannels([7], wake);
  idx.forUnplaced(wake);
  assert.deepEqual(a.seen, ['wake'], 'unplaced: woken by a note for a channel it may be in');
  idx.place(a.w, [3, 4]);
  a.seen.length = 0;
  idx.forChannels([7], wake);
  idx.forUnplaced(wake);
  assert.deepEqual(a.seen, [], 'placed in 3 and 4: a note for 7 passes it by');
  idx.forChannels([4], wake);
  assert.deepEqual(a.seen, ['wake']);
});

test('placing again moves the waiter between channels; remove forgets it everywhere', () => {
  const idx = new WaiterIndex();
  const a = waiter(1, 10);
  const b = waiter(1, 10);
  idx.add(a.w);
  idx.add(b.w);
  assert.equal(idx.heldBy(1), 2);
  assert.equal(idx.size, 2);
  idx.place(a.w, [3]);
  idx.place(a.w, [5]);
  idx.forChannels([3], wake);
  assert.deepEqual(a.seen, []);
  idx.forChannels([5], wake);
  assert.deepEqual(a.seen, ['wake']);
  idx.remove(a.w);
  idx.remove(a.w); // twice is harmless
  assert.equal(idx.size, 1);
  a.seen.length = 0;
  idx.forChannels([5], wake);
  idx.forClients([1], wake);
  idx.forSessions([10], wake);
  idx.forUnplaced(wake);
  assert.deepEqual(a.seen, []);
  assert.deepEqual(b.seen, ['wake', 'wake', 'wake'], 'b: client, session, unplaced');
  idx.place(a.w, [9]); // placing a removed waiter does not bring it back
  idx.forChannels([9], wake);
  assert.deepEqual(a.seen, []);
  assert.deepEqual(
    idx.all().map((w) => w === b.w),
    [true],
  );
});
