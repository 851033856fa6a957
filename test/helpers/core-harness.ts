// In-process harness for core scenario tests (docs/DEVELOPING.md): a real SQLite file in a temp folder, the
// memory bus, a fake clock. Several sessions and clients per test. The clock is the core's
// env.now() and delivery's too: a held poll ends at its deadline when the test advances time past
// it, never after a real wait.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MemoryBus } from '../../src/bus/memory-bus.js';
import { systemClock, type DeliveryClock } from '../../src/delivery/clock.js';
import { Delivery } from '../../src/delivery/delivery.js';
import { Core } from '../../src/protocol/core.js';
import type { ExecuteResult } from '../../src/protocol/core-contract.js';
import type { CoreEnv, CoreSettings } from '../../src/protocol/environment.js';
import { ChatError } from '../../src/protocol/errors.js';
import { noopObserver } from '../../src/protocol/observer.js';
import { hashToken, newToken } from '../../src/protocol/tokens.js';
import type { Caller, CommandInput, Envelope } from '../../src/model/envelope.js';
import type { PollResult } from '../../src/model/api.js';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/store.js';
import { httpView, type HttpRefusal } from './http-view.js';

export const T0 = Date.parse('2026-01-01T00:00:00.000Z');

/** Rounds of a drain (each one poll page) before it gives up: a queue that never empties is a bug. */
export const DRAIN_MAX_ROUNDS = 1_000;
/** Entries one drain may collect before it gives up. */
export const DRAIN_MAX_ENTRIES = 100_000;

/**
 * Time that moves only when a test says so. Timers set with after() fire during advance() once
 * their time has come, in order; one due already when set fires on the next turn of the event
 * loop (never inside the caller's own call, as setTimeout(fn, 0) would not).
 */
export class FakeClock implements DeliveryClock {
  private time: number;
  private readonly timers = new Set<{ at: number; fn: () => void }>();

  constructor(start = T0) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  after(ms: number, fn: () => void): () => void {
    const timer = { at: this.time + Math.max(0, ms), fn };
    if (ms <= 0) {
      const immediate = setImmediate(fn);
      return () => clearImmediate(immediate);
    }
    this.timers.add(timer);
    return () => this.timers.delete(timer);
  }

  /** timers set and neither fired nor cancelled: the held polls waiting for their deadline */
  pending(): number {
    return this.timers.size;
  }

  /** moves time forward, firing each timer that comes due on the way (at its own time) */
  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      let next: { at: number; fn: () => void } | undefined;
      for (const t of this.timers) if (t.at <= end && (!next || t.at < next.at)) next = t;
      if (!next) break;
      this.timers.delete(next);
      this.time = Math.max(this.time, next.at);
      next.fn();
    }
    this.time = end;
  }
}

export interface Harness {
  core: Core;
  delivery: Delivery;
  store: Store;
  bus: MemoryBus;
  env: CoreEnv;
  clock: FakeClock;
  /** moves the fake clock (env.now() and held polls' deadlines) forward */
  advance(ms: number): void;
  /**
   * Resolves once `n` held polls are waiting on the clock (past their store read, placed in the
   * waiter index); fails after a few real seconds. Replaces "sleep a little and hope".
   */
  waiting(n?: number): Promise<void>;
  user(nick: string): Promise<TestClient>;
  /** a further client (device) of `of`'s session, as login would attach it */
  device(of: TestClient): Promise<TestClient>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  /**
   * Held polls wait by the system clock (real timers), while the core still reads the fake one:
   * for D6, whose races need a poll that ends by itself when a wake-up was missed.
   */
  realTimeDelivery?: boolean;
}

export async function makeHarness(
  settings: Partial<CoreSettings> = {},
  options: HarnessOptions = {},
): Promise<Harness> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chat-core-'));
  const store = await openStore({ url: `file:${dir}/chat.db` });
  const bus = new MemoryBus();
  const clock = new FakeClock(T0);
  const env: CoreEnv = {
    store,
    bus,
    observer: noopObserver,
    now: () => clock.now(),
    newId: () => randomUUID(),
    startedAt: T0,
    settings: {
      serverName: 'test.chat',
      networkName: 'TestNet',
      version: '0.0.0-test',
      motd: 'line one\nline two',
      maxChannels: 5,
      maxClients: 3,
      loginLimits: { perNick: 3, perAddress: 5, windowMs: 60_000, perAccount: 10 },
      maxMessageSize: 4096,
      maxLines: 100,
      pageMaxBytes: 262_144,
      hashcashBits: 0,
      floodBurst: 10,
      floodRate: 0,
      readBurst: 16,
      readRate: 0,
      maxTargets: 20,
      pollBatchMax: 500,
      operName: 'admin',
      operPassword: 'oper-secret',
      ...settings,
    },
  };
  const core = new Core(env);
  const delivery = new Delivery(
    store,
    bus,
    { ...DELIVERY_SETTINGS, maxBytes: env.settings.pageMaxBytes },
    options.realTimeDelivery ? systemClock : clock,
  );
  return {
    core,
    delivery,
    store,
    bus,
    env,
    clock,
    advance: (ms) => clock.advance(ms),
    waiting: (n = 1) => until(() => clock.pending() >= n, `${n} held poll(s) waiting`),
    user: async (nick) => {
      const created = await core.createSession(nick);
      return new TestClient(
        core,
        delivery,
        { sessionId: created.id, clientId: created.client_id },
        created.token,
      );
    },
    device: async (of) => {
      const token = newToken();
      const client = await store.transaction((tx) =>
        tx.createClient({
          sessionId: of.caller.sessionId,
          tokenHash: hashToken(token),
          createdAt: clock.now(),
        }),
      );
      return new TestClient(
        core,
        delivery,
        { sessionId: of.caller.sessionId, clientId: client.id },
        token,
      );
    },
    close: async () => {
      delivery.shutdown();
      await store.close();
      await bus.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** the delivery settings of the harness, for tests that build their own Delivery */
export const DELIVERY_SETTINGS = {
  batchMax: 500,
  maxBytes: 262_144,
  queueMaxEntries: 10_000,
  maxHeldPerClient: 2,
};

/**
 * Yields to the event loop until `cond()` holds; throws after `ms` real milliseconds. For waiting
 * on asynchronous work (a store read, a bus note), never on the passing of time.
 */
export async function until(cond: () => boolean, what: string, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for: ${what}`);
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

/** One client (device): sends commands and reads its own queue by cursor. */
export class TestClient {
  cursor = 0;

  constructor(
    readonly core: Core,
    readonly delivery: Delivery,
    readonly caller: Caller,
    readonly token: string,
  ) {}

  send(input: CommandInput): Promise<ExecuteResult> {
    return this.core.execute(this.caller, input);
  }

  /** sends and returns the refusal, failing if the command was accepted */
  async refused(input: CommandInput): Promise<HttpRefusal> {
    try {
      await this.send(input);
    } catch (err) {
      if (err instanceof ChatError) return httpView(err);
      throw err;
    }
    throw new Error(`expected ${input.command} to be refused`);
  }

  /**
   * Everything queued since the last drain, advancing the cursor. Bounded: a poll that answers
   * entries without moving the cursor forward, or a queue that has not emptied after
   * DRAIN_MAX_ROUNDS pages or DRAIN_MAX_ENTRIES entries, is a delivery bug and fails the test
   * at once instead of hanging it.
   */
  async drain(): Promise<Envelope[]> {
    const out: Envelope[] = [];
    for (let round = 1; ; round++) {
      const from = this.cursor;
      const r = await this.poll(0);
      out.push(...r.messages);
      if (r.messages.length === 0) return out;
      if (r.last_id <= from) {
        throw new Error(
          `drain: a poll after ${from} answered ${r.messages.length} entries (queue ids ` +
            `${r.messages.map((m) => m.queue_id).join(', ')}) but last_id ${r.last_id}: ` +
            'the cursor did not advance, so the same entries would come back forever',
        );
      }
      if (round >= DRAIN_MAX_ROUNDS || out.length >= DRAIN_MAX_ENTRIES) {
        throw new Error(
          `drain: the queue of client ${this.caller.clientId} did not empty after ${round} ` +
            `polls and ${out.length} entries (limits ${DRAIN_MAX_ROUNDS} polls, ` +
            `${DRAIN_MAX_ENTRIES} entries): something keeps re-delivering or re-queueing`,
        );
      }
    }
  }

  async poll(timeoutMs: number, signal = new AbortController().signal): Promise<PollResult> {
    const r = await this.delivery.poll({
      caller: this.caller,
      after: this.cursor,
      timeoutMs,
      signal,
    });
    this.cursor = r.last_id;
    return r;
  }

  /** a second device of the same session, sharing nothing but the session */
  async skipBurst(): Promise<void> {
    await this.drain();
  }
}

/** command names of a list of envelopes, for compact assertions */
export function commands(envs: Envelope[]): string[] {
  return envs.map((e) => e.command);
}

/** the text lines of PRIVMSGs in order */
export function texts(envs: Envelope[]): string[] {
  return envs.filter((e) => e.command === 'PRIVMSG').map((e) => (e.body as string[]).join('\n'));
}

/** The ChatError a promise rejects with; fails when it resolves or throws something else. */
export async function refusal(p: Promise<unknown>): Promise<HttpRefusal> {
  try {
    await p;
  } catch (err) {
    if (err instanceof ChatError) return httpView(err);
    throw err;
  }
  throw new Error('expected a refusal');
}
