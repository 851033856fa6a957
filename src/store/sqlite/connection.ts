// Opening a connection with the pragmas the store relies on, and a per-connection cache of
// prepared statements (preparing costs more than running most of our statements).
import Database from 'better-sqlite3';

export type Db = Database.Database;
export type Stmt = Database.Statement<unknown[], unknown>;
export type Synchronous = 'normal' | 'full';

export interface ConnectionOptions {
  readonly: boolean;
  synchronous: Synchronous;
  busyTimeoutMs: number;
}

/** Opens one connection. The writer creates the file and switches it to WAL; WAL is persistent. */
export function openConnection(path: string, opts: ConnectionOptions): Db {
  const db = new Database(path, {
    readonly: opts.readonly,
    fileMustExist: opts.readonly,
    timeout: opts.busyTimeoutMs,
  });
  try {
    db.pragma(`busy_timeout = ${opts.busyTimeoutMs}`);
    if (!opts.readonly) {
      // WAL lets the reader connection see committed data only, without blocking the writer.
      const mode = db.pragma('journal_mode = WAL', { simple: true });
      if (String(mode).toLowerCase() !== 'wal') throw new Error(`cannot enable WAL on ${path}`);
    }
    db.pragma(`synchronous = ${opts.synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
    db.pragma('foreign_keys = ON');
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

/** Prepared statements of one connection, keyed by their SQL text (or a caller-chosen key). */
export class StatementCache {
  private readonly stmts = new Map<string, Stmt>();

  constructor(readonly db: Db) {}

  /** the cached statement for this SQL text */
  get(sql: string): Stmt {
    let stmt = this.stmts.get(sql);
    if (stmt === undefined) {
      stmt = this.db.prepare(sql);
      this.stmts.set(sql, stmt);
    }
    return stmt;
  }

  /** the cached statement under `key`, built by `build` the first time */
  keyed(key: string, build: () => string): Stmt {
    let stmt = this.stmts.get(key);
    if (stmt === undefined) {
      // Generated statements (queue reads per arm count and limit) could grow without bound if
      // callers varied limits wildly; a crude reset keeps memory bounded.
      if (this.stmts.size > 2000) this.stmts.clear();
      stmt = this.db.prepare(build());
      this.stmts.set(key, stmt);
    }
    return stmt;
  }
}
