// F1 (CI): a message flood by one client, with flood control on (FLOOD_BURST=10, FLOOD_RATE=2,
// the docs/limits.md defaults). Bystanders as in A1 but fewer: 20 long-polling clients in 4 channels,
// 16 of them sending 20 msg/s in all (1.25/s each — under the per-client rate, so flood control
// must never touch them). Phase 1 (8 s): bystanders alone, the baseline. Phase 2 (10 s): the same
// bystanders while one client sends PRIVMSG as fast as it can (4 connections, no pause).
// Criteria: the flooder gets at most burst + rate × seconds + 1 accepted, every other answer 429
// `flood` with a Retry-After; nothing refused is stored; bystanders get no 429 and no 5xx, lose
// nothing, and their delivery p99 stays within 1.5× the baseline (timing: fails beyond 10×).
import { checkDelivery, percentiles, type Sent } from '../lib/checker.js';
import { agent, call, createSession, send } from '../lib/http.js';
import { allDelivered, buildWorld, count5xx, pollErrors, runSenders, settle } from '../lib/load.js';
import type { Member } from '../lib/load.js';
import { cpuSeconds, startServer, stopAndClean } from '../lib/server.js';
import { Criteria, type ReliabilityTest } from '../lib/types.js';

const BURST = 10;
const RATE = 2;
const BYSTANDERS = 20;
const SENDERS = 16;
const BYSTANDER_RATE = 20;
const BASELINE_SECONDS = 8;
const FLOOD_SECONDS = 10;
const FLOOD_CONNECTIONS = 4;
/** the baseline p99 is floored here: a 3 ms baseline would make any noise look like a 5× slowdown */
const BASELINE_FLOOR_MS = 10;

/** Delivery latencies (ms) of the messages whose key starts with `prefix`. */
function latencies(members: readonly Member[], sent: readonly Sent[], prefix: string): number[] {
  const before = new Map(
    sent.filter((s) => s.key.startsWith(prefix)).map((s) => [s.key, s.before]),
  );
  const out: number[] = [];
  for (const m of members) {
    for (const r of m.poller.received) {
      const key = Array.isArray(r.body) ? (r.body as unknown[])[0] : undefined;
      const t = typeof key === 'string' ? before.get(key) : undefined;
      if (t !== undefined) out.push(r.at - t);
    }
  }
  return out;
}

interface FloodStats {
  statuses: Record<string, number>;
  accepted: number;
  refused429: number;
  badRetryAfter: number;
  wrongError: number;
  seconds: number;
}

async function flood(
  port: number,
  token: string,
  seconds: number,
  deadline: number,
): Promise<FloodStats> {
  const a = agent(FLOOD_CONNECTIONS);
  const s: FloodStats = {
    statuses: {},
    accepted: 0,
    refused429: 0,
    badRetryAfter: 0,
    wrongError: 0,
    seconds: 0,
  };
  const t0 = performance.now();
  const end = Math.min(deadline, Date.now() + seconds * 1000);
  let n = 0;
  try {
    await Promise.all(
      Array.from({ length: FLOOD_CONNECTIONS }, async () => {
        // bounded by time and by count (at most ~100k requests in 10 s)
        for (let i = 0; i < 100_000 && Date.now() < end; i++) {
          const r = await call<{ error?: string }>(port, 'POST', '/api/v1/messages', {
            token,
            json: { command: 'PRIVMSG', to: '#flood', body: [`flood ${n++}`] },
            agent: a,
          }).catch(() => null);
          const key = r ? String(r.status) : 'error';
          s.statuses[key] = (s.statuses[key] ?? 0) + 1;
          if (r?.status === 200) s.accepted++;
          if (r?.status === 429) {
            s.refused429++;
            const retry = r.headers['retry-after'];
            if (typeof retry !== 'string' || !/^[1-9]\d*$/.test(retry)) s.badRetryAfter++;
            if (r.body?.error !== 'flood') s.wrongError++;
          }
        }
      }),
    );
  } finally {
    a.destroy();
  }
  s.seconds = (performance.now() - t0) / 1000;
  return s;
}

export const f1: ReliabilityTest = {
  id: 'F1',
  title: 'Message flood by one client (burst 10, 2/s) beside 20 bystanders',
  tiers: ['ci', 'soak'],
  budgetSeconds: { ci: 90, soak: 90 },
  async run(ctx) {
    const c = new Criteria();
    const server = await startServer({
      env: { FLOOD_BURST: String(BURST), FLOOD_RATE: String(RATE) },
    });
    const port = server.port;
    try {
      const world = await buildWorld(port, {
        clients: BYSTANDERS,
        channels: 4,
        senders: SENDERS,
        prefix: 'by',
      });
      for (const m of world.members) m.poller.start(ctx.deadline);
      // four senders per channel
      const senders = world.members.filter((_, i) => i % 5 < 4).slice(0, SENDERS);
      const flooder = await createSession(port, 'flooder');
      await send(port, flooder.token, { command: 'JOIN', to: '#flood' });

      ctx.log(`baseline: ${SENDERS} bystanders, ${BYSTANDER_RATE} msg/s, ${BASELINE_SECONDS} s`);
      const base = await runSenders(port, world.sendAgent, {
        senders,
        rate: BYSTANDER_RATE,
        seconds: BASELINE_SECONDS,
        deadline: ctx.deadline,
        maxMessages: BYSTANDER_RATE * BASELINE_SECONDS,
        keyPrefix: 'base:',
      });
      await settle(() => allDelivered(world.members, base.sent), 5_000);

      ctx.log(`flood: one client, ${FLOOD_CONNECTIONS} connections, ${FLOOD_SECONDS} s`);
      const cpu0 = cpuSeconds(server.pid);
      const [load, fl] = await Promise.all([
        runSenders(port, world.sendAgent, {
          senders,
          rate: BYSTANDER_RATE,
          seconds: FLOOD_SECONDS,
          deadline: ctx.deadline,
          maxMessages: BYSTANDER_RATE * FLOOD_SECONDS,
          keyPrefix: 'flood:',
        }),
        flood(port, flooder.token, FLOOD_SECONDS, ctx.deadline),
      ]);
      const cpuPct = (100 * (cpuSeconds(server.pid) - cpu0)) / fl.seconds;
      const sent = [...base.sent, ...load.sent];
      const settled = await settle(() => allDelivered(world.members, sent), 10_000);
      await world.close();

      // the flooder, once the flood is over: refills, and nothing refused was stored
      const history = await call<{ messages: unknown[] }>(
        port,
        'GET',
        '/api/v1/history?target=%23flood&limit=500',
        {
          token: flooder.token,
        },
      );
      // another client of nobody in particular, right after: a full bucket of its own
      const other = await createSession(port, 'latecomer');
      const burst = await Promise.all(
        Array.from({ length: 5 }, () =>
          call(port, 'POST', '/api/v1/messages', { token: other.token, json: { command: 'PING' } }),
        ),
      );

      const report = checkDelivery(
        sent,
        world.members.map((m) => ({
          name: m.name,
          memberships: m.memberships,
          received: m.poller.received,
        })),
      );
      const baseP = percentiles(latencies(world.members, sent, 'base:'));
      const floodP = percentiles(latencies(world.members, sent, 'flood:'));
      const errors = pollErrors(world.members.map((m) => m.poller));
      const pollStatuses = Object.fromEntries(
        Object.entries(errors).map(([k, v]) => [k.replace('status ', ''), v]),
      );
      const bystander429 =
        (base.statuses['429'] ?? 0) + (load.statuses['429'] ?? 0) + (pollStatuses['429'] ?? 0);
      const fiveXx =
        count5xx(base.statuses) +
        count5xx(load.statuses) +
        count5xx(pollStatuses) +
        count5xx(fl.statuses);
      const limit = BURST + RATE * fl.seconds + 1;
      const ratio = floodP.p99 / Math.max(baseP.p99, BASELINE_FLOOR_MS);

      c.check(
        fl.accepted <= limit,
        `flooder accepted ≤ burst + rate × seconds + 1 = ${limit.toFixed(1)} (got ${fl.accepted})`,
      );
      c.check(
        fl.accepted >= BURST - 1,
        `flooder got at least its burst (got ${fl.accepted}): flood control is a bucket, not a wall`,
      );
      c.equal(
        'flooder answers other than 200/429',
        Object.keys(fl.statuses).filter((k) => k !== '200' && k !== '429').length,
        0,
      );
      c.check(fl.refused429 > 0, 'the flood was refused with 429');
      c.equal('429 without a valid Retry-After', fl.badRetryAfter, 0);
      c.equal('429 without error "flood"', fl.wrongError, 0);
      c.equal('flooder messages stored = accepted', history.body.messages?.length, fl.accepted);
      c.equal('5xx', fiveXx, 0);
      c.equal('bystander 429s', bystander429, 0);
      c.equal(
        'a fresh client’s 5 commands after the flood: 200s',
        burst.filter((r) => r.status === 200).length,
        5,
      );
      c.check(settled, 'every bystander caught up within 10 s');
      c.equal('lost', report.lost, 0);
      c.equal('duplicated', report.duplicated, 0);
      c.equal('reordered', report.reordered, 0);
      c.equal('phantom', report.phantom, 0);
      c.equal('non-200 bystander POSTs', sent.length - report.acknowledged, 0);
      c.timing(
        `bystander p99 flood / baseline (floor ${BASELINE_FLOOR_MS} ms)`,
        Math.round(ratio * 100) / 100,
        1.5,
      );
      return {
        figures: {
          accepted: fl.accepted,
          '429s': fl.refused429,
          bystander_p99_ms: floodP.p99,
          baseline_p99_ms: baseP.p99,
          p99_ratio: Math.round(ratio * 100) / 100,
          accepted_limit: Math.round(limit * 10) / 10,
          flood_requests: fl.accepted + fl.refused429,
          flood_req_per_s: Math.round((fl.accepted + fl.refused429) / fl.seconds),
          flood_seconds: Math.round(fl.seconds * 10) / 10,
          server_cpu_pct_during_flood: Math.round(cpuPct),
          bystander_p50_ms: floodP.p50,
          baseline_p50_ms: baseP.p50,
          bystander_messages: sent.length,
          deliveries: report.deliveries,
          lost: report.lost,
          '5xx': fiveXx,
          bystander_429s: bystander429,
          flood_statuses: fl.statuses,
        },
        failures: c.failures,
        notes: [
          `bystanders send ${BYSTANDER_RATE} msg/s from ${SENDERS} clients (${BYSTANDER_RATE / SENDERS}/s each): ` +
            `with flood control on at ${RATE}/s per session (each bystander is its own), 4 senders at 20 msg/s would be throttled themselves`,
        ],
      };
    } finally {
      await stopAndClean(server);
    }
  },
};
