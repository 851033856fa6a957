// F6 (CI): amplification — one request, unbounded work. A default server (flood control and the
// read budget on; only hashcash off, to build the world quickly) with ~1,000 channels and ~1,000
// sessions; for every attack in lib/amplification.ts a fresh attacker sends its largest input
// back to back for a few seconds while a health check runs every 50 ms and a bystander pair
// exchanges a message every 100 ms. Per attack: rows written and CPU per request (from chatd's
// own counters, less what the bystander and an idle baseline account for), the largest answer,
// the longest health-check gap and the bystander's p99. Criteria: no 5xx; rows per request within
// the documented bound; answers within PAGE_MAX_BYTES; writing requests counted by flood control,
// reads by the read budget; CPU per request and the health gap as timing criteria.
// `F6_ONLY=who-all,replay` runs some attacks only.
import { attackCatalogue, type Attack } from '../lib/amplification.js';
import { Bystander } from '../lib/bystander.js';
import { mapLimit } from '../lib/crowd.js';
import { HealthWatch } from '../lib/health-watch.js';
import { agent, call, createSession, send, sleep, type Created } from '../lib/http.js';
import { METRICS_ENV } from '../lib/metrics-scrape.js';
import { makeTempDir, startServer, stopAndClean, type Proc } from '../lib/server.js';
import { Criteria, type ReliabilityTest, type TestContext } from '../lib/types.js';

const WORLD = 1000;
const ATTACK_SECONDS = 3;
const MAX_REQUESTS = 400;
/** the defaults of README's configuration table */
const BURST = 10;
const RATE = 2;
const READ_BURST_PAGES = 16;
const READ_RATE_PAGES = 2;
const PAGE_MAX_BYTES = 262_144;
/** rows one request may write (README "Limits"): a reply page plus 4 per channel of a replay */
const ROWS_BOUND = 500 + 4 * 100;
const CPU_MS_TARGET = 50;
const HEALTH_GAP_TARGET_MS = 100;

interface AttackFigures {
  what: string;
  /** the first request, alone: its status, rows stored, answer size, server CPU and time */
  firstStatus: string;
  rowsPerRequest: number;
  answerBytes: number;
  cpuMsPerRequest: number;
  msPerRequest: number;
  /** then back to back for ATTACK_SECONDS */
  requests: number;
  statuses: Record<string, number>;
  maxAnswerBytes: number;
  acceptedBytes: number;
  healthGapMs: number;
  bystanderP99Ms: number;
}

export const f6: ReliabilityTest = {
  id: 'F6',
  title: 'Amplification: the largest input for every command and endpoint, one client at a time',
  tiers: ['ci', 'soak'],
  budgetSeconds: { ci: 180, soak: 180 },
  async run(ctx) {
    const dir = makeTempDir('chat-f6-');
    const c = new Criteria();
    const figures: Record<string, unknown> = {};
    const attacks = attackCatalogue();
    const setupServer = await startServer({ dir });
    let server: Proc | null = null;
    try {
      const world = await buildWorld(setupServer.port, attacks, ctx);
      await setupServer.stop();
      // the same database under default limits (flood control on), metrics on for row counts
      server = await startServer({
        dir,
        env: { FLOOD_RATE: String(RATE), FLOOD_BURST: String(BURST), ...METRICS_ENV },
      });
      const results = await runAttacks(server, world, attacks, ctx);
      figures.attacks = results.figures;
      figures.baseline = results.baseline;
      figures.bystanderErrors = results.bystanderErrors;
      c.equal(
        'bystander refusals (other sessions are never throttled)',
        Object.keys(results.bystanderErrors).length,
        0,
      );
      judge(c, results.figures, attacks);
    } finally {
      if (server) await stopAndClean(server);
      else await stopAndClean(setupServer);
    }
    return { figures, failures: c.failures };
  },
};

interface World {
  founder: Created;
  attackers: Map<string, Created>;
}

/** 1,000 visible sessions, each op of #c<i> (390-character topic) and in #big; history in #big. */
async function buildWorld(port: number, attacks: Attack[], ctx: TestContext): Promise<World> {
  const a = agent(16);
  const deadline = ctx.deadline - 60_000;
  const founder = await createSession(port, 'founder', a);
  await send(port, founder.token, { command: 'JOIN', to: '#big' }, a);
  const topic = 't'.repeat(390);
  await mapLimit(
    Array.from({ length: WORLD }, (_, i) => i),
    8,
    deadline,
    async (i) => {
      const s = await createSession(port, `p${i}`, a);
      await send(port, s.token, { command: 'MODE', to: s.nick, params: ['-i'] }, a);
      await send(port, s.token, { command: 'JOIN', to: `#c${i},#big` }, a);
      await send(port, s.token, { command: 'TOPIC', to: `#c${i}`, body: [topic] }, a);
    },
  );
  const text = 'h'.repeat(4000);
  for (let i = 0; i < 500 && Date.now() < deadline; i++) {
    await send(port, founder.token, { command: 'PRIVMSG', to: '#big', body: [text] }, a);
  }
  const attackers = new Map<string, Created>();
  for (const attack of attacks) {
    if (attack.as === 'founder') continue;
    const s = await createSession(port, `a-${attack.id}`, a);
    if (attack.as === 'in-big') await send(port, s.token, { command: 'JOIN', to: '#big' }, a);
    if (attack.as === 'in-100') {
      for (let k = 0; k < 100; k += 20) {
        const list = Array.from({ length: 20 }, (_, j) => `#c${k + j}`).join(',');
        await send(port, s.token, { command: 'JOIN', to: list }, a);
      }
    }
    attackers.set(attack.id, s);
  }
  a.destroy();
  ctx.log(`world: ${WORLD} sessions, ${WORLD + 1} channels, 500 messages in #big`);
  return { founder, attackers };
}

/**
 * Rows chatd has stored (all commands) and the CPU it has used, from its own counters: the
 * process's cpuUsage has microsecond resolution, where /proc ticks in 10 ms steps.
 */
async function counters(port: number): Promise<{ rows: number; cpuSeconds: number }> {
  const auth = Buffer.from(`${METRICS_ENV.METRICS_USERNAME}:${METRICS_ENV.METRICS_PASSWORD}`);
  const r = await call(port, 'GET', '/metrics', {
    headers: { authorization: `Basic ${auth.toString('base64')}` },
  });
  let rows = 0;
  let cpuSeconds = 0;
  for (const line of r.text.split('\n')) {
    const value = Number(line.split(' ').pop());
    if (line.startsWith('chatd_messages_stored_total')) rows += value;
    if (line.startsWith('chatd_process_cpu_seconds_total ')) cpuSeconds = value;
  }
  return { rows, cpuSeconds };
}

async function runAttacks(server: Proc, world: World, attacks: Attack[], ctx: TestContext) {
  const port = server.port;
  const only = process.env.F6_ONLY?.split(',');
  const bystander = await new Bystander(port).start('bys', '#bystand', ctx.deadline);
  const base = await measureWindow(server, async () => sleep(ATTACK_SECONDS * 1000));
  bystander.mark('baseline');
  await sleep(ATTACK_SECONDS * 1000);
  const empty = await measureWindow(server, async () => undefined);
  const baseline = {
    cpuMsPerSecond: base.cpuMs / base.seconds,
    scrapeCpuMs: Math.max(0, empty.cpuMs - (base.cpuMs / base.seconds) * empty.seconds),
    bystanderP99Ms: 0,
  };
  baseline.bystanderP99Ms = bystander.latencies('baseline').p99;
  const out: Record<string, AttackFigures> = {};
  for (const attack of attacks) {
    if (only && !only.includes(attack.id)) continue;
    if (Date.now() > ctx.deadline - 15_000) break;
    const token =
      attack.as === 'founder' ? world.founder.token : world.attackers.get(attack.id)!.token;
    bystander.mark(attack.id);
    const health = new HealthWatch(port).start(ctx.deadline);
    // one request alone first (a fresh budget always takes it): its rows, CPU and time
    const sentBefore = bystander.sentCount();
    const one = await measureWindow(server, () => hammer(port, token, attack, ctx, 1));
    const oneRows = Math.max(0, one.rows - (bystander.sentCount() - sentBefore));
    // less the bystanders' and health checks' share, and what two scrapes cost alone
    const idle = baseline.cpuMsPerSecond * one.seconds + baseline.scrapeCpuMs;
    const oneCpu = Math.max(0, one.cpuMs - idle);
    // then back to back: what flood control and the read budget let through, and the stall
    const answers = await hammer(port, token, attack, ctx, MAX_REQUESTS, 1);
    const gap = await health.stop();
    const first = one.value;
    out[attack.id] = {
      what: attack.what,
      firstStatus: Object.keys(first.statuses)[0] ?? 'none',
      rowsPerRequest: oneRows,
      answerBytes: first.maxBytes,
      cpuMsPerRequest: round(oneCpu),
      msPerRequest: round(first.ms),
      requests: answers.requests + 1,
      statuses: merge(first.statuses, answers.statuses),
      maxAnswerBytes: Math.max(first.maxBytes, answers.maxBytes),
      acceptedBytes: first.acceptedBytes + answers.acceptedBytes,
      healthGapMs: gap.longestGapMs,
      bystanderP99Ms: NaN,
    };
    ctx.log(`${attack.id}: ${JSON.stringify(out[attack.id])}`);
    await sleep(300); // let the bystander's last messages of this window arrive
  }
  await bystander.stop();
  for (const id of Object.keys(out)) out[id]!.bystanderP99Ms = bystander.latencies(id).p99;
  return { figures: out, baseline, bystanderErrors: bystander.errors };
}

/** Runs `fn`, answering its value with the rows chatd stored and the CPU it used meanwhile. */
async function measureWindow<T>(server: Proc, fn: () => Promise<T>) {
  const before = await counters(server.port);
  const t0 = performance.now();
  const value = await fn();
  const seconds = (performance.now() - t0) / 1000;
  const after = await counters(server.port);
  const cpuMs = (after.cpuSeconds - before.cpuSeconds) * 1000;
  return { value, rows: after.rows - before.rows, cpuMs, seconds };
}

/** The attack's requests back to back on one connection for ATTACK_SECONDS (at most `max`). */
async function hammer(
  port: number,
  token: string,
  attack: Attack,
  ctx: TestContext,
  max: number,
  from = 0,
) {
  const a = agent(1);
  const t0 = performance.now();
  const statuses: Record<string, number> = {};
  let maxBytes = 0;
  let acceptedBytes = 0;
  let requests = 0;
  const end = Math.min(ctx.deadline - 10_000, Date.now() + ATTACK_SECONDS * 1000);
  for (let i = 0; i < max && Date.now() < end; i++) {
    const req = attack.request(from + i);
    const r = await call(port, req.method, req.path, {
      token,
      agent: a,
      ...(req.json === undefined ? {} : { json: req.json }),
    }).catch(() => null);
    requests++;
    const key = r ? String(r.status) : 'error';
    statuses[key] = (statuses[key] ?? 0) + 1;
    const bytes = r ? Buffer.byteLength(r.text) : 0;
    maxBytes = Math.max(maxBytes, bytes);
    if (r && r.status === 200) acceptedBytes += bytes;
  }
  a.destroy();
  return { statuses, maxBytes, acceptedBytes, requests, ms: performance.now() - t0 };
}

function judge(c: Criteria, figures: Record<string, AttackFigures>, attacks: Attack[]): void {
  const budgetSeconds = ATTACK_SECONDS + 1;
  for (const [id, f] of Object.entries(figures)) {
    const fivexx = Object.entries(f.statuses).filter(([s]) => s.startsWith('5') || s === 'error');
    c.equal(`${id}: 5xx and dropped connections`, fivexx.length, 0);
    c.check(
      f.rowsPerRequest <= ROWS_BOUND,
      `${id}: rows per request ≤ ${ROWS_BOUND} (got ${f.rowsPerRequest})`,
    );
    c.check(
      f.maxAnswerBytes <= PAGE_MAX_BYTES + 4096,
      `${id}: answer ≤ PAGE_MAX_BYTES + 4 KiB (got ${f.maxAnswerBytes} bytes)`,
    );
    const kind = attacks.find((a) => a.id === id)!.kind;
    const ok = f.statuses['200'] ?? 0;
    if (kind === 'read') {
      const pages = READ_BURST_PAGES + READ_RATE_PAGES * budgetSeconds + 1;
      c.check(
        f.acceptedBytes <= pages * PAGE_MAX_BYTES,
        `${id}: bytes answered ≤ ${pages} pages in ${budgetSeconds} s (got ${f.acceptedBytes})`,
      );
    } else {
      const allowed = BURST + RATE * budgetSeconds + 1;
      c.check(ok <= allowed, `${id}: accepted ≤ ${allowed} (flood control; got ${ok})`);
    }
    c.timing(`${id}: CPU ms per request`, f.cpuMsPerRequest, CPU_MS_TARGET);
    c.timing(`${id}: longest health-check gap (ms)`, f.healthGapMs, HEALTH_GAP_TARGET_MS);
  }
}

function merge(a: Record<string, number>, b: Record<string, number>): Record<string, number> {
  const out = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = (out[k] ?? 0) + v;
  return out;
}

function round(x: number): number {
  return Math.round(x * 10) / 10;
}
