// What the fault tests check after a crash or a stop (reliability/README.mdb): the database file on its
// own (integrity_check, foreign_key_check, the highest seq ever assigned), read with a read-only
// connection while no server runs, and a channel's whole history paged back through the API.
import path from 'node:path';
import Database from 'better-sqlite3';
import { call } from './http.js';

export function dbFile(dir: string): string {
  return path.join(dir, 'chat.db');
}

/** Runs `fn` on a read-only connection to the database file and closes it again. */
export function withReadOnlyDb<T>(file: string, fn: (db: Database.Database) => T): T {
  // read-only: the check must not be what repairs or changes the file the server reopens
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

export interface Integrity {
  /** integrity_check's lines joined ("ok" when sound) */
  integrity: string;
  foreignKeyViolations: number;
  /** the highest events seq ever assigned (sqlite_sequence survives deleting every row) */
  maxSeq: number;
  ok: boolean;
}

export function maxAssignedSeq(db: Database.Database): number {
  const v: unknown = db
    .prepare(`SELECT coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'events'), 0)`)
    .pluck()
    .get();
  return Number(v);
}

export function checkIntegrity(file: string): Integrity {
  return withReadOnlyDb(file, (db) => {
    const rows = db.pragma('integrity_check') as { integrity_check: string }[];
    const integrity = rows.map((r) => r.integrity_check).join('; ');
    const fk = db.pragma('foreign_key_check') as unknown[];
    const maxSeq = maxAssignedSeq(db);
    return {
      integrity,
      foreignKeyViolations: fk.length,
      maxSeq,
      ok: integrity === 'ok' && !fk.length,
    };
  });
}

export interface HistoryEntry {
  id: string;
  seq: number;
  command: string;
  from: string;
  /** body[0] when it is a string (the test key) */
  key: string | null;
}

interface HistoryPage {
  messages: { id: string; seq: number; command: string; from: string; body: unknown }[];
  has_more: boolean;
}

/**
 * A channel's whole retained history, oldest first: pages of 500 going back with `before` = the
 * oldest seq seen (docs/api.md). Bounded by page count and deadline; throws on any non-200.
 */
export async function channelHistory(
  port: number,
  token: string,
  channel: string,
  deadline: number,
  maxPages = 2_000,
): Promise<HistoryEntry[]> {
  const pages: HistoryEntry[][] = [];
  let before = '';
  for (let n = 0; n < maxPages && Date.now() < deadline; n++) {
    const r = await call<HistoryPage>(
      port,
      'GET',
      `/api/v1/history?target=${encodeURIComponent(channel)}&limit=500${before}`,
      { token },
    );
    if (r.status !== 200) throw new Error(`history of ${channel}: ${r.status} ${r.text}`);
    const page = r.body.messages.map((m) => ({
      id: m.id,
      seq: m.seq,
      command: m.command,
      from: m.from,
      key: Array.isArray(m.body) && typeof m.body[0] === 'string' ? m.body[0] : null,
    }));
    pages.push(page);
    if (!r.body.has_more || page.length === 0) return pages.reverse().flat();
    before = `&before=${page[0]!.seq}`;
  }
  throw new Error(`history of ${channel}: not read to its start within the page or time bound`);
}

/** history entries by test key */
export function byKey(entries: readonly HistoryEntry[]): Map<string, HistoryEntry[]> {
  const out = new Map<string, HistoryEntry[]>();
  for (const e of entries) {
    if (e.key === null) continue;
    const list = out.get(e.key);
    if (list) list.push(e);
    else out.set(e.key, [e]);
  }
  return out;
}
