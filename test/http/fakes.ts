// In-test fakes of ChatCore and DeliveryApi that record their calls, and an app builder for
// the HTTP transport's unit tests (the real core and store are tested elsewhere).
import type { DeliveryApi, PollRequest } from '../../src/delivery/delivery-api.js';
import type { ChatCore } from '../../src/protocol/core-contract.js';
import type { Caller, Envelope } from '../../src/model/envelope.js';
import { loadConfig, type Config } from '../../src/server/config.js';
import { createLogger } from '../../src/server/logger.js';
import { createMetrics, type Metrics } from '../../src/server/metrics.js';
import { httpSettings } from '../../src/server/http-settings.js';
import { buildHttpApp } from '../../src/transports/http/app.js';
import type { PollResult } from '../../src/model/api.js';

export const TOKEN = 'tok_good-0123456789abcdefABCDEF';
/** what the fake core authenticates a token to; the bearer auth adds the request's address */
const AUTHENTICATED: Caller = { sessionId: 1, clientId: 10 };
export const CALLER: Caller = { ...AUTHENTICATED, address: '127.0.0.1' };
export const AUTH = { authorization: `Bearer ${TOKEN}` };

export type Call = [method: string, ...args: unknown[]];

export function envelope(over: Partial<Envelope> = {}): Envelope {
  return {
    id: '00000000-0000-4000-8000-000000000001',
    seq: 1,
    command: '001',
    from: 'chat',
    to: 'alice',
    params: [],
    body: ['Welcome'],
    ts: '2026-11-29T15:00:00.000Z',
    meta: {},
    ...over,
  };
}

export function fakeCore(over: Partial<ChatCore> = {}): ChatCore & { calls: Call[] } {
  const calls: Call[] = [];
  const rec =
    <A extends unknown[], R>(name: string, fn: (...args: A) => R) =>
    (...args: A): R => {
      calls.push([name, ...args]);
      return fn(...args);
    };
  const base: ChatCore = {
    createSession: async (nick) => ({ id: 1, client_id: 10, nick, token: TOKEN }),
    register: async (nick) => ({ id: 1, client_id: 10, nick, token: TOKEN }),
    login: async (nick) => ({ id: 1, client_id: 11, nick, token: TOKEN }),
    loginDevice: async (nick) => ({ id: 1, client_id: 12, nick, token: TOKEN }),
    authenticate: async (token) => (token === TOKEN ? AUTHENTICATED : null),
    execute: async () => ({ id: 'm-1', seq: 42, replies: [envelope()], stored: [42] }),
    state: async () => ({
      id: 1,
      client_id: 10,
      nick: 'alice',
      away: null,
      modes: '+i',
      channels: [],
      dms: [],
    }),
    listClients: async () => [{ client_id: 10, created_at: 'x', last_seen: 'y', current: true }],
    revokeClient: async () => {},
    logout: async () => {},
    listChannels: async () => ({
      items: [{ name: '#general', topic: null, members: 2 }],
      next: null,
    }),
    listMembers: async () => ({
      items: [{ nick: 'alice', prefix: '@', away: null, pubkey: null }],
      next: null,
    }),
    history: async () => ({ messages: [envelope()], has_more: false }),
    serverInfo: async () => ({
      name: 'chat',
      version: '0.1.0',
      motd: 'hi',
      users: 1,
      hashcash_bits: 0,
    }),
    ...over,
  };
  const out = { calls } as ChatCore & { calls: Call[] };
  for (const [name, fn] of Object.entries(base) as [
    keyof ChatCore,
    (...a: unknown[]) => unknown,
  ][]) {
    (out as unknown as Record<string, unknown>)[name] = rec(name, fn);
  }
  return out;
}

export interface FakeDelivery extends DeliveryApi {
  requests: PollRequest[];
  /** resolves the next time a poll starts waiting */
  nextPoll(): Promise<PollRequest>;
  /** how polls answer: default = wait for timeout, abort or shutdown, then answer empty */
  answer: ((req: PollRequest) => Promise<PollResult>) | null;
  shutdownCalls: number;
}

export function fakeDelivery(): FakeDelivery {
  const held = new Set<() => void>();
  let waiters: ((r: PollRequest) => void)[] = [];
  let down = false;
  const d: FakeDelivery = {
    requests: [],
    answer: null,
    shutdownCalls: 0,
    nextPoll: () => new Promise((resolve) => waiters.push(resolve)),
    heldPolls: () => held.size,
    shutdown() {
      d.shutdownCalls++;
      down = true;
      for (const finish of [...held]) finish();
    },
    async poll(req) {
      d.requests.push(req);
      const ws = waiters;
      waiters = [];
      for (const w of ws) w(req);
      if (d.answer) return d.answer(req);
      const empty: PollResult = { messages: [], last_id: req.after ?? 0 };
      if (down || req.timeoutMs === 0) return empty;
      return new Promise<PollResult>((resolve) => {
        const finish = () => {
          clearTimeout(timer);
          held.delete(finish);
          req.signal.removeEventListener('abort', finish);
          resolve(empty);
        };
        const timer = setTimeout(finish, req.timeoutMs);
        held.add(finish);
        req.signal.addEventListener('abort', finish);
      });
    },
    // The SSE route is tested against the real delivery (test/e2e/sse.test.ts); here a stream
    // opens and stays empty until the client goes away or shutdown.
    async stream(req) {
      req.open();
      if (down || req.signal.aborted) return;
      await new Promise<void>((resolve) => {
        const finish = () => {
          held.delete(finish);
          resolve();
        };
        held.add(finish);
        req.signal.addEventListener('abort', finish);
      });
    },
  };
  return d;
}

export interface LogSink {
  lines: string[];
  text(): string;
}

export function logSink(): LogSink {
  const lines: string[] = [];
  return { lines, text: () => lines.join('') };
}

export interface TestSetup {
  config?: Record<string, string>;
  core?: Partial<ChatCore>;
  health?: () => Promise<boolean>;
  logs?: LogSink;
}

export function testConfig(env: Record<string, string> = {}): Config {
  return loadConfig(env, '/nonexistent/.env');
}

export function setup(opts: TestSetup = {}) {
  const config = testConfig(opts.config);
  const core = fakeCore(opts.core);
  const delivery = fakeDelivery();
  const metrics: Metrics = createMetrics({ defaultMetrics: false });
  const sink = opts.logs;
  const logger = createLogger(
    { logLevel: sink ? 'debug' : 'silent' },
    { destination: { write: (s: string) => void sink?.lines.push(s) }, pretty: false },
  );
  metrics.setCollector('held_polls', () => delivery.heldPolls());
  const app = buildHttpApp({
    settings: httpSettings(config),
    core,
    delivery,
    metrics,
    health: opts.health ?? (async () => true),
    logger,
  });
  return { app, core, delivery, metrics, config };
}
