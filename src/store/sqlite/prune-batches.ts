// Bounded delete batches shared by the retention steps. Each batch is its own short write
// transaction, so retention never holds the writer for long, and each is idempotent, so two
// processes pruning at once only find less to delete.
import type { StatementCache } from './connection.js';

/** runs one batch in a write transaction (serialised with all other transactions) */
export type WriteBatch = <T>(fn: (w: StatementCache) => T) => Promise<T>;

export const BATCH_ROWS = 2000;

/** lets held polls and requests run between synchronous planning reads of a long prune */
export function yieldToLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

const ROWS_BELOW = {
  channel: 'SELECT seq FROM events WHERE channel_id = ? AND seq < ? ORDER BY seq LIMIT ?',
  dm: 'SELECT seq FROM events WHERE dm_pair = ? AND seq < ? ORDER BY seq LIMIT ?',
};
const DELETE_EVENTS = 'DELETE FROM events WHERE seq IN (SELECT value FROM json_each(?))';
// a deleted row may still be listed under further channels (NICK, QUIT)
const DELETE_LISTINGS = 'DELETE FROM event_channels WHERE seq IN (SELECT value FROM json_each(?))';

/**
 * Deletes every row of a channel or DM pair with seq < below, BATCH_ROWS per transaction;
 * `inBatch` runs in each batch's transaction (watermarks commit with the deletes they describe).
 * Returns the number of rows deleted.
 */
export async function deleteRowsBelow(
  write: WriteBatch,
  kind: 'channel' | 'dm',
  key: number | string,
  below: number,
  inBatch: (w: StatementCache) => void,
): Promise<number> {
  let deleted = 0;
  for (;;) {
    const n = await write((w) => {
      inBatch(w);
      const seqs = w.get(ROWS_BELOW[kind]).pluck().all(key, below, BATCH_ROWS) as number[];
      if (seqs.length === 0) return 0;
      const list = JSON.stringify(seqs);
      w.get(DELETE_LISTINGS).run(list);
      return w.get(DELETE_EVENTS).run(list).changes;
    });
    deleted += n;
    if (n < BATCH_ROWS) return deleted;
  }
}

/** repeats a `DELETE … LIMIT`-shaped statement (given as SQL with a trailing limit parameter) */
export async function deleteInBatches(
  write: WriteBatch,
  sql: string,
  ...args: unknown[]
): Promise<number> {
  let deleted = 0;
  for (;;) {
    const n = await write((w) => w.get(sql).run(...args, BATCH_ROWS).changes);
    deleted += n;
    if (n < BATCH_ROWS) return deleted;
  }
}
