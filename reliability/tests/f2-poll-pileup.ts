// F2 (CI): long-poll pile-up.
// 1. 100 concurrent GET /messages with one token, each on its own connection, on a caught-up
//    cursor: exactly 2 are held (answered 200 with no entries after the 3 s hold) and the other
//    98 get 429 `too_many_polls` with Retry-After at once.
// 2. 2,000 idle TCP connections from one address (127.0.0.1; opened, nothing sent): the server's
//    header timeout (10 s, checked every second) closes every one; a connection counts as closed
//    in time within 15 s of its opening. Meanwhile the health check keeps answering. chatd's file
//    descriptors (/proc/PID/fd) before, at the peak and after: at most one per open connection,
//    and back to the start once they are closed.
import { agent, call, createSession, sleep } from '../lib/http.js';
import { fdCount, openMany, socketFds } from '../lib/raw-socket.js';
import { startServer, stopAndClean } from '../lib/server.js';
import { Criteria, type ReliabilityTest } from '../lib/types.js';

const POLLS = 100;
const HELD_MAX = 2; // docs/envelope-and-delivery.md, README: Limits
const HOLD_S = 3;
const IDLE = 2_000;
const CLOSE_WITHIN_S = 15;

export const f2: ReliabilityTest = {
  id: 'F2',
  title: 'Long-poll pile-up: 100 polls on one token, 2,000 idle connections',
  tiers: ['ci', 'soak'],
  budgetSeconds: { ci: 60, soak: 60 },
  async run(ctx) {
    const c = new Criteria();
    const server = await startServer();
    const idle: Awaited<ReturnType<typeof openMany>>['conns'] = [];
    try {
      const port = server.port;
      const fdStart = fdCount(server.pid);
      const s = await createSession(port, 'piler');
      const first = await call<{ last_id: number }>(port, 'GET', '/api/v1/messages?timeout=0', {
        token: s.token,
      });
      const cursor = first.body.last_id;

      // 1. 100 concurrent polls on one token
      const pollAgent = agent(POLLS);
      const t0 = performance.now();
      const answers = await Promise.all(
        Array.from({ length: POLLS }, async () => {
          try {
            const r = await call<{ error?: string; messages?: unknown[] }>(
              port,
              'GET',
              `/api/v1/messages?after=${cursor}&timeout=${HOLD_S}`,
              { token: s.token, agent: pollAgent },
            );
            return {
              status: String(r.status),
              code: r.body?.error ?? null,
              retryAfter: r.headers['retry-after'] ?? null,
              entries: r.body?.messages?.length ?? null,
              ms: performance.now() - t0,
            };
          } catch (err) {
            const code = (err as NodeJS.ErrnoException).code ?? '';
            return { status: `error ${code}`, code: null, retryAfter: null, entries: null, ms: 0 };
          }
        }),
      );
      pollAgent.destroy();
      const histogram: Record<string, number> = {};
      for (const a of answers) histogram[a.status] = (histogram[a.status] ?? 0) + 1;
      const held = answers.filter((a) => a.status === '200');
      const refused = answers.filter((a) => a.status === '429');
      const refusedOk = refused.filter((a) => a.code === 'too_many_polls' && a.retryAfter);
      const heldMs = held.map((a) => Math.round(a.ms));
      const refusedMaxMs = Math.round(Math.max(0, ...refused.map((a) => a.ms)));
      c.equal('polls held (200)', held.length, HELD_MAX);
      c.equal('polls refused (429)', refused.length, POLLS - HELD_MAX);
      c.equal('429s with too_many_polls and Retry-After', refusedOk.length, refused.length);
      c.check(
        held.every((a) => a.entries === 0 && a.ms >= HOLD_S * 1000 - 250),
        `held polls answer no entries after the ${HOLD_S} s hold (got ${heldMs.join(', ')} ms)`,
      );
      c.timing('slowest 429 ms', refusedMaxMs, 1000);
      ctx.log(`polls: ${JSON.stringify(histogram)}; held answered after ${heldMs.join(', ')} ms`);

      // 2. 2,000 idle connections, once the server has closed part 1's connections
      let fdBefore = fdCount(server.pid);
      for (let i = 0; i < 30 && fdBefore > fdStart + 5; i++) {
        await sleep(100);
        fdBefore = fdCount(server.pid);
      }
      let fdPeak = fdBefore;
      let socketsPeak = 0;
      const sampler = setInterval(() => {
        try {
          fdPeak = Math.max(fdPeak, fdCount(server.pid));
          socketsPeak = Math.max(socketsPeak, socketFds(server.pid));
        } catch {
          // gone
        }
      }, 250);
      const opened = await openMany(port, IDLE, {
        batch: 200,
        deadline: Math.min(ctx.deadline - 20_000, Date.now() + 15_000),
      });
      idle.push(...opened.conns);
      const openedAt = performance.now();
      ctx.log(`${idle.length} idle connections open (${opened.failed} failed)`);
      // a normal client while they are open
      const healthMs: number[] = [];
      const healthStatuses: Record<string, number> = {};
      let lastOpen = idle.length;
      const closeCurve: [number, number][] = [];
      for (let i = 0; i < 200 && Date.now() < ctx.deadline - 5_000; i++) {
        const h0 = performance.now();
        try {
          const h = await call(port, 'GET', '/.well-known/healthcheck.json');
          healthStatuses[h.status] = (healthStatuses[h.status] ?? 0) + 1;
        } catch (err) {
          const k = `error ${(err as NodeJS.ErrnoException).code ?? ''}`;
          healthStatuses[k] = (healthStatuses[k] ?? 0) + 1;
        }
        healthMs.push(performance.now() - h0);
        lastOpen = idle.filter((k) => k.closedAt === null).length;
        closeCurve.push([Math.round((performance.now() - openedAt) / 100) / 10, lastOpen]);
        if (lastOpen === 0 || performance.now() - openedAt > (CLOSE_WITHIN_S + 2) * 1000) break;
        await sleep(250);
      }
      const closedByServer = idle.filter((k) => k.closedAt !== null && k.closedHow !== 'local');
      const closeS = closedByServer.map((k) => (k.closedAt! - k.openedAt) / 1000);
      const closedInTime = closeS.filter((x) => x <= CLOSE_WITHIN_S).length;
      const idleStatuses: Record<string, number> = {};
      for (const k of idle) {
        const key = k.closedAt === null ? 'open' : String(k.status() ?? 'none');
        idleStatuses[key] = (idleStatuses[key] ?? 0) + 1;
      }
      for (const k of idle) k.destroy();
      // the server's side of the closes settles within a moment
      let fdAfter = fdCount(server.pid);
      for (let i = 0; i < 20 && fdAfter > fdBefore; i++) {
        await sleep(100);
        fdAfter = fdCount(server.pid);
      }
      clearInterval(sampler);
      const socketsAfter = socketFds(server.pid);

      c.equal('idle connections opened', idle.length, IDLE);
      c.equal(
        `idle connections closed by the server within ${CLOSE_WITHIN_S} s`,
        closedInTime,
        IDLE,
      );
      c.check(
        fdPeak <= fdBefore + IDLE + 20,
        `server fds at the peak ≤ before + connections + 20 (${fdBefore} + ${IDLE} + 20; got ${fdPeak})`,
      );
      c.check(
        fdAfter <= fdBefore + 5,
        `server fds after ≤ before + 5 (${fdBefore}; got ${fdAfter})`,
      );
      c.check(!server.exited(), 'chatd still running');
      c.equal(
        'health answers not 200 during the pile-up',
        Object.entries(healthStatuses)
          .filter(([k]) => k !== '200')
          .reduce((n, [, v]) => n + v, 0),
        0,
      );
      const healthMax = Math.round(Math.max(0, ...healthMs));
      c.timing('health check max ms during the pile-up', healthMax, 100);

      return {
        figures: {
          poll_statuses: histogram,
          held_answer_ms: heldMs,
          slowest_429_ms: refusedMaxMs,
          idle_opened: idle.length,
          idle_closed_in_time: closedInTime,
          idle_close_p50_s: median(closeS),
          idle_close_max_s: Math.round(Math.max(0, ...closeS) * 10) / 10,
          fd_start: fdStart,
          fd_before: fdBefore,
          fd_peak: fdPeak,
          fd_after: fdAfter,
          server_sockets_peak: socketsPeak,
          server_sockets_after: socketsAfter,
          idle_answers: idleStatuses,
          health_statuses: healthStatuses,
          health_max_ms: healthMax,
          open_idle_curve: closeCurve.filter((_, i) => i % 4 === 0),
          open_failures: opened.errors,
        },
        failures: c.failures,
      };
    } finally {
      for (const k of idle) k.destroy();
      await stopAndClean(server);
    }
  },
};

function median(xs: number[]): number {
  if (!xs.length) return NaN;
  const v = [...xs].sort((a, b) => a - b);
  return Math.round(v[Math.floor(v.length / 2)]! * 10) / 10;
}
