// The SQLite Store: two connections to one WAL database. The writer runs every transaction, one
// at a time (an async mutex); the read-only reader serves top-level reads and so sees committed
// data only — a poll never sees rows of a transaction that may still roll back.
import { StoreUnavailable } from '../errors.js';
import type { PruneOptions, PruneResult, Store, Tx } from '../store.js';
import { openConnection, StatementCache, type Db, type Synchronous } from './connection.js';
import { migrate } from './migrations.js';
import { Mutex } from './mutex.js';
import type { TxState } from './ops-base.js';
import { prune } from './prune.js';
import { QueueHints } from './queue.js';
import { SqliteReadOps } from './read-ops.js';
import { mapStoreError } from './sql-errors.js';
import { HEARTBEAT_SQL, SqliteTxOps, writeHeartbeat } from './write-ops.js';
import { TokenCache } from './token-cache.js';
import type { ClientRow } from '../store.js';

/** at most this many transactions share one COMMIT */
export const GROUP_MAX = 64;

interface PendingTx {
  fn: (tx: Tx) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
}

export interface SqliteStoreOptions {
  /** NORMAL (default) may lose the last commits on power loss, never corrupts; FULL does not */
  synchronous?: Synchronous;
  busyTimeoutMs?: number;
}

export class SqliteStore extends SqliteReadOps implements Store {
  readonly kind = 'sqlite' as const;
  private readonly writer: StatementCache;
  private readonly mutex = new Mutex();
  private readonly tokens: TokenCache;
  /** transactions waiting for the next group (group commit) */
  private readonly pending: PendingTx[] = [];
  private draining = false;
  private closed = false;
  /** COMMITs of transaction groups so far (diagnostics and tests) */
  groupCommits = 0;

  /** opens (creating if needed) and migrates the database file at `path` */
  static open(path: string, opts: SqliteStoreOptions = {}): SqliteStore {
    const conn = {
      synchronous: opts.synchronous ?? 'normal',
      busyTimeoutMs: opts.busyTimeoutMs ?? 5000,
    };
    const writer = openConnection(path, { ...conn, readonly: false });
    try {
      migrate(writer);
      const reader = openConnection(path, { ...conn, readonly: true });
      return new SqliteStore(path, writer, reader);
    } catch (err) {
      writer.close();
      throw err;
    }
  }

  private constructor(
    readonly path: string,
    writerDb: Db,
    readerDb: Db,
  ) {
    super(new StatementCache(readerDb), null);
    this.writer = new StatementCache(writerDb);
    this.queueHints = new QueueHints();
    this.tokens = new TokenCache(writerDb);
  }

  /** every authenticated request asks this: served from committed rows kept in memory */
  override async getClientByTokenHash(tokenHash: string): Promise<ClientRow | null> {
    if (this.closed) throw new Error('store is closed');
    const cached = this.tokens.get(tokenHash);
    if (cached !== undefined) return cached;
    // the read and the put are one synchronous step: no commit can come between them
    const row = this.clientByTokenHashNow(tokenHash);
    if (row !== null) this.tokens.put(tokenHash, row);
    return row;
  }

  /**
   * Group commit: transactions asked for in the same turn of the event loop, or while another
   * group runs, run together in one SQLite transaction, each in a SAVEPOINT of its own, one after the other, and one COMMIT
   * makes them all durable. Each is resolved only after that COMMIT, so "answered means stored"
   * stays exactly true; one that throws is rolled back to its savepoint alone and rejected. A
   * failure after which SQLite may have rolled back the whole transaction by itself (disk full,
   * I/O error), or a failed COMMIT, rejects every member of the group: none was stored.
   */
  async transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ fn, resolve: resolve as (value: unknown) => void, reject });
      if (this.draining) return;
      this.draining = true;
      // start on the next turn: the requests that arrived in the same turn of the event loop
      // (one read of many sockets) then share the first COMMIT too, not only the later ones
      setImmediate(() => void this.drain());
    });
  }

  private async drain(): Promise<void> {
    try {
      while (this.pending.length > 0) {
        const group = this.pending.splice(0, GROUP_MAX);
        await this.mutex.with(() => this.runGroup(group));
      }
    } finally {
      this.draining = false;
    }
  }

  private async runGroup(group: PendingTx[]): Promise<void> {
    try {
      this.begin();
    } catch (err) {
      for (const p of group) p.reject(err);
      return;
    }
    const solo = group.length === 1;
    const ran: { p: PendingTx; value: unknown }[] = [];
    /** set when the transaction as a whole can no longer be trusted */
    let broken: unknown = undefined;
    for (const p of group) {
      if (broken !== undefined) {
        p.reject(new StoreUnavailable(broken));
        continue;
      }
      const state: TxState = { open: true, failure: undefined };
      try {
        if (!solo) this.writer.get('SAVEPOINT grouped').run();
      } catch (err) {
        broken = err;
        p.reject(mapStoreError(err));
        continue;
      }
      try {
        const value = await p.fn(new SqliteTxOps(this.writer, state));
        // the callback may have swallowed a failure after which SQLite rolled back by itself
        if (state.failure !== undefined) throw new StoreUnavailable(state.failure);
        state.open = false;
        if (!solo) this.writer.get('RELEASE grouped').run();
        ran.push({ p, value });
      } catch (err) {
        state.open = false;
        p.reject(err);
        if (state.failure !== undefined || !this.writer.db.inTransaction) {
          broken = state.failure ?? err;
        } else if (!solo) {
          try {
            this.writer.get('ROLLBACK TO grouped').run();
            this.writer.get('RELEASE grouped').run();
          } catch (undo) {
            broken = undo;
          }
        } else {
          this.rollback();
          return;
        }
      }
    }
    if (broken !== undefined) {
      this.rollback();
      for (const { p } of ran) p.reject(new StoreUnavailable(broken));
      return;
    }
    try {
      this.commit();
    } catch (err) {
      for (const { p } of ran) p.reject(err);
      return;
    }
    this.groupCommits++;
    for (const { p, value } of ran) p.resolve(value);
  }

  async prune(opts: PruneOptions): Promise<PruneResult> {
    try {
      return await prune(this.st, (fn) => this.writeBatch(fn), opts);
    } catch (err) {
      throw mapStoreError(err);
    }
  }

  /** really writes (a heartbeat row), through the same lock and transaction path as the core */
  override async canWrite(): Promise<boolean> {
    try {
      await this.writeBatch((w) => writeHeartbeat(w.get(HEARTBEAT_SQL)));
      return true;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    await this.mutex.with(() => {
      if (this.closed) return;
      this.closed = true;
      this.st.db.close();
      this.writer.db.close();
    });
  }

  /** For tests and diagnostics only: runs a PRAGMA on the writer connection. */
  writerPragma(source: string): unknown {
    return this.writer.db.pragma(source);
  }

  /** one synchronous write transaction under the lock (retention batches, heartbeat) */
  private async writeBatch<T>(fn: (w: StatementCache) => T): Promise<T> {
    return this.mutex.with(() => {
      this.begin();
      let result: T;
      try {
        result = fn(this.writer);
      } catch (err) {
        this.rollback();
        throw mapStoreError(err);
      }
      this.commit();
      return result;
    });
  }

  private begin(): void {
    if (this.closed) throw new Error('store is closed');
    try {
      // IMMEDIATE takes the write lock now, so a busy database fails here, before any work
      this.writer.get('BEGIN IMMEDIATE').run();
    } catch (err) {
      throw mapStoreError(err);
    }
  }

  private commit(): void {
    try {
      this.writer.get('COMMIT').run();
    } catch (err) {
      this.rollback();
      throw mapStoreError(err);
    }
    // revocations take effect in memory before any answer of this transaction is written
    this.tokens.settle();
  }

  /** best effort: after SQLITE_FULL/IOERR SQLite may already have rolled back by itself */
  private rollback(): void {
    try {
      if (this.writer.db.inTransaction) this.writer.get('ROLLBACK').run();
    } catch {
      // nothing more to undo; the connection stays usable for the next transaction
    } finally {
      // what the transaction touched is dropped all the same (it costs a read, never a stale row)
      this.tokens.settle();
    }
  }
}
