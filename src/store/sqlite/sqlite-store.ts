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
