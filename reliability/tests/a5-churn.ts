// A5 (CI): membership churn under load. A1's world and load (100 long-polling clients in 10
// channels of 10, 20 paced senders, 100 msg/s) plus 5 churn events per second, one at a time in a
// fixed rotation: JOIN, PART, NICK, TOPIC, KICK. The 80 non-senders churn: they join foreign
// channels, part, rejoin, change nick, get kicked by the channel's op (its creator, who is a
// sender) and come back. Every membership interval is recorded from the seqs of the acknowledged
// JOIN/PART/KICK (a PART's or KICK's POST answer carries the event's seq; a kicked member's
// interval ends at the KICK). The checker's entitlement must then match what each client got
// exactly, for the test messages and for the churn events themselves (JOIN/PART/KICK/TOPIC per
// channel; NICK to the changer and to everyone sharing a channel with it at that seq): 0 lost,
// 0 extra, 0 duplicated, 0 reordered. Test messages carry their key in the body, so NICK changes
// do not matter to the checker. 30 s of A1's load would leave too little room in the 40 s this
// test may take, so the load runs for LOAD_SECONDS at A1's rate.
import { checkDelivery, entitledTo, type KeyOf, type Sent } from '../lib/checker.js';
import { call, sleep } from '../lib/http.js';
import {
  allDelivered,
  buildWorld,
  count5xx,
  pollErrors,
  runSenders,
  settle,
  type Member,
} from '../lib/load.js';
import { cpuSeconds, rssKiB, rssSampler, startServer, stopAndClean } from '../lib/server.js';
import { Criteria, type ReliabilityTest } from '../lib/types.js';

const CLIENTS = 100;
const CHANNELS = 10;
const RATE = 100;
const LOAD_SECONDS = 25;
const CHURN_PER_SECOND = 5;
const KINDS = ['JOIN', 'PART', 'NICK', 'TOPIC', 'KICK'] as const;
type Kind = (typeof KINDS)[number];

/** small seeded PRNG (mulberry32), so a failing run's choices can be replayed with its seed */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Churner {
  member: Member;
  nick: string;
  /** channels it is in now (lower case) */
  in: Set<string>;
}

interface NickEvent {
  id: string;
  seq: number;
  who: Member;
}

export const a5: ReliabilityTest = {
  id: 'A5',
  title: 'Membership churn under load (A1 + 5 JOIN/PART/NICK/TOPIC/KICK per second)',
  tiers: ['ci', 'soak'],
  budgetSeconds: { ci: 60, soak: 60 },
  async run(ctx) {
    const seed = Number(process.env.RELIABILITY_SEED ?? Date.now() % 1_000_000);
    const rand = prng(seed);
    const pick = <T>(xs: readonly T[]): T | undefined => xs[Math.floor(rand() * xs.length)];
    const server = await startServer();
    const c = new Criteria();
    try {
      const world = await buildWorld(server.port, {
        clients: CLIENTS,
        channels: CHANNELS,
        senders: 21,
      });
      ctx.log(`${CLIENTS} sessions joined; polling (seed ${seed})`);
      for (const m of world.members) m.poller.start(ctx.deadline);
      // buildWorld joins members in order, so the first of each channel created it and is op
      const perChannel = CLIENTS / CHANNELS;
      const ops = new Map(world.channels.map((ch, k) => [ch, world.members[k * perChannel]!]));
      const senders = world.members.filter((_, i) => i % perChannel < 2);
      const churners: Churner[] = world.members
        .filter((_, i) => i % perChannel >= 2)
        .map((m) => ({ member: m, nick: m.name, in: new Set([m.channel]) }));

      const events: Sent[] = [];
      const nicks: NickEvent[] = [];
      const applied: Record<Kind, number> = { JOIN: 0, PART: 0, NICK: 0, TOPIC: 0, KICK: 0 };
      const refused: string[] = [];
      const churnStatuses: Record<string, number> = {};
      /** POSTs one churn command; answers the event's id and seq, or null (recorded) */
      const post = async (token: string, cmd: Record<string, unknown>) => {
        let status: number | 'error' = 'error';
        try {
          const r = await call<{ id: string | null; seq: number | null }>(
            server.port,
            'POST',
            '/api/v1/messages',
            { token, json: cmd, agent: world.sendAgent },
          );
          status = r.status;
          churnStatuses[status] = (churnStatuses[status] ?? 0) + 1;
          if (r.status === 200 && r.body.id !== null && r.body.seq !== null) {
            return { id: r.body.id, seq: r.body.seq };
          }
          refused.push(`${String(cmd.command)} ${String(cmd.to)}: ${r.status} ${r.text}`);
        } catch (err) {
          churnStatuses[status] = (churnStatuses[status] ?? 0) + 1;
          refused.push(`${String(cmd.command)}: ${String(err)}`);
        }
        return null;
      };
      const closeInterval = (m: Member, channel: string, seq: number) => {
        const open = m.memberships.find((i) => i.channel === channel && i.left === null);
        if (open) open.left = seq;
        else refused.push(`${m.name}: no open interval in ${channel} to close at ${seq}`);
      };
      const churnOnce = async (kind: Kind, n: number): Promise<void> => {
        const before = performance.now();
        if (kind === 'JOIN') {
          // someone who is not in every channel joins one it is not in (home or foreign)
          const who = pick(churners.filter((ch) => ch.in.size < CHANNELS));
          const channel = who && pick(world.channels.filter((x) => !who.in.has(x)));
          if (!who || !channel) return;
          const ack = await post(who.member.token, { command: 'JOIN', to: channel });
          if (!ack) return;
          who.in.add(channel);
          who.member.memberships.push({ channel, joined: ack.seq, left: null });
          events.push({ key: `ev:${ack.id}`, channel, before, ack });
        } else if (kind === 'PART' || kind === 'KICK') {
          const who = pick(churners.filter((ch) => ch.in.size > 0));
          const channel = who && pick([...who.in]);
          if (!who || !channel) return;
          const ack =
            kind === 'PART'
              ? await post(who.member.token, { command: 'PART', to: channel, body: [`bye ${n}`] })
              : await post(ops.get(channel)!.token, {
                  command: 'KICK',
                  to: channel,
                  params: [who.nick],
                  body: [`churn ${n}`],
                });
          if (!ack) return;
          who.in.delete(channel);
          closeInterval(who.member, channel, ack.seq);
          events.push({ key: `ev:${ack.id}`, channel, before, ack });
        } else if (kind === 'NICK') {
          const who = pick(churners)!;
          const nick = `${who.member.name}n${n}`;
          const ack = await post(who.member.token, { command: 'NICK', body: [nick] });
          if (!ack) return;
          who.nick = nick;
          nicks.push({ id: ack.id, seq: ack.seq, who: who.member });
        } else {
          const channel = pick(world.channels)!;
          const ack = await post(ops.get(channel)!.token, {
            command: 'TOPIC',
            to: channel,
            body: [`topic ${n}`],
          });
          if (!ack) return;
          events.push({ key: `ev:${ack.id}`, channel, before, ack });
        }
        applied[kind]++;
      };
      const churn = async () => {
        const t0 = performance.now();
        const total = CHURN_PER_SECOND * LOAD_SECONDS;
        for (let n = 0; n < total && Date.now() < ctx.deadline - 10_000; n++) {
          const wait = t0 + (n * 1000) / CHURN_PER_SECOND - performance.now();
          if (wait > 0) await sleep(wait);
          await churnOnce(KINDS[n % KINDS.length]!, n);
        }
      };

      const rss = rssSampler(server.pid, rssKiB);
      const cpu0 = cpuSeconds(server.pid);
      const [load] = await Promise.all([
        runSenders(server.port, world.sendAgent, {
          senders,
          rate: RATE,
          seconds: LOAD_SECONDS,
          deadline: ctx.deadline - 10_000,
          maxMessages: RATE * LOAD_SECONDS,
        }),
        churn(),
      ]);
      const cpu = (100 * (cpuSeconds(server.pid) - cpu0)) / load.seconds;

      const eventIds = new Set(events.map((e) => e.ack!.id));
      const nickIds = new Set(nicks.map((e) => e.id));
      const everything = [...load.sent, ...events];
      /** members entitled to a NICK: the changer, and whoever shared a channel with it then */
      const nickDue = (m: Member, e: NickEvent) =>
        m === e.who ||
        world.channels.some(
          (ch) => entitledTo(e.who.memberships, ch, e.seq) && entitledTo(m.memberships, ch, e.seq),
        );
      const nicksDelivered = () =>
        world.members.every((m) => {
          const ids = new Set(m.poller.received.map((r) => r.id));
          return nicks.every((e) => !nickDue(m, e) || ids.has(e.id));
        });
      const settled = await settle(
        () => allDelivered(world.members, everything) && nicksDelivered(),
        12_000,
      );
      const { peakKiB } = rss.stop();
      await world.close();

      // test messages by their body key, churn events by their id
      const keyOf: KeyOf = (m) =>
        m.command === 'PRIVMSG' && Array.isArray(m.body) && typeof m.body[0] === 'string'
          ? m.body[0]
          : eventIds.has(m.id)
            ? `ev:${m.id}`
            : null;
      const records = world.members.map((m) => ({
        name: m.name,
        memberships: m.memberships,
        received: m.poller.received,
      }));
      const report = checkDelivery(everything, records, keyOf);
      const messages = checkDelivery(load.sent, records);
      let nickLost = 0;
      let nickExtra = 0;
      for (const m of world.members) {
        const got = new Set(m.poller.received.filter((r) => nickIds.has(r.id)).map((r) => r.id));
        for (const e of nicks) {
          const due = nickDue(m, e);
          if (due && !got.has(e.id)) nickLost++;
          if (!due && got.has(e.id)) nickExtra++;
          if (due !== got.has(e.id) && report.examples.length < 10) {
            report.examples.push(`${m.name}: NICK seq ${e.seq} due=${due} got=${got.has(e.id)}`);
          }
        }
      }
      const mismatches =
        report.lost +
        report.extra +
        report.duplicated +
        report.reordered +
        report.phantom +
        nickLost +
        nickExtra;
      const errors = pollErrors(world.members.map((m) => m.poller));
      const fiveXx =
        count5xx(load.statuses) +
        count5xx(churnStatuses) +
        count5xx(
          Object.fromEntries(Object.entries(errors).map(([k, v]) => [k.replace('status ', ''), v])),
        );
      const churned = Object.values(applied).reduce((a, b) => a + b, 0);
      c.check(settled, 'every poller caught up within 12 s of the last acknowledgement');
      c.equal(
        'mismatches (lost + extra + dup + reordered + phantom, messages and events)',
        mismatches,
        0,
      );
      c.equal('lost', report.lost + nickLost, 0);
      c.equal('extra', report.extra + nickExtra, 0);
      c.equal('refused churn commands', refused.length, 0);
      c.equal('5xx', fiveXx, 0);
      c.equal('non-200 POSTs', load.sent.length - messages.acknowledged, 0);
      c.check(
        churned >= 0.9 * CHURN_PER_SECOND * LOAD_SECONDS,
        `churn events applied ≥ 90 % of ${CHURN_PER_SECOND * LOAD_SECONDS} (got ${churned})`,
      );
      for (const k of KINDS) c.check(applied[k] > 0, `at least one ${k} applied`);
      c.timing('p50 ms', messages.latencyMs.p50, 30);
      c.timing('p99 ms', messages.latencyMs.p99, 250);
      for (const e of report.examples) ctx.log(e);
      for (const s of slowest(world.members, load.sent, 3)) ctx.log(s);
      for (const r of refused.slice(0, 5)) ctx.log(`refused: ${r}`);
      return {
        figures: {
          mismatches,
          churn_applied: churned,
          churn_by_kind: applied,
          sent: messages.sent,
          acknowledged: messages.acknowledged,
          deliveries: messages.deliveries,
          p50_ms: messages.latencyMs.p50,
          p99_ms: messages.latencyMs.p99,
          entitled: messages.entitled,
          lost: messages.lost,
          duplicated: messages.duplicated,
          reordered: messages.reordered,
          phantom: messages.phantom,
          extra: messages.extra,
          event_deliveries: report.deliveries - messages.deliveries,
          event_lost: report.lost - messages.lost,
          event_extra: report.extra - messages.extra,
          nick_lost: nickLost,
          nick_extra: nickExtra,
          p95_ms: messages.latencyMs.p95,
          max_ms: messages.latencyMs.max,
          server_cpu_pct: Math.round(cpu),
          peak_rss_mib: Math.round(peakKiB / 102.4) / 10,
          send_seconds: Math.round(load.seconds * 10) / 10,
          seed,
          post_statuses: load.statuses,
          churn_statuses: churnStatuses,
          poll_errors: errors,
        },
        failures: c.failures,
      };
    } finally {
      await stopAndClean(server);
    }
  },
};

/** the slowest deliveries with the recipient's intervals in that channel, for the log */
function slowest(members: readonly Member[], sent: readonly Sent[], n: number): string[] {
  const byKey = new Map(sent.map((s) => [s.key, s]));
  const rows: { ms: number; line: string }[] = [];
  for (const m of members) {
    for (const r of m.poller.received) {
      const s = Array.isArray(r.body) ? byKey.get(String(r.body[0])) : undefined;
      if (!s?.ack || r.command !== 'PRIVMSG') continue;
      const ivs = m.memberships
        .filter((i) => i.channel === s.channel)
        .map((i) => `${i.joined}-${i.left ?? ''}`)
        .join(',');
      rows.push({
        ms: r.at - s.before,
        line: `slow: ${m.name} got ${s.key} (seq ${s.ack.seq}, ${s.channel}) after ${Math.round(r.at - s.before)} ms; intervals ${ivs}`,
      });
    }
  }
  return rows
    .sort((a, b) => b.ms - a.ms)
    .slice(0, n)
    .map((r) => r.line);
}
