// Retention (docs/sessions.md): queue age, history rotation (rotate.ts), purge of removed channels, old
// intervals, txns, spent stamps and signatures. Planning reads use the reader connection (they
// block nobody); deletes run in bounded batches (prune-batches.ts). Idempotent: each step
// re-derives its work from the data.
import type { PruneOptions, PruneResult } from '../store.js';
import type { StatementCache } from './connection.js';
import { BATCH_ROWS, deleteInBatches, yieldToLoop, type WriteBatch } from './prune-batches.js';
import { purgeRemovedChannels, rotateChannels, rotateDmPairs } from './rotate.js';

// seqs per age-deletion transaction (a range of the primary key)
const AGE_WINDOW = 5000;

const META_GET = 'SELECT value FROM meta WHERE key = ?';
// watermarks only ever rise, also when two processes prune at once
const META_RAISE = `INSERT INTO meta (key, value) VALUES (?, ?)
  ON CONFLICT (key) DO UPDATE SET value = max(value, excluded.value)`;

export async function prune(
  reader: StatementCache,
  write: WriteBatch,
  opts: PruneOptions,
): Promise<PruneResult> {
  const cutoff = opts.now - opts.queueMaxAgeMs;
  const floor = await raiseAgeFloor(reader, write, cutoff);
  const queueRowsDeleted = await deleteAgedRows(reader, write, floor);
  let historyRowsDeleted = await rotateChannels(reader, write, opts.maxHistory);
  historyRowsDeleted += await rotateDmPairs(reader, write, opts.maxHistory, floor);
  const purged = await purgeRemovedChannels(reader, write, cutoff);
  historyRowsDeleted += purged.rows;
  // an interval that ended at or below the floor entitles no reader to anything any more
  await deleteInBatches(
    write,
    `DELETE FROM memberships WHERE id IN (SELECT id FROM memberships
      WHERE parted_seq IS NOT NULL AND parted_seq <= ? LIMIT ?)`,
    floor,
  );
  const txnsDeleted = await deleteInBatches(
    write,
    `DELETE FROM txns WHERE (client_id, txn) IN (SELECT client_id, txn FROM txns
      WHERE created_at < ? LIMIT ?)`,
    opts.now - opts.txnMaxAgeMs,
  );
  await deleteInBatches(
    write,
    `DELETE FROM spent_stamps WHERE stamp IN (SELECT stamp FROM spent_stamps
      WHERE expires_at < ? LIMIT ?)`,
    opts.now,
  );
  await deleteInBatches(
    write,
    `DELETE FROM spent_signatures WHERE digest IN (SELECT digest FROM spent_signatures
      WHERE expires_at < ? LIMIT ?)`,
    opts.now,
  );
  return { queueRowsDeleted, historyRowsDeleted, channelsPurged: purged.channels, txnsDeleted };
}

function metaValue(st: StatementCache, key: string): number {
  const v = st.get(META_GET).pluck().get(key) as number | undefined;
  return v ?? 0;
}

/**
 * The age floor: the end of the longest run of seqs (from the previous floor on) whose rows are
 * all older than the cutoff. Row times follow seq order, so this is the highest seq older than
 * the cutoff; if a clock ever stepped back, the floor stops early rather than drop a young row.
 * The scan starts at the previous floor, so each run reads only newly aged rows.
 */
async function raiseAgeFloor(
  reader: StatementCache,
  write: WriteBatch,
  cutoff: number,
): Promise<number> {
  let floor = metaValue(reader, 'age_floor');
  const page = reader.get('SELECT seq, ts FROM events WHERE seq > ? ORDER BY seq LIMIT ?').raw();
  scan: for (;;) {
    const rows = page.all(floor, BATCH_ROWS) as [number, number][];
    for (const [seq, ts] of rows) {
      if (ts >= cutoff) break scan;
      floor = seq;
    }
    if (rows.length < BATCH_ROWS) break;
    await yieldToLoop();
  }
  return write((w) => {
    w.get(META_RAISE).run('age_floor', floor);
    return metaValue(w, 'age_floor');
  });
}

/**
 * Deletes the queue-only rows at or below the floor (client-addressed, and session-addressed
 * ones that are not DMs: DMs are history, kept up to MAX_HISTORY per pair like channel
 * messages), one seq window per transaction. Progress is its own watermark, so an interrupted
 * run resumes where it stopped.
 */
async function deleteAgedRows(
  reader: StatementCache,
  write: WriteBatch,
  floor: number,
): Promise<number> {
  let done = metaValue(reader, 'age_deleted_upto');
  let deleted = 0;
  while (done < floor) {
    const lo = done;
    const hi = Math.min(lo + AGE_WINDOW, floor);
    deleted += await write((w) => {
      const n = w
        .get(
          `DELETE FROM events WHERE seq > ? AND seq <= ?
            AND ((session_id IS NOT NULL AND dm_pair IS NULL) OR client_id IS NOT NULL)`,
        )
        .run(lo, hi).changes;
      // listings of the deleted rows (a QUIT addressed to a session, shown in its channels)
      w.get(
        `DELETE FROM event_channels WHERE seq > ? AND seq <= ?
          AND NOT EXISTS (SELECT 1 FROM events e WHERE e.seq = event_channels.seq)`,
      ).run(lo, hi);
      w.get(META_RAISE).run('age_deleted_upto', hi);
      return n;
    });
    done = hi;
  }
  return deleted;
}
