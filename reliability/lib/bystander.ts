// Bystanders for attack tests: `senders` sessions each send a PRIVMSG every `everyMs` (staggered,
// each under the default flood rate) to a channel another session long-polls, and the delivery
// latency of each (POST sent → poll answer arrived) is kept per labelled window, so a test reads
// "p99 while attack X ran". Bounded by a deadline.
import type http from 'node:http';
import { percentiles, type Percentiles } from './checker.js';
import { agent, call, createSession, send, sleep } from './http.js';
import { Poller } from './poller.js';

export interface BystanderOptions {
  senders?: number;
  /** each sender's pause between messages (default 1 s: under FLOOD_RATE 2/s) */
  everyMs?: number;
}

export class Bystander {
  private readonly sentAt = new Map<string, { at: number; label: string }>();
  private label = 'baseline';
  private stopped = false;
  private loops: Promise<void>[] = [];
  private poller: Poller | null = null;
  private readonly agent: http.Agent;
  private readonly senders: number;
  private readonly everyMs: number;
  /** non-200 answers of the senders, by status */
  readonly errors: Record<string, number> = {};

  constructor(
    private readonly port: number,
    o: BystanderOptions = {},
  ) {
    this.senders = o.senders ?? 8;
    this.everyMs = o.everyMs ?? 1000;
    this.agent = agent(this.senders + 2);
  }

  /** Creates the sessions (`<prefix>s<i>`, `<prefix>r`) in `channel` and starts the loops. */
  async start(prefix: string, channel: string, deadline: number): Promise<this> {
    const reader = await createSession(this.port, `${prefix}r`, this.agent);
    const joined = await send(
      this.port,
      reader.token,
      { command: 'JOIN', to: channel },
      this.agent,
    );
    const tokens: string[] = [];
    for (let i = 0; i < this.senders; i++) {
      const s = await createSession(this.port, `${prefix}s${i}`, this.agent);
      await send(this.port, s.token, { command: 'JOIN', to: channel }, this.agent);
      tokens.push(s.token);
    }
    this.poller = new Poller(reader.nick, this.port, reader.token, this.agent, {
      after: joined.seq,
      holdSeconds: 10,
    }).start(deadline);
    this.loops = tokens.map((token, i) => this.run(token, i, channel, deadline));
    return this;
  }

  /** messages sent so far (each is one stored row) */
  sentCount(): number {
    return this.sentAt.size;
  }

  /** Latencies from now on count under `label`. */
  mark(label: string): void {
    this.label = label;
  }

  private async run(token: string, n: number, channel: string, deadline: number): Promise<void> {
    await sleep((n * this.everyMs) / this.senders);
    for (let i = 0; !this.stopped && Date.now() < deadline && i < 100_000; i++) {
      const key = `by-${n}-${i}`;
      this.sentAt.set(key, { at: performance.now(), label: this.label });
      const r = await call(this.port, 'POST', '/api/v1/messages', {
        token,
        json: { command: 'PRIVMSG', to: channel, body: [key] },
        agent: this.agent,
      }).catch(() => null);
      if (!r || r.status !== 200) {
        const k = r ? String(r.status) : 'error';
        this.errors[k] = (this.errors[k] ?? 0) + 1;
        this.sentAt.delete(key);
      }
      await sleep(this.everyMs);
    }
  }

  /** Delivery latency percentiles (ms) of the messages sent under `label`. */
  latencies(label: string): Percentiles {
    const out: number[] = [];
    for (const r of this.poller?.received ?? []) {
      const key = Array.isArray(r.body) ? (r.body as unknown[])[0] : undefined;
      const sent = typeof key === 'string' ? this.sentAt.get(key) : undefined;
      if (sent && sent.label === label) out.push(r.at - sent.at);
    }
    return percentiles(out);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.loops);
    await this.poller?.stop();
    this.agent.destroy();
  }
}
