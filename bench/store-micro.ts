// Micro-benchmark of the SQLite store's hot paths (not a pass/fail test):
//   npx tsx bench/store-micro.ts [events=200000] [channels=1000]
// appendEvent to a channel in its own transaction; readQueue of 500 entries for a session in
// 10 channels; readQueue at the tail (nothing new); one prune pass.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fold } from '../src/model/casefold.js';
import type { NewEnvelope } from '../src/model/envelope.js';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.js';

const EVENTS = Number(process.argv[2] ?? 200_000);
const CHANNELS = Number(process.argv[3] ?? 1000);
const T0 = Date.parse('2026-01-01T00:00:00.000Z');
let n = 0;

function envelope(to: string): NewEnvelope {
  n++;
  return {
    id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
    command: 'PRIVMSG',
    from: 'someone',
    to,
    params: [],
    body: [`message number ${n} with a little text in it`],
    ts: new Date(T0 + n).toISOString(),
    meta: {},
  };
}

async function timeIt(label: string, runs: number, fn: () => Promise<unknown>): Promise<void> {
  for (let i = 0; i < Math.min(50, runs); i++) await fn(); // warm up caches and statements
  const start = process.hrtime.bigint();
  for (let i = 0; i < runs; i++) await fn();
  const us = Number(process.hrtime.bigint() - start) / 1000 / runs;
  console.log(`${label}: ${us.toFixed(1)} µs/op (${runs} runs)`);
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chat-bench-'));
  const store = SqliteStore.open(path.join(dir, 'bench.db'));
  try {
    const { session, client, channels } = await store.transaction(async (tx) => {
      const session = await tx.createSession({
        nick: 'reader',
        nickFolded: fold('reader'),
        user: '~reader',
        passwordHash: null,
        modes: '',
        createdAt: T0,
      });
      const client = await tx.createClient({
        sessionId: session.id,
        tokenHash: 'h',
        createdAt: T0,
      });
      const channels = [];
      for (let i = 0; i < CHANNELS; i++) {
        const name = `#c${i}`;
        channels.push(
          await tx.createChannel({ name, nameFolded: fold(name), modes: 'nt', createdAt: T0 }),
        );
      }
      for (const ch of channels.slice(0, 10)) {
        await tx.addMember({ sessionId: session.id, channelId: ch.id, joinedSeq: 1, modes: '' });
      }
      return { session, client, channels };
    });
    const t = Date.now();
    await store.transaction(async (tx) => {
      for (let i = 0; i < EVENTS; i++) {
        const ch = channels[i % CHANNELS]!;
        await tx.appendEvent(envelope(ch.name), { kind: 'channel', channelId: ch.id });
      }
    });
    console.log(`filled ${EVENTS} events over ${CHANNELS} channels in ${Date.now() - t} ms`);
    // appends go to a channel the reader is not in, so its queue below stays as filled
    const target = channels[CHANNELS - 1]!;
    await timeIt('appendEvent (own transaction)', 5000, () =>
      store.transaction((tx) =>
        tx.appendEvent(envelope(target.name), { kind: 'channel', channelId: target.id }),
      ),
    );
    // the reader's 10 channels hold 1 % of the fill traffic: ~600 of its entries follow `after`
    const latest = await store.latestSeq();
    const base = { clientId: client.id, sessionId: session.id, limit: 500, maxEntries: 10_000 };
    const opts = { ...base, after: latest - 5050 - Math.round((600 * CHANNELS) / 10) };
    console.log(`readQueue returns ${(await store.readQueue(opts)).entries.length} entries`);
    await timeIt('readQueue 500 entries, 10 channels', 2000, () => store.readQueue(opts));
    await timeIt('readQueue at the tail (empty)', 20000, () =>
      store.readQueue({ ...base, after: latest }),
    );
    // a client catching up: pages of 500 following the cursor
    const start = latest - 5050 - Math.round((5000 * CHANNELS) / 10);
    let pages = 0;
    const t1 = process.hrtime.bigint();
    for (let after = start; ; pages++) {
      const { entries } = await store.readQueue({ ...base, after });
      if (entries.length === 0) break;
      after = entries[entries.length - 1]!.seq;
    }
    const perPage = Number(process.hrtime.bigint() - t1) / 1000 / pages;
    console.log(`catch-up paging: ${pages} pages, ${perPage.toFixed(1)} µs/page`);
    await timeIt('readQueue 500 with an exact maxEntries count (same cursor)', 200, () =>
      store.readQueue({ ...base, after: start }),
    );
    const p = Date.now();
    const pruned = await store.prune({
      now: T0 + n,
      queueMaxAgeMs: 3_600_000,
      maxHistory: 100,
      txnMaxAgeMs: 1,
    });
    console.log(`first prune (rotate to 100/channel): ${Date.now() - p} ms`, pruned);
    const p2 = Date.now();
    await store.prune({ now: T0 + n, queueMaxAgeMs: 3_600_000, maxHistory: 100, txnMaxAgeMs: 1 });
    console.log(`second prune (nothing to do): ${Date.now() - p2} ms`);
  } finally {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

await main();
