// chatd: read the configuration, start the server, stop gracefully on SIGTERM/SIGINT.
// --help and --version answer without starting anything (command-line.ts).
import { handleCommandLine } from './command-line.js';
import { ConfigError, loadConfig, type Config } from './config.js';
import { createLogger } from './logger.js';
import { startServer } from './server.js';

const SHUTDOWN_DEADLINE_MS = 15_000;

async function main(): Promise<void> {
  const status = handleCommandLine(process.argv.slice(2));
  if (status !== null) {
    process.exitCode = status;
    return;
  }
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`chatd: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const logger = createLogger(config);
  const server = await startServer(config, logger);
  logger.info(
    { version: config.version, db: config.DBURL, server: config.SERVER_NAME, irc: server.irc },
    `listening on ${server.url}`,
  );
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    // Held polls are answered first and in-flight requests finish; should anything hang
    // (a stuck client socket, a store call), the process still ends.
    setTimeout(() => process.exit(1), SHUTDOWN_DEADLINE_MS).unref();
    server.close().then(
      () => exitAfterLog(0, () => logger.info('stopped')),
      (err: unknown) => exitAfterLog(1, () => logger.error({ err }, 'shutdown failed')),
    );
  };
  const exitAfterLog = (code: number, log: () => void) => {
    try {
      log();
      logger.flush(() => process.exit(code));
    } catch {
      process.exit(code);
    }
    // flush waits for the log line to be written; a closed stdout never drains
    setTimeout(() => process.exit(code), 500);
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((err: unknown) => {
  process.stderr.write(
    `chatd: failed to start: ${err instanceof Error ? err.message : String(err)}\n`,
  );
  process.exit(1);
});
