// One window of steady load over an existing world (reliability/README.mda: A1, A2, A3): paced sequential
// senders, then a settle, then the shared checker. The caller decides the criteria.
import { checkDelivery, type DeliveryReport } from './checker.js';
import { allDelivered, count5xx, pollErrors, runSenders, type Member, type World } from './load.js';
import { cpuSeconds, rssKiB, rssSampler } from './server.js';
import type { Criteria } from './types.js';

export interface SteadyOptions {
  senders: Member[];
  rate: number;
  seconds: number;
  deadline: number;
  /** prefix of message keys, so several windows over one world stay apart */
  keyPrefix?: string;
  settleMs?: number;
}

export interface SteadyResult {
  report: DeliveryReport;
  settled: boolean;
  /** server CPU over the send window, % of one core */
  cpuPct: number;
  rssSamplesKiB: number[];
  peakRssKiB: number;
  /** 5xx answers to POSTs and polls */
  fiveXx: number;
  nonOkPosts: number;
  sendSeconds: number;
  postStatuses: Record<string, number>;
  pollErrors: Record<string, number>;
}

export async function steadyWindow(
  world: World,
  serverPid: number,
  o: SteadyOptions,
): Promise<SteadyResult> {
  const rss = rssSampler(serverPid, rssKiB, 1_000);
  const cpu0 = cpuSeconds(serverPid);
  const load = await runSenders(world.port, world.sendAgent, {
    senders: o.senders,
    rate: o.rate,
    seconds: o.seconds,
    deadline: o.deadline,
    maxMessages: Math.ceil(o.rate * o.seconds),
    ...(o.keyPrefix ? { keyPrefix: o.keyPrefix } : {}),
  });
  const cpuPct = (100 * (cpuSeconds(serverPid) - cpu0)) / load.seconds;
  const settled = await settle(world, load.sent, o.settleMs ?? 15_000);
  const { peakKiB, samples } = rss.stop();
  const report = checkDelivery(
    load.sent,
    world.members.map((m) => ({
      name: m.name,
      memberships: m.memberships,
      received: m.poller.received,
    })),
  );
  const errors = pollErrors(world.members.map((m) => m.poller));
  const pollStatuses = Object.fromEntries(
    Object.entries(errors).map(([k, v]) => [k.replace('status ', ''), v]),
  );
  return {
    report,
    settled,
    cpuPct: Math.round(cpuPct),
    rssSamplesKiB: samples,
    peakRssKiB: peakKiB,
    fiveXx: count5xx(load.statuses) + count5xx(pollStatuses),
    nonOkPosts: load.sent.length - report.acknowledged,
    sendSeconds: Math.round(load.seconds * 10) / 10,
    postStatuses: load.statuses,
    pollErrors: errors,
  };
}

async function settle(world: World, sent: Parameters<typeof allDelivered>[1], ms: number) {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (allDelivered(world.members, sent)) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return allDelivered(world.members, sent);
}

/** The exact delivery criteria every load test shares. */
/** reliability/README.md A1/A2's exact criteria for a steady window: all caught up, nothing lost or extra, no 5xx */
export function exactDeliveryCriteria(c: Criteria, r: SteadyResult, settleSeconds: number): void {
  c.check(
    r.settled,
    `every poller caught up within ${settleSeconds} s of the last acknowledgement`,
  );
  c.equal('lost', r.report.lost, 0);
  c.equal('duplicated', r.report.duplicated, 0);
  c.equal('reordered', r.report.reordered, 0);
  c.equal('phantom', r.report.phantom, 0);
  c.equal('extra', r.report.extra, 0);
  c.equal('5xx', r.fiveXx, 0);
  c.equal('non-200 POSTs', r.nonOkPosts, 0);
}

export function deliveryFigures(r: SteadyResult): Record<string, unknown> {
  return {
    sent: r.report.sent,
    acknowledged: r.report.acknowledged,
    deliveries: r.report.deliveries,
    entitled: r.report.entitled,
    lost: r.report.lost,
    duplicated: r.report.duplicated,
    reordered: r.report.reordered,
    phantom: r.report.phantom,
    extra: r.report.extra,
    p50_ms: r.report.latencyMs.p50,
    p95_ms: r.report.latencyMs.p95,
    p99_ms: r.report.latencyMs.p99,
    max_ms: r.report.latencyMs.max,
    slowest_delivery: r.report.slowest,
    server_cpu_pct: r.cpuPct,
    peak_rss_mib: Math.round(r.peakRssKiB / 102.4) / 10,
    send_seconds: r.sendSeconds,
    post_statuses: r.postStatuses,
    poll_errors: r.pollErrors,
  };
}
