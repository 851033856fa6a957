// chat-cli (docs/clients.md): `chat-cli stamp …` prints a hashcash stamp; otherwise the client runs,
// as the ink terminal UI when stdin and stdout are terminals, else (or with --plain or --to) in
// plain line mode. Exit statuses: plain.ts's EXIT; a usage error is 2 (with the usage on stderr).
// The UI is imported only when needed, so plain mode in a pipeline starts quickly.
import fs from 'node:fs';
import path from 'node:path';
import { packageVersion } from '../shared/package-version.js';
import { configDir, infoRequest, resolveOptions, stateDir, USAGE, UsageError } from './options.js';
import { sanitize } from './sanitize.js';
import { parseStampArgs, stampCommand } from './stamp.js';

async function main(argv: string[]): Promise<number> {
  const info = infoRequest(argv[0] === 'stamp' ? argv.slice(1) : argv);
  if (info !== null) {
    process.stdout.write(info === 'help' ? `${USAGE}\n` : `chat-cli ${packageVersion()}\n`);
    return 0;
  }
  if (argv[0] === 'stamp') {
    process.stdout.write((await stampCommand(parseStampArgs(argv.slice(1), process.env))) + '\n');
    return 0;
  }
  const env = process.env;
  const opts = resolveOptions(argv, env, () => {
    try {
      return fs.readFileSync(path.join(configDir(env), 'config.json'), 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  });
  if (opts.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const dir = stateDir(env);
  // --to is for one-shot sends from scripts: plain mode
  if (opts.plain || opts.to !== null || !process.stdin.isTTY || !process.stdout.isTTY) {
    const { runPlain } = await import('./plain.js');
    // a reader that went away (`chat-cli | head`) ends the run quietly
    process.stdout.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') process.exit(0);
    });
    return runPlain(opts, {
      stdin: process.stdin,
      stdout: process.stdout,
      stderr: process.stderr,
      stateDir: dir,
    });
  }
  // ink draws nothing but the last frame when it believes it runs in CI (is-in-ci reads CI when
  // ink loads); an interactive terminal is no CI log, whatever the environment inherited.
  if (env.CI !== undefined) env.CI = 'false';
  if (env.CONTINUOUS_INTEGRATION !== undefined) env.CONTINUOUS_INTEGRATION = 'false';
  const { runTui } = await import('./tui.js');
  return runTui(opts, dir);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    const usage = err instanceof UsageError;
    process.stderr.write(
      `chat-cli: ${sanitize(err instanceof Error ? err.message : String(err))}\n`,
    );
    if (usage) process.stderr.write(`${USAGE}\n`);
    process.exit(usage ? 2 : 1);
  },
);
