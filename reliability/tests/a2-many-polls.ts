// A2 (soak): many long-polls, long run. 1,000 clients (about 2,000 file descriptors) in 100
// channels; 300 msg/s for 300 s (90,000 messages). As A1 with p99 ≤ 500 ms; RSS growth after the
// first 60 s ≤ 10 %; event-loop delay p99 ≤ 50 ms (from chatd's own /metrics).
import { buildWorld } from '../lib/load.js';
import { EVENT_LOOP_P99, METRICS_ENV, scrapeGauge } from '../lib/metrics-scrape.js';
import { startServer, stopAndClean } from '../lib/server.js';
import { deliveryFigures, exactDeliveryCriteria, steadyWindow } from '../lib/steady.js';
import { Criteria, type ReliabilityTest } from '../lib/types.js';

const SECONDS = 300;

export const a2: ReliabilityTest = {
  id: 'A2',
  title: 'Many long-polls, long run (1,000 pollers, 100 channels, 300 msg/s for 300 s)',
  tiers: ['soak'],
  budgetSeconds: { soak: 480 },
  async run(ctx) {
    const server = await startServer({ env: METRICS_ENV });
    const c = new Criteria();
    try {
      const world = await buildWorld(server.port, { clients: 1_000, channels: 100, senders: 200 });
      ctx.log('1,000 sessions joined; polling');
      for (const m of world.members) m.poller.start(ctx.deadline);
      await scrapeGauge(server.port, EVENT_LOOP_P99); // resets the delay histogram
      const senders = world.members.filter((_, i) => i % 10 < 2);
      const r = await steadyWindow(world, server.pid, {
        senders,
        rate: 300,
        seconds: SECONDS,
        deadline: ctx.deadline,
        settleMs: 30_000,
      });
      const loopP99 = await scrapeGauge(server.port, EVENT_LOOP_P99);
      await world.close();
      // RSS after the first minute of sending (samples are one per second)
      const base = r.rssSamplesKiB[60] ?? r.rssSamplesKiB.at(-1) ?? 0;
      const later = Math.max(base, ...r.rssSamplesKiB.slice(60));
      const growthPct = base > 0 ? Math.round((1000 * (later - base)) / base) / 10 : NaN;
      exactDeliveryCriteria(c, r, 30);
      c.timing('p99 ms', r.report.latencyMs.p99, 500);
      c.timing('RSS growth after 60 s (%)', growthPct, 10, 3);
      c.check(loopP99 !== null, 'event-loop delay read from /metrics');
      if (loopP99 !== null) c.timing('event-loop delay p99 ms', loopP99 * 1000, 50);
      for (const e of r.report.examples) ctx.log(e);
      return {
        figures: {
          ...deliveryFigures(r),
          rss_growth_after_60s_pct: growthPct,
          event_loop_p99_ms: loopP99 === null ? null : Math.round(loopP99 * 10_000) / 10,
          rss_curve_mib: r.rssSamplesKiB
            .filter((_, i) => i % 10 === 0)
            .map((k) => Math.round(k / 102.4) / 10),
        },
        failures: c.failures,
      };
    } finally {
      await stopAndClean(server);
    }
  },
};
