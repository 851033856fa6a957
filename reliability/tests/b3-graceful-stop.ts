// B3 (CI): graceful stop. SIGTERM lands under load: 20 long-polling clients in 4 channels, 5
// paced senders with txns, and 5 POSTs certainly in flight (headers and half the body sent
// before the SIGTERM, the rest after it). The POSTs in flight get an answer, the held polls end
// with an empty 200 or a 503 with Retry-After within 5 s, chatd exits with code 0, and after a
// restart nothing acknowledged is missing or doubled: in history, and for the clients resuming
// from their cursors. Figures: drain time, exit code.
import { checkDelivery, entitledTo } from '../lib/checker.js';
import { sleep } from '../lib/http.js';
import { byKey, channelHistory, checkIntegrity, dbFile } from '../lib/integrity.js';
import { buildWorld } from '../lib/load.js';
import { splitPost, type RawAnswer } from '../lib/partial-http.js';
import { startServer, stopAndClean, type Proc } from '../lib/server.js';
import { TrackedPoller } from '../lib/tracked-poller.js';
import { statusHistogram, TxnSender, type TxnSent } from '../lib/txn-sender.js';
import { Criteria, type ReliabilityTest } from '../lib/types.js';

const CLIENTS = 20;
const CHANNELS = 4;
const RATE = 100;
const HOLD_SECONDS = 10;
/** the plan's limit for held polls to end after SIGTERM */
const POLL_END_MS = 5_000;
/** how long after the SIGTERM the in-flight POSTs send the rest of their body */
const REST_AFTER_MS = 200;

export const b3: ReliabilityTest = {
  id: 'B3',
  title: 'Graceful stop: SIGTERM under load',
  tiers: ['ci'],
  budgetSeconds: { ci: 90 },
  async run(ctx) {
    const c = new Criteria();
    const notes: string[] = [];
    let server: Proc = await startServer();
    const dir = server.dir;
    const file = dbFile(dir);
    try {
      const world = await buildWorld(server.port, {
        clients: CLIENTS,
        channels: CHANNELS,
        senders: 5,
      });
      const members = world.members;
      const perChannel = CLIENTS / CHANNELS;
      const all: TxnSent[] = [];
      const track = (r: TxnSent) => all.push(r);
      // senders: the first member of each channel and the second of the first
      const senderIdx = [0, perChannel, 2 * perChannel, 3 * perChannel, 1];
      const senders = senderIdx.map((i) => {
        const m = members[i]!;
        return new TxnSender({ name: m.name, token: m.token, channel: m.channel }, track);
      });
      // in-flight POSTs: the third member of each channel and the fourth of the first
      const slowIdx = [2, perChannel + 2, 2 * perChannel + 2, 3 * perChannel + 2, 3];
      const slowSenders = slowIdx.map((i) => {
        const m = members[i]!;
        return new TxnSender({ name: m.name, token: m.token, channel: m.channel }, track);
      });
      const pollers = members.map((m) => new TrackedPoller(m.name, m.token, world.pollAgent));
      let loops = pollers.map((p) => p.run(server.port, ctx.deadline, HOLD_SECONDS));

      const intervalMs = (1000 * senders.length) / RATE;
      const runs = senders.map((s, i) =>
        s.run(server.port, world.sendAgent, {
          intervalMs,
          offsetMs: (i * intervalMs) / senders.length,
          // each stops by itself at its first POST without a 200 (503 or no answer)
          stop: () => false,
          deadline: ctx.deadline,
          max: 100_000,
        }),
      );
      await sleep(2_000 + Math.random() * 2_000);
      // POSTs the server has certainly begun to read: it answered 100 Continue to their headers;
      // part of the body now, the rest after the SIGTERM
      const slowRecs: TxnSent[] = [];
      const slow = await Promise.all(
        slowSenders.map(async (s, i) => {
          const rec: TxnSent = {
            key: `${s.spec.name}:slow${i}`,
            channel: s.spec.channel,
            before: performance.now(),
            ack: null,
            sender: s.spec.name,
            startedAt: Date.now(),
            endedAt: null,
            status: null,
            retryAfter: null,
            attempts: 1,
            retried: false,
          };
          s.records.push(rec);
          track(rec);
          slowRecs.push(rec);
          const json = { command: 'PRIVMSG', to: rec.channel, body: [rec.key], txn: rec.key };
          return {
            rec,
            req: await splitPost(server.port, '/api/v1/messages', s.spec.token, json, 20),
          };
        }),
      );
      await sleep(100);
      const openPollsBefore = pollers.filter((p) => p.polls.at(-1)?.endedAt === null).length;
      const termAt = Date.now();
      const exit = server.stop(); // SIGTERM by PID; SIGKILL after 10 s if it hangs
      await sleep(REST_AFTER_MS);
      for (const s of slow) s.req.sendRest();
      const exitCode = await exit;
      const drainMs = Date.now() - termAt;
      const slowAnswers: RawAnswer[] = [];
      for (const s of slow) {
        const a = await s.req.answer;
        slowAnswers.push(a);
        s.rec.endedAt = Date.now();
        s.rec.status = a.status ?? 'error';
        s.rec.retryAfter = a.headers['retry-after'] ?? null;
        const body = parseJson(a.body.toString('utf8')) as { id?: string; seq?: number } | null;
        if (a.status === 200 && body?.id && typeof body.seq === 'number') {
          s.rec.ack = { id: body.id, seq: body.seq };
        }
      }
      await Promise.all(runs);
      await Promise.all(loops);
      ctx.log(
        `SIGTERM with ${openPollsBefore} polls held; exit code ${String(exitCode)} after ${drainMs} ms`,
      );

      // how the polls held at the SIGTERM ended
      const held = pollers.flatMap((p) =>
        p.polls.filter((x) => x.startedAt < termAt && (x.endedAt === null || x.endedAt >= termAt)),
      );
      const heldBad = held.filter(
        (x) =>
          x.endedAt === null ||
          x.endedAt - termAt > POLL_END_MS ||
          !(x.status === 200 || (x.status === 503 && x.retryAfter !== null)),
      );
      const heldStatuses: Record<string, number> = {};
      for (const x of held)
        heldStatuses[String(x.status)] = (heldStatuses[String(x.status)] ?? 0) + 1;
      const pollEndMs = held.map((x) => (x.endedAt ?? Infinity) - termAt);
      // POSTs of the paced senders that were under way when the SIGTERM came
      const inFlight = all.filter(
        (x) => !slowRecs.includes(x) && x.startedAt < termAt && (x.endedAt ?? Infinity) >= termAt,
      );
      const inFlightUnanswered = inFlight.filter((x) => x.status === 'error');
      const no503Hint = all.filter((x) => x.status === 503 && x.retryAfter === null).length;

      const statusesAtStop = statusHistogram(all);
      const afterStop = checkIntegrity(file);
      // restart: retry what got no 200 (same txn), resume the clients from their cursors
      server = await startServer({ dir });
      for (const s of [...senders, ...slowSenders])
        await s.retryUnacknowledged(server.port, ctx.deadline);
      loops = pollers.map((p) => p.run(server.port, ctx.deadline, HOLD_SECONDS));
      const caughtUp = () =>
        members.every((m, i) => {
          const ids = new Set(pollers[i]!.received.map((x) => x.id));
          return all.every(
            (s) => !s.ack || !entitledTo(m.memberships, s.channel, s.ack.seq) || ids.has(s.ack.id),
          );
        });
      const settleUntil = Math.min(Date.now() + 15_000, ctx.deadline - 5_000);
      while (!caughtUp() && Date.now() < settleUntil) await sleep(50);
      const settled = caughtUp();
      for (const p of pollers) p.stop();
      await Promise.all(loops);

      let missing = 0;
      let twice = 0;
      for (const ch of world.channels) {
        const reader = members.find((m) => m.channel === ch)!;
        const keys = byKey(await channelHistory(server.port, reader.token, ch, ctx.deadline));
        for (const rec of all.filter((x) => x.channel === ch)) {
          const n = keys.get(rec.key)?.length ?? 0;
          if (rec.ack && n === 0) missing++;
          if (n > 1) twice++;
        }
      }
      const report = checkDelivery(
        all,
        members.map((m, i) => ({
          name: m.name,
          memberships: m.memberships,
          received: pollers[i]!.received,
        })),
      );
      for (const e of report.examples) ctx.log(e);
      await world.close();

      c.equal('exit code', exitCode, 0);
      c.equal(
        'in-flight POSTs whose headers the server confirmed (100 Continue) before the SIGTERM',
        slow.filter((x) => x.req.continued).length,
        slow.length,
      );
      c.check(held.length > 0, 'polls were held when the SIGTERM came');
      c.equal(
        `held polls not ended by an empty 200 or a 503 with Retry-After within ${POLL_END_MS} ms`,
        heldBad.length,
        0,
      );
      const slowBad = slowAnswers.filter(
        (a) => !(a.status === 200 || (a.status === 503 && a.headers['retry-after'] !== undefined)),
      );
      c.equal(
        'in-flight POSTs (body still arriving) without a 200 or 503 answer',
        slowBad.length,
        0,
      );
      c.equal('503 answers without Retry-After', no503Hint, 0);
      c.check(afterStop.ok, `integrity after the stop (${afterStop.integrity})`);
      c.check(settled, 'every client caught up within 15 s of the restart');
      c.equal('acknowledged messages missing from history', missing, 0);
      c.equal('messages in history twice', twice, 0);
      c.equal('still unacknowledged after the txn retries', all.filter((x) => !x.ack).length, 0);
      c.equal('lost', report.lost, 0);
      c.equal('duplicated', report.duplicated, 0);
      c.equal('reordered', report.reordered, 0);
      c.equal('phantom', report.phantom, 0);
      c.equal('extra', report.extra, 0);
      if (inFlightUnanswered.length) {
        notes.push(
          `${inFlightUnanswered.length} paced POST(s) sent on a keep-alive connection just as ` +
            'the server closed its idle connections got no answer (the request was not read yet); ' +
            'their txn retry after the restart stored them once',
        );
      }
      return {
        figures: {
          drain_ms: drainMs,
          exit_code: exitCode,
          polls_held_at_sigterm: held.length,
          held_poll_statuses: heldStatuses,
          held_poll_end_ms_max: held.length ? Math.max(...pollEndMs) : null,
          in_flight_posts_slow: slowAnswers.map((a) => a.status),
          in_flight_posts_paced: inFlight.length,
          in_flight_posts_paced_unanswered: inFlightUnanswered.length,
          acknowledged: report.acknowledged,
          lost_acknowledged: missing + report.lost,
          duplicates: twice + report.duplicated,
          sent: all.length,
          post_statuses_at_stop: statusesAtStop,
          integrity_after_stop: afterStop.integrity,
        },
        failures: c.failures,
        notes,
      };
    } finally {
      await stopAndClean(server);
    }
  },
};

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
