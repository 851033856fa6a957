// A3 (soak): capacity step-up. 200 clients; 100, 200, 400, 800, 1,600, 3,200 msg/s for 20 s each;
// stop at the first step with p99 > 1 s, any loss, or errors > 0.1 %. No loss at any step that
// passed; the knee is at least 400 msg/s. Reports the highest rate sustained with p99 ≤ 500 ms
// (compare Ergo's ~1K/s on SQLite) and the CPU at the knee.
import { buildWorld } from '../lib/load.js';
import { startServer, stopAndClean } from '../lib/server.js';
import { steadyWindow } from '../lib/steady.js';
import { Criteria, type ReliabilityTest } from '../lib/types.js';

const STEPS = [100, 200, 400, 800, 1_600, 3_200];
const STEP_SECONDS = 20;

export const a3: ReliabilityTest = {
  id: 'A3',
  title: 'Capacity step-up (200 clients; 100 → 3,200 msg/s, 20 s a step)',
  tiers: ['soak'],
  budgetSeconds: { soak: 300 },
  async run(ctx) {
    const server = await startServer();
    const c = new Criteria();
    const steps: Record<string, unknown>[] = [];
    try {
      // 100 senders: a sequential sender cannot go faster than its round trip, so the top steps
      // need many of them in flight
      const world = await buildWorld(server.port, { clients: 200, channels: 20, senders: 100 });
      for (const m of world.members) m.poller.start(ctx.deadline);
      const senders = world.members.filter((_, i) => i % 2 === 0);
      let sustained500 = 0;
      let knee = 0;
      let kneeCpu = 0;
      for (const rate of STEPS) {
        if (Date.now() + (STEP_SECONDS + 20) * 1000 > ctx.deadline) break;
        const r = await steadyWindow(world, server.pid, {
          senders,
          rate,
          seconds: STEP_SECONDS,
          deadline: ctx.deadline,
          keyPrefix: `r${rate}:`,
          settleMs: 10_000,
        });
        // only this step's messages count: clear what the pollers received so far
        for (const m of world.members) m.poller.received.length = 0;
        const achieved = Math.round(r.report.acknowledged / r.sendSeconds);
        const errors = r.nonOkPosts + r.fiveXx;
        const errorRate = errors / Math.max(1, r.report.sent);
        const loss = r.report.lost + r.report.duplicated + r.report.reordered + r.report.extra;
        steps.push({
          target: rate,
          achieved,
          p50_ms: r.report.latencyMs.p50,
          p99_ms: r.report.latencyMs.p99,
          lost: r.report.lost,
          errors,
          cpu_pct: r.cpuPct,
        });
        ctx.log(`${rate}/s → ${achieved}/s, p99 ${r.report.latencyMs.p99} ms, cpu ${r.cpuPct} %`);
        const failed = r.report.latencyMs.p99 > 1_000 || loss > 0 || errorRate > 0.001;
        c.equal(`loss at ${rate}/s`, loss, 0);
        if (failed) break;
        // the knee: the most the server delivered at any step that passed (past saturation a
        // higher target can achieve less)
        if (achieved > knee) {
          knee = achieved;
          kneeCpu = r.cpuPct;
        }
        if (r.report.latencyMs.p99 <= 500) sustained500 = Math.max(sustained500, achieved);
      }
      await world.close();
      c.check(knee >= 400, `the knee is at least 400 msg/s (got ${knee})`);
      return {
        figures: {
          highest_sustained_p99_500ms: sustained500,
          knee_msgs_per_s: knee,
          cpu_at_knee_pct: kneeCpu,
          steps,
        },
        failures: c.failures,
      };
    } finally {
      await stopAndClean(server);
    }
  },
};
