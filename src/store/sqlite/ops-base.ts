// What every ops object shares: its connection's statement cache, and, inside a transaction, the
// transaction's state. Every method body runs through run(), which maps SQLite errors.
import { StoreUnavailable } from '../errors.js';
import type { StatementCache } from './connection.js';
import { mapStoreError } from './sql-errors.js';

/** The state of one write transaction, shared by its ops object and SqliteStore.transaction. */
export interface TxState {
  open: boolean;
  /**
   * The first unavailability error seen. SQLite may roll a transaction back by itself after
   * SQLITE_FULL/IOERR/BUSY, so later statements would run outside any transaction: once set,
   * the transaction refuses further work and is rolled back instead of committed.
   */
  failure: unknown;
}

export class OpsBase {
  constructor(
    protected readonly st: StatementCache,
    protected readonly tx: TxState | null,
  ) {}

  protected run<T>(body: () => T): T {
    const tx = this.tx;
    if (tx !== null) {
      if (!tx.open) throw new Error('store transaction already finished');
      if (tx.failure !== undefined) throw new StoreUnavailable(tx.failure);
    }
    try {
      return body();
    } catch (err) {
      const mapped = mapStoreError(err);
      if (tx !== null && mapped instanceof StoreUnavailable && tx.failure === undefined) {
        tx.failure = err;
      }
      throw mapped;
    }
  }

  /** runs body in one read snapshot (a no-op wrapper when a transaction is already open) */
  protected snapshot<T>(body: () => T): T {
    const db = this.st.db;
    if (db.inTransaction) return body();
    this.st.get('BEGIN').run();
    try {
      return body();
    } finally {
      this.st.get('COMMIT').run();
    }
  }
}
