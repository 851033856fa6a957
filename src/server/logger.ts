// Structured logs (docs/operations.md): JSON lines by default, a small pretty form when stdout is a
// terminal. Tokens never reach the logs: requests are logged by route and path only (no
// headers, no query string), and anything named like a secret is redacted as a safety net.
//
// pino is the logger Fastify itself depends on (resolved from Fastify's dependency tree).
import { pino, type DestinationStream, type Logger, type LoggerOptions } from 'pino';
import { pathOnly } from '../transports/http/url-path.js';

export interface LoggerConfig {
  logLevel: string;
}

export interface CreateLoggerOptions {
  /** where JSON lines go (default: stdout) */
  destination?: DestinationStream;
  /** pretty output; default: when stdout is a TTY and no destination was given */
  pretty?: boolean;
}

/** Only the method and the path: never headers (Authorization) or the query string. */
function serializeRequest(req: { method?: string; url?: string }): Record<string, unknown> {
  return { method: req.method, path: pathOnly(req.url) };
}

export function loggerOptions(config: LoggerConfig): LoggerOptions {
  return {
    level: config.logLevel,
    base: { pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    serializers: {
      req: serializeRequest,
      res: (res: { statusCode?: number }) => ({ status: res.statusCode }),
      err: pino.stdSerializers.err,
    },
    redact: {
      paths: [
        'headers',
        'authorization',
        'token',
        'password',
        '*.headers',
        '*.authorization',
        '*.token',
        '*.password',
      ],
      censor: '[redacted]',
    },
  };
}

export function createLogger(config: LoggerConfig, options: CreateLoggerOptions = {}): Logger {
  const pretty = options.pretty ?? (options.destination === undefined && process.stdout.isTTY);
  let destination = options.destination;
  if (!destination) {
    // Through process.stdout rather than pino.destination(): on a closed pipe (`chatd | head`)
    // the latter retries the write forever in its exit handler, so the process never ends.
    // A closed stdout must stop neither the server nor its shutdown: such lines are dropped.
    process.stdout.on('error', () => undefined);
    destination = pretty ? prettyStream(process.stdout) : plainStream(process.stdout);
  }
  return pino(loggerOptions(config), destination);
}

function plainStream(out: NodeJS.WritableStream): DestinationStream {
  return { write: (msg: string) => void out.write(msg) };
}

const LEVEL_NAMES: Record<number, string> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO ',
  40: 'WARN ',
  50: 'ERROR',
  60: 'FATAL',
};
const LEVEL_COLOURS: Record<number, string> = {
  10: '\x1b[90m',
  20: '\x1b[36m',
  30: '\x1b[32m',
  40: '\x1b[33m',
  50: '\x1b[31m',
  60: '\x1b[35m',
};
const OMIT = new Set(['level', 'time', 'msg', 'pid', 'hostname', 'err']);

/** Formats one JSON log line as `HH:MM:SS.mmm LEVEL msg key=value…` (+ an error's stack). */
export function formatPretty(line: string, colour = true): string {
  let rec: Record<string, unknown>;
  try {
    rec = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line.endsWith('\n') ? line : `${line}\n`;
  }
  const level = typeof rec.level === 'number' ? rec.level : 30;
  const time = typeof rec.time === 'string' ? rec.time.slice(11, 23) : '';
  const name = LEVEL_NAMES[level] ?? String(level);
  const tag = colour ? `${LEVEL_COLOURS[level] ?? ''}${name}\x1b[0m` : name;
  const fields = Object.entries(rec)
    .filter(([k]) => !OMIT.has(k))
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`);
  let out = `${time} ${tag} ${typeof rec.msg === 'string' ? rec.msg : ''}`;
  if (fields.length > 0)
    out += `  ${colour ? '\x1b[90m' : ''}${fields.join(' ')}${colour ? '\x1b[0m' : ''}`;
  const err = rec.err as { stack?: unknown } | undefined;
  if (err && typeof err.stack === 'string') out += `\n${err.stack}`;
  return `${out}\n`;
}

export function prettyStream(out: NodeJS.WritableStream): DestinationStream {
  return {
    write(msg: string) {
      out.write(formatPretty(msg.trimEnd(), true));
    },
  };
}
