// Authentication without a store read per request: committed client rows by token hash.
//
// Correctness first: a revoked token must never be accepted once the revoking request was
// answered. Every change to a clients row (delete, token rotation, cursor, last_seen…) and every
// session deletion is seen by TEMP triggers on the writer connection, which call back into this
// cache; the rows they name are dropped when the transaction commits (or rolls back), in the same
// synchronous step as the COMMIT, so before any answer of the revoking request can be written.
// Dropping at the trigger alone would not do: a lookup through the reader connection between the
// statement and the COMMIT still sees the old row and could put it back.
// A commit by any other connection (another process on the same file: chatd itself is one process
// per database, so this is someone editing the file by hand) empties the whole cache, seen through
// the writer's `PRAGMA data_version`, asked at most every EXTERNAL_CHECK_MS: the pragma costs
// about half a lookup, and no request of ours is ordered against such a commit anyway.
import type { ClientRow } from '../store.js';
import type { Db, Stmt } from './connection.js';

/** how stale the cache may be after another process changed the file */
export const EXTERNAL_CHECK_MS = 100;

const CHANGED_FN = 'chatd_client_row_changed';
const SESSION_GONE_FN = 'chatd_session_row_deleted';

const TRIGGERS = [
  `CREATE TEMP TRIGGER IF NOT EXISTS chatd_tc_client_update AFTER UPDATE ON main.clients
     BEGIN SELECT ${CHANGED_FN}(OLD.id); END`,
  `CREATE TEMP TRIGGER IF NOT EXISTS chatd_tc_client_delete AFTER DELETE ON main.clients
     BEGIN SELECT ${CHANGED_FN}(OLD.id); END`,
  // clients go with their session by ON DELETE CASCADE; this one does not rely on it
  `CREATE TEMP TRIGGER IF NOT EXISTS chatd_tc_session_delete AFTER DELETE ON main.sessions
     BEGIN SELECT ${SESSION_GONE_FN}(OLD.id); END`,
];

export class TokenCache {
  private readonly byHash = new Map<string, ClientRow>();
  private readonly hashById = new Map<number, string>();
  /** client ids changed by the open write transaction */
  private readonly dirty = new Set<number>();
  /** a session was deleted in the open write transaction: everything goes at its end */
  private dropAll = false;
  private readonly dataVersion: Stmt;
  private seenVersion: number;
  private checkedAt: number;

  /** `writer`: the connection every write of this process goes through */
  constructor(
    writer: Db,
    private readonly capacity = 50_000,
    private readonly now: () => number = () => performance.now(),
  ) {
    writer.function(CHANGED_FN, { deterministic: false, varargs: false }, (id: unknown) => {
      if (typeof id === 'number' || typeof id === 'bigint') this.dirty.add(Number(id));
      else this.dropAll = true;
      return null;
    });
    // one argument (the session id), as the trigger passes it; SQLite checks the count
    writer.function(SESSION_GONE_FN, { deterministic: false, varargs: false }, (_id: unknown) => {
      this.dropAll = true;
      return null;
    });
    for (const sql of TRIGGERS) writer.exec(sql);
    this.dataVersion = writer.prepare('PRAGMA data_version').pluck();
    this.seenVersion = this.version();
    this.checkedAt = this.now();
  }

  /** the cached row (a copy), or undefined: then read and `put` it */
  get(tokenHash: string): ClientRow | undefined {
    const now = this.now();
    if (now - this.checkedAt >= EXTERNAL_CHECK_MS) {
      this.checkedAt = now;
      const v = this.version();
      if (v !== this.seenVersion) {
        // another connection committed: it may have revoked anything
        this.seenVersion = v;
        this.clear();
        return undefined;
      }
    }
    const row = this.byHash.get(tokenHash);
    return row === undefined ? undefined : { ...row };
  }

  /** a row just read from committed data, in the same synchronous step as the read */
  put(tokenHash: string, row: ClientRow): void {
    // changed by a transaction still open: what the reader saw may be revoked at its commit
    if (this.dropAll || this.dirty.has(row.id)) return;
    const old = this.hashById.get(row.id);
    if (old !== undefined) this.byHash.delete(old);
    this.byHash.set(tokenHash, { ...row });
    this.hashById.set(row.id, tokenHash);
    if (this.byHash.size > this.capacity) {
      // Map keeps insertion order: the first entry is the oldest
      const first = this.byHash.entries().next();
      if (first.done !== true) this.forget(first.value[0], first.value[1].id);
    }
  }

  /** the write transaction ended (committed or rolled back): drop what it touched */
  settle(): void {
    if (this.dropAll) this.clear();
    else {
      for (const id of this.dirty) {
        const hash = this.hashById.get(id);
        if (hash !== undefined) this.forget(hash, id);
      }
    }
    this.dirty.clear();
    this.dropAll = false;
    // our own commits move data_version of the other connections only, not the writer's
  }

  get size(): number {
    return this.byHash.size;
  }

  private forget(hash: string, id: number): void {
    this.byHash.delete(hash);
    this.hashById.delete(id);
  }

  private clear(): void {
    this.byHash.clear();
    this.hashById.clear();
  }

  private version(): number {
    return Number(this.dataVersion.get());
  }
}
