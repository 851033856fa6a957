// P5: RSS per held idle long-poll. chatd with N sessions, one poll each (timeout 30), against a
// bare node:http server holding N requests open; (RSS after − RSS before) / N for both.
import { setMaxListeners } from 'node:events';
import type http from 'node:http';
import { createSession, keepAliveAgent, pool, request } from './lib/http.js';
import { startChatd, stopAndClean, type Proc } from '../test/helpers/chatd.js';
import { BENCH_CHATD_ENV, rssKiB, sleep, startBaseline } from './lib/proc.js';
import { median, ratio, type BenchOptions } from './lib/stats.js';

const SETUP_CONNECTIONS = 20;
/** after the last poll is written, the server gets this long to take it in */
const SETTLE_MS = 1_500;
/** polls held for 1 s before the first reading */
const WARM_POLLS = 20;

export interface P5Run {
  chatd: HoldResult;
  baseline: HoldResult;
}

export interface HoldResult {
  polls: number;
  rssBeforeKiB: number;
  rssAfterKiB: number;
  kibPerPoll: number;
  /** polls answered (or failed) before the second reading: they were not held */
  notHeld: number;
  firstEarly: string | null;
}

export interface P5Result {
  runs: P5Run[];
  polls: number;
  chatdKiB: number;
  baselineKiB: number;
  ratio: number;
  targetKiB: number;
  notHeld: number;
  baselineNotHeld: number;
}

export async function runP5(o: BenchOptions): Promise<P5Result> {
  const n = o.polls;
  const runs: P5Run[] = [];
  for (let r = 0; r < o.runs; r++) {
    const baseline = await baselineRun(n);
    const chatd = await chatdRun(n);
    o.log(
      `  run ${r + 1}: chatd ${chatd.kibPerPoll.toFixed(1)} KiB/poll (${chatd.rssBeforeKiB} → ${chatd.rssAfterKiB} KiB), baseline ${baseline.kibPerPoll.toFixed(1)} KiB/poll (${baseline.rssBeforeKiB} → ${baseline.rssAfterKiB} KiB), not held ${chatd.notHeld}/${baseline.notHeld}`,
    );
    runs.push({ chatd, baseline });
  }
  const chatdKiB = median(runs.map((x) => x.chatd.kibPerPoll));
  const baselineKiB = median(runs.map((x) => x.baseline.kibPerPoll));
  return {
    runs,
    polls: n,
    chatdKiB,
    baselineKiB,
    ratio: ratio(chatdKiB, baselineKiB),
    targetKiB: 12,
    notHeld: runs.reduce((s, x) => s + x.chatd.notHeld, 0),
    baselineNotHeld: runs.reduce((s, x) => s + x.baseline.notHeld, 0),
  };
}

/** The median of a few readings 100 ms apart. */
async function steadyRss(pid: number): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < 5; i++) {
    samples.push(rssKiB(pid));
    await sleep(100);
  }
  return median(samples);
}

/**
 * Opens one request per path on its own connection; measures RSS before and after. Before that,
 * a few polls with timeout=1 run the hold path once, so that its first-time costs (compiled code,
 * caches) are not counted per poll.
 */
async function hold(proc: Proc, requests: { path: string; token: string }[]): Promise<HoldResult> {
  const warm = keepAliveAgent(WARM_POLLS);
  await Promise.all(
    requests.slice(0, WARM_POLLS).map((r) =>
      request({
        agent: warm,
        port: proc.port,
        method: 'GET',
        path: r.path.replace('timeout=30', 'timeout=1'),
        token: r.token,
      }),
    ),
  );
  warm.destroy();
  await sleep(500);
  const before = await steadyRss(proc.pid);
  const agent: http.Agent = keepAliveAgent(requests.length + 10);
  const abort = new AbortController();
  setMaxListeners(requests.length + 10, abort.signal);
  let written = 0;
  let notHeld = 0;
  let firstEarly: string | null = null;
  let measuring = true;
  let allWritten!: () => void;
  const writtenAll = new Promise<void>((resolve) => (allWritten = resolve));
  const pending = requests.map((r) =>
    request({
      agent,
      port: proc.port,
      method: 'GET',
      path: r.path,
      token: r.token,
      signal: abort.signal,
      onWritten: () => {
        if (++written === requests.length) allWritten();
      },
    }).then(
      (res) => {
        if (measuring) {
          notHeld++;
          firstEarly ??= `${res.status} ${res.body.slice(0, 200)}`;
        }
      },
      (err: unknown) => {
        if (measuring) {
          notHeld++;
          firstEarly ??= String(err);
        }
      },
    ),
  );
  await Promise.race([writtenAll, sleep(30_000)]);
  await sleep(SETTLE_MS);
  const after = await steadyRss(proc.pid);
  measuring = false;
  abort.abort();
  await Promise.all(pending);
  agent.destroy();
  return {
    polls: requests.length,
    rssBeforeKiB: before,
    rssAfterKiB: after,
    kibPerPoll: (after - before) / requests.length,
    notHeld,
    firstEarly,
  };
}

async function chatdRun(n: number): Promise<HoldResult> {
  const proc = await startChatd({ env: BENCH_CHATD_ENV });
  try {
    const agent = keepAliveAgent(SETUP_CONNECTIONS);
    const tokens = await pool(n, SETUP_CONNECTIONS, async (i) => {
      const s = await createSession(agent, proc.port, `idle${i}`);
      // drain the welcome burst so that the next poll has nothing to return and is held
      const r = await request({
        agent,
        port: proc.port,
        method: 'GET',
        path: '/api/v1/messages?timeout=0',
        token: s.token,
      });
      if (r.status !== 200) throw new Error(`GET /messages: ${r.status} ${r.body}`);
      return { token: s.token, cursor: (JSON.parse(r.body) as { last_id: number }).last_id };
    });
    agent.destroy();
    const result = await hold(
      proc,
      tokens.map((t) => ({
        path: `/api/v1/messages?after=${t.cursor}&timeout=30`,
        token: t.token,
      })),
    );
    if (result.notHeld > 0) result.firstEarly += `\nserver log: ${proc.output().slice(-2000)}`;
    return result;
  } finally {
    await stopAndClean(proc);
  }
}

async function baselineRun(n: number): Promise<HoldResult> {
  const proc = await startBaseline('hold');
  try {
    // warm the request path up, as session creation does for chatd
    const agent = keepAliveAgent(SETUP_CONNECTIONS);
    await pool(n, SETUP_CONNECTIONS, () =>
      request({ agent, port: proc.port, method: 'GET', path: '/ready' }),
    );
    agent.destroy();
    const token = 'x'.repeat(43);
    return await hold(
      proc,
      Array.from({ length: n }, () => ({ path: '/api/v1/messages?after=21&timeout=30', token })),
    );
  } finally {
    await stopAndClean(proc);
  }
}
