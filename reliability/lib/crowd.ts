// Many sessions at once for the reliability suites (A4, F4, B12, F5): bounded parallel creation
// over HTTP, a client's starting cursor, and the on-disk size of the store. Every loop is bounded
// by count and by a deadline.
import type http from 'node:http';
import fs from 'node:fs';
import Database from 'better-sqlite3';
import type { PollResult as Page } from '../../src/model/api.js';
import { call, createSession, type Created } from './http.js';

/**
 * Runs `fn` over `items` with at most `limit` in flight; stops starting new ones at `deadline`
 * (the answer then holds fewer results than items, which the caller must check).
 */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  deadline: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const out: R[] = [];
  let next = 0;
  const worker = async () => {
    while (next < items.length && Date.now() < deadline) {
      const i = next++;
      out[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out.filter((r) => r !== undefined);
}

/** Creates `n` sessions named `<prefix><i>`, `concurrency` at a time; throws if any fails. */
export async function createSessions(
  port: number,
  prefix: string,
  n: number,
  o: { agent: http.Agent; concurrency?: number; deadline: number },
): Promise<Created[]> {
  const names = Array.from({ length: n }, (_, i) => `${prefix}${i}`);
  const made = await mapLimit(names, o.concurrency ?? 16, o.deadline, (nick) =>
    createSession(port, nick, o.agent),
  );
  if (made.length !== n) throw new Error(`created ${made.length} of ${n} sessions by the deadline`);
  return made;
}

/**
 * Reads a client's queue to its end without waiting (welcome burst, JOIN replies…) and answers
 * the cursor to poll from. At most `maxPolls` answers are read.
 */
export async function drainCursor(
  port: number,
  token: string,
  a?: http.Agent,
  maxPolls = 50,
): Promise<number> {
  let after: number | null = null;
  for (let i = 0; i < maxPolls; i++) {
    const q: string = after === null ? '' : `after=${after}&`;
    const r = await call<Page>(port, 'GET', `/api/v1/messages?${q}timeout=0`, {
      token,
      ...(a ? { agent: a } : {}),
    });
    if (r.status !== 200) throw new Error(`drain: ${r.status} ${r.text}`);
    after = r.body.last_id;
    if (r.body.messages.length === 0) return after;
  }
  throw new Error(`drain: queue not empty after ${maxPolls} polls`);
}

export interface StoreSize {
  /** chat.db plus chat.db-wal on disk */
  fileBytes: number;
  /** the database's logical size (page_count × page_size, WAL content included) */
  pageBytes: number;
  /** bytes of b-tree pages in use (dbstat, free pages excluded) by table or index */
  byObject: Record<string, number>;
  /** sum of byObject */
  usedBytes: number;
}

/**
 * Measures the store from a read-only connection of the test process (WAL mode lets it read
 * beside the server). Page counts are coarse (4 KiB steps), so callers divide by many messages.
 */
export function storeSize(dbPath: string): StoreSize {
  const fileBytes = [dbPath, `${dbPath}-wal`].reduce(
    (n, p) => n + (fs.existsSync(p) ? fs.statSync(p).size : 0),
    0,
  );
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  try {
    const pageSize = db.pragma('page_size', { simple: true }) as number;
    const pageCount = db.pragma('page_count', { simple: true }) as number;
    // unused bytes inside pages are excluded so the figure moves with each row, not each page
    const rows = db
      .prepare('SELECT name, SUM(pgsize - unused) AS bytes FROM dbstat GROUP BY name')
      .all() as { name: string; bytes: number }[];
    const byObject = Object.fromEntries(rows.map((r) => [r.name, r.bytes]));
    const usedBytes = rows.reduce((n, r) => n + r.bytes, 0);
    return { fileBytes, pageBytes: pageSize * pageCount, byObject, usedBytes };
  } finally {
    db.close();
  }
}
