// QuietReads: a remembered read is trusted only for the same cursor, only while no note has
// named its client, session or channels, and only once; overflow forgets everything.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { QuietReads } from '../../src/delivery/quiet-reads.js';

const READ = { after: 50, channels: [7, 8] };

test('trusted for the same cursor until a note names the client, session or a channel', () => {
  const q = new QuietReads();
  q.remember(1, { ...READ, at: q.now() });
  q.record({ seq: 60, channels: [9], sessions: [11], clients: [2] });
  assert.equal(q.take(1, 10, 50)?.after, 50, 'notes for others leave it quiet');
  for (const note of [{ channels: [8] }, { sessions: [10] }, { clients: [1] }, { revoked: [1] }]) {
    const r = new QuietReads();
    r.remember(1, { ...READ, at: r.now() });
    r.record({ seq: 61, ...note });
    assert.equal(r.take(1, 10, 50), null, JSON.stringify(note));
  }
});

test('used once; another cursor, no cursor or another client is not trusted', () => {
  const q = new QuietReads();
  q.remember(1, { ...READ, at: q.now() });
  assert.notEqual(q.take(1, 10, 50), null);
  assert.equal(q.take(1, 10, 50), null, 'used up: the next poll reads the store');
  for (const [client, after] of [
    [1, 49],
    [1, null],
    [2, 50],
  ] as const) {
    const r = new QuietReads();
    r.remember(1, { ...READ, at: r.now() });
    assert.equal(r.take(client, 10, after), null, `client ${client}, after ${after}`);
  }
});

test('a read that started before a note is not trusted after it', () => {
  const q = new QuietReads();
  const at = q.now(); // the read starts...
  q.record({ seq: 5, channels: [7] }); // ...a commit's note arrives while it runs...
  q.remember(1, { after: 4, at, channels: [7] }); // ...and it is remembered after
  assert.equal(q.take(1, 10, 4), null);
  q.remember(1, { after: 5, at: q.now(), channels: [7] });
  assert.notEqual(q.take(1, 10, 5), null, 'a read after the note is');
});

test('overflow forgets every map; reads from before it are refused', () => {
  const q = new QuietReads(4);
  const early = q.now();
  q.remember(1, { after: 1, at: early, channels: [] });
  for (let i = 0; i < 5; i++) q.record({ seq: i, channels: [100 + i] });
  assert.equal(q.take(1, 10, 1), null, 'forgotten');
  q.remember(1, { after: 1, at: early, channels: [] });
  assert.equal(q.take(1, 10, 1), null, 'started before the forgetting: not kept');
  q.remember(1, { after: 2, at: q.now(), channels: [] });
  assert.notEqual(q.take(1, 10, 2), null);
});
