// History rotation (MAX_HISTORY per channel and per DM pair) and the purge of removed channels.
// Part of prune(): planning reads on the reader, deletes in bounded batches.
import type { StatementCache } from './connection.js';
import { deleteRowsBelow, yieldToLoop, type WriteBatch } from './prune-batches.js';

const MESSAGES = `command IN ('PRIVMSG', 'NOTICE')`;

interface ChannelMark {
  id: number;
  hist_count: number;
  hist_checked: number;
}

/**
 * Where rotation of one target starts, looking at rows up to `upTo`: rows with seq below the
 * returned value go, which keeps the newest maxHistory messages and everything after the oldest
 * of them. Null when there are at most maxHistory messages.
 */
function rotationBound(
  reader: StatementCache,
  column: 'channel_id' | 'dm_pair',
  key: number | string,
  maxHistory: number,
  upTo: number,
): number | null {
  const nthNewest = reader
    .get(
      `SELECT seq FROM events WHERE ${column} = ? AND seq <= ? AND ${MESSAGES}
        ORDER BY seq DESC LIMIT 1 OFFSET ?`,
    )
    .pluck();
  const excess = nthNewest.get(key, upTo, maxHistory) as number | undefined;
  if (excess === undefined) return null;
  if (maxHistory === 0) return excess + 1;
  return nthNewest.get(key, upTo, maxHistory - 1) as number;
}

/**
 * Rotates every live channel. Each channel remembers how many messages it kept as of which seq
 * (hist_count, hist_checked), so a run counts only new messages and walks the kept history only
 * when a rotation is due. The bookkeeping is updated compare-and-set, so a concurrent prune in
 * another process cannot make it count twice; at worst a rotation happens one run later.
 */
export async function rotateChannels(
  reader: StatementCache,
  write: WriteBatch,
  maxHistory: number,
): Promise<number> {
  const marks = reader
    .get('SELECT id, hist_count, hist_checked FROM channels WHERE removed_at IS NULL ORDER BY id')
    .all() as ChannelMark[];
  const latestOf = reader.get('SELECT max(seq) FROM events WHERE channel_id = ?').pluck();
  const countNew = reader
    .get(
      `SELECT count(*) FROM events WHERE channel_id = ? AND seq > ? AND seq <= ? AND ${MESSAGES}`,
    )
    .pluck();
  const setMark = `UPDATE channels SET hist_count = ?, hist_checked = ?
    WHERE id = ? AND hist_checked = ?`;
  let deleted = 0;
  for (const [i, m] of marks.entries()) {
    if (i % 200 === 199) await yieldToLoop();
    const latest = latestOf.get(m.id) as number | null;
    if (latest === null || latest <= m.hist_checked) continue;
    const total = m.hist_count + (countNew.get(m.id, m.hist_checked, latest) as number);
    let kept = total;
    if (total > maxHistory) {
      const below = rotationBound(reader, 'channel_id', m.id, maxHistory, latest);
      if (below !== null) deleted += await rotateChannel(write, m.id, below);
      // after a rotation exactly maxHistory messages are left up to `latest`; without one the
      // bookkeeping had drifted, so recount
      kept = below !== null ? maxHistory : (countNew.get(m.id, 0, latest) as number);
    }
    await write((w) => w.get(setMark).run(kept, latest, m.id, m.hist_checked));
  }
  return deleted;
}

function rotateChannel(write: WriteBatch, id: number, below: number): Promise<number> {
  return deleteRowsBelow(write, 'channel', id, below, (w) => {
    // committed with the deletes, so a reader sees both or neither
    w.get('UPDATE channels SET rotated_upto = max(rotated_upto, ?) WHERE id = ?').run(
      below - 1,
      id,
    );
    w.get('DELETE FROM event_channels WHERE channel_id = ? AND seq < ?').run(id, below);
  });
}

/**
 * Rotates every DM pair, walking the distinct pairs along the dm_pair index. A pair whose
 * session is gone can never be read as history again: its rows go once they are below the age
 * floor (no queue needs them any more).
 */
export async function rotateDmPairs(
  reader: StatementCache,
  write: WriteBatch,
  maxHistory: number,
  ageFloor: number,
): Promise<number> {
  const nextPair = reader
    .get('SELECT dm_pair FROM events WHERE dm_pair > ? ORDER BY dm_pair LIMIT 1')
    .pluck();
  // index only: a pair with at most maxHistory rows has nothing to rotate
  const overCap = reader
    .get('SELECT seq FROM events WHERE dm_pair = ? ORDER BY seq DESC LIMIT 1 OFFSET ?')
    .pluck();
  const sessionExists = reader.get('SELECT 1 FROM sessions WHERE id = ?').pluck();
  let deleted = 0;
  let pair = nextPair.get('') as string | undefined;
  while (pair !== undefined) {
    const ids = pair.split(':').map(Number);
    let below: number | null = null;
    if (ids.some((id) => sessionExists.get(id) === undefined)) below = ageFloor + 1;
    else if (overCap.get(pair, maxHistory) !== undefined) {
      below = rotationBound(reader, 'dm_pair', pair, maxHistory, Number.MAX_SAFE_INTEGER);
    }
    if (below !== null) {
      const bound = below;
      deleted += await deleteRowsBelow(write, 'dm', pair, bound, (w) => {
        const mark = w.get('UPDATE sessions SET rotated_upto = max(rotated_upto, ?) WHERE id = ?');
        for (const id of ids) mark.run(bound - 1, id);
      });
    }
    pair = nextPair.get(pair) as string | undefined;
  }
  return deleted;
}

/**
 * A removed channel keeps its rows for QUEUE_MAX_AGE, so a lagging client of its last member can
 * still read up to its PART; then its rows, listings, intervals and the channel row go.
 */
export async function purgeRemovedChannels(
  reader: StatementCache,
  write: WriteBatch,
  cutoff: number,
): Promise<{ rows: number; channels: number }> {
  const ids = reader
    .get('SELECT id FROM channels WHERE removed_at IS NOT NULL AND removed_at < ?')
    .pluck()
    .all(cutoff) as number[];
  let rows = 0;
  let channels = 0;
  for (const id of ids) {
    rows += await deleteRowsBelow(write, 'channel', id, Number.MAX_SAFE_INTEGER, () => {});
    channels += await write((w) => {
      w.get('DELETE FROM event_channels WHERE channel_id = ?').run(id);
      w.get('DELETE FROM memberships WHERE channel_id = ?').run(id);
      return w.get('DELETE FROM channels WHERE id = ? AND removed_at IS NOT NULL').run(id).changes;
    });
  }
  return { rows, channels };
}
