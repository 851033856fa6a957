// B12 (CI): slow consumer and queue cap. One client stops polling while 20,000 messages arrive
// for it (DMs from 8 senders in parallel, each waiting for its 200), then resumes from its old
// cursor. With the default QUEUE_MAX_ENTRIES (10,000) the cap must bite: the first answer carries
// `gap: true` and starts at the oldest kept entry, and from there every acknowledged message
// arrives, contiguous, in order, up to the newest: never a silent skip. Server RSS growth ≤ 50 MB.
// DMs (not a channel) so that only the queue cap can cause the gap: 2,500 per sender pair stay
// under MAX_HISTORY, so no history rotation is involved.
import type { PollResult as Page, QueuedEnvelope } from '../../src/model/api.js';
import { drainCursor } from '../lib/crowd.js';
import { agent, call, createSession, sleep, type Created } from '../lib/http.js';
import { rssKiB, rssSampler, startServer, stopAndClean } from '../lib/server.js';
import { Criteria, type ReliabilityTest } from '../lib/types.js';

const SENDERS = 8;
const MESSAGES = 20_000;
/** warm-up DMs per sender, read as they come */
const WARMUP_EACH = 300;
/** QUEUE_MAX_ENTRIES default (README configuration table) */
const QUEUE_MAX_ENTRIES = 10_000;
const RSS_GROWTH_MAX_MIB = 50;

type Entry = QueuedEnvelope;
interface Ack {
  key: string;
  id: string;
  seq: number;
}

const keyOf = (e: Entry): string | null =>
  e.command === 'PRIVMSG' && Array.isArray(e.body) && typeof e.body[0] === 'string'
    ? e.body[0]
    : null;

export const b12: ReliabilityTest = {
  id: 'B12',
  title: 'Slow consumer and queue cap (20,000 messages for a client that stopped polling)',
  tiers: ['ci', 'soak'],
  budgetSeconds: { ci: 120, soak: 120 },
  async run(ctx) {
    const server = await startServer();
    const c = new Criteria();
    const sendAgent = agent(SENDERS + 2);
    const pollAgent = agent(2);
    const port = server.port;
    /** each sender sends `each` DMs to the consumer, one at a time (waiting for each 200) */
    const flood = async (from: Created[], each: number, prefix: string) => {
      const acks: Ack[] = [];
      const statuses: Record<string, number> = {};
      await Promise.all(
        from.map(async (s) => {
          // stops 20 s before the deadline, so the resume still runs (and the count then fails)
          for (let n = 0; n < each && Date.now() < ctx.deadline - 20_000; n++) {
            const key = `${prefix}${s.nick}:${n}`;
            let status: number | 'error' = 'error';
            try {
              const r = await call<{ id: string; seq: number }>(port, 'POST', '/api/v1/messages', {
                token: s.token,
                json: { command: 'PRIVMSG', to: 'slow', body: [key] },
                agent: sendAgent,
              });
              status = r.status;
              if (r.status === 200) acks.push({ key, id: r.body.id, seq: r.body.seq });
            } catch {
              // counted as 'error'
            }
            statuses[status] = (statuses[status] ?? 0) + 1;
          }
        }),
      );
      return { acks, statuses };
    };
    try {
      const consumer = await createSession(port, 'slow', sendAgent);
      const senders = [];
      for (let i = 0; i < SENDERS; i++)
        senders.push(await createSession(port, `fast${i}`, sendAgent));

      // Warm-up: the same senders at the same pace while the consumer keeps up, as a normal client
      // would. The server's heap and caches reach their working size here, so the RSS growth
      // measured below is what the backlog costs, not what any load costs.
      let cursor = await drainCursor(port, consumer.token, pollAgent);
      const warmDone = flood(senders, WARMUP_EACH, 'w:');
      let warm = 0;
      for (let i = 0; i < 1_000 && warm < SENDERS * WARMUP_EACH && Date.now() < ctx.deadline; i++) {
        const r = await call<Page>(port, 'GET', `/api/v1/messages?after=${cursor}&timeout=2`, {
          token: consumer.token,
          agent: pollAgent,
        });
        if (r.status !== 200) throw new Error(`warm-up poll: ${r.status} ${r.text}`);
        warm += r.body.messages.filter((e) => keyOf(e)?.startsWith('w:')).length;
        cursor = r.body.last_id;
      }
      const warmStats = await warmDone;
      c.equal('warm-up POSTs answered 200', warmStats.statuses['200'] ?? 0, SENDERS * WARMUP_EACH);
      c.equal('warm-up messages received', warm, SENDERS * WARMUP_EACH);
      const stoppedAt = cursor;

      // The consumer stops polling; 20,000 DMs arrive for it.
      await sleep(300);
      const rss0 = rssKiB(server.pid);
      const rss = rssSampler(server.pid, rssKiB, 250);
      ctx.log(`consumer stopped at cursor ${stoppedAt}; sending ${MESSAGES} DMs from ${SENDERS}`);
      const t0 = performance.now();
      const { acks, statuses } = await flood(senders, MESSAGES / SENDERS, '');
      const sendSeconds = (performance.now() - t0) / 1000;
      const rssAfterFlood = rssKiB(server.pid);
      ctx.log(`${acks.length} acknowledged in ${sendSeconds.toFixed(1)} s; resuming`);

      // The consumer resumes from its old cursor and reads until its queue is empty.
      const pages: Page[] = [];
      const t1 = performance.now();
      let maxPageBytes = 0;
      for (let i = 0; i < MESSAGES / 500 + 20 && Date.now() < ctx.deadline; i++) {
        const r = await call<Page>(port, 'GET', `/api/v1/messages?after=${cursor}&timeout=0`, {
          token: consumer.token,
          agent: pollAgent,
        });
        if (r.status !== 200) throw new Error(`resume poll: ${r.status} ${r.text}`);
        maxPageBytes = Math.max(maxPageBytes, Buffer.byteLength(r.text));
        pages.push(r.body);
        cursor = r.body.last_id;
        if (r.body.messages.length === 0) break;
      }
      const resumeSeconds = (performance.now() - t1) / 1000;
      const { peakKiB } = rss.stop();
      const growthMiB = (peakKiB - rss0) / 1024;

      // What came after the stop, in order.
      const entries = pages.flatMap((p) => p.messages);
      const caughtUp = pages.at(-1)?.messages.length === 0;
      const gapMarker = pages[0]?.gap === true;
      const laterGaps = pages.slice(1).filter((p) => p.gap === true).length;
      const acked = [...acks].sort((a, b) => a.seq - b.seq);
      const newest = acked.at(-1);
      // Kept = from the first entry of the first answer on. Without a gap that must be
      // everything acknowledged; with one, everything from the oldest kept entry on.
      const firstKept = entries[0]?.seq ?? Infinity;
      const due = gapMarker ? acked.filter((a) => a.seq >= firstKept) : acked;
      const byKey = new Map<string, Entry>();
      let duplicated = 0;
      let reordered = 0;
      let last = -Infinity;
      for (const e of entries) {
        if (e.queue_id <= last) reordered++;
        last = Math.max(last, e.queue_id);
        const k = keyOf(e);
        if (k === null) continue;
        if (byKey.has(k)) duplicated++;
        byKey.set(k, e);
      }
      const missing = due.filter((a) => byKey.get(a.key)?.id !== a.id);
      const dueKeys = new Set(due.map((a) => a.key));
      const extra = [...byKey.keys()].filter((k) => !dueKeys.has(k)).length;
      const skipped = acked.length - due.length;

      c.equal('POSTs answered 200', statuses['200'] ?? 0, MESSAGES);
      c.check(caughtUp, 'the consumer read its queue to the end');
      c.equal('gap marker on the first answer after the stop', gapMarker, true);
      c.equal('gap markers on later answers', laterGaps, 0);
      c.equal('entries kept after the gap (QUEUE_MAX_ENTRIES)', entries.length, QUEUE_MAX_ENTRIES);
      c.equal('acknowledged messages missing after the first kept one', missing.length, 0);
      c.equal('extra or phantom messages', extra, 0);
      c.equal('duplicated', duplicated, 0);
      c.equal('reordered', reordered, 0);
      c.check(
        newest !== undefined && byKey.get(newest.key)?.id === newest.id,
        'the newest acknowledged message was delivered',
      );
      c.check(
        growthMiB <= RSS_GROWTH_MAX_MIB,
        `server RSS growth ≤ ${RSS_GROWTH_MAX_MIB} MiB (got ${growthMiB.toFixed(1)})`,
      );
      for (const m of missing.slice(0, 5)) ctx.log(`missing ${m.key} (seq ${m.seq})`);
      return {
        figures: {
          rss_growth_mib: Math.round(growthMiB * 10) / 10,
          gap_marker: gapMarker,
          items_kept: entries.length,
          skipped,
          missing: missing.length,
          first_kept_seq: Number.isFinite(firstKept) ? firstKept : null,
          newest_seq: newest?.seq ?? null,
          acknowledged: acks.length,
          send_msgs_per_s: Math.round(acks.length / sendSeconds),
          resume_s: Math.round(resumeSeconds * 10) / 10,
          resume_pages: pages.length,
          largest_page_kib: Math.round(maxPageBytes / 102.4) / 10,
          rss_before_mib: Math.round(rss0 / 102.4) / 10,
          rss_after_flood_mib: Math.round(rssAfterFlood / 102.4) / 10,
          rss_peak_mib: Math.round(peakKiB / 102.4) / 10,
          post_statuses: statuses,
        },
        failures: c.failures,
      };
    } finally {
      sendAgent.destroy();
      pollAgent.destroy();
      await stopAndClean(server);
    }
  },
};
