// History pages (docs/api.md): newest page first, oldest-first within a page, paging backwards by seq.
import type { Envelope } from '../../model/envelope.js';
import type { HistoryPage, HistoryTarget } from '../store.js';
import type { StatementCache } from './connection.js';
import { toEnvelope } from './rows.js';

// PRIVMSG/NOTICE are never listed in event_channels (only NICK/QUIT are), so a channel's history
// is its own rows; the command list is bound as one JSON array to keep one statement per target.
const CHANNEL_SQL = `SELECT seq, data FROM events
  WHERE channel_id = ? AND seq < ? AND command IN (SELECT value FROM json_each(?))
  ORDER BY seq DESC LIMIT ?`;
const DM_SQL = `SELECT seq, data FROM events
  WHERE dm_pair = ? AND seq < ? AND command IN (SELECT value FROM json_each(?))
  ORDER BY seq DESC LIMIT ?`;

export function readHistory(
  st: StatementCache,
  target: HistoryTarget,
  before: number | null,
  limit: number,
  commands: readonly string[],
): HistoryPage {
  if (limit <= 0 || commands.length === 0) return { messages: [], hasMore: false };
  const key = target.kind === 'channel' ? target.channelId : target.dmPair;
  const sql = target.kind === 'channel' ? CHANNEL_SQL : DM_SQL;
  const upper = before ?? Number.MAX_SAFE_INTEGER;
  // one row more than asked tells whether an older page exists
  const rows = st
    .get(sql)
    .raw()
    .all(key, upper, JSON.stringify(commands), limit + 1) as [number, string][];
  const hasMore = rows.length > limit;
  const page = hasMore ? rows.slice(0, limit) : rows;
  const messages = page.reverse().map(([seq, data]) => toEnvelope<Envelope>(seq, data));
  return { messages, hasMore };
}
