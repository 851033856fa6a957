// chat-cli's settings (docs/clients.md): flags, then CHAT_* environment variables, then
// $XDG_CONFIG_HOME/chat-cli/config.json, then defaults. Pure apart from the injected file reader.
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_SERVER } from './stamp.js';
import { UsageError } from './usage-error.js';

export interface CliOptions {
  server: string;
  nick: string;
  password: string | null;
  /** line mode; also chosen when stdin or stdout is not a terminal */
  plain: boolean;
  /** plain mode: where text lines go this run (the remembered target is left alone) */
  to: string | null;
  /** plain mode: also print the arrival burst (welcome, MOTD, a login's channel replay) */
  verbose: boolean;
  help: boolean;
}

export interface ConfigFile {
  server?: string;
  nick?: string;
  password?: string;
  plain?: boolean;
}

export const USAGE = `usage: chat-cli [--server URL] [--nick NICK] [--password PASS] [--plain]
                [--to TARGET] [--verbose]
       chat-cli stamp [--bits N] [--resource NAME] [--server URL]
       chat-cli --help | --version

  --server URL     chatd to talk to (CHAT_SERVER; default ${DEFAULT_SERVER})
  --nick NICK      nick for a new session (CHAT_NICK; default: your login name)
  --password PASS  log in to, or register, a session with a password (CHAT_PASSWORD)
  --plain          line mode for pipes and scripts (automatic without a terminal)
  --to TARGET      plain mode (implied): text lines go to TARGET, a #channel (joined
                   first if needed) or a nick, this run only
  --verbose        plain mode: also print the welcome burst and MOTD of a new session

Plain mode reads commands and messages from stdin, prints the transcript on stdout and every
error on stderr. Its exit status: 0 every input line was accepted; 1 some line was refused,
by the server or here (no target, unknown command, wrong use of a command); 2 a usage error
(bad option or config.json); 3 the server could not be reached, or the session could not be
opened or was lost.

Settings also come from $XDG_CONFIG_HOME/chat-cli/config.json ({"server","nick","password"});
flags win over the environment, which wins over the file. The session token and cursor are kept
in $XDG_STATE_HOME/chat-cli/, so the next start resumes where this one stopped.

In the terminal UI: Enter sends; the input line edits like readline (Left/Right, Home/End,
Ctrl+A/E/U/K/W/Y, Alt+B/F, Delete); Up/Down walk the input history; Tab completes a nick (on an
empty line it switches to the next buffer, Shift+Tab to the previous); Alt+1..9 and Alt+0 pick
buffers 1-10, Alt+Left/Right the previous or next; PageUp/PageDown scroll; a paste of several
lines is one message; Ctrl+C leaves (the session stays; /quit ends it). /help lists the commands
and keys.`;

export { UsageError };

/** The flags (of the client and of `stamp`) whose next argument is their value. */
const VALUE_FLAGS = new Set(['--server', '--nick', '--password', '--to', '--bits', '--resource']);

/**
 * `--help`/`-h` or `--version`/`-v` among the arguments (help wins), looked for before any
 * setting is read, so that a broken config file or environment cannot hide them; null when
 * neither was asked for.
 */
export function infoRequest(argv: readonly string[]): 'help' | 'version' | null {
  let found: 'help' | 'version' | null = null;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (VALUE_FLAGS.has(arg)) i++;
    else if (arg === '--help' || arg === '-h') return 'help';
    else if (arg === '--version' || arg === '-v') found = 'version';
  }
  return found;
}

/** The directories chat-cli uses, from the XDG variables (with their documented defaults). */
export function configDir(env: NodeJS.ProcessEnv): string {
  const base = env.XDG_CONFIG_HOME || path.join(env.HOME || os.homedir(), '.config');
  return path.join(base, 'chat-cli');
}

export function stateDir(env: NodeJS.ProcessEnv): string {
  const base = env.XDG_STATE_HOME || path.join(env.HOME || os.homedir(), '.local', 'state');
  return path.join(base, 'chat-cli');
}

/**
 * Reads the settings. `readConfig` returns the config file's text, or null when there is none;
 * a file that is not a JSON object of the known fields is a UsageError (better than ignoring a
 * typo'd password).
 */
export function resolveOptions(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  readConfig: () => string | null,
): CliOptions {
  const flags: ConfigFile & { help?: boolean; to?: string; verbose?: boolean } = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const eq = arg.indexOf('=');
    const name = arg.startsWith('--') && eq > 0 ? arg.slice(0, eq) : arg;
    const inline = arg.startsWith('--') && eq > 0 ? arg.slice(eq + 1) : undefined;
    const value = (): string => {
      if (inline !== undefined) return inline;
      const next = argv[++i];
      if (next === undefined) throw new UsageError(`${name} needs a value`);
      return next;
    };
    if (name === '--server') flags.server = value();
    else if (name === '--nick') flags.nick = value();
    else if (name === '--password') flags.password = value();
    else if (name === '--plain') flags.plain = true;
    else if (name === '--to') flags.to = value();
    else if (name === '--verbose') flags.verbose = true;
    else if (name === '--help' || name === '-h') flags.help = true;
    else throw new UsageError(`unknown option ${arg}`);
  }
  const file = parseConfig(readConfig());
  const server = flags.server || env.CHAT_SERVER || file.server || DEFAULT_SERVER;
  try {
    const url = new URL(server);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('scheme');
  } catch {
    throw new UsageError(`--server must be an http:// or https:// URL, not ${server}`);
  }
  const nick = flags.nick || env.CHAT_NICK || file.nick || defaultNick(env);
  return {
    server: server.replace(/\/+$/, ''),
    nick,
    password: flags.password || env.CHAT_PASSWORD || file.password || null,
    plain: flags.plain ?? file.plain ?? false,
    to: targetOption(flags.to),
    verbose: flags.verbose ?? false,
    help: flags.help ?? false,
  };
}

/** --to's value: a channel or nick, one word (no list: one target per run). */
function targetOption(to: string | undefined): string | null {
  if (to === undefined) return null;
  if (!/^[^\s,]+$/.test(to) || to === '#') {
    throw new UsageError(`--to takes one #channel or nick, not ${JSON.stringify(to)}`);
  }
  return to;
}

function parseConfig(text: string | null): ConfigFile {
  if (text === null) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`config.json is not JSON: ${(err as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new UsageError('config.json must hold a JSON object');
  }
  const out: ConfigFile = {};
  for (const [key, value] of Object.entries(parsed)) {
    if (key === 'plain') {
      if (typeof value !== 'boolean') throw new UsageError('config.json: plain must be true/false');
      out.plain = value;
    } else if (key === 'server' || key === 'nick' || key === 'password') {
      if (typeof value !== 'string') throw new UsageError(`config.json: ${key} must be a string`);
      out[key] = value;
    } else {
      throw new UsageError(`config.json: unknown setting ${JSON.stringify(key)}`);
    }
  }
  return out;
}

/** The login name made into a valid nick (letters first, at most 16 characters), else "guest". */
function defaultNick(env: NodeJS.ProcessEnv): string {
  let name = env.USER || env.LOGNAME || '';
  if (!name) {
    try {
      name = os.userInfo().username;
    } catch {
      name = '';
    }
  }
  const cleaned = name.replace(/[^A-Za-z0-9_-]/g, '').replace(/^[0-9-]+/, '');
  return cleaned.slice(0, 16) || 'guest';
}
