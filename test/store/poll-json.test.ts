// Delivery.pollJson (the HTTP poll route's answer) splices the stored JSON text of each entry into
// the answer instead of parsing and serialising it: it must be the same JSON as Delivery.poll
// gives, for the same reads — the same entries, cut at the same byte budget, the same last_id and
// gap — whatever the stored text holds. Real SqliteStore, real Delivery, memory bus.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { MemoryBus } from '../../src/bus/memory-bus.js';
import { systemClock } from '../../src/delivery/clock.js';
import { Delivery, type DeliverySettings } from '../../src/delivery/delivery.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { Fixture } from './contract-helpers.js';

const BODIES = [
  ['plain'],
  ['ünïcödé ☃ 𝄞 and "quotes" \\ back\\slash\n\ttabs'],
  ['\u0000\u001f control', 'lone \ud800 surrogate'],
  [''],
  ['x'.repeat(3000)],
];

async function withDelivery(
  settings: Partial<DeliverySettings>,
  body: (d: Delivery, fx: Fixture, ids: { sessionId: number; clientId: number }) => Promise<void>,
) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chat-poll-json-'));
  const store = SqliteStore.open(path.join(dir, 'chat.db'));
  const d = new Delivery(
    store,
    new MemoryBus(),
    { batchMax: 500, maxBytes: 1 << 20, queueMaxEntries: 0, maxHeldPerClient: 2, ...settings },
    systemClock,
  );
  try {
    const fx = new Fixture(store);
    const { session, client } = await fx.user('alice');
    for (let round = 0; round < 3; round++) {
      for (const b of BODIES) {
        const env = fx.envelope('PRIVMSG', 'alice', b);
        // integer-like keys come first after a parse: the order may differ, never the JSON's value
        env.meta = { b: 1, '10': 'ten', '2': [1.5, -0, 1e21, null, true], nested: { é: {} } };
        await fx.append(env, { kind: 'session', sessionId: session.id });
      }
    }
    await body(d, fx, { sessionId: session.id, clientId: client.id });
  } finally {
    d.shutdown();
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** polls with both forms from `after` until the queue is empty, comparing every answer */
async function compareAll(d: Delivery, caller: { sessionId: number; clientId: number }) {
  let after: number | null = null;
  let answers = 0;
  for (;;) {
    const req = { caller, after, timeoutMs: 0, signal: new AbortController().signal };
    const objects = await d.poll(req);
    const text = await d.pollJson(req);
    assert.deepStrictEqual(JSON.parse(text), JSON.parse(JSON.stringify(objects)));
    answers++;
    if (objects.messages.length === 0) return answers;
    after = objects.last_id;
  }
}

void test('pollJson: the same JSON as poll, one large page', () =>
  withDelivery({}, async (d, _fx, caller) => {
    assert.equal(await compareAll(d, caller), 2);
  }));

void test('pollJson: the same cut at a small byte budget and a small batch', () =>
  withDelivery({ maxBytes: 4000, batchMax: 4 }, async (d, _fx, caller) => {
    // the 3,000-character entries force cuts at the byte budget, batchMax the others
    assert.ok((await compareAll(d, caller)) >= 5);
  }));

void test('pollJson: a gap is reported the same way', () =>
  withDelivery({ queueMaxEntries: 4, batchMax: 3 }, async (d, _fx, caller) => {
    const req = { caller, after: 0, timeoutMs: 0, signal: new AbortController().signal };
    const objects = await d.poll(req);
    assert.equal(objects.gap, true);
    assert.deepStrictEqual(JSON.parse(await d.pollJson(req)), JSON.parse(JSON.stringify(objects)));
  }));

void test('pollJson: an empty queue answers no messages and keeps the cursor', () =>
  withDelivery({}, async (d, _fx, caller) => {
    const first = await d.poll({
      caller,
      after: null,
      timeoutMs: 0,
      signal: new AbortController().signal,
    });
    const req = {
      caller,
      after: first.last_id,
      timeoutMs: 0,
      signal: new AbortController().signal,
    };
    assert.equal(await d.pollJson(req), `{"messages":[],"last_id":${first.last_id}}`);
  }));
