// Turning SQLite failures into the store's typed errors (docs/DEVELOPING.md): a UNIQUE violation is a
// conflict the core handles; a database that cannot write is StoreUnavailable (HTTP 503).
import Database from 'better-sqlite3';
import { StoreUnavailable } from '../errors.js';

/** Primary result codes meaning "the database cannot do this right now", not "bad request". */
const UNAVAILABLE_PREFIXES = [
  'SQLITE_FULL',
  'SQLITE_READONLY',
  'SQLITE_IOERR',
  'SQLITE_CANTOPEN',
  'SQLITE_BUSY',
  'SQLITE_LOCKED',
  'SQLITE_CORRUPT',
  'SQLITE_NOTADB',
  'SQLITE_PROTOCOL',
  'SQLITE_NOMEM',
];

function sqliteCode(err: unknown): string | null {
  return err instanceof Database.SqliteError ? err.code : null;
}

export function isUniqueViolation(err: unknown): boolean {
  const code = sqliteCode(err);
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

export function isUnavailable(err: unknown): boolean {
  if (err instanceof StoreUnavailable) return true;
  const code = sqliteCode(err);
  if (code === null) return false;
  // Extended codes extend the primary name: SQLITE_IOERR_WRITE, SQLITE_READONLY_DBMOVED, …
  return UNAVAILABLE_PREFIXES.some((p) => code === p || code.startsWith(`${p}_`));
}

/** StoreUnavailable for an unavailability error, else the error unchanged. */
export function mapStoreError(err: unknown): unknown {
  if (err instanceof StoreUnavailable) return err;
  return isUnavailable(err) ? new StoreUnavailable(err) : err;
}
