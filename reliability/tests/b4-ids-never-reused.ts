// B4 (CI): ids never reused. A client's queue is filled (channel messages, PONG replies, the
// JOIN/PART events), the client acknowledges everything (polls past it), everyone leaves so the
// channel is removed. chatd is restarted with QUEUE_MAX_AGE=2s and JOB_INTERVAL=1s, and retention
// (the documented path) deletes every row, the newest included. (Filling under the short age
// would let the client fall behind the age window, which is a gap by design: hence the first
// server keeps the default.) chatd is then restarted again on the same file and traffic
// starts again: every new id must be above the old maximum, and the client, long-polling with
// the cursor it held before the restart, must get the new messages (no 400 bad_cursor, no gap,
// nothing lost). With a plain INTEGER PRIMARY KEY SQLite would hand out old max + 1 again once
// the top rows are gone, below a cursor clients already hold; AUTOINCREMENT must prevent that.
import { checkDelivery } from '../lib/checker.js';
import { agent, call, createSession, send, sleep } from '../lib/http.js';
import { dbFile, maxAssignedSeq, withReadOnlyDb } from '../lib/integrity.js';
import { Poller } from '../lib/poller.js';
import { startServer, stopAndClean, type Proc } from '../lib/server.js';
import type { TxnSent } from '../lib/txn-sender.js';
import { Criteria, type ReliabilityTest } from '../lib/types.js';

const FILL = 300;
const PINGS = 50;
const NEW = 20;
const ENV = { QUEUE_MAX_AGE: '2s', JOB_INTERVAL: '1s' };

export const b4: ReliabilityTest = {
  id: 'B4',
  title: 'Ids never reused: queue trimmed to empty by retention, restart, send again',
  tiers: ['ci'],
  budgetSeconds: { ci: 60 },
  async run(ctx) {
    const c = new Criteria();
    let server: Proc = await startServer();
    const dir = server.dir;
    const file = dbFile(dir);
    const pollAgent = agent(4);
    try {
      const a = await createSession(server.port, 'b4a');
      const b = await createSession(server.port, 'b4b');
      await send(server.port, a.token, { command: 'JOIN', to: '#b4' });
      await send(server.port, b.token, { command: 'JOIN', to: '#b4' });
      // fill B's queue: channel messages, replies to B's client alone, then both leave
      let maxAck = 0;
      for (let i = 0; i < FILL; i++) {
        const r = await send(server.port, a.token, {
          command: 'PRIVMSG',
          to: '#b4',
          body: [`old:${i}`],
        });
        maxAck = Math.max(maxAck, r.seq ?? 0);
      }
      for (let i = 0; i < PINGS; i++) {
        await send(server.port, b.token, { command: 'PING', body: [`p${i}`] });
      }
      await send(server.port, a.token, { command: 'PART', to: '#b4' });
      await send(server.port, b.token, { command: 'PART', to: '#b4' });
      // B processes everything, then polls once more past it (acknowledges it)
      const before = new Poller('b4b', server.port, b.token, pollAgent);
      for (let i = 0; i < 100 && Date.now() < ctx.deadline; i++) {
        const page = await before.pollOnce(0);
        if (page.messages.length === 0) break;
      }
      const oldCursor = before.cursor!;
      const oldMessages = before.received.filter((m) => m.command === 'PRIVMSG').length;
      c.equal('old channel messages B processed', oldMessages, FILL);
      c.equal('gap markers while filling', before.gaps, 0);
      ctx.log(`B processed ${before.received.length} entries up to ${oldCursor}; trimming`);
      await server.stop();
      server = await startServer({ dir, env: ENV });

      // retention deletes every row: the client rows by age, the removed channel's by its purge
      let rowsLeft = -1;
      const trimUntil = Math.min(Date.now() + 20_000, ctx.deadline - 20_000);
      while (Date.now() < trimUntil) {
        rowsLeft = withReadOnlyDb(file, (db) =>
          Number(db.prepare('SELECT count(*) FROM events').pluck().get()),
        );
        if (rowsLeft === 0) break;
        await sleep(250);
      }
      c.equal('rows left in the log after retention (the queue trimmed to empty)', rowsLeft, 0);
      const emptied = await call<{ messages: unknown[]; last_id: number; gap?: boolean }>(
        server.port,
        'GET',
        `/api/v1/messages?after=${oldCursor}&timeout=0`,
        { token: b.token },
      );
      c.check(
        emptied.status === 200 && emptied.body.messages.length === 0 && !emptied.body.gap,
        `a poll at the old cursor over the empty log answers 200, empty, no gap ` +
          `(${emptied.status} ${emptied.text.slice(0, 120)})`,
      );

      await server.stop();
      const oldMax = Math.max(
        maxAck,
        oldCursor,
        withReadOnlyDb(file, (db) => maxAssignedSeq(db)),
      );
      server = await startServer({ dir, env: ENV });
      // B long-polls from its old cursor before anything new exists
      const after = new Poller('b4b', server.port, b.token, pollAgent, {
        after: oldCursor,
        holdSeconds: 10,
      });
      after.start(ctx.deadline);
      await sleep(200);
      const aJoin = await send(server.port, a.token, { command: 'JOIN', to: '#b4' });
      const bJoin = await send(server.port, b.token, { command: 'JOIN', to: '#b4' });
      const sent: TxnSent[] = [];
      for (let i = 0; i < NEW; i++) {
        const rec: TxnSent = {
          key: `new:${i}`,
          channel: '#b4',
          before: performance.now(),
          ack: null,
          sender: 'b4a',
          startedAt: Date.now(),
          endedAt: null,
          status: null,
          retryAfter: null,
          attempts: 1,
          retried: false,
        };
        const r = await send(server.port, a.token, {
          command: 'PRIVMSG',
          to: '#b4',
          body: [rec.key],
        });
        rec.ack = { id: r.id!, seq: r.seq! };
        sent.push(rec);
      }
      const settleUntil = Math.min(Date.now() + 10_000, ctx.deadline - 5_000);
      while (Date.now() < settleUntil) {
        const got = after.received.filter((m) => m.command === 'PRIVMSG').length;
        if (got >= NEW) break;
        await sleep(50);
      }
      await after.stop();
      const report = checkDelivery(sent, [
        {
          name: 'b4b',
          memberships: [{ channel: '#b4', joined: bJoin.seq!, left: null }],
          received: after.received,
        },
      ]);
      const newIds = [
        aJoin.seq!,
        bJoin.seq!,
        ...sent.map((s) => s.ack!.seq),
        ...after.received.map((m) => m.seq),
      ];
      const firstNew = newIds.length ? Math.min(...newIds) : null;
      const reused = newIds.filter((x) => x <= oldMax).length;
      c.check(
        firstNew !== null && firstNew > oldMax,
        `first new id > old max ${oldMax} (got ${firstNew})`,
      );
      c.equal('new ids at or below the old max', reused, 0);
      c.equal('new messages B got from its old cursor', report.deliveries, NEW);
      c.equal('lost', report.lost, 0);
      c.equal('duplicated', report.duplicated, 0);
      c.equal('reordered', report.reordered, 0);
      c.equal('gap markers', after.gaps, 0);
      c.equal('poll errors (e.g. 400 bad_cursor)', Object.keys(after.errors).length, 0);
      return {
        figures: {
          old_max_id: oldMax,
          first_new_id: firstNew,
          old_cursor: oldCursor,
          queue_entries_processed_before: before.received.length,
          rows_left_before_restart: rowsLeft,
          new_messages_delivered: `${report.deliveries}/${NEW}`,
          lost: report.lost,
          duplicated: report.duplicated,
          gaps: after.gaps,
          poll_errors: after.errors,
        },
        failures: c.failures,
      };
    } finally {
      pollAgent.destroy();
      await stopAndClean(server);
    }
  },
};
