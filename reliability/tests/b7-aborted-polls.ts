// B7 (CI): clients disconnecting mid long-poll. While one sender keeps messages flowing into a
// channel, 4 member clients run 1,000 cycles between them; each cycle first makes a poll the
// client abandons — a node:http GET aborted at a random moment (held, or already answered), or a
// raw socket that reads the first N bytes of the answer (none, part of the headers, part of the
// body, or all of it) and then destroys the connection — and then polls again with the last id it
// had processed. Only answers of those second polls count as processed. Over all cycles nothing
// may be lost or duplicated: the server must never treat a response that did not reach the
// client (or reached it in part) as delivered. Figures: cycles, lost, dup.
import { checkDelivery } from '../lib/checker.js';
import { agent, call, createSession, send, sleep } from '../lib/http.js';
import { readPartial, type RawAnswer } from '../lib/partial-http.js';
import type { Page, Received } from '../lib/poller.js';
import { startServer, stopAndClean } from '../lib/server.js';
import { TxnSender, type TxnSent } from '../lib/txn-sender.js';
import { Criteria, type ReliabilityTest } from '../lib/types.js';

const RECEIVERS = 4;
const CYCLES = 1_000;
/** messages per second from the sender */
const RATE = 200;

type Kind =
  | 'aborted-before-answer'
  | 'aborted-after-answer'
  | 'dropped-before-any-byte'
  | 'dropped-mid-headers'
  | 'dropped-mid-body'
  | 'dropped-after-whole-answer';

export const b7: ReliabilityTest = {
  id: 'B7',
  title: 'Clients disconnecting mid long-poll (1,000 abandoned polls)',
  tiers: ['ci'],
  budgetSeconds: { ci: 60 },
  async run(ctx) {
    const c = new Criteria();
    const server = await startServer();
    const port = server.port;
    const keepAlive = agent(RECEIVERS * 2 + 2);
    try {
      const sender = await createSession(port, 'b7s');
      await send(port, sender.token, { command: 'JOIN', to: '#b7' });
      const receivers = [];
      for (let i = 0; i < RECEIVERS; i++) {
        const s = await createSession(port, `b7r${i}`);
        const join = await send(port, s.token, { command: 'JOIN', to: '#b7' });
        receivers.push({ ...s, joined: join.seq! });
      }
      const sent: TxnSent[] = [];
      const tx = new TxnSender({ name: 'b7s', token: sender.token, channel: '#b7' }, (r) =>
        sent.push(r),
      );
      let stopSending = false;
      const sending = tx.run(port, keepAlive, {
        intervalMs: 1000 / RATE,
        offsetMs: 0,
        stop: () => stopSending,
        deadline: ctx.deadline - 10_000,
        max: 100_000,
      });

      const kinds: Record<string, number> = {};
      const statuses: Record<string, number> = {};
      let tooMany = 0;
      let cycles = 0;
      let gaps = 0;
      /** message ids seen in answers the client abandoned, and later processed */
      const abandoned = new Set<string>();
      const cycleUntil = ctx.deadline - 15_000;
      const records = await Promise.all(
        receivers.map(async (r) => {
          const received: Received[] = [];
          let cursor: number | null = null;
          const path = () =>
            `/api/v1/messages?${cursor === null ? '' : `after=${cursor}&`}timeout=5`;
          // one processed poll: 429 (a slot still held by an abandoned poll) is retried
          const processedPoll = async (timeout: number): Promise<number> => {
            for (let tries = 0; tries < 200; tries++) {
              const q = cursor === null ? '' : `after=${cursor}&`;
              const res = await call<Page>(port, 'GET', `/api/v1/messages?${q}timeout=${timeout}`, {
                token: r.token,
                agent: keepAlive,
              });
              statuses[res.status] = (statuses[res.status] ?? 0) + 1;
              if (res.status === 429) {
                tooMany++;
                await sleep(20);
                continue;
              }
              if (res.status !== 200) throw new Error(`poll ${res.status} ${res.text}`);
              const at = performance.now();
              if (res.body.gap) gaps++;
              for (const m of res.body.messages) received.push({ ...m, queueId: m.queue_id, at });
              cursor = res.body.last_id;
              return res.body.messages.length;
            }
            throw new Error('poll: 429 two hundred times in a row');
          };
          await processedPoll(0);
          for (let n = 0; n < CYCLES / RECEIVERS && Date.now() < cycleUntil; n++) {
            await sleep(Math.random() * 10);
            const kind =
              Math.random() < 0.4
                ? await abortedGet(port, path(), r.token, abandoned)
                : await droppedRead(port, path(), r.token, abandoned);
            kinds[kind] = (kinds[kind] ?? 0) + 1;
            await processedPoll(2);
            cycles++;
          }
          return { r, received, catchUp: processedPoll };
        }),
      );
      stopSending = true;
      await sending;
      // let every receiver read to the end of its queue
      for (const rec of records) {
        for (let i = 0; i < 100 && Date.now() < ctx.deadline - 3_000; i++) {
          if ((await rec.catchUp(0)) === 0) break;
        }
      }
      const report = checkDelivery(
        sent,
        records.map(({ r, received }) => ({
          name: r.nick,
          memberships: [{ channel: '#b7', joined: r.joined, left: null }],
          received,
        })),
      );
      for (const e of report.examples) ctx.log(e);
      const processed = new Set(records.flatMap((x) => x.received.map((m) => m.id)));
      const abandonedThenProcessed = [...abandoned].filter((id) => processed.has(id)).length;
      const fiveXx = Object.entries(statuses)
        .filter(([k]) => k.startsWith('5'))
        .reduce((a, [, v]) => a + v, 0);

      c.equal('cycles', cycles, CYCLES);
      c.equal('lost', report.lost, 0);
      c.equal('duplicated', report.duplicated, 0);
      c.equal('reordered', report.reordered, 0);
      c.equal('phantom', report.phantom, 0);
      c.equal('extra', report.extra, 0);
      c.equal('gap markers', gaps, 0);
      c.equal(
        'messages seen only in abandoned answers',
        abandoned.size - abandonedThenProcessed,
        0,
      );
      c.equal('5xx answers', fiveXx, 0);
      c.equal('POSTs without a 200', sent.filter((s) => !s.ack).length, 0);
      c.check(
        (kinds['dropped-mid-body'] ?? 0) > 0,
        'some connections were dropped after part of the body had arrived',
      );
      return {
        figures: {
          cycles,
          lost: report.lost,
          dup: report.duplicated,
          reordered: report.reordered,
          sent: sent.length,
          deliveries: report.deliveries,
          messages_in_abandoned_answers: abandoned.size,
          abandoned_then_processed: abandonedThenProcessed,
          too_many_polls_429: tooMany,
          kinds,
          processed_poll_statuses: statuses,
        },
        failures: c.failures,
      };
    } finally {
      keepAlive.destroy();
      await stopAndClean(server);
    }
  },
};

/** message ids of a complete answer the client then threw away */
function noteAbandoned(text: string, into: Set<string>): void {
  try {
    const page = JSON.parse(text) as Page;
    for (const m of page.messages) if (m.command === 'PRIVMSG') into.add(m.id);
  } catch {
    // not a page (an error answer)
  }
}

/** a GET through node:http aborted 0–30 ms after it was sent */
async function abortedGet(
  port: number,
  path: string,
  token: string,
  abandoned: Set<string>,
): Promise<Kind> {
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(), Math.random() * 30);
  try {
    const r = await call(port, 'GET', path, { token, signal: ac.signal });
    noteAbandoned(r.text, abandoned);
    return 'aborted-after-answer';
  } catch {
    return 'aborted-before-answer';
  } finally {
    clearTimeout(timer);
  }
}

/**
 * A raw GET dropped by our side: a third of them after 5–60 ms whatever arrived (often while the
 * poll is still held), the rest after the first 1–1,200 bytes (inside the headers or the body;
 * 3 s at most). Timing alone would land almost nowhere mid-body on a slow, busy machine.
 */
async function droppedRead(
  port: number,
  path: string,
  token: string,
  abandoned: Set<string>,
): Promise<Kind> {
  const byTime = Math.random() < 1 / 3;
  const a: RawAnswer = await readPartial(
    port,
    path,
    token,
    byTime ? 1_000_000 : 1 + Math.floor(Math.random() * 1_200),
    byTime ? 5 + Math.random() * 55 : 3_000,
  );
  if (a.complete) {
    noteAbandoned(a.body.toString('utf8'), abandoned);
    return 'dropped-after-whole-answer';
  }
  if (a.bytes === 0) return 'dropped-before-any-byte';
  return a.headComplete ? 'dropped-mid-body' : 'dropped-mid-headers';
}
