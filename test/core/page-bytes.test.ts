// PAGE_MAX_BYTES: poll answers and history pages are cut by bytes as well as by entries, and
// the cursor protocol carries on from where an answer stopped.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import { makeHarness, texts, type Harness } from '../helpers/core-harness.js';

let h: Harness;
beforeEach(async () => (h = await makeHarness({ pageMaxBytes: 20_000 })));
afterEach(async () => h.close());

test('a poll answer stops at the byte budget; the next poll continues without loss', async () => {
  const alice = await h.user('alice');
  const bob = await h.user('bob');
  await alice.send({ command: 'JOIN', to: '#c' });
  await bob.send({ command: 'JOIN', to: '#c' });
  await bob.drain();
  const sent: string[] = [];
  for (let i = 0; i < 30; i++) {
    const text = `${i} `.padEnd(3000, 'x');
    sent.push(text);
    await alice.send({ command: 'PRIVMSG', to: '#c', body: [text] });
  }
  const first = await bob.poll(0);
  const bytes = Buffer.byteLength(JSON.stringify(first.messages));
  assert.ok(first.messages.length > 1 && first.messages.length < 30, `${first.messages.length}`);
  assert.ok(bytes <= 20_000, `${bytes} bytes`);
  assert.equal(first.last_id, first.messages.at(-1)?.queue_id);
  const rest = await bob.drain();
  assert.deepEqual(texts([...first.messages, ...rest]), sent);
});

test('a history page keeps its newest messages within the budget and says more exist', async () => {
  const alice = await h.user('alice');
  await alice.send({ command: 'JOIN', to: '#c' });
  for (let i = 0; i < 30; i++) {
    await alice.send({ command: 'PRIVMSG', to: '#c', body: [`${i} `.padEnd(3000, 'x')] });
  }
  const page = await h.core.history(alice.caller, { target: '#c', before: null, limit: 50 });
  assert.ok(page.messages.length > 1 && page.messages.length < 30);
  assert.ok(Buffer.byteLength(JSON.stringify(page.messages)) <= 20_000);
  assert.equal(page.has_more, true);
  assert.ok(texts(page.messages).at(-1)?.startsWith('29 '), 'the newest is on the first page');
  // paging back from the oldest one shown reaches the very first message
  let before = page.messages[0]!.seq;
  const seen = texts(page.messages);
  for (let guard = 0; guard < 30; guard++) {
    const older = await h.core.history(alice.caller, { target: '#c', before, limit: 50 });
    seen.unshift(...texts(older.messages));
    if (!older.has_more) break;
    before = older.messages[0]!.seq;
  }
  assert.equal(seen.length, 30);
  assert.ok(seen[0]?.startsWith('0 '));
});
