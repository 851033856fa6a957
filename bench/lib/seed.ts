// Seeds a database with one channel of many members through the project's own store, the way the
// core does it (sessions, clients with hashed tokens, a JOIN event per member, then the membership
// with joinedSeq = that event's seq). Creating 10,000 members over HTTP takes minutes: every JOIN
// answers with the NAMES of the whole channel so far (3,000 took 65 s here, and growing).
import { randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
import { fold } from '../../src/model/casefold.js';
import { makeEnvelope } from '../../src/protocol/envelope.js';
import { hashToken, newToken } from '../../src/protocol/tokens.js';
import { openStore } from '../../src/store/open-store.js';

export interface Seeded {
  /** tokens of the members, in order: member i has nick m<i> */
  tokens: string[];
  /** the highest seq after seeding: pollers start after it */
  latestSeq: number;
  /** bytes used by the database after seeding (see dbBytes) */
  bytes: number;
  seconds: number;
}

export async function seedChannel(dbPath: string, members: number, channel: string) {
  const t0 = performance.now();
  const store = await openStore({ url: `file:${dbPath}` });
  const tokens = Array.from({ length: members }, () => newToken());
  const now = Date.now();
  try {
    await store.transaction(async (tx) => {
      const ch = await tx.createChannel({
        name: channel,
        nameFolded: fold(channel),
        modes: 'nt',
        createdAt: now,
      });
      for (let i = 0; i < members; i++) {
        const nick = `m${i}`;
        const session = await tx.createSession({
          nick,
          nickFolded: fold(nick),
          user: '~' + nick.slice(0, 9),
          passwordHash: null,
          modes: 'i',
          createdAt: now,
        });
        await tx.createClient({
          sessionId: session.id,
          tokenHash: hashToken(tokens[i]!),
          createdAt: now,
        });
        const join = await tx.appendEvent(
          makeEnvelope({ command: 'JOIN', from: nick, to: channel }, randomUUID(), now),
          { kind: 'channel', channelId: ch.id },
        );
        await tx.addMember({
          sessionId: session.id,
          channelId: ch.id,
          joinedSeq: join.seq,
          modes: i === 0 ? 'o' : '',
        });
      }
    });
    const latestSeq = await store.latestSeq();
    await store.close();
    const seeded: Seeded = {
      tokens,
      latestSeq,
      bytes: dbBytes(dbPath),
      seconds: (performance.now() - t0) / 1000,
    };
    return seeded;
  } catch (err) {
    await store.close();
    throw err;
  }
}

/**
 * Bytes in use by the database: the WAL checkpointed into the main file first, then
 * (page_count − freelist_count) × page_size. Call it only while no server has the file open.
 */
export function dbBytes(dbPath: string): number {
  const db = new Database(dbPath);
  try {
    db.pragma('wal_checkpoint(TRUNCATE)');
    const pages = db.pragma('page_count', { simple: true }) as number;
    const free = db.pragma('freelist_count', { simple: true }) as number;
    const size = db.pragma('page_size', { simple: true }) as number;
    return (pages - free) * size;
  } finally {
    db.close();
  }
}

export interface SeededMessages {
  messages: number;
  /** bytes used by the database after seeding (see dbBytes) */
  bytes: number;
  seconds: number;
}

/**
 * Stores `count` PRIVMSGs (100-character texts) from 10 members into one channel, through the
 * store's own appendEvent, in transactions of `batch`: the rows, indexes and JSON are exactly
 * what chatd writes. P8 then times chatd's start-up on that file. Timestamps are spread over the
 * last `spanDays` days, oldest first, so retention (off in the bench: JOB_INTERVAL is 1 h) would
 * see a realistic history.
 */
export async function seedMessages(
  dbPath: string,
  count: number,
  opts: { batch?: number; spanDays?: number; log?: (line: string) => void } = {},
): Promise<SeededMessages> {
  const t0 = performance.now();
  const batch = opts.batch ?? 50_000;
  const spanMs = (opts.spanDays ?? 7) * 86_400_000;
  await seedChannel(dbPath, 10, '#history');
  const store = await openStore({ url: `file:${dbPath}` });
  try {
    const ch = await store.getChannelByName(fold('#history'));
    if (!ch) throw new Error('seedMessages: the channel was not created');
    const start = Date.now() - spanMs;
    for (let done = 0; done < count;) {
      const n = Math.min(batch, count - done);
      await store.transaction(async (tx) => {
        for (let i = done; i < done + n; i++) {
          const nick = `m${i % 10}`;
          const at = start + Math.floor((i / count) * spanMs);
          const text = `message ${i} `.padEnd(100, 'x');
          await tx.appendEvent(
            makeEnvelope(
              { command: 'PRIVMSG', from: nick, to: '#history', body: [text] },
              randomUUID(),
              at,
            ),
            { kind: 'channel', channelId: ch.id },
          );
        }
      });
      done += n;
      opts.log?.(`    ${done.toLocaleString('en-US')} messages`);
    }
  } finally {
    await store.close();
  }
  return {
    messages: count,
    bytes: dbBytes(dbPath),
    seconds: (performance.now() - t0) / 1000,
  };
}
