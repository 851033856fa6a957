// Senders for the fault tests (reliability/README.mdb): paced, sequential PRIVMSGs that each carry a
// client transaction id (`txn` = the message's unique key), so a POST left without an answer by
// a crash or a stop can be retried after the restart without risking a second copy (docs/commands.md).
import type http from 'node:http';
import type { Sent } from './checker.js';
import { call, sleep } from './http.js';

export interface TxnSent extends Sent {
  sender: string;
  /** Date.now() when the latest attempt started, and when its answer (or error) came */
  startedAt: number;
  endedAt: number | null;
  /** the latest attempt's HTTP status, 'error' for no answer, null before the first attempt */
  status: number | 'error' | null;
  /** Retry-After of a 503 answer */
  retryAfter: string | null;
  attempts: number;
  /** true once it was sent again after a restart */
  retried: boolean;
}

export interface SenderSpec {
  name: string;
  token: string;
  channel: string;
  /** a second body line sent with every message (to make messages long); none by default */
  pad?: string;
}

export interface RunPlan {
  /** milliseconds between this sender's messages */
  intervalMs: number;
  /** delay of the first message, to spread several senders over one interval */
  offsetMs: number;
  /** checked before each message */
  stop: () => boolean;
  deadline: number;
  /** messages this run may send */
  max: number;
}

export class TxnSender {
  readonly records: TxnSent[] = [];
  private next = 0;

  constructor(
    readonly spec: SenderSpec,
    /** also called for each new record (a test-wide list of everything sent) */
    private readonly onRecord: (s: TxnSent) => void = () => undefined,
  ) {}

  /** records without a 200 */
  unacknowledged(): TxnSent[] {
    return this.records.filter((r) => r.ack === null);
  }

  /** Paced sends until `stop()`, the deadline, `max`, or the first POST that gets no 200. */
  async run(port: number, agent: http.Agent, plan: RunPlan): Promise<void> {
    const t0 = performance.now() + plan.offsetMs;
    for (let n = 0; n < plan.max && !plan.stop() && Date.now() < plan.deadline; n++) {
      const wait = t0 + n * plan.intervalMs - performance.now();
      if (wait > 0) await sleep(wait);
      if (plan.stop()) return;
      const key = `${this.spec.name}:${this.next++}`;
      const rec: TxnSent = {
        key,
        channel: this.spec.channel,
        before: performance.now(),
        ack: null,
        sender: this.spec.name,
        startedAt: Date.now(),
        endedAt: null,
        status: null,
        retryAfter: null,
        attempts: 0,
        retried: false,
      };
      this.records.push(rec);
      this.onRecord(rec);
      // the server is gone or going: the rest waits for the restart
      if (!(await this.attempt(port, agent, rec))) return;
    }
  }

  /** One POST of the record's message with its txn; true on 200. */
  async attempt(port: number, agent: http.Agent | undefined, rec: TxnSent): Promise<boolean> {
    rec.attempts++;
    rec.startedAt = Date.now();
    rec.endedAt = null;
    try {
      const r = await call<{ id: string; seq: number }>(port, 'POST', '/api/v1/messages', {
        token: this.spec.token,
        json: {
          command: 'PRIVMSG',
          to: rec.channel,
          body: this.spec.pad === undefined ? [rec.key] : [rec.key, this.spec.pad],
          txn: rec.key,
        },
        ...(agent ? { agent } : {}),
      });
      rec.endedAt = Date.now();
      rec.status = r.status;
      const ra = r.headers['retry-after'];
      rec.retryAfter = typeof ra === 'string' ? ra : null;
      if (r.status === 200) rec.ack = { id: r.body.id, seq: r.body.seq };
      return r.status === 200;
    } catch {
      rec.endedAt = Date.now();
      rec.status = 'error';
      return false;
    }
  }

  /**
   * After a restart: sends every unacknowledged record again with the same txn (a few tries
   * each, bounded by the deadline). Answers the records it retried.
   */
  async retryUnacknowledged(port: number, deadline: number, tries = 5): Promise<TxnSent[]> {
    const todo = this.unacknowledged();
    for (const rec of todo) {
      rec.retried = true;
      for (let i = 0; i < tries && Date.now() < deadline; i++) {
        if (await this.attempt(port, undefined, rec)) break;
        await sleep(100);
      }
    }
    return todo;
  }
}

/** A status histogram of the records' latest attempts. */
export function statusHistogram(records: readonly TxnSent[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of records) {
    const k = String(r.status);
    out[k] = (out[k] ?? 0) + 1;
  }
  return out;
}
