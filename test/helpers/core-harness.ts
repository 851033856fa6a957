// In-process harness for core scenario tests (DESIGN §4): a real SQLite file in a temp folder, the
// memory bus, a fake clock. Several sessions and clients per test.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MemoryBus } from '../../src/bus/memory-bus.js';
import { Delivery } from '../../src/delivery/delivery.js';
import { Core } from '../../src/protocol/core.js';
import type { CoreEnv, CoreSettings } from '../../src/protocol/environment.js';
import { ChatError } from '../../src/protocol/errors.js';
import { noopObserver } from '../../src/protocol/observer.js';
import type { Caller, CommandInput, CommandResult, Envelope } from '../../src/model/envelope.js';
import type { PollResult } from '../../src/model/api.js';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/store.js';
import { httpView, type HttpRefusal } from './http-view.js';

export const T0 = Date.parse('2026-01-01T00:00:00.000Z');

export interface Harness {
  core: Core;
  delivery: Delivery;
  store: Store;
  bus: MemoryBus;
  env: CoreEnv;
  advance(ms: number): void;
  user(nick: string): Promise<TestClient>;
  close(): Promise<void>;
}

export async function makeHarness(settings: Partial<CoreSettings> = {}): Promise<Harness> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chat-core-'));
  const store = await openStore({ url: `file:${dir}/chat.db` });
  const bus = new MemoryBus();
  let clock = T0;
  const env: CoreEnv = {
    store,
    bus,
    observer: noopObserver,
    now: () => clock,
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
  const delivery = new Delivery(store, bus, {
    batchMax: 500,
    maxBytes: env.settings.pageMaxBytes,
    queueMaxEntries: 10_000,
    maxHeldPerClient: 2,
  });
  return {
    core,
    delivery,
    store,
    bus,
    env,
    advance: (ms) => (clock += ms),
    user: async (nick) => {
      const created = await core.createSession(nick);
      return new TestClient(
        core,
        delivery,
        { sessionId: created.id, clientId: created.client_id },
        created.token,
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

/** One client (device): sends commands and reads its own queue by cursor. */
export class TestClient {
  cursor = 0;

  constructor(
    readonly core: Core,
    readonly delivery: Delivery,
    readonly caller: Caller,
    readonly token: string,
  ) {}

  send(input: CommandInput): Promise<CommandResult> {
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

  /** everything queued since the last drain, advancing the cursor */
  async drain(): Promise<Envelope[]> {
    const out: Envelope[] = [];
    for (;;) {
      const r = await this.poll(0);
      out.push(...r.messages);
      if (r.messages.length === 0) return out;
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
