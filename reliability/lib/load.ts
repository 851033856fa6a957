// The load driver (reliability/README.mda): a world of sessions in channels, each with a long-polling
// client, and paced senders that wait for each 200 before the next message. Every loop is bounded
// by count and by time; everything binds to loopback.
import type http from 'node:http';
import { entitledTo, type Interval, type Sent } from './checker.js';
import { agent, call, createSession, send, sleep } from './http.js';
import { Poller } from './poller.js';

export interface Member {
  name: string;
  token: string;
  sessionId: number;
  channel: string;
  memberships: Interval[];
  poller: Poller;
}

export interface World {
  port: number;
  members: Member[];
  channels: string[];
  pollAgent: http.Agent;
  sendAgent: http.Agent;
  close(): Promise<void>;
}

export interface WorldOptions {
  clients: number;
  channels: number;
  /** prefix for nicks and channel names, so several worlds can share a server */
  prefix?: string;
  holdSeconds?: number;
  senders?: number;
}

/** Creates `clients` sessions spread evenly over `channels` channels; pollers not started yet. */
export async function buildWorld(port: number, o: WorldOptions): Promise<World> {
  const prefix = o.prefix ?? 'u';
  const pollAgent = agent(o.clients + 8);
  const sendAgent = agent(Math.max(8, o.senders ?? 20));
  const channels = Array.from({ length: o.channels }, (_, i) => `#${prefix}load${i}`);
  const members: Member[] = [];
  const perChannel = Math.ceil(o.clients / o.channels);
  for (let i = 0; i < o.clients; i++) {
    const s = await createSession(port, `${prefix}${i}`, sendAgent);
    const channel = channels[Math.floor(i / perChannel)]!;
    const join = await send(port, s.token, { command: 'JOIN', to: channel }, sendAgent);
    members.push({
      name: s.nick,
      token: s.token,
      sessionId: s.id,
      channel,
      memberships: [{ channel, joined: join.seq!, left: null }],
      poller: new Poller(s.nick, port, s.token, pollAgent, { holdSeconds: o.holdSeconds ?? 10 }),
    });
  }
  return {
    port,
    members,
    channels,
    pollAgent,
    sendAgent,
    close: async () => {
      await Promise.all(members.map((m) => m.poller.stop()));
      pollAgent.destroy();
      sendAgent.destroy();
    },
  };
}

export interface SendStats {
  sent: Sent[];
  /** answers by status ("error" = no answer, also counted as "error <code>") */
  statuses: Record<string, number>;
  seconds: number;
}

export interface SendPlan {
  senders: Member[];
  /** messages per second over all senders */
  rate: number;
  seconds: number;
  deadline: number;
  /** hard cap on messages (reliability/README.md) */
  maxMessages?: number;
  /** runs between messages, e.g. churn; must not throw */
  keyPrefix?: string;
}

/** Paced sequential senders: each waits for its 200 before its next message. */
export async function runSenders(port: number, a: http.Agent, plan: SendPlan): Promise<SendStats> {
  const sent: Sent[] = [];
  const statuses: Record<string, number> = {};
  const perSender = plan.rate / plan.senders.length;
  const intervalMs = 1000 / perSender;
  const total = Math.min(plan.maxMessages ?? Infinity, Math.round(plan.rate * plan.seconds));
  const each = Math.ceil(total / plan.senders.length);
  const t0 = performance.now();
  const endBy = Math.min(plan.deadline, Date.now() + plan.seconds * 1000 + 5_000);
  await Promise.all(
    plan.senders.map(async (m, si) => {
      // spread the senders over one interval so the load is smooth
      const offset = (si / plan.senders.length) * intervalMs;
      for (let n = 0; n < each && Date.now() < endBy; n++) {
        const due = t0 + offset + n * intervalMs;
        const wait = due - performance.now();
        if (wait > 0) await sleep(wait);
        const key = `${plan.keyPrefix ?? ''}${m.name}:${n}`;
        const record: Sent = { key, channel: m.channel, before: performance.now(), ack: null };
        sent.push(record);
        let status: number | 'error';
        try {
          const r = await call<{ id: string; seq: number }>(port, 'POST', '/api/v1/messages', {
            token: m.token,
            json: { command: 'PRIVMSG', to: m.channel, body: [key] },
            agent: a,
          });
          status = r.status;
          if (r.status === 200) {
            record.ack = { id: r.body.id, seq: r.body.seq };
            record.ackedAt = performance.now();
          }
        } catch (err) {
          // the transport error's code (ECONNRESET, …) tells a server fault from a client one
          status = 'error';
          const code = `error ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`;
          statuses[code] = (statuses[code] ?? 0) + 1;
        }
        statuses[status] = (statuses[status] ?? 0) + 1;
      }
    }),
  );
  return { sent, statuses, seconds: (performance.now() - t0) / 1000 };
}

/** The highest seq acknowledged, or 0. */
export function maxAckedSeq(sent: readonly Sent[]): number {
  return sent.reduce((m, s) => Math.max(m, s.ack?.seq ?? 0), 0);
}

/** Waits until `done()` holds or `timeoutMs` passed; answers whether it held. */
export async function settle(done: () => boolean, timeoutMs: number): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (done()) return true;
    await sleep(50);
  }
  return done();
}

/** true when every member received every acknowledged message of the channels it is in */
export function allDelivered(members: readonly Member[], sent: readonly Sent[]): boolean {
  return members.every((m) => {
    const ids = new Set(m.poller.received.map((r) => r.id));
    return sent.every(
      (s) => !s.ack || !entitledTo(m.memberships, s.channel, s.ack.seq) || ids.has(s.ack.id),
    );
  });
}

/** Counts 5xx answers in a status histogram. */
export function count5xx(statuses: Record<string, number>): number {
  return Object.entries(statuses).reduce((n, [k, v]) => (/^5\d\d$/.test(k) ? n + v : n), 0);
}

/** Poll errors of every poller, merged. */
export function pollErrors(pollers: readonly Poller[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const p of pollers)
    for (const [k, v] of Object.entries(p.errors)) out[k] = (out[k] ?? 0) + v;
  return out;
}
