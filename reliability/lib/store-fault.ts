// Shared parts of the storage fault tests (reliability/README.md B5 disk full, B6 read-only database):
// a channel with a few senders and one long-polling reader, send loops that record every answer
// (status, Retry-After, error code), read probes while the store cannot write, and the checks on
// the database file after chatd has stopped (integrity_check; every acknowledged message stored,
// no refused one stored).
import type http from 'node:http';
import Database from 'better-sqlite3';
import type { Sent } from './checker.js';
import { agent, call, createSession, send, sleep } from './http.js';
import { Poller } from './poller.js';

export interface FaultMember {
  name: string;
  token: string;
  channel: string;
  /** seq of its JOIN */
  joined: number;
  /** messages sent so far (the key counter) */
  n: number;
}

export interface Refusal {
  key: string;
  status: number | 'error';
  code: string | null;
  retryAfter: string | null;
  /** performance.now() when the answer came */
  at: number;
}

export interface FaultWorld {
  port: number;
  channel: string;
  senders: FaultMember[];
  reader: FaultMember;
  poller: Poller;
  agent: http.Agent;
  /** every POST of a test message, in order (the checker's records) */
  sent: Sent[];
  /** every non-200 answer to a test message */
  refusals: Refusal[];
  /** answers by status ("error" = no answer) */
  statuses: Record<string, number>;
  close(): Promise<void>;
}

export async function buildFaultWorld(
  port: number,
  prefix: string,
  senders: number,
  pollHoldSeconds = 2,
): Promise<FaultWorld> {
  const a = agent(senders + 8);
  const channel = `#${prefix}`;
  const make = async (name: string): Promise<FaultMember> => {
    const s = await createSession(port, name, a);
    const j = await send(port, s.token, { command: 'JOIN', to: channel }, a);
    return { name: s.nick, token: s.token, channel, joined: j.seq!, n: 0 };
  };
  const members: FaultMember[] = [];
  for (let i = 0; i < senders; i++) members.push(await make(`${prefix}s${i}`));
  const reader = await make(`${prefix}r`);
  const pollAgent = agent(4);
  const poller = new Poller(reader.name, port, reader.token, pollAgent, {
    holdSeconds: pollHoldSeconds,
  });
  return {
    port,
    channel,
    senders: members,
    reader,
    poller,
    agent: a,
    sent: [],
    refusals: [],
    statuses: {},
    close: async () => {
      await poller.stop();
      a.destroy();
      pollAgent.destroy();
    },
  };
}

/** POSTs the member's next test message (key in body[0], `padBytes` of filler in body[1]). */
export async function postNext(
  w: FaultWorld,
  m: FaultMember,
  padBytes: number,
): Promise<number | 'error'> {
  const key = `${m.name}.${String(m.n++).padStart(6, '0')}.`;
  const body = padBytes > 0 ? [key, 'x'.repeat(padBytes)] : [key];
  const record: Sent = { key, channel: m.channel, before: performance.now(), ack: null };
  w.sent.push(record);
  let status: number | 'error';
  try {
    const r = await call<{ id: string; seq: number; error?: string }>(
      w.port,
      'POST',
      '/api/v1/messages',
      { token: m.token, json: { command: 'PRIVMSG', to: m.channel, body }, agent: w.agent },
    );
    status = r.status;
    if (r.status === 200) record.ack = { id: r.body.id, seq: r.body.seq };
    else {
      const ra = r.headers['retry-after'];
      w.refusals.push({
        key,
        status,
        code: typeof r.body?.error === 'string' ? r.body.error : null,
        retryAfter: typeof ra === 'string' ? ra : null,
        at: performance.now(),
      });
    }
  } catch {
    status = 'error';
    w.refusals.push({ key, status, code: null, retryAfter: null, at: performance.now() });
  }
  w.statuses[status] = (w.statuses[status] ?? 0) + 1;
  return status;
}

export interface SendLoop {
  /** stops the loop and waits for the POSTs in flight */
  stop(): Promise<void>;
}

/**
 * Every sender POSTs sequentially (each waits for its answer), `intervalMs` apart (0 = as fast
 * as the server answers), until stopped, `deadline` or `maxMessages` in total.
 */
export function sendLoop(
  w: FaultWorld,
  o: { intervalMs: number; padBytes: number; deadline: number; maxMessages: number },
): SendLoop {
  let stopped = false;
  const startCount = w.sent.length;
  const loops = w.senders.map(async (m, i) => {
    await sleep((i * o.intervalMs) / w.senders.length);
    while (!stopped && Date.now() < o.deadline && w.sent.length - startCount < o.maxMessages) {
      const t0 = performance.now();
      await postNext(w, m, o.padBytes);
      const wait = o.intervalMs - (performance.now() - t0);
      if (wait > 0) await sleep(wait);
    }
  });
  return {
    stop: async () => {
      stopped = true;
      await Promise.all(loops);
    },
  };
}

export interface ProbeResult {
  /** answers by probe, e.g. {"history 200": 9, "state 503": 1} */
  statuses: Record<string, number>;
  /** health answers: "503 degraded" … */
  health: Record<string, number>;
  rounds: number;
}

/**
 * Reads while the store cannot write: history, state and a non-held poll from the given members,
 * and the health check, every `everyMs` for `ms`. Each member's token is used only every few
 * seconds, so last_seen bookkeeping (written every 2 s per client) comes due during the probe.
 */
export async function probeReads(
  w: FaultWorld,
  members: readonly FaultMember[],
  ms: number,
  everyMs: number,
): Promise<ProbeResult> {
  const out: ProbeResult = { statuses: {}, health: {}, rounds: 0 };
  const count = (rec: Record<string, number>, k: string) => (rec[k] = (rec[k] ?? 0) + 1);
  const until = Date.now() + ms;
  for (let i = 0; Date.now() < until && i < 10_000; i++) {
    const m = members[i % members.length]!;
    const target = encodeURIComponent(w.channel);
    const probes: [string, string][] = [
      ['history', `/api/v1/history?target=${target}&limit=20`],
      ['state', '/api/v1/state'],
      ['poll', '/api/v1/messages?timeout=0'],
    ];
    await Promise.all(
      probes.map(async ([name, path]) => {
        try {
          const r = await call<{ error?: string }>(w.port, 'GET', path, {
            token: m.token,
            agent: w.agent,
          });
          const code = r.status === 200 ? '' : ` ${r.body?.error ?? ''}`;
          count(out.statuses, `${name} ${r.status}${code}`);
        } catch (err) {
          count(out.statuses, `${name} error ${(err as NodeJS.ErrnoException).code ?? ''}`);
        }
      }),
    );
    try {
      const h = await call<{ status?: string }>(w.port, 'GET', '/.well-known/healthcheck.json');
      count(out.health, `${h.status} ${h.body?.status ?? '?'}`);
    } catch {
      count(out.health, 'error');
    }
    out.rounds++;
    await sleep(everyMs);
  }
  return out;
}

/** health check answers "<status> <body.status>", e.g. "200 ok" */
export async function health(port: number): Promise<string> {
  try {
    const h = await call<{ status?: string }>(port, 'GET', '/.well-known/healthcheck.json');
    return `${h.status} ${h.body?.status ?? '?'}`;
  } catch (err) {
    return `error ${(err as NodeJS.ErrnoException).code ?? ''}`;
  }
}

export interface DbCheck {
  integrity: string;
  /** acknowledged (200) messages without a row */
  ackedMissing: number;
  /** messages refused with an HTTP error status that are stored anyway */
  refusedStored: number;
  /** messages without any answer (transport error) that are stored: allowed, reported */
  unansweredStored: number;
  /** acknowledged messages stored more than once */
  storedTwice: number;
  examples: string[];
}

/** Opens the (stopped) database read-only and checks it against what the senders saw. */
export function checkDb(dbPath: string, w: FaultWorld): DbCheck {
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  try {
    const integrity = (db.pragma('integrity_check') as { integrity_check: string }[])
      .map((r) => r.integrity_check)
      .join('; ');
    const rows = db.prepare(`SELECT seq, data FROM events WHERE command = 'PRIVMSG'`).all() as {
      seq: number;
      data: string;
    }[];
    // keys look like "<nick>.000042."; find each in the stored JSON as a whole string
    const stored = new Map<string, number[]>();
    const keyRe = /"([A-Za-z0-9_]+\.\d{6}\.)"/g;
    for (const r of rows) {
      for (const m of r.data.matchAll(keyRe)) {
        const seqs = stored.get(m[1]!) ?? [];
        seqs.push(r.seq);
        stored.set(m[1]!, seqs);
      }
    }
    const out: DbCheck = {
      integrity,
      ackedMissing: 0,
      refusedStored: 0,
      unansweredStored: 0,
      storedTwice: 0,
      examples: [],
    };
    const note = (s: string) => {
      if (out.examples.length < 10) out.examples.push(s);
    };
    const unanswered = new Set(w.refusals.filter((r) => r.status === 'error').map((r) => r.key));
    for (const s of w.sent) {
      const seqs = stored.get(s.key) ?? [];
      if (s.ack) {
        if (!seqs.includes(s.ack.seq)) {
          out.ackedMissing++;
          note(`acknowledged ${s.key} (seq ${s.ack.seq}) not in the database`);
        }
        if (seqs.length > 1) out.storedTwice++;
      } else if (seqs.length > 0 && unanswered.has(s.key)) {
        out.unansweredStored++;
      } else if (seqs.length > 0) {
        out.refusedStored++;
        note(`refused ${s.key} stored anyway (seq ${seqs.join(',')})`);
      }
    }
    return out;
  } finally {
    db.close();
  }
}

/** A histogram's keys and counts as "k×n" text for notes. */
export function histogramText(h: Record<string, number>): string {
  return Object.entries(h)
    .map(([k, v]) => `${k}×${v}`)
    .join(', ');
}

/** Polls the reader has made and its errors so far (to diff around a fault phase). */
export function pollMark(w: FaultWorld): { polls: number; errors: Record<string, number> } {
  return { polls: w.poller.polls, errors: { ...w.poller.errors } };
}

/** What changed since `pollMark`: polls answered and errors, by kind. */
export function pollSince(
  w: FaultWorld,
  mark: { polls: number; errors: Record<string, number> },
): { polls: number; errors: Record<string, number>; errorCount: number } {
  const errors: Record<string, number> = {};
  let errorCount = 0;
  for (const [k, v] of Object.entries(w.poller.errors)) {
    const d = v - (mark.errors[k] ?? 0);
    if (d !== 0) {
      errors[k] = d;
      errorCount += d;
    }
  }
  return { polls: w.poller.polls - mark.polls, errors, errorCount };
}

/**
 * After a fault was lifted: POSTs from the first sender every 100 ms until one is acknowledged
 * (at most `maxMs`); answers the milliseconds from `since` to that 200, or null.
 */
export async function awaitRecovery(
  w: FaultWorld,
  since: number,
  padBytes: number,
  maxMs: number,
): Promise<number | null> {
  const until = Date.now() + maxMs;
  for (let i = 0; i < 1_000 && Date.now() < until; i++) {
    if ((await postNext(w, w.senders[0]!, padBytes)) === 200) {
      return Math.round(performance.now() - since);
    }
    await sleep(100);
  }
  return null;
}

/** Waits until the health check answers "200 ok" (at most `maxMs`); answers the ms, or null. */
export async function awaitHealthy(
  port: number,
  since: number,
  maxMs: number,
): Promise<number | null> {
  const until = Date.now() + maxMs;
  for (let i = 0; i < 1_000 && Date.now() < until; i++) {
    if ((await health(port)) === '200 ok') return Math.round(performance.now() - since);
    await sleep(100);
  }
  return null;
}

/** Refusals by "<status> <error code>", and the two defects a refusal can have. */
export function refusalSummary(refusals: readonly Refusal[]) {
  const codes: Record<string, number> = {};
  for (const r of refusals) {
    const k = `${r.status} ${r.code ?? ''}`.trim();
    codes[k] = (codes[k] ?? 0) + 1;
  }
  return {
    codes,
    /** answered with something else than 503/507 (a 500, a transport error…) */
    badStatus: refusals.filter((r) => r.status !== 503 && r.status !== 507),
    /** 503/507 without Retry-After */
    noRetryAfter: refusals.filter((r) => (r.status === 503 || r.status === 507) && !r.retryAfter),
  };
}

/** read probes that did not answer 200 */
export function readsNot200(p: ProbeResult): number {
  return Object.entries(p.statuses)
    .filter(([k]) => !k.endsWith(' 200'))
    .reduce((n, [, v]) => n + v, 0);
}
