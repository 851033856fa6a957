// F4 (CI): channel and client sprawl. (1) One client JOINs up to 10,000 channels, 15 a POST
// (comma lists), stopping at the first refusal: MAX_CHANNELS (100) must hold, the 101st refused
// with IRC 405 too_many_channels (HTTP 403 by docs/api.md's table), and a later JOIN refused too.
// (2) One session adds clients (POST /register, then /login) until refused: MAX_CLIENTS (20) must
// hold with 403 too_many_clients. (3) Messages to a 1,000-member channel (1,000 sessions, one JOIN
// each): the POST time and the bytes the store grows per message, beside the same figures for a
// 2-member channel in the same run. docs/envelope-and-delivery.md: storage per message must not grow with the member
// count, so the bytes per message of both must be alike; the POST time is a timing figure.
import { createSessions, drainCursor, mapLimit, storeSize, type StoreSize } from '../lib/crowd.js';
import { percentiles } from '../lib/checker.js';
import { agent, call, createSession, send, type Created } from '../lib/http.js';
import { startServer, stopAndClean } from '../lib/server.js';
import { Criteria, type ReliabilityTest } from '../lib/types.js';
import path from 'node:path';

const JOIN_ATTEMPTS = 10_000;
/**
 * 15 a POST (JOIN takes at most 20, TARGMAX): the seventh POST holds the 101st, with 10 joins
 * before it in the same POST
 */
const JOIN_BATCH = 15;
const MAX_CHANNELS = 100;
const CLIENT_ATTEMPTS = 1_000;
const MAX_CLIENTS = 20;
const CROWD = 1_000;
/** messages per channel for the storage figures (page-granular sizes need many) */
const FANOUT_MESSAGES = 200;
/** bytes per message in the crowd may exceed the duo's by this factor (index-page noise) */
const BYTES_RATIO_MAX = 1.5;
/** the crowd's POST time against the duo's in the same run (timing: fails only beyond 10×) */
const POST_RATIO_TARGET = 3;

interface Reply {
  command: string;
  params: string[];
}

/** Members of a channel, over every page of the listing (Link rel="next"). */
async function memberCount(port: number, token: string, first: string): Promise<number> {
  let n = 0;
  let path: string | null = first;
  for (let pages = 0; path !== null && pages < 100; pages++) {
    const r: Awaited<ReturnType<typeof call<unknown[]>>> = await call<unknown[]>(
      port,
      'GET',
      path,
      {
        token,
      },
    );
    n += r.body.length;
    const link = r.headers.link;
    path = typeof link === 'string' ? (/<([^>]+)>;\s*rel="next"/.exec(link)?.[1] ?? null) : null;
  }
  return n;
}

export const f4: ReliabilityTest = {
  id: 'F4',
  title: 'Channel and client sprawl (10,000 JOINs, 1,000 logins, a 1,000-member channel)',
  tiers: ['ci', 'soak'],
  budgetSeconds: { ci: 90, soak: 90 },
  async run(ctx) {
    const server = await startServer({
      // every login here succeeds until the cap; high limits keep the failure counters and the
      // account's login allowance out of it
      env: {
        LOGIN_FAILURES_PER_NICK: '100000',
        LOGIN_FAILURES_PER_ADDRESS: '100000',
        LOGINS_PER_ACCOUNT: '100000',
      },
    });
    const c = new Criteria();
    const a = agent(20);
    const port = server.port;
    const figures: Record<string, unknown> = {};
    try {
      // (1) channel sprawl
      const sprawler = await createSession(port, 'sprawler', a);
      let attempted = 0;
      let firstRefused: string | null = null;
      let refusalStatus: number | null = null;
      const batchStatuses: Record<string, number> = {};
      for (let b = 0; attempted < JOIN_ATTEMPTS && Date.now() < ctx.deadline - 60_000; b++) {
        const names = Array.from({ length: JOIN_BATCH }, (_, i) => `#s${b * JOIN_BATCH + i}`);
        attempted += names.length;
        const r = await call<{ replies?: Reply[]; error?: string; numeric?: string }>(
          port,
          'POST',
          '/api/v1/messages',
          { token: sprawler.token, json: { command: 'JOIN', to: names.join(',') }, agent: a },
        );
        batchStatuses[r.status] = (batchStatuses[r.status] ?? 0) + 1;
        const refusals = (r.body.replies ?? []).filter((x) => x.command === '405');
        if (r.status !== 200 || refusals.length > 0) {
          firstRefused = refusals[0]?.params[0] ?? (r.status === 200 ? null : names[0]!);
          refusalStatus = r.status;
          break;
        }
      }
      const state = await call<{ channels: unknown[] }>(port, 'GET', '/api/v1/state', {
        token: sprawler.token,
      });
      const joined = state.body.channels.length;
      const after = await call<{ error?: string; numeric?: string }>(
        port,
        'POST',
        '/api/v1/messages',
        { token: sprawler.token, json: { command: 'JOIN', to: '#onemore' } },
      );
      c.equal('channels joined (MAX_CHANNELS)', joined, MAX_CHANNELS);
      c.equal('first refused channel (the 101st)', firstRefused, `#s${MAX_CHANNELS}`);
      c.equal(
        'status of the batch holding the 101st (200: other targets succeeded)',
        refusalStatus,
        200,
      );
      c.equal('a further JOIN: status', after.status, 403);
      c.equal('a further JOIN: error', after.body.error, 'too_many_channels');
      c.equal('a further JOIN: numeric', after.body.numeric, '405');
      Object.assign(figures, {
        channels_cap_reached: joined,
        join_attempted: attempted,
        first_refused: firstRefused,
        join_after_cap: `${after.status} ${after.body.error ?? ''} ${after.body.numeric ?? ''}`,
      });
      ctx.log(`channels: ${joined} joined, first refusal at ${firstRefused}`);

      // (2) client sprawl
      const password = 'sprawl-password-1';
      const reg = await call<Created>(port, 'POST', '/api/v1/register', {
        json: { nick: 'devices', password },
      });
      if (reg.status !== 201) throw new Error(`register: ${reg.status} ${reg.text}`);
      let clients = 1;
      let loginRefusal: { status: number; error: string } | null = null;
      for (let i = 0; i < CLIENT_ATTEMPTS && Date.now() < ctx.deadline - 50_000; i++) {
        const r = await call<{ error?: string }>(port, 'POST', '/api/v1/login', {
          json: { nick: 'devices', password },
          agent: a,
        });
        if (r.status === 200) clients++;
        else {
          loginRefusal = { status: r.status, error: String(r.body.error) };
          break;
        }
      }
      const listed = await call<unknown[]>(port, 'GET', '/api/v1/clients', {
        token: reg.body.token,
      });
      c.equal('clients in the session (MAX_CLIENTS)', clients, MAX_CLIENTS);
      c.equal('clients listed by /api/v1/clients', listed.body.length, MAX_CLIENTS);
      c.equal('login beyond the cap: status', loginRefusal?.status, 403);
      c.equal('login beyond the cap: error', loginRefusal?.error, 'too_many_clients');
      Object.assign(figures, {
        clients_cap_reached: clients,
        login_after_cap: loginRefusal ? `${loginRefusal.status} ${loginRefusal.error}` : null,
      });
      ctx.log(`clients: ${clients}, then ${JSON.stringify(loginRefusal)}`);

      // (3) fan-out: a 1,000-member channel and a 2-member one, same sender
      const sender = await createSession(port, 'herald', a);
      await send(port, sender.token, { command: 'JOIN', to: '#crowd,#duo' }, a);
      const t0 = performance.now();
      const crowd = await createSessions(port, 'm', CROWD - 1, {
        agent: a,
        deadline: ctx.deadline,
      });
      const sessionsSeconds = (performance.now() - t0) / 1000;
      const joins = await mapLimit(crowd, 16, ctx.deadline, (s) =>
        send(port, s.token, { command: 'JOIN', to: '#crowd' }, a),
      );
      if (joins.length !== crowd.length) throw new Error('the crowd did not join by the deadline');
      const duo = await createSession(port, 'second', a);
      await send(port, duo.token, { command: 'JOIN', to: '#duo' }, a);
      const buildSeconds = (performance.now() - t0) / 1000;
      const members = await memberCount(port, sender.token, '/api/v1/channels/crowd/members');
      c.equal('#crowd members', members, CROWD);
      ctx.log(`#crowd has ${members} members (built in ${buildSeconds.toFixed(1)} s)`);
      // three members read from here on, to check the messages reach them
      const readers = [crowd[0]!, crowd[Math.floor(crowd.length / 2)]!, crowd.at(-1)!];
      const cursors = await Promise.all(readers.map((r) => drainCursor(port, r.token, a)));

      const dbPath = path.join(server.dir, 'chat.db');
      // a few messages first, so both channels' pages and statements exist before measuring
      for (const to of ['#crowd', '#duo']) {
        for (let n = 0; n < 5; n++) {
          await send(port, sender.token, { command: 'PRIVMSG', to, body: [`warm ${n}`] }, a);
        }
      }
      const measure = async (to: string) => {
        const before = storeSize(dbPath);
        const ms: number[] = [];
        let ok = 0;
        for (let n = 0; n < FANOUT_MESSAGES && Date.now() < ctx.deadline - 10_000; n++) {
          const t = performance.now();
          const r = await call(port, 'POST', '/api/v1/messages', {
            token: sender.token,
            // the same length of text in both channels
            json: {
              command: 'PRIVMSG',
              to,
              body: [`fan-out ${to.padEnd(6)} ${n}: an ordinary line`],
            },
            agent: a,
          });
          ms.push(performance.now() - t);
          if (r.status === 200) ok++;
        }
        const afterSize = storeSize(dbPath);
        return { ok, ms: percentiles(ms), bytes: perMessage(before, afterSize, ok) };
      };
      const big = await measure('#crowd');
      const small = await measure('#duo');
      c.equal('POSTs to #crowd answered 200', big.ok, FANOUT_MESSAGES);
      c.equal('POSTs to #duo answered 200', small.ok, FANOUT_MESSAGES);

      // the three readers got every #crowd message, once, in order
      let readerMisses = 0;
      for (const [i, r] of readers.entries()) {
        const texts: string[] = [];
        let cursor = cursors[i]!;
        for (let p = 0; p < 20; p++) {
          const page = await call<{
            messages: { command: string; body: string[] }[];
            last_id: number;
          }>(port, 'GET', `/api/v1/messages?after=${cursor}&timeout=0`, {
            token: r.token,
            agent: a,
          });
          for (const m of page.body.messages) {
            if (m.command === 'PRIVMSG' && m.body[0]?.startsWith('fan-out #crowd'))
              texts.push(m.body[0]);
          }
          cursor = page.body.last_id;
          if (page.body.messages.length === 0) break;
        }
        const expected = Array.from(
          { length: FANOUT_MESSAGES },
          (_, n) => `fan-out #crowd ${n}: an ordinary line`,
        );
        if (JSON.stringify(texts) !== JSON.stringify(expected)) readerMisses++;
      }
      c.equal('#crowd readers missing or misordered messages', readerMisses, 0);

      const bytesRatio = big.bytes.used / small.bytes.used;
      c.check(
        bytesRatio <= BYTES_RATIO_MAX,
        `bytes per message in a ${CROWD}-member channel ≤ ${BYTES_RATIO_MAX}× a 2-member one (got ${big.bytes.used} vs ${small.bytes.used})`,
      );
      const postRatio = big.ms.p50 / small.ms.p50;
      c.timing('POST p50 in #crowd / in #duo', Math.round(postRatio * 10) / 10, POST_RATIO_TARGET);
      Object.assign(figures, {
        fanout_post_p50_ms: big.ms.p50,
        fanout_post_p99_ms: big.ms.p99,
        fanout_bytes_per_msg: big.bytes.used,
        fanout_file_bytes_per_msg: big.bytes.file,
        duo_post_p50_ms: small.ms.p50,
        duo_bytes_per_msg: small.bytes.used,
        bytes_ratio: Math.round(bytesRatio * 100) / 100,
        post_ratio: Math.round(postRatio * 10) / 10,
        fanout_bytes_by_object: big.bytes.byObject,
        crowd_members: members,
        crowd_build_s: Math.round(buildSeconds * 10) / 10,
        crowd_sessions_s: Math.round(sessionsSeconds * 10) / 10,
        join_batch_statuses: batchStatuses,
      });
      return { figures, failures: c.failures };
    } finally {
      a.destroy();
      await stopAndClean(server);
    }
  },
};

/** store growth per message: b-tree bytes in use, file bytes, and the objects that grew */
function perMessage(before: StoreSize, after: StoreSize, n: number) {
  const per = (x: number) => (n > 0 ? Math.round(x / n) : NaN);
  const byObject: Record<string, number> = {};
  for (const [k, v] of Object.entries(after.byObject)) {
    const grew = per(v - (before.byObject[k] ?? 0));
    if (grew !== 0) byObject[k] = grew;
  }
  return {
    used: per(after.usedBytes - before.usedBytes),
    file: per(after.fileBytes - before.fileBytes),
    byObject,
  };
}
