// The composition root (docs/architecture.md): config → store → bus → core → delivery → transports → jobs.
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { MemoryBus } from '../bus/memory-bus.js';
import { systemClock } from '../delivery/clock.js';
import { Delivery } from '../delivery/delivery.js';
import { Jobs } from '../jobs/jobs.js';
import { Core } from '../protocol/core.js';
import type { CoreEnv } from '../protocol/environment.js';
import { openStore } from '../store/open-store.js';
import type { Store } from '../store/store.js';
import { buildHttpApp, closeHttpApp } from '../transports/http/app.js';
import type { Config } from './config.js';
import { instrumentStore } from './instrument-store.js';
import { createMetrics } from './metrics.js';
import { httpSettings } from './http-settings.js';
import { IrcListener, type IrcPorts } from '../transports/irc/listener.js';
import { sseBufferedBytes } from '../transports/http/routes/events.js';
import { ircSettings } from './irc-settings.js';

/** Held polls per client (docs/envelope-and-delivery.md). */
const MAX_HELD_POLLS = 2;

export interface RunningServer {
  url: string;
  /** the IRC listener's ports (null where a listener is off) */
  irc: IrcPorts;
  app: FastifyInstance;
  core: Core;
  store: Store;
  jobs: Jobs;
  /** graceful stop: answer held polls, finish in-flight requests, stop jobs, close the store */
  close(): Promise<void>;
}

export async function startServer(config: Config, logger: Logger): Promise<RunningServer> {
  const metrics = createMetrics();
  const rawStore = await openStore({ url: config.DBURL, synchronous: config.DB_SYNCHRONOUS });
  const store = instrumentStore(rawStore, metrics);
  const bus = new MemoryBus();
  // One clock for the core (envelope times, budgets), delivery (poll deadlines) and the jobs.
  const clock = systemClock;
  const env: CoreEnv = {
    store,
    bus,
    observer: metrics,
    now: () => clock.now(),
    newId: randomUUID,
    startedAt: Date.now(),
    settings: {
      serverName: config.SERVER_NAME,
      networkName: config.networkName,
      version: config.version,
      motd: config.MOTD,
      maxChannels: config.MAX_CHANNELS,
      maxClients: config.MAX_CLIENTS,
      loginLimits: {
        perNick: config.LOGIN_FAILURES_PER_NICK,
        perAddress: config.LOGIN_FAILURES_PER_ADDRESS,
        windowMs: config.LOGIN_FAILURE_WINDOW,
        perAccount: config.LOGINS_PER_ACCOUNT,
      },
      maxMessageSize: config.MAX_MESSAGE_SIZE,
      maxLines: config.MAX_LINES,
      pageMaxBytes: config.PAGE_MAX_BYTES,
      hashcashBits: config.HASHCASH_BITS,
      floodBurst: config.FLOOD_BURST,
      floodRate: config.FLOOD_RATE,
      readBurst: config.READ_BURST,
      readRate: config.FLOOD_RATE === 0 ? 0 : config.READ_RATE,
      maxTargets: config.MAX_TARGETS,
      pollBatchMax: config.POLL_BATCH_MAX,
      operName: config.OPER_NAME,
      operPassword: config.OPER_PASSWORD,
    },
  };
  const core = new Core(env);
  const delivery = new Delivery(
    store,
    bus,
    {
      batchMax: config.POLL_BATCH_MAX,
      maxBytes: config.PAGE_MAX_BYTES,
      queueMaxEntries: config.QUEUE_MAX_ENTRIES,
      maxHeldPerClient: MAX_HELD_POLLS,
    },
    clock,
  );
  for (const name of ['sessions', 'clients', 'channels'] as const) {
    metrics.setCollector(name, async () => (await rawStore.counts())[name]);
  }
  metrics.setCollector('held_polls', () => delivery.heldPolls());
  metrics.setCollector('sse_buffered_bytes', sseBufferedBytes);
  const app = buildHttpApp({
    settings: httpSettings(config),
    core,
    delivery,
    metrics,
    health: () => rawStore.canWrite(),
    logger,
  });
  const jobs = new Jobs(
    core,
    store,
    {
      intervalMs: config.JOB_INTERVAL,
      sessionIdleMs: config.SESSION_IDLE_TIMEOUT,
      accountIdleMs: config.ACCOUNT_IDLE_TIMEOUT,
      queueMaxAgeMs: config.QUEUE_MAX_AGE,
      maxHistory: config.MAX_HISTORY,
    },
    (err) => logger.error({ err }, 'background job failed'),
    () => clock.now(),
  );
  const irc = new IrcListener({
    settings: ircSettings(config),
    core,
    delivery,
    metrics: metrics.irc,
    log: logger,
  });
  metrics.setCollector('irc_connections', () => irc.size);
  const address = await app.listen({ port: config.PORT, host: config.HOST });
  const ircPorts = await irc.start();
  jobs.start();
  let closing: Promise<void> | null = null;
  return {
    url: address,
    irc: ircPorts,
    app,
    core,
    store,
    jobs,
    close: () =>
      (closing ??= (async () => {
        await closeHttpApp(app, delivery);
        // after the held polls (IRC connections' included) are answered: ERROR to each socket
        await irc.close();
        await jobs.stop();
        await core.idle();
        await bus.close();
        await rawStore.close();
      })()),
  };
}
