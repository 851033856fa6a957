// F5 (CI): oversized pages. (1) `GET /history?limit=1000000000` is clamped to HISTORY_PAGE_MAX
// (500) with `has_more`; (2) a poll with 100,000 entries behind the cursor answers at most
// POLL_BATCH_MAX (500) entries and at most 256 KiB; (3) the same poll when every entry is a
// message of MAX_MESSAGE_SIZE bytes (the worst an ordinary client can send) must stay under
// 256 KiB too (reliability/README.md: every resource has a cap).
//
// Seeding 100,000 messages one POST each takes about a minute here, so each POST names 100
// channels (`to` is a comma list: one stored message per target); 1,000 POSTs from 4 senders make
// the backlog. QUEUE_MAX_ENTRIES is raised above it, so the backlog is really there to be read
// (at the default 10,000 the cap would skip to the newest 10,000 with a gap, which B12 covers).
import { drainCursor } from '../lib/crowd.js';
import { agent, call, createSession, joinAll, send, type Created } from '../lib/http.js';
import { startServer, stopAndClean } from '../lib/server.js';
import { Criteria, type ReliabilityTest } from '../lib/types.js';

const CHANNELS = 100;
/** a PRIVMSG names at most 4 targets (TARGMAX PRIVMSG:4): each POST adds 4 entries */
const TARGETS_PER_POST = 4;
const POSTS = 25_000;
const SENDERS = 4;
const BACKLOG = TARGETS_PER_POST * POSTS;
/** the defaults of HISTORY_PAGE_MAX, POLL_BATCH_MAX and MAX_MESSAGE_SIZE (README) */
const HISTORY_PAGE_MAX = 500;
const POLL_BATCH_MAX = 500;
const MAX_MESSAGE_SIZE = 4096;
const PAGE_BYTES_MAX = 256 * 1024;
/** how many maximal messages the worst-case poll finds behind its cursor */
const BIG = POLL_BATCH_MAX + 20;

/** the n-th POST's targets: the channels in turns of TARGETS_PER_POST */
function targetsOf(names: readonly string[], n: number): string {
  const first = (n * TARGETS_PER_POST) % names.length;
  return names.slice(first, first + TARGETS_PER_POST).join(',');
}

interface Entry {
  seq: number;
  command: string;
  to: string;
  body: unknown;
}

interface Timed<T> {
  status: number;
  body: T;
  bytes: number;
  ms: number;
  text: string;
}

async function timedGet<T>(port: number, path: string, token: string): Promise<Timed<T>> {
  const t = performance.now();
  const r = await call<T>(port, 'GET', path, { token });
  return {
    status: r.status,
    body: r.body,
    bytes: Buffer.byteLength(r.text),
    ms: Math.round((performance.now() - t) * 10) / 10,
    text: r.text.slice(0, 200),
  };
}

const kib = (bytes: number) => Math.round(bytes / 102.4) / 10;

export const f5: ReliabilityTest = {
  id: 'F5',
  title: 'Oversized pages (history limit=10^9, a poll behind 100,000 entries)',
  tiers: ['ci', 'soak'],
  budgetSeconds: { ci: 90, soak: 90 },
  async run(ctx) {
    const server = await startServer({ env: { QUEUE_MAX_ENTRIES: String(BACKLOG * 2) } });
    const c = new Criteria();
    const a = agent(SENDERS + 2);
    const port = server.port;
    try {
      const names = Array.from({ length: CHANNELS }, (_, i) => `#p${i}`);
      const reader = await createSession(port, 'pager', a);
      await joinAll(port, reader.token, names, a);
      const senders: Created[] = [];
      for (let i = 0; i < SENDERS; i++) {
        const s = await createSession(port, `seed${i}`, a);
        await joinAll(port, s.token, names, a);
        senders.push(s);
      }
      const cursor = await drainCursor(port, reader.token, a);

      // The backlog: 1,000 POSTs of 100 messages each, 4 senders in parallel.
      const t0 = performance.now();
      let posted = 0;
      const bad: string[] = [];
      await Promise.all(
        senders.map(async (s) => {
          for (let n = 0; n < POSTS / SENDERS && Date.now() < ctx.deadline - 30_000; n++) {
            const r = await call(port, 'POST', '/api/v1/messages', {
              token: s.token,
              json: {
                command: 'PRIVMSG',
                to: targetsOf(names, n),
                body: [`${s.nick} line ${n}: some chat text`],
              },
              agent: a,
            });
            if (r.status === 200) posted++;
            else if (bad.length < 5) bad.push(`${r.status} ${r.text.slice(0, 200)}`);
          }
        }),
      );
      const seedSeconds = (performance.now() - t0) / 1000;
      for (const b of bad) ctx.log(`seed POST: ${b}`);
      ctx.log(`${posted * CHANNELS} messages seeded in ${seedSeconds.toFixed(1)} s`);
      c.equal('seed POSTs answered 200', posted, POSTS);

      // (1) history with a huge limit
      const hist = await timedGet<{ messages: Entry[]; has_more: boolean }>(
        port,
        `/api/v1/history?target=${encodeURIComponent('#p7')}&limit=1000000000`,
        reader.token,
      );
      const hm = hist.body.messages ?? [];
      c.equal('history limit=10^9 status', hist.status, 200);
      c.equal('history page length (clamped to HISTORY_PAGE_MAX)', hm.length, HISTORY_PAGE_MAX);
      c.equal('history has_more', hist.body.has_more, true);
      // the newest page, oldest first: it ends with the channel's last message
      c.check(
        hm.every((m, i) => i === 0 || hm[i - 1]!.seq < m.seq),
        'history page in ascending seq order',
      );

      // (2) a poll with the whole backlog behind its cursor, twice (an answer may be lost; the
      // same cursor must give the same page)
      const poll = await timedGet<{ messages: Entry[]; last_id: number; gap?: boolean }>(
        port,
        `/api/v1/messages?after=${cursor}&timeout=0`,
        reader.token,
      );
      const pm = poll.body.messages ?? [];
      const again = await timedGet<{ last_id: number }>(
        port,
        `/api/v1/messages?timeout=0&after=${cursor}`,
        reader.token,
      );
      c.equal('backlog poll status', poll.status, 200);
      c.check(
        pm.length > 0 && pm.length <= POLL_BATCH_MAX,
        `backlog poll entries ≤ POLL_BATCH_MAX ${POLL_BATCH_MAX} (got ${pm.length})`,
      );
      c.equal('backlog poll entries (a full batch)', pm.length, POLL_BATCH_MAX);
      c.check(poll.bytes <= PAGE_BYTES_MAX, `backlog poll ≤ 256 KiB (got ${kib(poll.bytes)} KiB)`);
      c.check(poll.body.gap !== true, 'no gap below QUEUE_MAX_ENTRIES');
      c.check(
        pm[0] !== undefined &&
          pm[0].seq > cursor &&
          pm.every((m, i) => i === 0 || pm[i - 1]!.seq < m.seq),
        'backlog poll starts after the cursor, in ascending order',
      );
      c.equal(
        'second read of the same cursor answers alike',
        again.body.last_id,
        poll.body.last_id,
      );

      // (3) the same poll when every entry is as large as a message may be
      // A fresh reader: its queue holds only its welcome burst and JOIN replies, read here.
      const big = await createSession(port, 'bigsender', a);
      await send(port, big.token, { command: 'JOIN', to: '#big' }, a);
      const bigReader = await createSession(port, 'bigreader', a);
      await send(port, bigReader.token, { command: 'JOIN', to: '#big' }, a);
      const bigCursor = await drainCursor(port, bigReader.token, a);
      const text = 'x'.repeat(MAX_MESSAGE_SIZE);
      let bigPosted = 0;
      for (let n = 0; n < BIG && Date.now() < ctx.deadline - 10_000; n++) {
        const r = await call(port, 'POST', '/api/v1/messages', {
          token: big.token,
          json: { command: 'PRIVMSG', to: '#big', body: [text] },
          agent: a,
        });
        if (r.status === 200) bigPosted++;
      }
      c.equal('maximal messages acknowledged', bigPosted, BIG);
      const worst = await timedGet<{ messages: Entry[] }>(
        port,
        `/api/v1/messages?after=${bigCursor}&timeout=0`,
        bigReader.token,
      );
      const wm = worst.body.messages ?? [];
      const bigHist = await timedGet<{ messages: Entry[] }>(
        port,
        `/api/v1/history?target=${encodeURIComponent('#big')}&limit=1000000000`,
        bigReader.token,
      );
      c.equal('worst-case poll status', worst.status, 200);
      c.check(wm.length <= POLL_BATCH_MAX, `worst-case poll entries ≤ ${POLL_BATCH_MAX}`);
      c.check(
        worst.bytes <= PAGE_BYTES_MAX,
        `a poll answer of ${MAX_MESSAGE_SIZE}-byte messages ≤ 256 KiB (got ${kib(worst.bytes)} KiB in ${wm.length} entries: POLL_BATCH_MAX caps entries, nothing caps bytes)`,
      );
      return {
        figures: {
          backlog_poll_kib: kib(poll.bytes),
          backlog_poll_ms: poll.ms,
          backlog_poll_entries: pm.length,
          history_kib: kib(hist.bytes),
          history_ms: hist.ms,
          history_entries: hm.length,
          history_has_more: hist.body.has_more,
          worst_poll_kib: kib(worst.bytes),
          worst_poll_ms: worst.ms,
          worst_poll_entries: wm.length,
          worst_history_kib: kib(bigHist.bytes),
          worst_history_entries: bigHist.body.messages?.length ?? null,
          backlog_entries: posted * CHANNELS,
          seed_s: Math.round(seedSeconds * 10) / 10,
          seed_msgs_per_s: Math.round((posted * CHANNELS) / seedSeconds),
        },
        failures: c.failures,
      };
    } finally {
      a.destroy();
      await stopAndClean(server);
    }
  },
};
