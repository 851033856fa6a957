// B2 (CI): crash inside a multi-row write. Our store writes ONE row per channel message whatever
// the member count (DESIGN §6), so "a message fanned out to 1,000 queues" is one event row (plus
// its txn row); the commands that really write many rows in one transaction are tested instead:
//   join-big     JOIN into a 1,000-member channel: membership, JOIN event, 353 ×n and 366 rows
//   privmsg-big  PRIVMSG with a txn into that channel: the event row and the txn row
//   quit-100     QUIT of a session in 100 channels: QUIT row, 99 event_channels links, 100
//                memberships, the session and client rows, channels left empty marked removed
//   join0-100    JOIN 0 parting 100 channels: 100 PART rows, 100 memberships closed, removals
//   privmsg-100  PRIVMSG to "#c0,#c1,…,#c99" with a txn: 100 event rows and the txn row
// Each command is sent, chatd is frozen (SIGSTOP) at random instants until it is caught holding
// SQLite's write lock — inside that command's transaction — and then killed with SIGKILL. The
// crashed file must pass integrity_check and show each command entirely or not at all; after a
// restart the API must agree (state, token validity, history, the txn retry).
import { killInsideWrite, shmInode } from '../lib/crash.js';
import { agent, call, createSession, send, sleep, type Created } from '../lib/http.js';
import { byKey, channelHistory, checkIntegrity, dbFile, withReadOnlyDb } from '../lib/integrity.js';
import { startServer, stopAndClean, type Proc } from '../lib/server.js';
import { Criteria, type ReliabilityTest } from '../lib/types.js';
import type Database from 'better-sqlite3';

const BIG = 1_000;
const WIDE = 100;
const WIDE_CHANNELS = Array.from({ length: WIDE }, (_, i) => `#c${i}`);
/**
 * attempts per round: an attempt misses when the command finished before a probe caught it
 * (cheap: no restart); the one-row write lasts a fraction of a millisecond, so it gets more
 */
const ATTEMPTS: Record<string, number> = { 'privmsg-big': 40 };
const DEFAULT_ATTEMPTS = 6;

interface Subject extends Created {
  key: string;
  /** ids of the subject's channels where it is the only member (removed if it leaves) */
  sole: number[];
}

type Counts = Record<string, number>;

interface CaseDef {
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

interface Attempt {
  case: string;
  killed: boolean;
  probes: number;
  outcome: 'none' | 'all' | 'partial' | 'missed';
  integrity: string;
  counts?: Counts;
  apiDisagrees?: string;
}

export const b2: ReliabilityTest = {
  id: 'B2',
  title: 'Crash inside a multi-row write: all rows of one command or none',
  tiers: ['ci'],
  budgetSeconds: { ci: 150 },
  async run(ctx) {
    const rounds = 2;
    const c = new Criteria();
    let server: Proc = await startServer();
    const dir = server.dir;
    const file = dbFile(dir);
    const notes = [
      'multi-row here means one command = one transaction writing several rows (JOIN, QUIT, JOIN 0, ' +
        'multi-target PRIVMSG); a channel message is one row whatever the member count (DESIGN §6), ' +
        'so the 1,000-member fan-out case is that one row plus its txn row',
    ];
    try {
      const t0 = Date.now();
      const a = agent(8);
      // 1,000 members in #big, eight at a time
      const big: Created[] = [];
      let next = 0;
      await Promise.all(
        Array.from({ length: 8 }, async () => {
          while (next < BIG && Date.now() < ctx.deadline) {
            const i = next++;
            const s = await createSession(server.port, `m${i}`, a);
            await send(server.port, s.token, { command: 'JOIN', to: '#big' }, a);
            big.push(s);
          }
        }),
      );
      c.equal('members of #big', big.length, BIG);
      // half of the wide channels keep another member; the other half empty out when the subject
      // leaves, so channel removal is part of those writes too
      const anchor = await createSession(server.port, 'anchor', a);
      await send(server.port, anchor.token, {
        command: 'JOIN',
        to: WIDE_CHANNELS.slice(0, WIDE / 2).join(','),
      });
      a.destroy();
      ctx.log(
        `${BIG} members in #big, anchor in ${WIDE / 2} channels (${Math.round((Date.now() - t0) / 100) / 10} s)`,
      );

      let port = server.port;
      let counter = 0;
      const cases = caseDefs(() => port, big, file);
      const attempts: Attempt[] = [];
      const controls: Record<string, string> = {};
      for (const def of cases) {
        // control: the command left to finish must read as complete, which shows that the
        // expected "all" counts describe what the command really writes
        const control = await def.prepare(counter++);
        const status = (
          await call(port, 'POST', '/api/v1/messages', {
            token: control.token,
            json: def.command(control),
          })
        ).status;
        const seen = withReadOnlyDb(file, (db) => def.inspect(db, control));
        controls[def.name] = classify(seen);
        c.check(
          status === 200 && controls[def.name] === 'all',
          `${def.name}: an uninterrupted command reads as complete (${status}, ` +
            `${JSON.stringify(seen.got)} vs ${JSON.stringify(seen.after)})`,
        );
        for (let r = 0; r < rounds; r++) {
          for (
            let tries = 0;
            tries < (ATTEMPTS[def.name] ?? DEFAULT_ATTEMPTS) && Date.now() < ctx.deadline - 20_000;
            tries++
          ) {
            const subject = await def.prepare(counter++);
            await touchNow(port, subject.token);
            let done = false;
            // handled at once: the kill makes it reject while we are busy probing
            const answer = call(port, 'POST', '/api/v1/messages', {
              token: subject.token,
              json: def.command(subject),
            })
              .then(
                (x) => x.status,
                () => 'error' as const,
              )
              .finally(() => (done = true));
            const kill = await killInsideWrite(server, shmInode(file), () => !done);
            const settled = await answer;
            if (!kill.killed) {
              attempts.push({
                case: def.name,
                killed: false,
                probes: kill.probes,
                outcome: 'missed',
                integrity: '',
              });
              c.check(settled === 200, `${def.name}: un-killed command answers 200 (${settled})`);
              continue;
            }
            const integrity = checkIntegrity(file);
            const seen = withReadOnlyDb(file, (db) => def.inspect(db, subject));
            const outcome = classify(seen);
            const att: Attempt = {
              case: def.name,
              killed: true,
              probes: kill.probes,
              outcome,
              integrity: integrity.integrity,
              counts: seen.got,
            };
            attempts.push(att);
            c.check(integrity.ok, `${def.name}: integrity ok (${integrity.integrity})`);
            if (outcome === 'partial') {
              c.check(
                false,
                `${def.name}: partial write ${JSON.stringify(seen.got)} (none = ` +
                  `${JSON.stringify(seen.before)}, all = ${JSON.stringify(seen.after)})`,
              );
            }
            server = await startServer({ dir });
            port = server.port;
            if (outcome !== 'partial') {
              const disagree = await def.verify(port, subject, outcome, ctx.deadline);
              if (disagree) {
                att.apiDisagrees = disagree;
                c.check(false, `${def.name}: after restart, ${disagree}`);
              }
            }
            ctx.log(
              `${def.name}: killed inside the write after ${kill.probes} probes → ${outcome}`,
            );
            break;
          }
        }
      }
      await server.stop();
      const final = checkIntegrity(file);
      c.check(final.ok, `integrity after the final stop (${final.integrity})`);
      const killed = attempts.filter((x) => x.killed);
      const perCase: Record<string, { kills: number; none: number; all: number; missed: number }> =
        {};
      for (const def of cases) {
        const mine = attempts.filter((x) => x.case === def.name);
        perCase[def.name] = {
          kills: mine.filter((x) => x.killed).length,
          none: mine.filter((x) => x.outcome === 'none').length,
          all: mine.filter((x) => x.outcome === 'all').length,
          missed: mine.filter((x) => x.outcome === 'missed').length,
        };
        // a case never caught inside its transaction tested nothing (fails, also outside CI)
        c.equal(`${def.name}: kills inside its write`, perCase[def.name]!.kills, rounds);
      }
      const partial = killed.filter((x) => x.outcome === 'partial').length;
      c.equal('partial writes found', partial, 0);
      const integrityOk = killed.filter((x) => x.integrity === 'ok').length;
      return {
        figures: {
          partial_writes_found: partial,
          kills_inside_write: killed.length,
          outcome_none: killed.filter((x) => x.outcome === 'none').length,
          outcome_all: killed.filter((x) => x.outcome === 'all').length,
          missed_attempts: attempts.length - killed.length,
          integrity: `${integrityOk}/${killed.length}`,
          integrity_after_final_stop: final.integrity,
          api_disagreements: attempts.filter((x) => x.apiDisagrees).length,
          per_case: perCase,
          controls,
          attempts,
        },
        failures: c.failures,
        notes,
      };
    } finally {
      await stopAndClean(server);
    }
  },
};

function classify(seen: {
  got: Counts;
  before: Counts;
  after: Counts;
}): 'none' | 'all' | 'partial' {
  const same = (x: Counts) => Object.keys(x).every((k) => seen.got[k] === x[k]);
  if (same(seen.before)) return 'none';
  if (same(seen.after)) return 'all';
  return 'partial';
}

/**
 * chatd writes a client's last_seen (its own small transaction) when it is 2 s old or more. Make
 * that write happen now, so the command sent right after runs no transaction but its own and a
 * held write lock can only be the command's.
 */
async function touchNow(port: number, token: string): Promise<void> {
  for (let i = 0; i < 4; i++) {
    const r = await call<{ current: boolean; last_seen: string }[]>(
      port,
      'GET',
      '/api/v1/clients',
      {
        token,
      },
    );
    const mine = Array.isArray(r.body) ? r.body.find((x) => x.current) : undefined;
    if (!mine) throw new Error(`clients: ${r.status} ${r.text}`);
    const age = Date.now() - Date.parse(mine.last_seen);
    if (age < 1_000) return;
    await sleep(Math.max(0, 2_050 - age));
  }
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

function caseDefs(port: () => number, big: readonly Created[], file: string): CaseDef[] {
  const wideSubject = async (nick: string, key: string): Promise<Subject> => {
    const s = await createSession(port(), nick);
    await send(port(), s.token, { command: 'JOIN', to: WIDE_CHANNELS.join(',') });
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
      command: () => ({ command: 'JOIN', to: '#big' }),
      inspect(db, s) {
        const bigId = Number(db.prepare(LIVE_CHANNEL).pluck().get('#big'));
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
        const inBig = r.status === 200 && r.body.channels.some((x) => x.name === '#big');
        return inBig === (outcome === 'all') ? null : `state shows #big: ${inBig} (${r.status})`;
      },
    },
    {
      name: 'privmsg-big',
      prepare: async (n) => ({ ...big[bigMember++ % big.length]!, key: `pb${n}`, sole: [] }),
      command: (s) => ({ command: 'PRIVMSG', to: '#big', body: [s.key], txn: s.key }),
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
        const seq = outcome === 'all' ? await storedSeq(p, s, '#big', deadline) : null;
        const bad = await retryTxn(p, s, this.command(s), seq);
        if (bad) return bad;
        const n = byKey(await channelHistory(p, s.token, '#big', deadline)).get(s.key)?.length;
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
      name: 'privmsg-100',
      prepare: (n) => wideSubject(`p${n}`, `pw${n}`),
      command: (s) => ({
        command: 'PRIVMSG',
        to: WIDE_CHANNELS.join(','),
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
          after: { messages: WIDE, txn: 1 },
        };
      },
      async verify(p, s, outcome, deadline) {
        const seq = outcome === 'all' ? await storedSeq(p, s, WIDE_CHANNELS[0]!, deadline) : null;
        const bad = await retryTxn(p, s, this.command(s), seq);
        if (bad) return bad;
        for (const ch of [WIDE_CHANNELS[0]!, WIDE_CHANNELS[WIDE - 1]!]) {
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
