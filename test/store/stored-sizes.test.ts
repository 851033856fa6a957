// readQueue gives each entry's JSON size from the stored text (queue.ts envelopeBytes), so the
// poll answer's byte budget need not serialise every entry again: that size must be exactly
// Buffer.byteLength(JSON.stringify(entry)), whatever the text holds.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { Fixture } from './contract-helpers.js';

void test('stored sizes: readQueue’s size of each entry is the size of its JSON', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chat-sizes-'));
  const store = SqliteStore.open(path.join(dir, 'chat.db'));
  try {
    const fx = new Fixture(store);
    const { session, client } = await fx.user('alice');
    const bodies = [
      ['plain'],
      ['ünïcödé ☃ 𝄞 and "quotes" \\ back\\slash\n\ttabs'],
      ['\u0000\u001f control', 'lone \ud800 surrogate'],
      [''],
    ];
    for (const body of bodies) {
      const env = fx.envelope('PRIVMSG', 'alice', body);
      // keys that look like integers come first after a parse: the order changes, not the size
      env.meta = { b: 1, '10': 'ten', '2': [1.5, -0, 1e21, null, true], nested: { é: {} } };
      await fx.append(env, { kind: 'session', sessionId: session.id });
    }
    const read = await store.readQueue({
      clientId: client.id,
      sessionId: session.id,
      after: 0,
      limit: 100,
      maxEntries: 0,
    });
    assert.equal(read.entries.length, bodies.length);
    assert.deepEqual(
      read.sizes,
      read.entries.map((e) => Buffer.byteLength(JSON.stringify(e), 'utf8')),
    );
  } finally {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
