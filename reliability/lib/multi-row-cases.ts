// The multi-row writes of B2 (reliability/README.mdb): for each command, how to prepare a subject
// session, the command itself, the rows it writes counted in a database file (as they must read
// before the command and after it), and what the API must show after a restart for either
// outcome. One command is one transaction, so a crash must leave exactly one of the two.
import type Database from 'better-sqlite3';
import { call, createSession, joinAll, type Created } from './http.js';
import { byKey, channelHistory, withReadOnlyDb } from './integrity.js';

export const BIG_CHANNEL = '#big';
export const WIDE = 100;
export const WIDE_CHANNELS = Array.from({ length: WIDE }, (_, i) => `#c${i}`);
/** the widest PRIVMSG: TARGMAX PRIVMSG:4 targets, each its own row */
export const PRIVMSG_CHANNELS = WIDE_CHANNELS.slice(0, 4);

export interface Subject extends Created {
  key: string;
  /** ids of the subject's channels where it is the only member (removed if it leaves) */
  sole: number[];
}

export type Counts = Record<string, number>;

export interface CaseDef {
  name: string;
  prepare(n: number): Promise<Subject>;
  command(s: Subject): Record<string, unknown>;
  /** the rows the command writes, counted in the crashed file; before and after the command */
  inspect(db: Database.Database, s: Subject): { got: Counts; before: Counts; after: Counts };
  /** after the restart: does the API agree with the file's outcome? null = yes */
  verify(
    port: number,
    s: Subject,
    outcome: 'none' | 'all',
    deadline: number,
  ): Promise<string | null>;
}

/** which of the two expected states the counts show, or partial */
export function classify(seen: {
  got: Counts;
  before: Counts;
  after: Counts;
}): 'none' | 'all' | 'partial' {
  const same = (x: Counts) => Object.keys(x).every((k) => seen.got[k] === x[k]);
  if (same(seen.before)) return 'none';
  if (same(seen.after)) return 'all';
  return 'partial';
}

function count(db: Database.Database, sql: string, ...args: unknown[]): number {
  return Number(
    db
      .prepare(sql)
      .pluck()
      .get(...args),
  );
}

const LIVE_CHANNEL = `SELECT id FROM channels WHERE name_folded = ? AND removed_at IS NULL`;

/** ids of the session's channels in which it is the only open member (read while chatd runs) */
function soleChannels(file: string, sessionId: number): number[] {
  return withReadOnlyDb(file, (db) =>
    db
      .prepare(
        `SELECT m.channel_id FROM memberships m WHERE m.session_id = ? AND m.parted_seq IS NULL
          AND (SELECT count(*) FROM memberships o WHERE o.channel_id = m.channel_id
                 AND o.parted_seq IS NULL) = 1`,
      )
      .pluck()
      .all(sessionId)
      .map(Number),
  );
}

function liveCount(db: Database.Database, ids: readonly number[]): number {
  if (!ids.length) return 0;
  return count(
    db,
    `SELECT count(*) FROM channels WHERE removed_at IS NULL AND id IN (${ids.map(() => '?').join(',')})`,
    ...ids,
  );
}

/** the caller's channel count, 'gone' for a revoked token, or what went wrong */
async function stateChannels(port: number, token: string): Promise<number | string> {
  const r = await call<{ channels: { name: string }[] }>(port, 'GET', '/api/v1/state', { token });
  if (r.status === 401) return 'gone';
  if (r.status !== 200) return `state ${r.status}`;
  return r.body.channels.length;
}

/** the txn retry after the restart: 200, and the committed seq when the first try committed */
async function retryTxn(
  port: number,
  s: Subject,
  cmd: Record<string, unknown>,
  committedSeq: number | null,
): Promise<string | null> {
  const r = await call<{ seq: number }>(port, 'POST', '/api/v1/messages', {
    token: s.token,
    json: cmd,
  });
  if (r.status !== 200) return `txn retry answered ${r.status}`;
  if (committedSeq !== null && r.body.seq !== committedSeq) {
    return `txn retry answered seq ${r.body.seq}, not the committed ${committedSeq}`;
  }
  return null;
}

export function caseDefs(port: () => number, big: readonly Created[], file: string): CaseDef[] {
  const wideSubject = async (nick: string, key: string): Promise<Subject> => {
    const s = await createSession(port(), nick);
    await joinAll(port(), s.token, WIDE_CHANNELS);
    return { ...s, key, sole: soleChannels(file, s.id) };
  };
  const privmsgRows = `SELECT count(*) FROM events WHERE command = 'PRIVMSG'
    AND channel_id IS NOT NULL AND json_extract(data, '$.body[0]') = ?`;
  const txnRows = `SELECT count(*) FROM txns WHERE client_id = ? AND txn = ?`;
  let bigMember = 0;
  return [
    {
      name: 'join-big',
      prepare: async (n) => ({ ...(await createSession(port(), `jb${n}`)), key: '', sole: [] }),
      command: () => ({ command: 'JOIN', to: BIG_CHANNEL }),
      inspect(db, s) {
        const bigId = Number(db.prepare(LIVE_CHANNEL).pluck().get(BIG_CHANNEL));
        const got = {
          membership: count(
            db,
            `SELECT count(*) FROM memberships WHERE session_id = ? AND channel_id = ?
              AND parted_seq IS NULL`,
            s.id,
            bigId,
          ),
          join_event: count(
            db,
            `SELECT count(*) FROM events WHERE command = 'JOIN' AND channel_id = ?
              AND json_extract(data, '$.from') = ?`,
            bigId,
            s.nick,
          ),
          // the NAMES reply for 1,000 members spans several 353 rows: present or not
          names_353: Math.min(
            1,
            count(
              db,
              `SELECT count(*) FROM events WHERE client_id = ? AND command = '353'`,
              s.client_id,
            ),
          ),
          end_366: count(
            db,
            `SELECT count(*) FROM events WHERE client_id = ? AND command = '366'`,
            s.client_id,
          ),
        };
        return {
          got,
          before: { membership: 0, join_event: 0, names_353: 0, end_366: 0 },
          after: { membership: 1, join_event: 1, names_353: 1, end_366: 1 },
        };
      },
      async verify(p, s, outcome) {
        const r = await call<{ channels: { name: string }[] }>(p, 'GET', '/api/v1/state', {
          token: s.token,
        });
        const inBig = r.status === 200 && r.body.channels.some((x) => x.name === BIG_CHANNEL);
        return inBig === (outcome === 'all') ? null : `state shows #big: ${inBig} (${r.status})`;
      },
    },
    {
      name: 'privmsg-big',
      prepare: async (n) => ({ ...big[bigMember++ % big.length]!, key: `pb${n}`, sole: [] }),
      command: (s) => ({ command: 'PRIVMSG', to: BIG_CHANNEL, body: [s.key], txn: s.key }),
      inspect(db, s) {
        return {
          got: {
            message: count(db, privmsgRows, s.key),
            txn: count(db, txnRows, s.client_id, s.key),
          },
          before: { message: 0, txn: 0 },
          after: { message: 1, txn: 1 },
        };
      },
      async verify(p, s, outcome, deadline) {
        const seq = outcome === 'all' ? await storedSeq(p, s, BIG_CHANNEL, deadline) : null;
        const bad = await retryTxn(p, s, this.command(s), seq);
        if (bad) return bad;
        const n = byKey(await channelHistory(p, s.token, BIG_CHANNEL, deadline)).get(s.key)?.length;
        return n === 1 ? null : `history holds ${s.key} ${n ?? 0} times after the retry`;
      },
    },
    {
      name: 'quit-100',
      prepare: (n) => wideSubject(`q${n}`, ''),
      command: () => ({ command: 'QUIT', body: ['crash test'] }),
      inspect(db, s) {
        const quitSeqs = `SELECT seq FROM events WHERE command = 'QUIT'
          AND json_extract(data, '$.from') = ?`;
        const got = {
          session: count(db, `SELECT count(*) FROM sessions WHERE id = ?`, s.id),
          clients: count(db, `SELECT count(*) FROM clients WHERE session_id = ?`, s.id),
          memberships: count(db, `SELECT count(*) FROM memberships WHERE session_id = ?`, s.id),
          quit_event: count(db, `SELECT count(*) FROM (${quitSeqs})`, s.nick),
          channel_links: count(
            db,
            `SELECT count(*) FROM event_channels WHERE seq IN (${quitSeqs})`,
            s.nick,
          ),
          live_sole_channels: liveCount(db, s.sole),
        };
        return {
          got,
          before: {
            session: 1,
            clients: 1,
            memberships: WIDE,
            quit_event: 0,
            channel_links: 0,
            live_sole_channels: s.sole.length,
          },
          after: {
            session: 0,
            clients: 0,
            memberships: 0,
            quit_event: 1,
            channel_links: WIDE - 1,
            live_sole_channels: 0,
          },
        };
      },
      async verify(p, s, outcome) {
        const st = await stateChannels(p, s.token);
        const want = outcome === 'all' ? 'gone' : WIDE;
        return st === want ? null : `state answers ${st}, expected ${want}`;
      },
    },
    {
      name: 'join0-100',
      prepare: (n) => wideSubject(`z${n}`, ''),
      command: () => ({ command: 'JOIN', to: '0' }),
      inspect(db, s) {
        const got = {
          open: count(
            db,
            `SELECT count(*) FROM memberships WHERE session_id = ? AND parted_seq IS NULL`,
            s.id,
          ),
          closed: count(
            db,
            `SELECT count(*) FROM memberships WHERE session_id = ? AND parted_seq IS NOT NULL`,
            s.id,
          ),
          part_events: count(
            db,
            `SELECT count(*) FROM events WHERE command = 'PART'
              AND json_extract(data, '$.from') = ?`,
            s.nick,
          ),
          live_sole_channels: liveCount(db, s.sole),
        };
        return {
          got,
          before: { open: WIDE, closed: 0, part_events: 0, live_sole_channels: s.sole.length },
          after: { open: 0, closed: WIDE, part_events: WIDE, live_sole_channels: 0 },
        };
      },
      async verify(p, s, outcome) {
        const st = await stateChannels(p, s.token);
        const want = outcome === 'all' ? 0 : WIDE;
        return st === want ? null : `state answers ${st}, expected ${want} channels`;
      },
    },
    {
      name: 'privmsg-4',
      prepare: (n) => wideSubject(`p${n}`, `pw${n}`),
      command: (s) => ({
        command: 'PRIVMSG',
        to: PRIVMSG_CHANNELS.join(','),
        body: [s.key],
        txn: s.key,
      }),
      inspect(db, s) {
        return {
          got: {
            messages: count(db, privmsgRows, s.key),
            txn: count(db, txnRows, s.client_id, s.key),
          },
          before: { messages: 0, txn: 0 },
          after: { messages: PRIVMSG_CHANNELS.length, txn: 1 },
        };
      },
      async verify(p, s, outcome, deadline) {
        const seq = outcome === 'all' ? await storedSeq(p, s, WIDE_CHANNELS[0]!, deadline) : null;
        const bad = await retryTxn(p, s, this.command(s), seq);
        if (bad) return bad;
        for (const ch of [PRIVMSG_CHANNELS[0]!, PRIVMSG_CHANNELS.at(-1)!]) {
          const n = byKey(await channelHistory(p, s.token, ch, deadline)).get(s.key)?.length;
          if (n !== 1) return `history of ${ch} holds ${s.key} ${n ?? 0} times after the retry`;
        }
        return null;
      },
    },
  ];
}

/** the seq of the subject's stored message in a channel's history, or null */
async function storedSeq(
  port: number,
  s: Subject,
  channel: string,
  deadline: number,
): Promise<number | null> {
  const found = byKey(await channelHistory(port, s.token, channel, deadline)).get(s.key);
  return found?.[0]?.seq ?? null;
}
