// The bench's IRC load generator, over node:net alone. C clients connect to one IRC server on the
// loopback, register (NICK/USER, then the end of the MOTD: 376 or 422, or 001 and a short grace),
// and join K channels (client i joins channel i mod K). Clients 0 … S−1 are the senders: each
// sends M PRIVMSGs into its own channel, either closed-loop, with at most W messages outstanding
// (a message is outstanding until every other member of the channel has it), or at a fixed
// offered rate. A message carries its sender, its sequence number and its send time
// (performance.now(), this process's clock); each receiver records the delivery latency and the
// checker counts missing, duplicate, reordered and phantom (unknown) deliveries. Given the server's
// PID, the server's RSS (before connecting, once everyone is connected, after the load) and CPU
// time come from /proc. PINGs are answered throughout.
//
// Bounded in count (C ≤ 10,000 clients, S × M messages, a cap on expected deliveries) and in time
// (`timeoutMs` for the whole run, `stallMs` per stuck window, `drainMs` after the last send), and
// only ever connects to a loopback address.
//
// As a command: node --import tsx bench/lib/irc-load.ts --port 6667 --clients 200 --channels 1 \
//   --senders 1 --messages 2000 --window 50 [--rate 200] [--server-pid PID]   (prints JSON)
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { cpuSeconds, rssKiB, sleep } from './proc.js';

export interface IrcLoadOptions {
  port: number;
  /** a loopback address (default 127.0.0.1); anything else is refused */
  host?: string;
  clients: number;
  /** K channels; 0: nobody joins (an idle shape) */
  channels: number;
  /** S senders: clients 0 … S−1 (each in channel s mod K) */
  senders: number;
  /** M messages per sender */
  messages: number;
  /** closed loop: messages outstanding per sender (default 50); ignored when `rate` is set */
  window?: number;
  /** fixed offered rate, messages per second per sender, instead of the closed loop */
  rate?: number;
  /**
   * the first N messages of each sender are delivered and checked like the others but left out of
   * the latency sample (default 0): a fresh server's first second (compiling, growing buffers)
   * is not its steady state
   */
  warmupMessages?: number;
  /** length of each message's text (default 100 bytes, the header included) */
  textBytes?: number;
  /** connections being opened and registered at once (default 200) */
  connectConcurrency?: number;
  /** once everyone is connected (and joined), wait this long before the RSS reading (default 0) */
  holdMs?: number;
  /** the server's PID: its RSS and CPU time are read from /proc */
  serverPid?: number;
  /** the whole run, set-up included (default 180 s) */
  timeoutMs?: number;
  /** one connection's registration or join (default 30 s) */
  stepTimeoutMs?: number;
  /** after the last message is sent, wait at most this long for the deliveries (default 10 s) */
  drainMs?: number;
  /** closed loop: a window without a completed message for this long is given up (default 5 s) */
  stallMs?: number;
  /** nick prefix (default "b"): nicks are b0 … b9999, short enough for RFC 2812's 9 characters */
  nickPrefix?: string;
  log?: (line: string) => void;
}

export interface LatencySummary {
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

export interface ServerUsage {
  rssBeforeKiB: number;
  /** everyone connected (and joined), after holdMs */
  rssLoadedKiB: number;
  /** after the messages */
  rssAfterKiB: number;
  /** (rssLoaded − rssBefore) / connected clients */
  kibPerClient: number;
  /** CPU seconds spent connecting and joining everyone */
  setupCpuSeconds: number;
  /** CPU seconds from the first send to the end of the drain */
  sendCpuSeconds: number;
  /** the same in % of one core over the send phase */
  sendCpuPercent: number;
}

export interface IrcLoadResult {
  clients: number;
  channels: number;
  /** connections that reached the end of the MOTD */
  registered: number;
  /** connections that got the end of NAMES for their channel */
  joined: number;
  senders: number;
  mode: 'window' | 'rate';
  window: number | null;
  rate: number | null;
  /** seconds to connect, register and join everyone */
  setupSeconds: number;
  sent: number;
  /** sent × (members of the sender's channel − 1) */
  expected: number;
  delivered: number;
  missing: number;
  duplicates: number;
  /** a sequence number lower than one that receiver already had from that sender */
  reordered: number;
  /** lines that do not parse as one of ours, or from an unknown sender, or echoed to the sender */
  phantom: number;
  /** closed loop: windows given up after stallMs without progress */
  stalls: number;
  /** first send to last delivery */
  seconds: number;
  deliveriesPerSec: number;
  messagesPerSec: number;
  /** delivery latency, milliseconds */
  latencyMs: LatencySummary;
  /** this process's CPU over the send phase, % of one core */
  generatorCpuPercent: number;
  server: ServerUsage | null;
  /** connections that failed before they were ready, by reason */
  setupFailures: Record<string, number>;
  /** connections the server closed while the run needed them */
  closedEarly: number;
  /** ERROR lines received, and error numerics (4xx/5xx) by code */
  errorLines: number;
  errorNumerics: Record<string, number>;
  pingsAnswered: number;
  firstError: string | null;
  /** true when the run hit timeoutMs */
  timedOut: boolean;
}

/** what one run may hold: clients (and so sockets here and in the server) and deliveries */
export const MAX_CLIENTS = 10_000;
const MAX_EXPECTED_DELIVERIES = 20_000_000;
const WELCOME_GRACE_MS = 2_000;
const NICK_TRIES = 5;

interface Waiter {
  resolve: () => void;
  reject: (err: Error) => void;
}

interface Client {
  idx: number;
  nick: string;
  socket: net.Socket;
  partial: string;
  registered: boolean;
  welcomed: boolean;
  nickTries: number;
  channel: number;
  channelName: string;
  /** index in its channel's member list, -1 until joined */
  memberPos: number;
  /** the step in progress (welcome, join) */
  waiter: Waiter | null;
  graceTimer: NodeJS.Timeout | null;
  ready: boolean;
  closed: boolean;
}

interface Sender {
  client: Client;
  channel: number;
  /** members of its channel (itself included) */
  members: number;
  next: number;
  outstanding: number;
  lastProgress: number;
  /** receivers still missing each message */
  remaining: Int32Array;
  /** message × member position: delivered */
  got: Uint8Array;
  /** per member position: the highest sequence number seen (reorder check) */
  lastSeq: Int32Array;
  abandoned: Uint8Array;
  prefix: string;
}

function percentile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

function summarize(values: Float64Array): LatencySummary {
  const sorted = Float64Array.from(values).sort();
  let sum = 0;
  for (const v of sorted) sum += v;
  return {
    p50: percentile(sorted, 0.5),
    p90: percentile(sorted, 0.9),
    p99: percentile(sorted, 0.99),
    max: sorted.length ? sorted[sorted.length - 1]! : NaN,
    mean: sorted.length ? sum / sorted.length : NaN,
  };
}

interface Parsed {
  prefix: string;
  command: string;
  params: string[];
}

/** One IRC line (tags skipped): prefix, upper-cased command, parameters (the trailing one last). */
export function parseIrcLine(line: string): Parsed | null {
  let i = 0;
  if (line.charCodeAt(0) === 64 /* @ */) {
    i = line.indexOf(' ') + 1;
    if (i === 0) return null;
  }
  while (line.charCodeAt(i) === 32) i++;
  let prefix = '';
  if (line.charCodeAt(i) === 58 /* : */) {
    const sp = line.indexOf(' ', i);
    if (sp < 0) return null;
    prefix = line.slice(i + 1, sp);
    i = sp + 1;
  }
  let command = '';
  const params: string[] = [];
  while (i < line.length) {
    while (line.charCodeAt(i) === 32) i++;
    if (i >= line.length) break;
    if (command && line.charCodeAt(i) === 58) {
      params.push(line.slice(i + 1));
      break;
    }
    let sp = line.indexOf(' ', i);
    if (sp < 0) sp = line.length;
    const token = line.slice(i, sp);
    if (command) params.push(token);
    else command = token.toUpperCase();
    i = sp + 1;
  }
  return command ? { prefix, command, params } : null;
}

function isLoopback(host: string): boolean {
  if (host === 'localhost' || host === '::1') return true;
  return net.isIPv4(host) && host.startsWith('127.');
}

function checkOptions(o: IrcLoadOptions): void {
  const int = (v: number, name: string, min: number, max: number) => {
    if (!Number.isInteger(v) || v < min || v > max) {
      throw new Error(`irc-load: ${name} must be an integer in [${min}, ${max}], got ${v}`);
    }
  };
  int(o.port, 'port', 1, 65535);
  int(o.clients, 'clients', 1, MAX_CLIENTS);
  int(o.channels, 'channels', 0, o.clients);
  int(o.senders, 'senders', 0, o.clients);
  int(o.messages, 'messages', 0, 1_000_000);
  if (o.senders > 0 && o.channels === 0) throw new Error('irc-load: senders need channels');
  if (o.window !== undefined) int(o.window, 'window', 1, 100_000);
  if (o.rate !== undefined && !(o.rate > 0 && o.rate <= 1_000_000)) {
    throw new Error(`irc-load: rate must be in (0, 1e6] messages/s per sender, got ${o.rate}`);
  }
  if (o.textBytes !== undefined) int(o.textBytes, 'textBytes', 32, 400);
  const host = o.host ?? '127.0.0.1';
  if (!isLoopback(host)) throw new Error(`irc-load: ${host} is not a loopback address`);
  // members per channel are at most ceil(C / K): the expected deliveries are bounded by that
  const perChannel = o.channels > 0 ? Math.ceil(o.clients / o.channels) : 0;
  if (o.senders * o.messages * Math.max(0, perChannel - 1) > MAX_EXPECTED_DELIVERIES) {
    throw new Error(`irc-load: more than ${MAX_EXPECTED_DELIVERIES} expected deliveries`);
  }
}

export async function runIrcLoad(o: IrcLoadOptions): Promise<IrcLoadResult> {
  checkOptions(o);
  const host = o.host ?? '127.0.0.1';
  const windowSize = o.rate === undefined ? (o.window ?? 50) : null;
  const textBytes = o.textBytes ?? 100;
  const concurrency = Math.max(1, Math.min(o.connectConcurrency ?? 200, o.clients));
  const stepTimeoutMs = o.stepTimeoutMs ?? 30_000;
  const drainMs = o.drainMs ?? 10_000;
  const stallMs = o.stallMs ?? 5_000;
  const nickPrefix = o.nickPrefix ?? 'b';
  const warmupMessages = o.warmupMessages ?? 0;
  const log = o.log ?? (() => undefined);
  const t0 = performance.now();
  const deadline = t0 + (o.timeoutMs ?? 180_000);
  let timedOut = false;
  let tearingDown = false;

  const setupFailures: Record<string, number> = {};
  const errorNumerics: Record<string, number> = {};
  let firstError: string | null = null;
  let errorLines = 0;
  let closedEarly = 0;
  let pingsAnswered = 0;
  let phantom = 0;
  let duplicates = 0;
  let reordered = 0;
  let delivered = 0;
  let stalls = 0;
  let lastDeliveryAt = 0;
  let firstSendAt = 0;

  const clients: Client[] = [];
  const members: Client[][] = Array.from({ length: o.channels }, () => []);
  const senders: (Sender | undefined)[] = [];
  let latencies = new Float64Array(0);
  let latencyCount = 0;
  const dirty = new Set<Sender>();
  let pumpScheduled = false;

  const noteError = (text: string) => {
    firstError ??= text.slice(0, 300);
  };

  const settle = (c: Client, err?: Error) => {
    const w = c.waiter;
    if (!w) return;
    c.waiter = null;
    if (err) w.reject(err);
    else w.resolve();
  };

  const sendMessages = (s: Sender, upTo: number) => {
    let out = '';
    const now = performance.now();
    firstSendAt ||= now;
    while (s.next < upTo) {
      const head = `${s.prefix}${s.next} ${now.toFixed(3)} `;
      out += `PRIVMSG ${s.client.channelName} :${head.padEnd(textBytes, 'x')}\r\n`;
      s.next++;
      s.outstanding++;
    }
    if (out && !s.client.closed) s.client.socket.write(out);
  };

  const pumpAll = () => {
    pumpScheduled = false;
    if (tearingDown || windowSize === null) return;
    for (const s of dirty)
      sendMessages(s, Math.min(o.messages, s.next + windowSize - s.outstanding));
    dirty.clear();
  };

  const deliver = (c: Client, text: string, now: number) => {
    // "<sender> <seq> <send time> xxx…"
    const a = text.indexOf(' ');
    const b = a < 0 ? -1 : text.indexOf(' ', a + 1);
    const d = b < 0 ? -1 : text.indexOf(' ', b + 1);
    if (d < 0) {
      phantom++;
      return;
    }
    const si = Number(text.slice(0, a));
    const seq = Number(text.slice(a + 1, b));
    const sentAt = Number(text.slice(b + 1, d));
    const s = Number.isInteger(si) ? senders[si] : undefined;
    if (
      !s ||
      !Number.isInteger(seq) ||
      seq < 0 ||
      seq >= s.next ||
      c.channel !== s.channel ||
      c.memberPos < 0 ||
      c === s.client
    ) {
      phantom++;
      return;
    }
    const k = seq * s.members + c.memberPos;
    if (s.got[k]) {
      duplicates++;
      return;
    }
    s.got[k] = 1;
    if (seq < s.lastSeq[c.memberPos]!) reordered++;
    else s.lastSeq[c.memberPos] = seq;
    delivered++;
    lastDeliveryAt = now;
    if (seq >= warmupMessages && latencyCount < latencies.length) {
      latencies[latencyCount++] = now - sentAt;
    }
    if (--s.remaining[seq]! === 0 && !s.abandoned[seq]) {
      s.outstanding--;
      s.lastProgress = now;
      if (windowSize !== null && s.next < o.messages) {
        dirty.add(s);
        if (!pumpScheduled) {
          pumpScheduled = true;
          setImmediate(pumpAll);
        }
      }
    }
  };

  const onLine = (c: Client, line: string, now: number) => {
    const m = parseIrcLine(line);
    if (!m) return;
    const p = m.params;
    switch (m.command) {
      case 'PRIVMSG':
        if (p.length >= 2) deliver(c, p[1]!, now);
        return;
      case 'PING':
        c.socket.write(`PONG :${p[p.length - 1] ?? ''}\r\n`);
        pingsAnswered++;
        return;
      case '001':
        c.registered = true;
        if (p[0]) c.nick = p[0];
        // a server that sends no MOTD end at all: ready after a grace period
        c.graceTimer ??= setTimeout(() => {
          c.welcomed = true;
          settle(c);
        }, WELCOME_GRACE_MS);
        return;
      case '376':
      case '422':
        if (c.graceTimer) clearTimeout(c.graceTimer);
        if (c.registered && !c.welcomed) {
          c.welcomed = true;
          settle(c);
        }
        return;
      case '432':
      case '433':
      case '436':
        if (!c.registered) {
          if (++c.nickTries >= NICK_TRIES) {
            settle(c, new Error(`nick refused (${m.command})`));
            return;
          }
          c.nick = `${nickPrefix}${c.idx}_${c.nickTries}`;
          c.socket.write(`NICK ${c.nick}\r\n`);
        }
        return;
      case '366':
        if (p[1] !== undefined && p[1].toLowerCase() === c.channelName) settle(c);
        return;
      case 'ERROR':
        if (tearingDown) return;
        errorLines++;
        noteError(`ERROR to ${c.nick}: ${p[0] ?? ''}`);
        settle(c, new Error(`ERROR ${p[0] ?? ''}`));
        return;
      default:
        if (!tearingDown && /^[45]\d\d$/.test(m.command)) {
          errorNumerics[m.command] = (errorNumerics[m.command] ?? 0) + 1;
          noteError(`${m.command} to ${c.nick}: ${line}`);
          // a refused JOIN (405 too many channels, 471 full, 473/474/475 …) fails the step
          if (c.registered && !c.ready && /^4(03|05|7[1-7])$/.test(m.command)) {
            settle(c, new Error(`JOIN refused (${m.command})`));
          }
        }
    }
  };

  const open = (idx: number): Client => {
    const socket = net.connect({ host, port: o.port, noDelay: true });
    socket.setEncoding('latin1');
    const c: Client = {
      idx,
      nick: `${nickPrefix}${idx}`,
      socket,
      partial: '',
      registered: false,
      welcomed: false,
      nickTries: 0,
      channel: -1,
      channelName: '',
      memberPos: -1,
      waiter: null,
      graceTimer: null,
      ready: false,
      closed: false,
    };
    socket.on('data', (chunk: string) => {
      const now = performance.now();
      const text = c.partial + chunk;
      let start = 0;
      for (;;) {
        const nl = text.indexOf('\n', start);
        if (nl < 0) break;
        const end = nl > start && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
        if (end > start) onLine(c, text.slice(start, end), now);
        start = nl + 1;
      }
      c.partial = start < text.length ? text.slice(start) : '';
    });
    socket.on('error', (err) => {
      if (!tearingDown) noteError(`socket ${c.nick}: ${err.message}`);
      settle(c, err);
    });
    socket.on('close', () => {
      c.closed = true;
      if (c.graceTimer) clearTimeout(c.graceTimer);
      if (!tearingDown && c.ready) closedEarly++;
      settle(c, new Error('connection closed'));
    });
    clients.push(c);
    return c;
  };

  /** waits for the step `c.waiter` stands for, within the step timeout and the run's deadline */
  const step = (c: Client, what: string, start: () => void): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      const ms = Math.max(0, Math.min(stepTimeoutMs, deadline - performance.now()));
      const timer = setTimeout(() => settle(c, new Error(`${what} timed out`)), ms);
      c.waiter = {
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
        reject: (err) => {
          clearTimeout(timer);
          reject(err);
        },
      };
      start();
    });

  const setUp = async (idx: number) => {
    const c = open(idx);
    try {
      await step(c, 'connect', () => {
        c.socket.once('connect', () => settle(c));
      });
      await step(c, 'registration', () => {
        c.socket.write(`NICK ${c.nick}\r\nUSER ${c.nick} 0 * :bench client ${idx}\r\n`);
      });
      if (o.channels > 0) {
        c.channel = idx % o.channels;
        c.channelName = `#bench${c.channel}`;
        await step(c, 'join', () => c.socket.write(`JOIN ${c.channelName}\r\n`));
        const list = members[c.channel]!;
        c.memberPos = list.length;
        list.push(c);
      }
      c.ready = true;
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      const key = why.replace(/^(ERROR|socket \S+:) .*/, '$1').slice(0, 60);
      setupFailures[key] = (setupFailures[key] ?? 0) + 1;
      noteError(`set-up of ${c.nick}: ${why}`);
      c.socket.destroy();
    }
  };

  const steadyRss = async (pid: number) => {
    const xs: number[] = [];
    for (let i = 0; i < 5; i++) {
      xs.push(rssKiB(pid));
      await sleep(100);
    }
    xs.sort((a, b) => a - b);
    return xs[2]!;
  };

  const pid = o.serverPid;
  const rssBefore = pid !== undefined ? await steadyRss(pid) : NaN;
  const cpuSetup0 = pid !== undefined ? cpuSeconds(pid) : NaN;

  // ---- connect, register and join, `concurrency` at a time
  let nextIdx = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (nextIdx < o.clients && performance.now() < deadline) await setUp(nextIdx++);
    }),
  );
  if (nextIdx < o.clients) timedOut = true;
  const setupSeconds = (performance.now() - t0) / 1000;
  const cpuSetup1 = pid !== undefined ? cpuSeconds(pid) : NaN;
  const registered = clients.filter((c) => c.registered).length;
  const ready = clients.filter((c) => c.ready && !c.closed).length;
  log(
    `    ${ready}/${o.clients} clients ready in ${setupSeconds.toFixed(1)} s` +
      (Object.keys(setupFailures).length ? `, failures ${JSON.stringify(setupFailures)}` : ''),
  );
  if (o.holdMs) await sleep(Math.min(o.holdMs, Math.max(0, deadline - performance.now())));
  const rssLoaded = pid !== undefined ? await steadyRss(pid) : NaN;

  // ---- the senders
  let expectedTotal = 0;
  for (let si = 0; si < o.senders; si++) {
    const c = clients[si];
    if (!c || !c.ready || c.closed) continue;
    const n = members[c.channel]!.length;
    const s: Sender = {
      client: c,
      channel: c.channel,
      members: n,
      next: 0,
      outstanding: 0,
      lastProgress: 0,
      remaining: new Int32Array(o.messages).fill(n - 1),
      got: new Uint8Array(o.messages * n),
      lastSeq: new Int32Array(n).fill(-1),
      abandoned: new Uint8Array(o.messages),
      prefix: `${si} `,
    };
    senders[si] = s;
    expectedTotal += o.messages * (n - 1);
  }
  const active = senders.filter((s): s is Sender => s !== undefined);
  if (active.length < o.senders) {
    noteError(`${o.senders - active.length} of ${o.senders} senders were not ready`);
  }
  latencies = new Float64Array(expectedTotal);

  const cpuSend0 = pid !== undefined ? cpuSeconds(pid) : NaN;
  const self0 = process.cpuUsage();
  const sendStart = performance.now();
  let lastSendAt = sendStart;
  if (active.length > 0 && o.messages > 0 && performance.now() < deadline) {
    await new Promise<void>((resolve) => {
      let ticker: NodeJS.Timeout | null = null;
      const finish = () => {
        if (ticker) clearInterval(ticker);
        clearInterval(watch);
        resolve();
      };
      const allSent = () => active.every((s) => s.next >= o.messages);
      if (windowSize !== null) {
        for (const s of active) {
          s.lastProgress = performance.now();
          sendMessages(s, Math.min(o.messages, windowSize));
        }
      } else {
        const rate = o.rate!;
        ticker = setInterval(() => {
          const now = performance.now();
          const due = Math.min(o.messages, Math.floor(((now - sendStart) * rate) / 1000) + 1);
          for (const s of active) {
            if (s.next < due) sendMessages(s, due);
          }
          if (allSent()) {
            clearInterval(ticker!);
            ticker = null;
          }
        }, 1);
      }
      const watch = setInterval(() => {
        const now = performance.now();
        if (now >= deadline) {
          timedOut = true;
          finish();
          return;
        }
        const sentAll = allSent();
        if (!sentAll) lastSendAt = now;
        if (active.every((s) => s.outstanding === 0) && sentAll) {
          finish();
          return;
        }
        if (sentAll && now - lastSendAt > drainMs) {
          finish();
          return;
        }
        if (windowSize !== null) {
          for (const s of active) {
            if (s.outstanding > 0 && s.next < o.messages && now - s.lastProgress > stallMs) {
              // give up this window: its messages stay counted as missing if they never come
              for (let q = 0; q < s.next; q++) {
                if (s.remaining[q]! > 0 && !s.abandoned[q]) s.abandoned[q] = 1;
              }
              s.outstanding = 0;
              s.lastProgress = now;
              stalls++;
              sendMessages(s, Math.min(o.messages, s.next + windowSize));
            }
          }
        }
      }, 20);
    });
  }
  const self1 = process.cpuUsage();
  const cpuSend1 = pid !== undefined ? cpuSeconds(pid) : NaN;
  const sendEnd = performance.now();
  const rssAfter = pid !== undefined && o.senders > 0 ? await steadyRss(pid) : rssLoaded;

  // ---- tear down: QUIT, then close whatever is still open after a second
  tearingDown = true;
  for (const c of clients) {
    if (c.graceTimer) clearTimeout(c.graceTimer);
    if (!c.closed) c.socket.end('QUIT :bench done\r\n');
  }
  const quitBy = performance.now() + 1_000;
  while (clients.some((c) => !c.closed) && performance.now() < quitBy) await sleep(50);
  for (const c of clients) if (!c.closed) c.socket.destroy();

  const sent = active.reduce((sum, s) => sum + s.next, 0);
  const expected = active.reduce((sum, s) => sum + s.next * (s.members - 1), 0);
  const seconds =
    firstSendAt && lastDeliveryAt > firstSendAt ? (lastDeliveryAt - firstSendAt) / 1000 : NaN;
  const sendSeconds = Math.max(0.001, (sendEnd - sendStart) / 1000);
  const selfCpu = (self1.user + self1.system - self0.user - self0.system) / 1e6;
  return {
    clients: o.clients,
    channels: o.channels,
    registered,
    joined: members.reduce((sum, l) => sum + l.length, 0),
    senders: active.length,
    mode: windowSize === null ? 'rate' : 'window',
    window: windowSize,
    rate: o.rate ?? null,
    setupSeconds,
    sent,
    expected,
    delivered,
    missing: expected - delivered,
    duplicates,
    reordered,
    phantom,
    stalls,
    seconds,
    deliveriesPerSec: delivered / seconds,
    messagesPerSec: sent / seconds,
    latencyMs: summarize(latencies.subarray(0, latencyCount)),
    generatorCpuPercent: (100 * selfCpu) / sendSeconds,
    server:
      pid === undefined
        ? null
        : {
            rssBeforeKiB: rssBefore,
            rssLoadedKiB: rssLoaded,
            rssAfterKiB: rssAfter,
            kibPerClient: ready > 0 ? (rssLoaded - rssBefore) / ready : NaN,
            setupCpuSeconds: cpuSetup1 - cpuSetup0,
            sendCpuSeconds: cpuSend1 - cpuSend0,
            sendCpuPercent: (100 * (cpuSend1 - cpuSend0)) / sendSeconds,
          },
    setupFailures,
    closedEarly,
    errorLines,
    errorNumerics,
    pingsAnswered,
    firstError,
    timedOut,
  };
}

// ---- as a command ---------------------------------------------------------------------------------

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      host: { type: 'string' },
      port: { type: 'string' },
      clients: { type: 'string', default: '200' },
      channels: { type: 'string', default: '1' },
      senders: { type: 'string', default: '1' },
      messages: { type: 'string', default: '2000' },
      window: { type: 'string' },
      rate: { type: 'string' },
      'text-bytes': { type: 'string' },
      'connect-concurrency': { type: 'string' },
      'hold-ms': { type: 'string' },
      'server-pid': { type: 'string' },
      'timeout-ms': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help || values.port === undefined) {
    console.log(
      'usage: node --import tsx bench/lib/irc-load.ts --port N [--host 127.0.0.1] [--clients 200]\n' +
        '  [--channels 1] [--senders 1] [--messages 2000] [--window 50 | --rate MSGS_PER_S_PER_SENDER]\n' +
        '  [--text-bytes 100] [--connect-concurrency 200] [--hold-ms 0] [--server-pid PID]\n' +
        '  [--timeout-ms 180000]',
    );
    process.exitCode = values.help ? 0 : 64;
    return;
  }
  const num = (v: string | undefined) => (v === undefined ? undefined : Number(v));
  const result = await runIrcLoad({
    host: values.host,
    port: Number(values.port),
    clients: Number(values.clients),
    channels: Number(values.channels),
    senders: Number(values.senders),
    messages: Number(values.messages),
    window: num(values.window),
    rate: num(values.rate),
    textBytes: num(values['text-bytes']),
    connectConcurrency: num(values['connect-concurrency']),
    holdMs: num(values['hold-ms']),
    serverPid: num(values['server-pid']),
    timeoutMs: num(values['timeout-ms']),
    log: (line) => console.error(line.trim()),
  });
  console.log(JSON.stringify(result));
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
