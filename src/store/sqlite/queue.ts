// The hot path: a client's queue, derived at read time (docs/envelope-and-delivery.md). One compound SELECT of seqs
// over index range scans (one arm per membership interval and per source), the limit written
// into the SQL text, then the rows joined back by seq. All statements run in one read snapshot.
import type { Envelope } from '../../model/envelope.js';
import type { QueueRead, QueueReadOptions, StoredEntry } from '../store.js';
import type { StatementCache } from './connection.js';
import { toEnvelope } from './rows.js';

interface Interval {
  channel_id: number;
  joined_seq: number;
  parted_seq: number | null;
  rotated_upto: number;
}

interface Head {
  start_seq: number;
  rotated_upto: number;
  floor: number | null;
  latest: number | null;
}

/** What one read is about; `c` is the effective cursor (exclusive). */
interface QueueQuery {
  clientId: number;
  sessionId: number;
  intervals: Interval[];
  c: number;
}

// SQLite refuses compound SELECTs of more than 500 arms (SQLITE_MAX_COMPOUND_SELECT):
// 3 fixed arms + 2 per interval must stay below it, so larger sets are split and merged in JS.
const INTERVALS_PER_STATEMENT = 240;
// an open interval's upper bound; bound as a number, compared with integer seqs
const NO_END = Number.MAX_SAFE_INTEGER;

const HEAD_SQL = `SELECT c.start_seq, s.rotated_upto,
    (SELECT value FROM meta WHERE key = 'age_floor') AS floor,
    (SELECT seq FROM sqlite_sequence WHERE name = 'events') AS latest
  FROM clients c JOIN sessions s ON s.id = c.session_id
  WHERE c.id = ? AND c.session_id = ?`;

const INTERVALS_SQL = `SELECT m.channel_id, m.joined_seq, m.parted_seq, ch.rotated_upto
  FROM memberships m JOIN channels ch ON ch.id = m.channel_id
  WHERE m.session_id = ? AND (m.parted_seq IS NULL OR m.parted_seq > ?)`;

const FIXED_ARMS = [
  'SELECT seq FROM events WHERE session_id = ? AND seq > ?',
  // a self-DM is addressed to the sender's own session: the session arm already has it
  'SELECT seq FROM events WHERE sender_session_id = ? AND session_id IS NOT ? AND seq > ?',
  'SELECT seq FROM events WHERE client_id = ? AND seq > ?',
];
const INTERVAL_ARMS = [
  'SELECT seq FROM events WHERE channel_id = ? AND seq > ? AND seq <= ?',
  'SELECT seq FROM event_channels WHERE channel_id = ? AND seq > ? AND seq <= ?',
];

/** "at most `atMost` entries of this client lie in (after, upTo]", from its previous read */
interface Hint {
  after: number;
  upTo: number;
  atMost: number;
}

/**
 * Per-client upper bounds remembered between reads. Seqs are assigned in commit order and rows
 * are only ever deleted, so a bound stays true; a stale one merely costs an exact count.
 */
export class QueueHints {
  private readonly hints = new Map<number, Hint>();

  constructor(private readonly capacity = 10_000) {}

  get(clientId: number): Hint | undefined {
    return this.hints.get(clientId);
  }

  set(clientId: number, hint: Hint): void {
    this.hints.delete(clientId);
    this.hints.set(clientId, hint);
    // Map keeps insertion order: the first key is the least recently updated
    if (this.hints.size > this.capacity) {
      const oldest = this.hints.keys().next();
      if (oldest.done !== true) this.hints.delete(oldest.value);
    }
  }
}

const BY_SEQS_SQL = `SELECT seq, data FROM events
  WHERE seq IN (SELECT value FROM json_each(?)) ORDER BY seq`;

/** entries after the effective cursor, in seq order, with the gap rules of docs/envelope-and-delivery.md */
export function readQueue(
  st: StatementCache,
  opts: QueueReadOptions,
  hints: QueueHints | null,
): QueueRead {
  const head = st.get(HEAD_SQL).get(opts.clientId, opts.sessionId) as Head | undefined;
  if (head === undefined) return { entries: [], gap: false, latestSeq: 0, channels: [] };
  const latestSeq = head.latest ?? 0;
  const floor = head.floor ?? 0;
  const c = Math.max(opts.after ?? 0, head.start_seq, floor);
  // `after: null` means "from the oldest kept", so only an explicit cursor can miss entries;
  // a client created after the floor was never owed what lies below it.
  let gap = opts.after !== null && opts.after < floor && head.start_seq < floor;
  // DM rows of this session rotated out of history after the cursor
  if (head.rotated_upto > c) gap = true;
  const intervals = st.get(INTERVALS_SQL).all(opts.sessionId, c) as Interval[];
  const channels: number[] = [];
  for (const iv of intervals) {
    if (Math.max(c, iv.joined_seq - 1) < iv.rotated_upto) gap = true;
    if (iv.parted_seq === null) channels.push(iv.channel_id);
  }
  if (opts.limit <= 0) return { entries: [], gap: false, latestSeq, channels };
  const q: QueueQuery = { clientId: opts.clientId, sessionId: opts.sessionId, intervals, c };
  const stored = opts.stored === true;
  const page = readEntries(st, q, opts.limit, stored);
  const n = page.seqs.length;
  const { maxEntries } = opts;
  // only a full batch can hide more than maxEntries entries behind it
  if (maxEntries <= 0 || (n < opts.limit && n <= maxEntries)) {
    return { ...pageFields(page), gap, latestSeq, channels };
  }
  const capped = capEntries(st, q, page, opts, head.latest ?? 0, hints);
  return { ...pageFields(capped.page), gap: gap || capped.skipped, latestSeq, channels };
}

/**
 * QUEUE_MAX_ENTRIES: when more than maxEntries entries follow the cursor, re-read from the cursor
 * that leaves exactly the newest maxEntries (docs/envelope-and-delivery.md: skip to the newest, report a gap).
 * Counting up to maxEntries entries costs milliseconds, and a client catching up reads many full
 * batches in a row, so an upper bound is tried first: the seqs after the cursor, or what the
 * previous read of this client left plus what arrived since (QueueHints).
 */
function capEntries(
  st: StatementCache,
  q: QueueQuery,
  page: Page,
  opts: QueueReadOptions,
  latest: number,
  hints: QueueHints | null,
): { page: Page; skipped: boolean } {
  const { maxEntries, limit, clientId } = opts;
  let atMost = latest - q.c;
  const hint = hints?.get(clientId);
  if (atMost > maxEntries && hint !== undefined && hint.after === q.c) {
    const arrived = selectSeqs(st, { ...q, c: hint.upTo }, maxEntries + 1, 'ASC').length;
    atMost = Math.min(atMost, hint.atMost + arrived);
  }
  let skipped = false;
  if (atMost > maxEntries) {
    const newest = selectSeqs(st, q, maxEntries + 1, 'DESC');
    atMost = Math.min(newest.length, maxEntries);
    const skipTo = newest[maxEntries];
    if (skipTo !== undefined) {
      page = readEntries(st, { ...q, c: skipTo }, limit, opts.stored === true);
      skipped = true;
    }
  }
  const { seqs } = page;
  const last = seqs[seqs.length - 1];
  // every entry returned lies in (cursor, latest], so that many fewer can follow the last one
  if (last !== undefined)
    hints?.set(clientId, { after: last, upTo: latest, atMost: atMost - seqs.length });
  return { page, skipped };
}

/** entries (parsed, or as stored) with their seqs and the UTF-8 size of each one's JSON */
interface Page {
  seqs: number[];
  sizes: number[];
  entries: Envelope[];
  stored: StoredEntry[] | null;
}

function pageFields(page: Page): Pick<QueueRead, 'entries' | 'sizes' | 'stored'> {
  const { entries, sizes, stored } = page;
  return stored === null ? { entries, sizes } : { entries, sizes, stored };
}

/** `stored`: the rows' text as stored, not parsed (entries stay empty) */
function readEntries(st: StatementCache, q: QueueQuery, limit: number, stored: boolean): Page {
  let rows: [number, string][];
  if (q.intervals.length <= INTERVALS_PER_STATEMENT) {
    // common case: one statement selects the seqs and joins the rows back
    const k = q.intervals.length;
    const stmt = st.keyed(`queue:rows:${k}:${limit}`, () => queueRowsSql(k, limit));
    rows = stmt.raw().all(...bindArgs(q, q.intervals, true)) as [number, string][];
  } else {
    const seqs = selectSeqs(st, q, limit, 'ASC');
    rows = st.get(BY_SEQS_SQL).raw().all(JSON.stringify(seqs)) as [number, string][];
  }
  const seqs = new Array<number>(rows.length);
  const sizes = new Array<number>(rows.length);
  const entries: Envelope[] = [];
  const texts: StoredEntry[] | null = stored ? [] : null;
  for (let i = 0; i < rows.length; i++) {
    const [seq, data] = rows[i]!;
    seqs[i] = seq;
    sizes[i] = envelopeBytes(seq, data);
    if (texts !== null) texts.push({ seq, data });
    else entries.push(toEnvelope<Envelope>(seq, data));
  }
  return { seqs, sizes, entries, stored: texts };
}

/**
 * The size of the JSON of toEnvelope(seq, data), from the stored text: parsing and stringifying
 * again changes at most the order of keys (integer-like ones first), never the bytes, and the
 * seq (never in data: appendEvent) comes last as `,"seq":N`. Callers then need not serialise
 * every entry again to fit an answer to its byte budget.
 */
export function envelopeBytes(seq: number, data: string): number {
  const comma = data.length > 2 ? 1 : 0;
  return Buffer.byteLength(data, 'utf8') + comma + 6 + String(seq).length;
}

/** up to `limit` seqs after the cursor, in `dir` order, split over statements if needed */
function selectSeqs(
  st: StatementCache,
  q: QueueQuery,
  limit: number,
  dir: 'ASC' | 'DESC',
): number[] {
  const parts: number[][] = [];
  for (let i = 0; i === 0 || i < q.intervals.length; i += INTERVALS_PER_STATEMENT) {
    const chunk = q.intervals.slice(i, i + INTERVALS_PER_STATEMENT);
    const fixed = i === 0;
    const key = `queue:seqs:${chunk.length}:${fixed ? 1 : 0}:${limit}:${dir}`;
    const stmt = st.keyed(key, () => seqsSql(chunk.length, fixed, limit, dir));
    parts.push(stmt.pluck().all(...bindArgs(q, chunk, fixed)) as number[]);
  }
  if (parts.length === 1) return parts[0] ?? [];
  // Each part holds its first `limit` seqs, so the first `limit` of their union are among them.
  const merged = [...new Set(parts.flat())].sort((a, b) => (dir === 'ASC' ? a - b : b - a));
  return merged.slice(0, limit);
}

function armsSql(intervals: number, fixed: boolean): string {
  const arms = fixed ? [...FIXED_ARMS] : [];
  for (let i = 0; i < intervals; i++) arms.push(...INTERVAL_ARMS);
  // UNION, not UNION ALL: a NICK row reached through two channels must come back once.
  return arms.join('\n  UNION ');
}

function seqsSql(intervals: number, fixed: boolean, limit: number, dir: 'ASC' | 'DESC'): string {
  // the limit is part of the text: a bound LIMIT made SQLite re-prepare on every run
  return `${armsSql(intervals, fixed)}\n  ORDER BY 1 ${dir} LIMIT ${limit}`;
}

export function queueRowsSql(intervals: number, limit: number): string {
  return `SELECT e.seq, e.data FROM (${seqsSql(intervals, true, limit, 'ASC')}) q
  JOIN events e ON e.seq = q.seq ORDER BY q.seq`;
}

function bindArgs(q: QueueQuery, chunk: readonly Interval[], fixed: boolean): number[] {
  const args: number[] = [];
  if (fixed) {
    const { sessionId: s, clientId, c } = q;
    args.push(s, c, s, s, c, clientId, c);
  }
  for (const iv of chunk) {
    // entitled to joined_seq..parted_seq inclusive; the arm's bounds are computed here
    const lo = Math.max(q.c, iv.joined_seq - 1);
    const hi = iv.parted_seq ?? NO_END;
    args.push(iv.channel_id, lo, hi, iv.channel_id, lo, hi);
  }
  return args;
}
