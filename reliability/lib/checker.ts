// The shared delivery checker (reliability/README.md): every test message carries a unique key; senders
// record each acknowledgement with the server's id and seq, receivers record what they got; from
// the seqs of the JOIN/PART/KICK/QUIT events the checker knows which messages each client was
// entitled to, and counts lost, duplicated, reordered, phantom and extra deliveries, and the
// latency of every delivery (receive time minus the moment just before the POST).
import type { Received } from './poller.js';

export interface Sent {
  /** unique text of the message (its body[0]) */
  key: string;
  channel: string;
  /** performance.now() just before the POST */
  before: number;
  /** the server's answer; null when the POST got no 200 (timeout, error, killed server) */
  ack: { id: string; seq: number } | null;
  /** performance.now() when the 200 arrived (where the sender records it) */
  ackedAt?: number;
}

/** A session's membership in a channel from the seq of its JOIN to that of its PART/KICK/QUIT. */
export interface Interval {
  channel: string;
  joined: number;
  /** null = still a member */
  left: number | null;
}

export interface ClientRecord {
  name: string;
  /** the client's membership intervals (its session's), in any order */
  memberships: Interval[];
  received: readonly Received[];
}

export interface DeliveryReport {
  sent: number;
  acknowledged: number;
  /** entitled (client, message) pairs of acknowledged messages */
  entitled: number;
  deliveries: number;
  lost: number;
  duplicated: number;
  reordered: number;
  /** received test messages that were never sent */
  phantom: number;
  /** received acknowledged messages the client was not entitled to */
  extra: number;
  /** received messages whose POST got no 200 (allowed: the answer may have been lost) */
  unacknowledgedDelivered: number;
  latencyMs: Percentiles;
  /** the slowest delivery, split into the POST's answer time and the rest (for outliers) */
  slowest: string | null;
  /** the first few problems, for the log */
  examples: string[];
}

export interface Percentiles {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

export function percentiles(values: number[]): Percentiles {
  const v = [...values].sort((a, b) => a - b);
  const at = (q: number) =>
    v.length ? v[Math.min(v.length - 1, Math.ceil(q * v.length) - 1)]! : NaN;
  return {
    count: v.length,
    p50: round(at(0.5)),
    p95: round(at(0.95)),
    p99: round(at(0.99)),
    max: round(v.length ? v[v.length - 1]! : NaN),
  };
}

function round(x: number): number {
  return Math.round(x * 10) / 10;
}

/** the test key of a received PRIVMSG, or null for anything else */
export type KeyOf = (m: Received) => string | null;

export const bodyKey: KeyOf = (m) =>
  m.command === 'PRIVMSG' && Array.isArray(m.body) && typeof m.body[0] === 'string'
    ? m.body[0]
    : null;

export function entitledTo(
  memberships: readonly Interval[],
  channel: string,
  seq: number,
): boolean {
  const c = channel.toLowerCase();
  return memberships.some(
    (i) => i.channel.toLowerCase() === c && i.joined <= seq && (i.left === null || seq <= i.left),
  );
}

export function checkDelivery(
  sent: readonly Sent[],
  clients: readonly ClientRecord[],
  keyOf: KeyOf = bodyKey,
): DeliveryReport {
  const byKey = new Map(sent.map((s) => [s.key, s]));
  const acked = sent.filter((s) => s.ack !== null);
  const examples: string[] = [];
  const note = (s: string) => {
    if (examples.length < 10) examples.push(s);
  };
  const r: DeliveryReport = {
    sent: sent.length,
    acknowledged: acked.length,
    entitled: 0,
    deliveries: 0,
    lost: 0,
    duplicated: 0,
    reordered: 0,
    phantom: 0,
    extra: 0,
    unacknowledgedDelivered: 0,
    latencyMs: percentiles([]),
    slowest: null,
    examples,
  };
  const latencies: number[] = [];
  let slowestMs = -1;
  for (const c of clients) {
    const seen = new Map<string, Received>();
    let lastQueueId = -Infinity;
    for (const m of c.received) {
      if (m.queueId <= lastQueueId) {
        r.reordered++;
        note(`${c.name}: queue id ${m.queueId} after ${lastQueueId}`);
      }
      lastQueueId = Math.max(lastQueueId, m.queueId);
      const key = keyOf(m);
      if (key === null) continue;
      const s = byKey.get(key);
      if (!s) {
        r.phantom++;
        note(`${c.name}: phantom ${key}`);
        continue;
      }
      if (seen.has(m.id)) {
        r.duplicated++;
        note(`${c.name}: ${key} twice`);
        continue;
      }
      seen.set(m.id, m);
      r.deliveries++;
      if (!s.ack) {
        r.unacknowledgedDelivered++;
        continue;
      }
      if (!entitledTo(c.memberships, s.channel, s.ack.seq)) {
        r.extra++;
        note(`${c.name}: ${key} (seq ${s.ack.seq}) while not a member`);
        continue;
      }
      const ms = m.at - s.before;
      latencies.push(ms);
      if (ms > slowestMs) {
        slowestMs = ms;
        const post = s.ackedAt === undefined ? '?' : (s.ackedAt - s.before).toFixed(1);
        r.slowest =
          `${c.name} got ${key} (seq ${s.ack.seq}) ${ms.toFixed(1)} ms after its POST began; ` +
          `the POST was answered after ${post} ms` +
          (m.polledAt === undefined
            ? ''
            : `; the poll that brought it was sent at ${(m.polledAt - s.before).toFixed(1)} ms`);
      }
    }
    for (const s of acked) {
      if (!entitledTo(c.memberships, s.channel, s.ack!.seq)) continue;
      r.entitled++;
      if (!seen.has(s.ack!.id)) {
        r.lost++;
        note(`${c.name}: lost ${s.key} (seq ${s.ack!.seq})`);
      }
    }
  }
  r.latencyMs = percentiles(latencies);
  return r;
}
