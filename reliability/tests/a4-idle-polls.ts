// A4 (CI): idle long-polls cost. 1,000 sessions each hold one long-poll on an empty queue for
// about 30 s (two hold periods of LONG_POLL_TIMEOUT = 15 s). Every poll must answer 200 with an
// empty list and the cursor it was given, after the hold time ± 1 s; an early answer would start
// a poll storm (clients re-poll at once), so early = 0 is exact. Server CPU ≤ 5 % on average
// (a timing figure: fails only beyond 10×). Half the polls pass `timeout=15`, half rely on the
// server's LONG_POLL_TIMEOUT default, so both paths are held.
import { createSessions, drainCursor, mapLimit } from '../lib/crowd.js';
import { percentiles } from '../lib/checker.js';
import { agent, call, sleep } from '../lib/http.js';
import { cpuSeconds, rssKiB, startServer, stopAndClean } from '../lib/server.js';
import { Criteria, type ReliabilityTest } from '../lib/types.js';

const CLIENTS = 1_000;
const HOLD_S = 15;
const WINDOW_S = 30;
/** how far an answer may be from the hold time (reliability/README.md A4) */
const TOLERANCE_MS = 1_000;
/** the pollers start spread over this much, so the answers are spread too */
const SPREAD_MS = 1_000;
/** a poller stops after this many polls even if every answer came early (bounds a storm) */
const MAX_POLLS_EACH = 6;

interface PollRecord {
  status: number | 'error';
  heldMs: number;
  empty: boolean;
  cursorKept: boolean;
  /** performance.now() at the answer */
  endedAt: number;
}

export const a4: ReliabilityTest = {
  id: 'A4',
  title: 'Idle long-polls cost (1,000 held polls for 30 s)',
  tiers: ['ci', 'soak'],
  budgetSeconds: { ci: 75, soak: 75 },
  async run(ctx) {
    const server = await startServer({ env: { LONG_POLL_TIMEOUT: String(HOLD_S) } });
    const c = new Criteria();
    const pollAgent = agent(CLIENTS + 16);
    const setupAgent = agent(16);
    try {
      const sessions = await createSessions(server.port, 'idle', CLIENTS, {
        agent: setupAgent,
        deadline: ctx.deadline,
      });
      // each client's queue holds its welcome burst: read it so the held polls find nothing
      const cursors = await mapLimit(sessions, 16, ctx.deadline, (s) =>
        drainCursor(server.port, s.token, setupAgent),
      );
      if (cursors.length !== CLIENTS) throw new Error('drain did not finish by the deadline');
      ctx.log(`${CLIENTS} sessions with empty queues; holding polls for ${WINDOW_S} s`);
      await sleep(500); // let the server's set-up garbage settle before CPU and RSS are read
      const rss0 = rssKiB(server.pid);
      const cpu0 = cpuSeconds(server.pid);
      const t0 = performance.now();
      const records: PollRecord[] = [];
      let rssHeld = 0;
      const rssTimer = setTimeout(() => {
        // every poll is held at this moment (after the spread, before the first answer)
        rssHeld = rssKiB(server.pid);
      }, SPREAD_MS + 3_000);
      await Promise.all(
        sessions.map(async (s, i) => {
          await sleep((i / CLIENTS) * SPREAD_MS);
          const cursor = cursors[i]!;
          // half ask for the hold explicitly, half take LONG_POLL_TIMEOUT
          const q = i % 2 === 0 ? `after=${cursor}&timeout=${HOLD_S}` : `after=${cursor}`;
          const mine = performance.now();
          for (let n = 0; n < MAX_POLLS_EACH; n++) {
            const start = performance.now();
            // Two holds fill the window: a new poll starts only before WINDOW − HOLD/2, so a late
            // answer still leaves room for the second poll, and early answers show as extra polls.
            if (start - mine > (WINDOW_S - HOLD_S / 2) * 1000) break;
            if (Date.now() > ctx.deadline) break;
            const rec: PollRecord = {
              status: 'error',
              heldMs: 0,
              empty: false,
              cursorKept: false,
              endedAt: 0,
            };
            try {
              const r = await call<{ messages: unknown[]; last_id: number }>(
                server.port,
                'GET',
                `/api/v1/messages?${q}`,
                { token: s.token, agent: pollAgent },
              );
              rec.status = r.status;
              rec.empty = Array.isArray(r.body.messages) && r.body.messages.length === 0;
              rec.cursorKept = r.body.last_id === cursor;
            } catch {
              rec.status = 'error';
            }
            rec.endedAt = performance.now();
            rec.heldMs = rec.endedAt - start;
            records.push(rec);
            if (rec.status === 'error') await sleep(100);
          }
        }),
      );
      clearTimeout(rssTimer);
      const seconds = (performance.now() - t0) / 1000;
      const cpuPct = (100 * (cpuSeconds(server.pid) - cpu0)) / seconds;

      const statuses: Record<string, number> = {};
      for (const r of records) statuses[r.status] = (statuses[r.status] ?? 0) + 1;
      const ok = records.filter((r) => r.status === 200);
      const early = ok.filter((r) => r.heldMs < HOLD_S * 1000 - TOLERANCE_MS).length;
      const late = ok.filter((r) => r.heldMs > HOLD_S * 1000 + TOLERANCE_MS).length;
      const notEmpty = ok.filter((r) => !r.empty).length;
      const cursorMoved = ok.filter((r) => !r.cursorKept).length;
      const held = percentiles(ok.map((r) => r.heldMs));
      const minHeld = ok.reduce((m, r) => Math.min(m, r.heldMs), Infinity);
      const heldKiB = rssHeld > 0 ? (rssHeld - rss0) / CLIENTS : NaN;

      c.equal('non-200 poll answers', records.length - ok.length, 0);
      c.equal('polls answered early (before hold − 1 s)', early, 0);
      c.equal('non-empty answers', notEmpty, 0);
      c.equal('answers with a changed cursor', cursorMoved, 0);
      // every client holds two full periods: fewer polls means some never ran
      c.equal('polls answered', records.length, 2 * CLIENTS);
      // lateness is timing: on this shared machine it fails only beyond 10× the tolerance
      c.timing('latest answer beyond the hold, ms', Math.round(held.max - HOLD_S * 1000), 1_000);
      c.timing('server CPU % while idle', Math.round(cpuPct * 10) / 10, 5);
      return {
        figures: {
          mean_cpu_pct: Math.round(cpuPct * 10) / 10,
          returns_per_s: Math.round((records.length / seconds) * 10) / 10,
          hold_spread_ms: Math.round(held.max - minHeld),
          held_min_ms: Math.round(minHeld),
          held_max_ms: held.max,
          early,
          late,
          polls: records.length,
          held_p50_ms: held.p50,
          held_p99_ms: held.p99,
          // what one poll cycle (answer + the next request) costs the server
          cpu_ms_per_poll: Math.round(((cpuPct / 100) * seconds * 1e4) / records.length) / 10,
          rss_per_held_poll_kib: Math.round(heldKiB * 10) / 10,
          window_s: Math.round(seconds * 10) / 10,
          statuses,
        },
        failures: c.failures,
      };
    } finally {
      pollAgent.destroy();
      setupAgent.destroy();
      await stopAndClean(server);
    }
  },
};
