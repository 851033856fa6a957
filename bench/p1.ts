// P1: acknowledged PRIVMSG/s over HTTP into a 10-member channel whose 10 clients hold long-polls,
// against a bare node:http server answering the same POSTs (bench/README.md, target ≥ 0.4×).
import { closedLoop, non200, privmsgLoad, type LoadResult } from './lib/load.js';
import {
  command,
  createSession,
  keepAliveAgent,
  Poller,
  request,
  settleAndCheck,
  type DeliveryCheck,
} from './lib/http.js';
import { startChatd, stopAndClean, type Proc } from '../test/helpers/chatd.js';
import { BENCH_CHATD_ENV, startBaseline } from './lib/proc.js';
import { logTrouble, median, privmsgBody, ratio, type BenchOptions } from './lib/stats.js';

const MEMBERS = 10;
const CONNECTIONS = 50;
const CHANNEL = '#bench';

export interface P1Run {
  chatd: LoadResult & { delivery: DeliveryCheck; exitCode: number | null; serverLog: string };
  baseline: LoadResult;
}

export interface P1Result {
  runs: P1Run[];
  msgsPerSec: number;
  baselineReqPerSec: number;
  ratio: number;
  target: number;
  chatdCpu: number;
  baselineCpu: number;
  /** acknowledged PRIVMSGs per second of chatd CPU, and baseline answers per baseline CPU second */
  msgsPerCpuSec: number;
  baselinePerCpuSec: number;
  /** msgsPerCpuSec ÷ baselinePerCpuSec: the ratio without the load generator's limits */
  cpuRatio: number;
  /** the load generator's (this process's) CPU, % of one core */
  generatorCpu: number;
  baselineGeneratorCpu: number;
  lost: number;
  /** received by a poller but never acknowledged to a sender */
  phantom: number;
  duplicates: number;
  reordered: number;
  non200: number;
}

export async function runP1(o: BenchOptions): Promise<P1Result> {
  const runs: P1Run[] = [];
  for (let r = 0; r < o.runs; r++) {
    const baseline = await baselineRun(o);
    o.log(
      `  run ${r + 1}: baseline ${baseline.okPerSec.toFixed(0)} req/s (cpu ${baseline.serverCpu.toFixed(0)}%, generator ${baseline.generatorCpu.toFixed(0)}%)`,
    );
    const chatd = await chatdRun(o);
    o.log(
      `  run ${r + 1}: chatd ${chatd.okPerSec.toFixed(0)} msgs/s (cpu ${chatd.serverCpu.toFixed(0)}%, generator ${chatd.generatorCpu.toFixed(0)}%), lost ${chatd.delivery.lost}, dup ${chatd.delivery.duplicates}, statuses ${JSON.stringify(chatd.statuses)}`,
    );
    logTrouble(o, chatd, chatd.delivery.pollErrors);
    runs.push({ chatd, baseline });
  }
  const msgsPerSec = median(runs.map((x) => x.chatd.okPerSec));
  const baselineReqPerSec = median(runs.map((x) => x.baseline.okPerSec));
  const sum = (f: (x: P1Run) => number) => runs.reduce((s, x) => s + f(x), 0);
  const perCpu = (x: LoadResult) => (x.serverCpu > 0 ? x.okPerSec / (x.serverCpu / 100) : NaN);
  const msgsPerCpuSec = median(runs.map((x) => perCpu(x.chatd)));
  const baselinePerCpuSec = median(runs.map((x) => perCpu(x.baseline)));
  return {
    runs,
    msgsPerSec,
    baselineReqPerSec,
    ratio: ratio(msgsPerSec, baselineReqPerSec),
    target: 0.4,
    msgsPerCpuSec,
    baselinePerCpuSec,
    cpuRatio: ratio(msgsPerCpuSec, baselinePerCpuSec),
    chatdCpu: median(runs.map((x) => x.chatd.serverCpu)),
    baselineCpu: median(runs.map((x) => x.baseline.serverCpu)),
    generatorCpu: median(runs.map((x) => x.chatd.generatorCpu)),
    baselineGeneratorCpu: median(runs.map((x) => x.baseline.generatorCpu)),
    lost: sum((x) => x.chatd.delivery.lost),
    phantom: sum((x) => x.chatd.delivery.unacked),
    duplicates: sum((x) => x.chatd.delivery.duplicates),
    reordered: sum((x) => x.chatd.delivery.reordered),
    non200: sum((x) => non200(x.chatd)),
  };
}

async function baselineRun(o: BenchOptions): Promise<LoadResult> {
  const proc = await startBaseline('ack');
  const agent = keepAliveAgent(CONNECTIONS);
  const counters = new Array<number>(CONNECTIONS).fill(0);
  try {
    return await closedLoop({
      connections: CONNECTIONS,
      warmupMs: o.warmupSeconds * 1000,
      durationMs: o.seconds * 1000,
      maxRequests: o.maxRequests,
      serverPid: proc.pid,
      send: (w) =>
        request({
          agent,
          port: proc.port,
          method: 'POST',
          path: '/api/v1/messages',
          token: 'baseline-token-of-about-the-same-length-as-a-real-one-xx',
          body: privmsgBody(CHANNEL, w, counters[w]!++),
        }),
    });
  } finally {
    agent.destroy();
    await stopAndClean(proc);
  }
}

/** Creates `count` sessions that all JOIN `channel`; returns their tokens. */
export async function membersOverHttp(proc: Proc, count: number, channel: string) {
  const agent = keepAliveAgent(4);
  try {
    const sessions = [];
    for (let i = 0; i < count; i++) {
      const s = await createSession(agent, proc.port, `m${i}`);
      const j = await command(agent, proc.port, s.token, { command: 'JOIN', to: channel });
      if (j.status !== 200) throw new Error(`JOIN ${channel}: ${j.status} ${j.body}`);
      sessions.push(s);
    }
    return sessions;
  } finally {
    agent.destroy();
  }
}

async function chatdRun(o: BenchOptions): Promise<P1Run['chatd']> {
  const proc = await startChatd({ env: BENCH_CHATD_ENV });
  const pollAgent = keepAliveAgent(MEMBERS * 2);
  try {
    const sessions = await membersOverHttp(proc, MEMBERS, CHANNEL);
    const pollers = sessions.map((s) => new Poller(pollAgent, proc.port, s.token, CHANNEL, 0));
    for (const p of pollers) p.start();
    const { load, acked } = await privmsgLoad({
      port: proc.port,
      serverPid: proc.pid,
      tokens: sessions.map((s) => s.token),
      channel: CHANNEL,
      connections: CONNECTIONS,
      warmupMs: o.warmupSeconds * 1000,
      durationMs: o.seconds * 1000,
      maxRequests: o.maxRequests,
    });
    const delivery = await settleAndCheck(pollers, acked, 20_000);
    pollAgent.destroy();
    const exitCode = await proc.stop();
    const serverLog = proc.output().slice(-4000);
    return { ...load, delivery, exitCode, serverLog };
  } finally {
    pollAgent.destroy();
    await stopAndClean(proc);
  }
}
