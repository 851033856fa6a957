// C3-IRC (CI): hostile IRC input against a real chatd over raw sockets (docs/irc.md "Limits"),
// with IRC_REGISTRATION_TIMEOUT=2s and IRC_SENDQ_BYTES=65536, while a health check runs every
// 50 ms and a bystander IRC pair chats (a PRIVMSG every 100 ms). In turn:
// - the line corpus (lib/irc-hostile.ts): malformed lines (no command, only spaces, ':' only, 20
//   params, bad tags, bad commands), overlong lines (a 64 KiB line: one 417), NUL and a lone CR
//   inside a line (dropped), invalid UTF-8 (FAIL … INVALID_UTF8), tag bombs (4,095 bytes: 417;
//   2,047 tags in 4,093 bytes: runs), each followed by a PING: exactly the documented answer,
//   every answer within 512 bytes, and the connection goes on; none of it reaches the channel;
// - a stream of 200 tag-bomb lines (2,047 tags each): all answered, time per line;
// - CAP spam, 10,000 CAP LS/REQ lines on a registered connection: one answer line each (bounded);
// - registration never finished (50 connections, five ways): closed after 2 s with ERROR;
// - a reader that never reads, in a channel flooded from HTTP: disconnected with SendQ
//   exceeded (its QUIT seen by a user sharing another channel), server RSS bounded;
// - 2,000 idle registered connections: server RSS per connection (VmRSS before/after), fds bounded
//   and released when they close;
// - on a second chatd with FLOOD_RATE=2 (FLOOD_BURST 10): CAP spam before and after registration
//   ends in ERROR :… (Excess Flood), and 16 PINGs at once are answered with fake lag.
// Criteria: no crash, health answers throughout (longest gap reported), every hostile connection
// gets its documented answer, the bystander loses nothing (p99 reported).
import { percentiles } from '../lib/checker.js';
import { mapLimit } from '../lib/crowd.js';
import { HealthWatch, type HealthReport } from '../lib/health-watch.js';
import { agent, call, createSession, send, sleep } from '../lib/http.js';
import { IrcClient, registerIrc, splitLine } from '../lib/irc-client.js';
import { IrcBystander, lineCases, tagBombLine, type LineCase } from '../lib/irc-hostile.js';
import { METRICS_ENV, scrapeSeries } from '../lib/metrics-scrape.js';
import { fdCount } from '../lib/raw-socket.js';
import { rssKiB, rssSampler, startServer, stopAndClean, type Proc } from '../lib/server.js';
import { Criteria, type ReliabilityTest, type TestContext } from '../lib/types.js';

const SENDQ = 65_536;
/** the flood the reader that never reads is in: at most this much text, for at most this long */
const FLOOD_MIB = 24;
const FLOOD_SECONDS = 20;
const REGISTRATION_TIMEOUT_S = 2;
const IDLE = 2_000;
const CAP_SPAM = 10_000;
const TAG_BOMBS = 200;
const FLOOD_RATE = 2;
const FLOOD_BURST = 10;

const SENDQ_SERIES = 'chatd_irc_disconnects_total{reason="sendq_exceeded"}';

const pongRe = (token: string) => new RegExp(`^:\\S+ PONG \\S+ :?${token}$`);

/** bytes of a received line without its tag section, CRLF included */
function bytesWithoutTags(text: string): number {
  const p = splitLine(text);
  const tagLen = p?.tags ? Buffer.byteLength(p.tags, 'utf8') + 2 : 0;
  return Buffer.byteLength(text, 'utf8') - tagLen + 2;
}

interface CaseResult {
  name: string;
  doc: string;
  ok: boolean;
  /** ms from the write to the PONG that follows it */
  ms: number;
  got: string[];
  missing: number;
  unexpected: number;
  over512: number;
}

async function runCases(conn: IrcClient, cases: LineCase[]): Promise<CaseResult[]> {
  const out: CaseResult[] = [];
  for (const [i, k] of cases.entries()) {
    const from = conn.lines.length;
    const t0 = performance.now();
    const pieces = k.writes ?? 1;
    const size = Math.ceil(k.bytes.length / pieces);
    for (let at = 0; at < k.bytes.length; at += size) {
      conn.write(k.bytes.subarray(at, at + size));
      if (pieces > 1) await sleep(1);
    }
    const token = `case${i}x`;
    conn.send(`PING :${token}`);
    let ponged = true;
    try {
      await conn.waitFor(pongRe(token), 10_000, from);
    } catch {
      ponged = false;
    }
    const ms = Math.round(performance.now() - t0);
    // core answers (421 from the command table) come through the client's queue: let them land
    await sleep(250);
    const got = conn.lines
      .slice(from)
      .map((l) => l.text)
      .filter((t) => !pongRe(token).test(t));
    const rest = [...got];
    let missing = 0;
    for (const re of k.expect) {
      const j = rest.findIndex((t) => re.test(t));
      if (j < 0) missing++;
      else rest.splice(j, 1);
    }
    const over512 = got.filter((t) => bytesWithoutTags(t) > 512).length;
    out.push({
      name: k.name,
      doc: k.doc,
      ok: ponged && missing === 0 && rest.length === 0 && over512 === 0 && !conn.isClosed(),
      ms,
      got: got.map((t) => (t.length > 160 ? `${t.slice(0, 160)}… (${t.length} chars)` : t)),
      missing,
      unexpected: rest.length,
      over512,
    });
  }
  return out;
}

/**
 * The reader that never reads, in a channel flooded from HTTP: docs/irc.md says it gets at most
 * IRC_SENDQ_BYTES queued and is then disconnected with `ERROR :… (SendQ exceeded)`; everyone
 * sharing a channel with it (passwordless) sees the QUIT. The flood stops at FLOOD_MIB or once the
 * server counts the disconnect (chatd_irc_disconnects_total). Then the reader resumes reading: if
 * it was not disconnected, it must now catch up (it is a client that reads).
 */
async function neverReads(server: Proc, ctx: TestContext, c: Criteria) {
  const ircPort = server.ircPort!;
  const a = agent(4);
  const slow = await registerIrc(ircPort, 'slowrd');
  const watch = await registerIrc(ircPort, 'fwatch');
  try {
    slow.send('JOIN #flood,#fw');
    await slow.waitFor(/ 366 \S+ #fw /, 10_000);
    watch.send('JOIN #fw');
    await watch.waitFor(/ 366 /, 10_000);
    const flooders = await Promise.all(
      [0, 1].map(async (i) => {
        const f = await createSession(server.port, `flood${i}`, a);
        await send(server.port, f.token, { command: 'JOIN', to: '#flood' }, a);
        return f;
      }),
    );
    // the QUIT is seen by anyone sharing a channel with it (here #fw, outside the flood)
    const seen: { quit: string | null; atS: number | null } = { quit: null, atS: null };
    void watch
      .waitFor(/^:slowrd!\S+ QUIT /, 120_000)
      .then((l) => (seen.quit = l.text))
      .catch(() => undefined);
    const base = (await scrapeSeries(server.port, SENDQ_SERIES)) ?? 0;
    slow.pause();
    const rssBefore = rssKiB(server.pid);
    const sampler = rssSampler(server.pid, rssKiB, 200);
    const t0 = performance.now();
    const stopAt = Math.min(Date.now() + FLOOD_SECONDS * 1000, ctx.deadline - 60_000);
    const text = 'f'.repeat(3_900);
    const flood = { sent: 0, bytes: 0, lastKey: '', rssHalf: 0 };
    const statuses: Record<string, number> = {};
    // the server's own count of SendQ disconnects tells when it happened
    const stopped = { done: false };
    const metricsLoop = (async () => {
      while (!stopped.done && seen.atS === null) {
        const n = await scrapeSeries(server.port, SENDQ_SERIES).catch(() => null);
        if (n !== null && n > base) seen.atS = Math.round((performance.now() - t0) / 100) / 10;
        await sleep(200);
      }
    })();
    const limit = FLOOD_MIB * 1024 * 1024;
    await Promise.all(
      flooders.map(async (f, i) => {
        for (let n = 0; n < 100_000; n++) {
          if (seen.atS !== null || flood.bytes >= limit || Date.now() >= stopAt) break;
          const key = `${i}:${n}`;
          const r = await call(server.port, 'POST', '/api/v1/messages', {
            token: f.token,
            json: { command: 'PRIVMSG', to: '#flood', body: [`${key} ${text}`] },
            agent: a,
          }).catch(() => null);
          const k = r ? String(r.status) : 'error';
          statuses[k] = (statuses[k] ?? 0) + 1;
          flood.sent++;
          flood.bytes += text.length;
          flood.lastKey = key;
          if (flood.rssHalf === 0 && flood.bytes >= limit / 2) flood.rssHalf = rssKiB(server.pid);
        }
      }),
    );
    const floodS = Math.round((performance.now() - t0) / 100) / 10;
    // a disconnect may follow the last messages: give it 5 s
    const until = Date.now() + 5_000;
    while (seen.atS === null && Date.now() < until) await sleep(100);
    stopped.done = true;
    await metricsLoop;
    const disconnectS = seen.atS;
    const { peakKiB } = sampler.stop();
    const rssEnd = rssKiB(server.pid);

    // now it reads: what was queued for it, and then either the ERROR or everything sent
    const keysFrom = slow.lines.length;
    slow.resume();
    const lastKey = flood.lastKey;
    const caughtUp = slow
      .waitFor(new RegExp(` PRIVMSG #flood :?${lastKey} `), 30_000, 0)
      .then(() => true)
      .catch(() => false);
    const outcome = await Promise.race([
      caughtUp.then((ok) => (ok ? ('caught up' as const) : ('stuck' as const))),
      slow.waitClosed(30_000).then((closed) => (closed ? ('closed' as const) : ('stuck' as const))),
    ]);
    await sleep(300);
    const quitUntil = Date.now() + 5_000;
    while (outcome === 'closed' && seen.quit === null && Date.now() < quitUntil) await sleep(100);
    const last = slow.lines.at(-1)?.text ?? '';
    const growthMiB = Math.round((peakKiB - rssBefore) / 102.4) / 10;
    const secondHalfMiB = flood.rssHalf ? Math.round((rssEnd - flood.rssHalf) / 102.4) / 10 : null;
    const fig = {
      messages_sent: flood.sent,
      mib_sent: Math.round(flood.bytes / 1024 / 102.4) / 10,
      flood_seconds: floodS,
      disconnected_while_not_reading_after_s: disconnectS,
      after_resume: outcome,
      lines_read_after_resume: slow.lines.length - keysFrom,
      last_line: last.slice(0, 200),
      quit_seen_by_other_user: seen.quit,
      rss_before_mib: Math.round(rssBefore / 102.4) / 10,
      rss_peak_mib: Math.round(peakKiB / 102.4) / 10,
      rss_growth_mib: growthMiB,
      rss_growth_second_half_mib: secondHalfMiB,
      post_statuses: statuses,
    };
    c.check(
      disconnectS !== null,
      `the reader that never reads is disconnected with SendQ exceeded (docs/irc.md "Limits"; ` +
        `not within ${floodS} s + 5 s: ${flood.sent} messages, ${fig.mib_sent} MiB sent)`,
    );
    if (disconnectS !== null) {
      c.check(
        outcome === 'closed' && /^ERROR :.*\(SendQ exceeded\)$/.test(last),
        `its last line is ERROR :… (SendQ exceeded) (got ${JSON.stringify(last.slice(0, 120))})`,
      );
      c.check(
        seen.quit !== null && /SendQ exceeded/.test(seen.quit),
        `a user sharing a channel with it sees QUIT :SendQ exceeded (got ${String(seen.quit)})`,
      );
    } else {
      c.check(
        outcome === 'caught up',
        `not disconnected while it did not read, the reader catches up once it reads (got ${outcome}; last line ${JSON.stringify(last.slice(0, 120))})`,
      );
    }
    c.check(growthMiB <= 64, `server RSS growth during the flood ≤ 64 MiB (got ${growthMiB} MiB)`);
    c.check(
      Object.keys(statuses).every((k) => k === '200'),
      `flooders' POSTs all 200 (got ${JSON.stringify(statuses)})`,
    );
    return fig;
  } finally {
    slow.end();
    watch.end();
    a.destroy();
  }
}

interface IdleState {
  conns: IrcClient[];
  rss0: number;
  fd0: number;
  figures: Record<string, unknown>;
}

/** 2,000 idle registered connections: RSS per connection (VmRSS before/after), fds. */
async function idleOpen(server: Proc, ctx: TestContext, c: Criteria): Promise<IdleState> {
  const ircPort = server.ircPort!;
  await sleep(1_000);
  const rss0 = rssKiB(server.pid);
  const fd0 = fdCount(server.pid);
  const t0 = performance.now();
  const errors: Record<string, number> = {};
  const ids = Array.from({ length: IDLE }, (_, i) => i);
  const conns = (
    await mapLimit(ids, 50, ctx.deadline - 45_000, async (i) => {
      try {
        return await registerIrc(ircPort, `idle${i}`, { timeoutMs: 20_000 });
      } catch (err) {
        const k = (err as Error).message.split('\n')[0]!.slice(0, 60);
        errors[k] = (errors[k] ?? 0) + 1;
        return null;
      }
    })
  ).filter((x): x is IrcClient => x !== null);
  const registerS = Math.round((performance.now() - t0) / 100) / 10;
  await sleep(2_000);
  const rss1 = rssKiB(server.pid);
  const fd1 = fdCount(server.pid);
  const stillOpen = conns.filter((k) => !k.isClosed()).length;
  const perConn = conns.length ? Math.round(((rss1 - rss0) / conns.length) * 10) / 10 : NaN;
  c.equal('idle connections registered', conns.length, IDLE);
  c.equal('idle connections the server closed', conns.length - stillOpen, 0);
  c.check(
    fd1 - fd0 <= conns.length + 64,
    `server fds grow by at most one per connection + 64 (${fd0} → ${fd1} for ${conns.length})`,
  );
  c.check(perConn <= 256, `server RSS per idle connection ≤ 256 KiB (got ${perConn} KiB)`);
  return {
    conns,
    rss0,
    fd0,
    figures: {
      registered: conns.length,
      register_seconds: registerS,
      still_open_after_2s: stillOpen,
      rss_before_mib: Math.round(rss0 / 102.4) / 10,
      rss_after_mib: Math.round(rss1 / 102.4) / 10,
      rss_per_connection_kib: perConn,
      fds_before: fd0,
      fds_with_idle: fd1,
      errors,
    },
  };
}

/** They all drop at once (each a passwordless session that ends: 2,000 QUITs); fds released. */
async function idleClose(server: Proc, state: IdleState, c: Criteria) {
  const t0 = performance.now();
  for (const k of state.conns) k.end();
  const released = Date.now() + 20_000;
  let fd2 = fdCount(server.pid);
  while (fd2 > state.fd0 + 20 && Date.now() < released) {
    await sleep(250);
    fd2 = fdCount(server.pid);
  }
  const releaseS = Math.round((performance.now() - t0) / 100) / 10;
  c.check(
    fd2 <= state.fd0 + 20,
    `server fds released after the close (${fd2}; before ${state.fd0})`,
  );
  return { ...state.figures, fds_after_close: fd2, fds_released_after_s: releaseS };
}

/** Registration never finished, five ways, ten connections each. */
async function unfinished(server: Proc, c: Criteria) {
  const ircPort = server.ircPort!;
  const ways: Record<string, string[]> = {
    silent: [],
    'NICK only': ['NICK half{i}'],
    'USER only': ['USER u 0 * :u'],
    'CAP LS, no END': ['CAP LS 302', 'NICK cap{i}', 'USER u 0 * :u'],
    'PASS only': ['PASS secret'],
  };
  const conns: { way: string; conn: IrcClient; opened: number }[] = [];
  for (const [way, lines] of Object.entries(ways)) {
    for (let i = 0; i < 10; i++) {
      const conn = await IrcClient.connect(ircPort);
      const opened = performance.now();
      if (lines.length) conn.send(...lines.map((l) => l.replace('{i}', String(i))));
      conns.push({ way, conn, opened });
    }
  }
  await Promise.all(conns.map((k) => k.conn.waitClosed(REGISTRATION_TIMEOUT_S * 1000 + 8_000)));
  const closeS = conns
    .filter((k) => k.conn.closedAt !== null && k.conn.closedHow !== 'local')
    .map((k) => (k.conn.closedAt! - k.opened) / 1000);
  const withError = conns.filter((k) =>
    k.conn.lines.some((l) => /^ERROR :.*Registration timed out/.test(l.text)),
  ).length;
  for (const k of conns) k.conn.end();
  const p = percentiles(closeS);
  const byWay: Record<string, number> = {};
  for (const k of conns) {
    if (k.conn.lines.some((l) => /^ERROR :.*Registration timed out/.test(l.text))) {
      byWay[k.way] = (byWay[k.way] ?? 0) + 1;
    }
  }
  c.equal('unregistered connections closed by the server', closeS.length, conns.length);
  c.equal('of them with ERROR :… (Registration timed out)', withError, conns.length);
  c.check(
    p.max <= REGISTRATION_TIMEOUT_S + 2,
    `closed within the registration timeout + 2 s (max ${p.max} s)`,
  );
  return {
    connections: conns.length,
    closed: closeS.length,
    with_error: withError,
    by_way: byWay,
    close_p50_s: p.p50,
    close_max_s: p.max,
  };
}

/**
 * CAP spam on a registered connection, no flood control: every CAP line gets one answer line, or,
 * when the answers produced in one event-loop turn outgrow IRC_SENDQ_BYTES, the connection ends
 * with ERROR :… (SendQ exceeded) — bounded either way.
 */
async function capSpam(server: Proc, c: Criteria) {
  const conn = await registerIrc(server.ircPort!, 'capper');
  try {
    const from = conn.lines.length;
    const rss0 = rssKiB(server.pid);
    const sampler = rssSampler(server.pid, rssKiB, 100);
    const t0 = performance.now();
    const spam = Array.from({ length: CAP_SPAM }, (_, i) =>
      i % 2 === 0 ? 'CAP LS 302' : 'CAP REQ :server-time',
    );
    conn.send(...spam);
    conn.send('PING :capdone');
    const done = await Promise.race([
      conn.waitFor(pongRe('capdone'), 30_000, from).then(
        () => 'answered' as const,
        () => 'timeout' as const,
      ),
      conn
        .waitClosed(30_000)
        .then((closed) => (closed ? ('closed' as const) : ('timeout' as const))),
    ]);
    const seconds = Math.round((performance.now() - t0) / 100) / 10;
    const { peakKiB } = sampler.stop();
    const got = conn.lines.slice(from).map((l) => l.text);
    const answers = got.filter((t) => / CAP \S+ (LS|ACK|NAK) /.test(t));
    const answerBytes = answers.reduce((n, t) => n + Buffer.byteLength(t) + 2, 0);
    const error = got.find((t) => t.startsWith('ERROR ')) ?? null;
    const other = got.filter(
      (t) => !/ CAP \S+ (LS|ACK|NAK) /.test(t) && !pongRe('capdone').test(t) && t !== error,
    );
    if (done === 'answered') {
      c.equal('CAP spam answered in full: answer lines', answers.length, CAP_SPAM);
    } else {
      c.check(
        done === 'closed' && error !== null && /SendQ exceeded/.test(error),
        `CAP spam: all answered, or closed with ERROR :… (SendQ exceeded) (got ${done}, ${String(error)})`,
      );
      c.check(
        answerBytes <= 2 * SENDQ,
        `CAP spam: answers before the SendQ close are bounded (${answerBytes} bytes)`,
      );
    }
    c.equal('CAP spam: other lines', other.length, 0);
    return {
      lines: CAP_SPAM,
      outcome: done,
      answers: answers.length,
      answer_bytes: answerBytes,
      error,
      other: other.slice(0, 3),
      seconds,
      rss_growth_mib: Math.round((peakKiB - rss0) / 102.4) / 10,
    };
  } finally {
    conn.end();
  }
}

/** 200 lines of 2,047 tags each, in one write: every one answered. */
async function tagBombStream(server: Proc, c: Criteria) {
  const conn = await registerIrc(server.ircPort!, 'tagbomb');
  try {
    const from = conn.lines.length;
    const t0 = performance.now();
    conn.send(...Array.from({ length: TAG_BOMBS }, (_, i) => tagBombLine(`tbs${i}`)));
    let done = true;
    try {
      await conn.waitFor(pongRe(`tbs${TAG_BOMBS - 1}`), 30_000, from);
    } catch {
      done = false;
    }
    const ms = performance.now() - t0;
    const pongs = conn.lines.slice(from).filter((l) => / PONG /.test(l.text)).length;
    c.check(done && pongs === TAG_BOMBS, `tag-bomb stream: ${pongs} of ${TAG_BOMBS} answered`);
    return {
      lines: TAG_BOMBS,
      answered: pongs,
      ms_per_line: Math.round((ms / TAG_BOMBS) * 100) / 100,
    };
  } finally {
    conn.end();
  }
}

/** The flood-control server: CAP spam before and after registration, fake lag. */
async function floodServer(ctx: TestContext, c: Criteria) {
  const server = await startServer({
    irc: true,
    env: {
      IRC_SESSIONS_PER_ADDRESS: '0',
      FLOOD_RATE: String(FLOOD_RATE),
      FLOOD_BURST: String(FLOOD_BURST),
    },
  });
  const health = new HealthWatch(server.port).start(ctx.deadline);
  const conns: IrcClient[] = [];
  try {
    const ircPort = server.ircPort!;
    const spam = Array.from({ length: CAP_SPAM }, (_, i) =>
      i % 2 === 0 ? 'CAP LS 302' : 'CAP REQ :sasl',
    );
    const outcome = async (conn: IrcClient, t0: number) => {
      const closed = await conn.waitClosed(15_000);
      const answers = conn.lines.filter((l) => / CAP \S+ (LS|ACK|NAK) /.test(l.text)).length;
      const error = conn.lines.find((l) => /^ERROR /.test(l.text))?.text ?? null;
      return {
        closed,
        after_s: Math.round((performance.now() - t0) / 100) / 10,
        answers,
        error,
      };
    };
    // before registration
    const pre = await IrcClient.connect(ircPort);
    conns.push(pre);
    const t1 = performance.now();
    pre.send(...spam);
    const before = await outcome(pre, t1);
    // after registration
    const reg = await registerIrc(ircPort, 'capflood');
    conns.push(reg);
    const from = reg.lines.length;
    const t2 = performance.now();
    reg.send(...spam);
    const after = await outcome(reg, t2);
    const afterAnswers = reg.lines.slice(from).filter((l) => / CAP /.test(l.text)).length;
    for (const [label, o] of [
      ['before registration', before],
      ['after registration', after],
    ] as const) {
      c.check(
        o.closed && o.error !== null && /Excess Flood/.test(o.error),
        `FLOOD_RATE on, CAP spam ${label}: ERROR :… (Excess Flood) and closed (got ${String(o.error)}, closed ${o.closed})`,
      );
      c.check(o.answers <= 2 * CAP_SPAM, `CAP spam ${label}: answers bounded (${o.answers})`);
    }
    // fake lag: 16 PINGs at once, FLOOD_BURST 10 then FLOOD_RATE 2/s
    const lag = await registerIrc(ircPort, 'lagger');
    conns.push(lag);
    // the registration lines spent some of the burst: let it refill
    await sleep((FLOOD_BURST / FLOOD_RATE) * 1000 + 500);
    const lagFrom = lag.lines.length;
    const n = 16;
    const t3 = performance.now();
    lag.send(...Array.from({ length: n }, (_, i) => `PING :lag${i}`));
    let lagDone = true;
    try {
      await lag.waitFor(pongRe(`lag${n - 1}`), 30_000, lagFrom);
    } catch {
      lagDone = false;
    }
    const pongAt = lag.lines
      .slice(lagFrom)
      .filter((l) => / PONG /.test(l.text))
      .map((l) => l.at - t3);
    const spreadMs = pongAt.length ? Math.round(Math.max(...pongAt) - Math.min(...pongAt)) : 0;
    const minSpread = ((n - FLOOD_BURST - 1) / FLOOD_RATE) * 1000 * 0.8;
    c.check(
      lagDone && pongAt.length === n && !lag.isClosed(),
      `fake lag: all ${n} PINGs answered on an open connection (got ${pongAt.length})`,
    );
    c.check(
      spreadMs >= minSpread,
      `fake lag: ${n} PINGs at FLOOD_BURST ${FLOOD_BURST}, FLOOD_RATE ${FLOOD_RATE}/s take ≥ ${minSpread} ms (got ${spreadMs} ms)`,
    );
    const h = await health.stop();
    c.equal('flood-control server health check failures', h.failures, 0);
    c.check(!server.exited(), 'flood-control chatd still running');
    return {
      cap_spam_before_registration: before,
      cap_spam_after_registration: { ...after, answers: afterAnswers },
      fake_lag: {
        pings: n,
        answered: pongAt.length,
        spread_ms: spreadMs,
        min_spread_ms: minSpread,
      },
      health: h,
    };
  } finally {
    await health.stop();
    for (const k of conns) k.end();
    await stopAndClean(server);
  }
}

export const c3irc: ReliabilityTest = {
  id: 'C3-IRC',
  title: 'Hostile IRC input: malformed, overlong, tag bombs, CAP spam, slow and idle connections',
  tiers: ['ci', 'soak'],
  budgetSeconds: { ci: 150, soak: 150 },
  async run(ctx) {
    const c = new Criteria();
    const figures: Record<string, unknown> = {};
    const server = await startServer({
      irc: true,
      env: {
        IRC_SESSIONS_PER_ADDRESS: '0',
        IRC_REGISTRATION_TIMEOUT: `${REGISTRATION_TIMEOUT_S}s`,
        IRC_SENDQ_BYTES: String(SENDQ),
        ...METRICS_ENV,
      },
    });
    const health = new HealthWatch(server.port).start(ctx.deadline);
    const bystander = new IrcBystander(server.ircPort!, 100);
    let report: HealthReport | null = null;
    const rssStart = rssKiB(server.pid);
    const rss = rssSampler(server.pid, rssKiB, 500);
    try {
      await bystander.start('by', '#by', ctx.deadline);
      const phases: Record<string, { seconds: number; health_gap_ms: number }> = {};
      const step = async <T>(label: string, fn: () => Promise<T>): Promise<T> => {
        bystander.mark(label);
        const t0 = Date.now();
        const watch = new HealthWatch(server.port).start(ctx.deadline);
        try {
          return await fn();
        } finally {
          const h = await watch.stop();
          phases[label] = {
            seconds: Math.round((Date.now() - t0) / 100) / 10,
            health_gap_ms: h.longestGapMs,
          };
          ctx.log(`${label}: ${phases[label].seconds} s, longest health gap ${h.longestGapMs} ms`);
        }
      };
      figures.phases = phases;
      await sleep(1_000);

      // the corpus, on one registered connection in #mal, watched by another member
      const results = await step('corpus', async () => {
        const mal = await registerIrc(server.ircPort!, 'mal');
        const malwatch = await registerIrc(server.ircPort!, 'malwatch');
        try {
          for (const k of [mal, malwatch]) {
            k.send('JOIN #mal');
            await k.waitFor(/ 366 /, 10_000);
          }
          await mal.waitFor(/^:malwatch!\S+ JOIN /, 10_000);
          const r = await runCases(mal, lineCases('#mal'));
          mal.send('PRIVMSG #mal :legit');
          await malwatch.waitFor(/^:mal!\S+ PRIVMSG #mal :?legit$/, 10_000).catch(() => null);
          const leaked = malwatch.lines
            .filter((l) => /^:mal!\S+ (PRIVMSG|NOTICE) /.test(l.text))
            .map((l) => l.text.slice(0, 120));
          c.check(
            leaked.length === 1 && /:?legit$/.test(leaked[0] ?? ''),
            `nothing of the corpus reaches the channel, the legit line does (got ${JSON.stringify(leaked.slice(0, 3))})`,
          );
          return r;
        } finally {
          mal.end();
          malwatch.end();
        }
      });
      const failedCases = results.filter((r) => !r.ok);
      for (const r of failedCases) {
        c.check(
          false,
          `case "${r.name}": expected ${r.doc}; got ${JSON.stringify(r.got.slice(0, 3))}` +
            (r.over512 ? ` (${r.over512} lines over 512 bytes)` : ''),
        );
      }
      figures.cases = results;
      figures.cases_ok = `${results.length - failedCases.length}/${results.length}`;
      figures.case_slowest_ms = Math.max(0, ...results.map((r) => r.ms));

      figures.tag_bomb_stream = await step('tag bombs', () => tagBombStream(server, c));
      figures.cap_spam = await step('cap spam', () => capSpam(server, c));
      figures.registration_never_finished = await step('unfinished registration', () =>
        unfinished(server, c),
      );
      figures.never_reads = await step('never reads', () => neverReads(server, ctx, c));
      const idleState = await step('idle: open 2,000', () => idleOpen(server, ctx, c));
      figures.idle = await step('idle: all close at once', () => idleClose(server, idleState, c));
      bystander.mark('after');
      await sleep(1_000);
      report = await health.stop();
      await bystander.stop();
      const { peakKiB } = rss.stop();
      figures.flood_control = await floodServer(ctx, c);

      const by = bystander.latencies();
      c.check(!server.exited(), 'chatd still running');
      c.equal('health check failures', report.failures, 0);
      c.timing('longest health-check gap, ms', report.longestGapMs, 500);
      c.equal('bystander messages lost', bystander.lost(), 0);
      c.equal('bystander messages duplicated', bystander.duplicates(), 0);
      c.check(!bystander.closedEarly(), 'the bystander connections stayed open');
      // A3's target for a p99 under load (500 ms); the phases' own figures show where it went
      c.timing('bystander p99, ms', by.p99, 500);
      const idle = figures.idle as { rss_per_connection_kib: number };
      const never = figures.never_reads as { disconnected_after_s: number | null };
      return {
        figures: {
          cases_ok: figures.cases_ok,
          health_gap_ms: report.longestGapMs,
          bystander_p99_ms: by.p99,
          bystander_lost: bystander.lost(),
          idle_rss_per_conn_kib: idle.rss_per_connection_kib,
          sendq_disconnect_s: never.disconnected_after_s,
          rss_peak_mib: Math.round(peakKiB / 102.4) / 10,
          rss_start_mib: Math.round(rssStart / 102.4) / 10,
          ...figures,
          bystander: { sent: bystander.sent(), ...by, by_phase: bystander.byLabel() },
          health: report,
        },
        failures: c.failures,
        notes: [
          'the corpus runs on one connection; each case is followed by a PING and 250 ms for ' +
            "core answers (421) that come through the client's queue",
          'phases: the longest health-check gap of each phase (figures.phases) and the ' +
            "bystander's p99/max per phase (figures.bystander.by_phase)",
        ],
      };
    } finally {
      rss.stop();
      if (!report) await health.stop();
      await bystander.stop(0);
      await stopAndClean(server);
    }
  },
};
