// A1 (CI): steady load, correctness. 100 long-polling clients in 10 channels of 10; 20 of them
// send sequentially (each waits for its 200); 100 msg/s in total for 30 s (3,000 messages, about
// 30,000 deliveries) on SQLite. lost = dup = reordered = phantom = 0, no 5xx, p50 ≤ 30 ms and
// p99 ≤ 250 ms (timing fails only beyond 10× on this shared machine).
import { buildWorld } from '../lib/load.js';
import { startServer, stopAndClean } from '../lib/server.js';
import { deliveryFigures, exactDeliveryCriteria, steadyWindow } from '../lib/steady.js';
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
      const r = await steadyWindow(world, server.pid, {
        senders,
        rate: 100,
        seconds: 30,
        deadline: ctx.deadline,
      });
      await world.close();
      exactDeliveryCriteria(c, r, 15);
      c.timing('p50 ms', r.report.latencyMs.p50, 30);
      c.timing('p99 ms', r.report.latencyMs.p99, 250);
      for (const e of r.report.examples) ctx.log(e);
      return { figures: deliveryFigures(r), failures: c.failures };
    } finally {
      await stopAndClean(server);
    }
  },
};
