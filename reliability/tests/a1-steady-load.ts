// A1 (CI): steady load, correctness. 100 long-polling clients in 10 channels of 10; 20 of them
// send sequentially (each waits for its 200); 100 msg/s in total for 30 s (3,000 messages, about
// 30,000 deliveries) on SQLite. lost = dup = reordered = phantom = 0, no 5xx, p50 ≤ 30 ms and
// p99 ≤ 250 ms (timing fails only beyond 10× on this shared machine).
import { checkDelivery } from '../lib/checker.js';
import { buildWorld, count5xx, allDelivered, pollErrors, runSenders, settle } from '../lib/load.js';
import { cpuSeconds, rssKiB, rssSampler, startServer, stopAndClean } from '../lib/server.js';
import { Criteria, type ReliabilityTest } from '../lib/types.js';

export const a1: ReliabilityTest = {
  id: 'A1',
  title: 'Steady load, correctness (100 pollers, 10 channels, 100 msg/s)',
  tiers: ['ci', 'soak'],
  budgetSeconds: { ci: 90, soak: 90 },
  async run(ctx) {
    const server = await startServer();
    const c = new Criteria();
    try {
      const world = await buildWorld(server.port, { clients: 100, channels: 10, senders: 20 });
      ctx.log('100 sessions joined; polling');
      for (const m of world.members) m.poller.start(ctx.deadline);
      // two senders per channel
      const senders = world.members.filter((_, i) => i % 10 < 2);
      const rss = rssSampler(server.pid, rssKiB);
      const cpu0 = cpuSeconds(server.pid);
      const load = await runSenders(server.port, world.sendAgent, {
        senders,
        rate: 100,
        seconds: 30,
        deadline: ctx.deadline,
        maxMessages: 3_000,
      });
      const cpu = (100 * (cpuSeconds(server.pid) - cpu0)) / load.seconds;
      const settled = await settle(() => allDelivered(world.members, load.sent), 15_000);
      const { peakKiB } = rss.stop();
      await world.close();
      const report = checkDelivery(
        load.sent,
        world.members.map((m) => ({
          name: m.name,
          memberships: m.memberships,
          received: m.poller.received,
        })),
      );
      const errors = pollErrors(world.members.map((m) => m.poller));
      const fiveXx =
        count5xx(load.statuses) +
        count5xx(
          Object.fromEntries(Object.entries(errors).map(([k, v]) => [k.replace('status ', ''), v])),
        );
      c.check(settled, 'every poller caught up within 15 s of the last acknowledgement');
      c.equal('lost', report.lost, 0);
      c.equal('duplicated', report.duplicated, 0);
      c.equal('reordered', report.reordered, 0);
      c.equal('phantom', report.phantom, 0);
      c.equal('extra', report.extra, 0);
      c.equal('5xx', fiveXx, 0);
      c.equal('non-200 POSTs', load.sent.length - report.acknowledged, 0);
      c.timing('p50 ms', report.latencyMs.p50, 30);
      c.timing('p99 ms', report.latencyMs.p99, 250);
      for (const e of report.examples) ctx.log(e);
      return {
        figures: {
          sent: report.sent,
          acknowledged: report.acknowledged,
          deliveries: report.deliveries,
          entitled: report.entitled,
          lost: report.lost,
          duplicated: report.duplicated,
          reordered: report.reordered,
          phantom: report.phantom,
          extra: report.extra,
          p50_ms: report.latencyMs.p50,
          p95_ms: report.latencyMs.p95,
          p99_ms: report.latencyMs.p99,
          max_ms: report.latencyMs.max,
          server_cpu_pct: Math.round(cpu),
          peak_rss_mib: Math.round(peakKiB / 102.4) / 10,
          send_seconds: Math.round(load.seconds * 10) / 10,
          post_statuses: load.statuses,
          poll_errors: errors,
        },
        failures: c.failures,
      };
    } finally {
      await stopAndClean(server);
    }
  },
};
