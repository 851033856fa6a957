// Configuration (README.md): the environment, optionally completed by a .env file in the working
// directory (the real environment wins), validated once into a frozen object. An invalid value
// stops start-up with a message naming the variable.
import { packageVersion } from '../shared/package-version.js';
import fs from 'node:fs';
import { z } from 'zod';
import { parseDuration } from './duration.js';

const DEFAULT_MOTD = [
  'Welcome to chat: IRC semantics over HTTP+JSON.',
  'Your session lives on the server; every device reads its own queue.',
  'Try: JOIN #general, then PRIVMSG #general. /api/v1/openapi.json documents the API.',
].join('\n');

const int = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));

/** A refill rate: a plain non-negative number such as `2` or `0.5`. */
const perSecond = (what: string) =>
  z
    .string()
    .regex(/^\d+(\.\d+)?$/, `must be a number of ${what}`)
    .transform(Number)
    .pipe(z.number().min(0).max(100_000));

const duration = z.string().transform((s, ctx) => {
  const ms = parseDuration(s);
  if (ms === null || ms <= 0) {
    ctx.addIssue({ code: 'custom', message: 'must be a duration such as 90s, 15m, 24h or 7d' });
    return z.NEVER;
  }
  return ms;
});

const bool = z
  .string()
  .transform((s) => s.trim().toLowerCase())
  .pipe(z.enum(['1', '0', 'true', 'false', 'yes', 'no', 'on', 'off']))
  .transform((s) => ['1', 'true', 'yes', 'on'].includes(s));

/**
 * How many reverse proxies in front of chatd append to X-Forwarded-For: `false` (0, the socket
 * address counts), `true` (1), or a number of hops. The client address is taken that many entries
 * from the right, never from the left, which the client itself writes.
 */
const trustProxy = z
  .string()
  .transform((s) => s.trim().toLowerCase())
  .pipe(
    z.union([
      z.enum(['0', '1', 'true', 'false', 'yes', 'no', 'on', 'off']),
      z.string().regex(/^\d{1,2}$/, 'must be true, false or a number of proxy hops (0–16)'),
    ]),
  )
  .transform((s) =>
    ['true', 'yes', 'on'].includes(s) ? 1 : ['false', 'no', 'off'].includes(s) ? 0 : Number(s),
  )
  .pipe(z.number().int().min(0).max(16, 'at most 16 proxy hops'));

const dbUrl = z.string().refine((s) => s.startsWith('file:') || /^postgres(ql)?:\/\//.test(s), {
  message: 'must be file:<path> or postgres://…',
});

export const schema = z.object({
  PORT: int(0, 65535).default(8080),
  HOST: z.string().min(1).default('127.0.0.1'),
  DBURL: dbUrl.default('file:./data/chat.db'),
  DB_SYNCHRONOUS: z.enum(['normal', 'full']).default('normal'),
  BUS_URL: z.string().optional(),
  SERVER_NAME: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9.-]{0,62}$/, 'letters, digits, dots and dashes')
    .default('chat'),
  NETWORK_NAME: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,63}$/)
    .optional(),
  MOTD: z.string().default(DEFAULT_MOTD),
  MAX_HISTORY: int(1, 10_000_000).default(10_000),
  MAX_MESSAGE_SIZE: int(16, 1_048_576).default(4096),
  MAX_BODY_BYTES: int(1024, 16_777_216).default(65_536),
  MAX_LINES: int(1, 10_000).default(100),
  MAX_META_BYTES: int(2, 1_048_576).default(4096),
  MAX_CHANNELS: int(1, 450).default(100),
  MAX_CLIENTS: int(1, 1000).default(20),
  LOGIN_FAILURES_PER_NICK: int(1, 100_000).default(5),
  LOGIN_FAILURES_PER_ADDRESS: int(1, 100_000).default(20),
  LOGIN_FAILURE_WINDOW: duration.default(15 * 60_000),
  HISTORY_PAGE_MAX: int(1, 10_000).default(500),
  POLL_BATCH_MAX: int(1, 10_000).default(500),
  PAGE_MAX_BYTES: int(16_384, 16_777_216).default(262_144),
  QUEUE_MAX_ENTRIES: int(1, 100_000_000).default(10_000),
  SESSION_IDLE_TIMEOUT: duration.default(24 * 3_600_000),
  ACCOUNT_IDLE_TIMEOUT: duration.default(720 * 3_600_000),
  QUEUE_MAX_AGE: duration.default(48 * 3_600_000),
  JOB_INTERVAL: duration.default(60_000),
  LONG_POLL_TIMEOUT: int(0, 30).default(15),
  SSE_HEARTBEAT_SECONDS: int(1, 3600).default(15),
  METRICS_USERNAME: z.string().min(1).optional(),
  METRICS_PASSWORD: z.string().min(1).optional(),
  OPER_NAME: z.string().min(1).optional(),
  OPER_PASSWORD: z.string().min(1).optional(),
  SENTRY_DSN: z.string().optional(),
  DEBUG: bool.default(false),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).optional(),
  IRC_PORT: int(0, 65535).default(6667),
  IRC_TLS_PORT: int(0, 65535).default(6697),
  IRC_TLS_CERT: z.string().min(1).optional(),
  IRC_TLS_KEY: z.string().min(1).optional(),
  IRC_SENDQ_BYTES: int(65_536, 268_435_456).default(1_048_576),
  IRC_SESSIONS_PER_ADDRESS: int(0, 100_000).default(5),
  IRC_REGISTRATION_TIMEOUT: duration.default(60_000),
  IRC_PING_INTERVAL: duration.default(90_000),
  IRC_PING_TIMEOUT: duration.default(60_000),
  IRC_MAX_CONNECTIONS: int(1, 1_000_000).default(10_000),
  HASHCASH_BITS: int(0, 40).default(20),
  FLOOD_BURST: int(1, 100_000).default(10),
  FLOOD_RATE: perSecond('commands per second (0 turns it off)').default(2),
  MAX_TARGETS: int(1, 100).default(20),
  READ_BURST: int(1, 100_000).default(16),
  READ_RATE: perSecond('pages per second (0 turns the read budget off)').default(2),
  TRUST_PROXY: trustProxy.default(0),
  LOGINS_PER_ACCOUNT: int(1, 100_000).default(10),
});

type Parsed = z.output<typeof schema>;

export interface Config extends Parsed {
  /** SQLite file path when DBURL is file:…, else null */
  sqlitePath: string | null;
  networkName: string;
  logLevel: string;
  metricsEnabled: boolean;
  version: string;
}

export class ConfigError extends Error {}

/** Reads `.env` (if present) under the real environment, then validates. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, envFile = '.env'): Config {
  const merged: Record<string, string | undefined> = { ...readEnvFile(envFile), ...env };
  // Empty strings count as unset, as most tools treat them.
  const input = Object.fromEntries(
    Object.keys(schema.shape).flatMap((k) => {
      const v = merged[k];
      return v === undefined || v === '' ? [] : [[k, v]];
    }),
  );
  const result = schema.safeParse(input);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
  }
  const c = result.data;
  if (Boolean(c.METRICS_USERNAME) !== Boolean(c.METRICS_PASSWORD)) {
    throw new ConfigError(
      'invalid configuration:\n  METRICS_PASSWORD: METRICS_USERNAME and METRICS_PASSWORD must be set together',
    );
  }
  if (Boolean(c.OPER_NAME) !== Boolean(c.OPER_PASSWORD)) {
    throw new ConfigError(
      'invalid configuration:\n  OPER_PASSWORD: OPER_NAME and OPER_PASSWORD must be set together',
    );
  }
  if (Boolean(c.IRC_TLS_CERT) !== Boolean(c.IRC_TLS_KEY)) {
    throw new ConfigError(
      'invalid configuration:\n  IRC_TLS_KEY: IRC_TLS_CERT and IRC_TLS_KEY must be set together',
    );
  }
  if (c.DBURL.startsWith('postgres')) {
    throw new ConfigError(
      'invalid configuration:\n  DBURL: PostgreSQL is not supported by this version yet; use file:<path>',
    );
  }
  return Object.freeze({
    ...c,
    sqlitePath: c.DBURL.startsWith('file:') ? c.DBURL.slice('file:'.length) : null,
    networkName: c.NETWORK_NAME ?? c.SERVER_NAME,
    logLevel: c.LOG_LEVEL ?? (c.DEBUG ? 'debug' : 'info'),
    metricsEnabled: Boolean(c.METRICS_USERNAME && c.METRICS_PASSWORD),
    version: packageVersion(),
  });
}

function readEnvFile(path: string): Record<string, string> {
  if (!fs.existsSync(path)) return {};
  // process.loadEnvFile would write into process.env; parse into a copy instead.
  const out: Record<string, string> = {};
  for (const raw of fs.readFileSync(path, 'utf8').split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const m = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line);
    if (!m) continue;
    let value = m[2] ?? '';
    const q = value[0];
    if ((q === '"' || q === "'") && value.endsWith(q) && value.length >= 2) {
      value = value.slice(1, -1);
      if (q === '"') value = value.replace(/\\n/g, '\n');
    } else {
      value = value.replace(/\s+#.*$/, '');
    }
    out[m[1] ?? ''] = value;
  }
  return out;
}
