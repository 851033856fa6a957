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

export interface SqliteStoreOptions {
  /** NORMAL (default) may lose the last commits on power loss, never corrupts; FULL does not */
  synchronous?: Synchronous;
  busyTimeoutMs?: number;
}

export class SqliteStore extends SqliteReadOps implements Store {
  readonly kind = 'sqlite' as const;
  private readonly writer: StatementCache;
  private readonly mutex = new Mutex();
  private closed = false;

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
  }

  async transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    return this.mutex.with(async () => {
      this.begin();
      const state: TxState = { open: true, failure: undefined };
      let result: T;
      try {
        result = await fn(new SqliteTxOps(this.writer, state));
        // the callback may have swallowed a failure after which SQLite rolled back by itself
        if (state.failure !== undefined) throw new StoreUnavailable(state.failure);
      } catch (err) {
        state.open = false;
        this.rollback();
        throw err;
      }
      state.open = false;
      this.commit();
      return result;
    });
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
  }

  /** best effort: after SQLITE_FULL/IOERR SQLite may already have rolled back by itself */
  private rollback(): void {
    if (!this.writer.db.inTransaction) return;
    try {
      this.writer.get('ROLLBACK').run();
    } catch {
      // nothing more to undo; the connection stays usable for the next transaction
    }
  }
}
