// Prometheus metrics (docs/operations.md), prefix `chatd_`, in a registry of their own (so tests and
// several instances in one process never collide). Also the core's CoreObserver.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { CoreObserver } from '../protocol/observer.js';
import type { IrcMetrics } from '../transports/irc/irc-settings.js';

export type GaugeName =
  'held_polls' | 'sse_buffered_bytes' | 'sessions' | 'clients' | 'channels' | 'irc_connections';
/** A value read at scrape time (e.g. `() => delivery.heldPolls()`, a store count). */
export type GaugeCollector = () => number | Promise<number>;

export interface Metrics extends CoreObserver {
  /** the IRC listener's counters (connections, lines, registrations, disconnect reasons) */
  readonly irc: IrcMetrics;
  readonly registry: Registry;
  /** one finished HTTP request; `route` is the route pattern, never the raw URL */
  observeHttp(route: string, status: number, seconds: number): void;
  /** one store operation's duration */
  observeStore(op: string, seconds: number): void;
  /** times `fn` as the store operation `op` */
  timeStore<T>(op: string, fn: () => Promise<T>): Promise<T>;
  /** a gauge's value source, read at each scrape (replaces any earlier one) */
  setCollector(name: GaugeName, collect: GaugeCollector): void;
  /** sets a gauge directly (when no collector is registered for it) */
  setGauge(name: GaugeName, value: number): void;
  /** the Prometheus text exposition */
  render(): Promise<string>;
  readonly contentType: string;
}

const PREFIX = 'chatd_';

export interface MetricsOptions {
  /** process metrics and event-loop lag (default true; tests may turn them off) */
  defaultMetrics?: boolean;
}

export function createMetrics(options: MetricsOptions = {}): Metrics {
  const registry = new Registry();
  if (options.defaultMetrics !== false)
    collectDefaultMetrics({ register: registry, prefix: PREFIX });

  const httpRequests = new Counter({
    name: `${PREFIX}http_requests_total`,
    help: 'HTTP requests answered, by route pattern and status',
    labelNames: ['route', 'status'] as const,
    registers: [registry],
  });
  const httpDuration = new Histogram({
    name: `${PREFIX}http_request_duration_seconds`,
    help: 'HTTP request duration by route pattern (held polls included)',
    labelNames: ['route'] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  const messagesStored = new Counter({
    name: `${PREFIX}messages_stored_total`,
    help: 'log rows stored, by command',
    labelNames: ['command'] as const,
    registers: [registry],
  });
  const fanoutRecipients = new Histogram({
    name: `${PREFIX}fanout_recipients`,
    help: 'sessions a stored channel or DM message is addressed to',
    buckets: [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 10000],
    registers: [registry],
  });
  const storeSeconds = new Histogram({
    name: `${PREFIX}store_seconds`,
    help: 'store operation duration, by operation',
    labelNames: ['op'] as const,
    buckets: [0.0001, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1],
    registers: [registry],
  });

  const collectors = new Map<GaugeName, GaugeCollector>();
  const gauges = new Map<GaugeName, Gauge>();
  const gaugeHelp: Record<GaugeName, string> = {
    held_polls: 'long-polls currently held',
    sse_buffered_bytes: 'bytes written to event streams that their readers have not taken yet',
    sessions: 'sessions that exist',
    clients: 'clients (devices) that exist',
    channels: 'channels that exist',
    irc_connections: 'IRC connections open (registered or not)',
  };
  for (const name of Object.keys(gaugeHelp) as GaugeName[]) {
    gauges.set(
      name,
      new Gauge({
        name: `${PREFIX}${name}`,
        help: gaugeHelp[name],
        registers: [registry],
        async collect() {
          const collect = collectors.get(name);
          if (!collect) return;
          try {
            this.set(await collect());
          } catch {
            // A failing source (store down) must not break the whole scrape.
          }
        },
      }),
    );
  }

  const irc = ircMetrics(registry);
  const sanitize = (label: string) => (label.length > 64 ? label.slice(0, 64) : label);

  return {
    registry,
    irc,
    contentType: registry.contentType,
    observeHttp(route, status, seconds) {
      httpRequests.inc({ route, status: String(status) });
      httpDuration.observe({ route }, seconds);
    },
    observeStore(op, seconds) {
      storeSeconds.observe({ op }, seconds);
    },
    async timeStore(op, fn) {
      const end = storeSeconds.startTimer({ op });
      try {
        return await fn();
      } finally {
        end();
      }
    },
    setCollector(name, collect) {
      collectors.set(name, collect);
    },
    setGauge(name, value) {
      gauges.get(name)?.set(value);
    },
    render: () => registry.metrics(),
    messageStored(command) {
      messagesStored.inc({ command: sanitize(command) });
    },
    fanout(recipientSessions) {
      fanoutRecipients.observe(recipientSessions);
    },
  };
}

function ircMetrics(registry: Registry): IrcMetrics {
  const counter = (name: string, help: string, labelNames: string[] = []) =>
    new Counter({ name: `${PREFIX}irc_${name}`, help, labelNames, registers: [registry] });
  const opened = counter('connections_opened_total', 'IRC connections accepted');
  const closed = counter('disconnects_total', 'IRC connections ended, by reason', ['reason']);
  const registered = counter(
    'registrations_total',
    'IRC connections that became a client, by how (session, login, device, resume)',
    ['kind'],
  );
  const linesIn = counter('lines_in_total', 'IRC lines received');
  const linesOut = counter('lines_out_total', 'IRC lines sent');
  return {
    connectionOpened: () => opened.inc(),
    connectionClosed: (reason) => closed.inc({ reason }),
    registered: (kind) => registered.inc({ kind }),
    linesIn: (n) => linesIn.inc(n),
    linesOut: (n) => linesOut.inc(n),
  };
}
