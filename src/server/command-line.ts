// chatd's command line. chatd is configured by environment variables (and .env), not by
// arguments: it answers --help and --version and refuses anything else, so that a mistyped flag
// does not start a server the caller did not mean to start. The list of variables in --help is
// read from the configuration schema itself, with each default written in a form the schema
// accepts.
import { schema } from './config.js';
import { packageVersion } from '../shared/package-version.js';

export type Command =
  | { action: 'serve' }
  | { action: 'help' }
  | { action: 'version' }
  | { action: 'usage-error'; message: string };

export function parseCommandLine(argv: readonly string[]): Command {
  let help = false;
  let version = false;
  for (const arg of argv) {
    if (arg === '--help' || arg === '-h') help = true;
    else if (arg === '--version' || arg === '-v') version = true;
    else {
      return {
        action: 'usage-error',
        message: `unknown argument ${JSON.stringify(arg)}: chatd takes no arguments but --help and --version; it is configured by environment variables (see chatd --help)`,
      };
    }
  }
  if (help) return { action: 'help' };
  if (version) return { action: 'version' };
  return { action: 'serve' };
}

/**
 * Answers --help, --version and bad arguments. Returns the exit status when chatd must not
 * start, or null when it should serve.
 */
export function handleCommandLine(
  argv: readonly string[],
  out: (text: string) => void = (t) => void process.stdout.write(t),
  err: (text: string) => void = (t) => void process.stderr.write(t),
): number | null {
  const command = parseCommandLine(argv);
  switch (command.action) {
    case 'serve':
      return null;
    case 'help':
      out(usage());
      return 0;
    case 'version':
      out(`chatd ${packageVersion()}\n`);
      return 0;
    case 'usage-error':
      err(`chatd: ${command.message}\n`);
      return 2;
  }
}

export interface VariableHelp {
  name: string;
  /** the default as it would be written in the environment, or null when unset by default */
  default: string | null;
  /** the accepted values, for a variable that takes one of a list */
  choices: readonly string[] | null;
}

/** Every configuration variable with its default, in the schema's order. */
export function configVariables(): VariableHelp[] {
  return Object.entries(schema.shape).map(([name, field]) => {
    const def = field.def as {
      type: string;
      defaultValue?: unknown;
      innerType?: { options?: readonly unknown[] };
    };
    const options = def.innerType?.options;
    const choices = options?.every((o) => typeof o === 'string') ? (options as string[]) : null;
    return {
      name,
      default: def.type === 'default' ? writeDefault(field, def.defaultValue) : null,
      choices,
    };
  });
}

/**
 * The default as an environment value: a duration (ms) as `15m`, `24h`…, anything else as its
 * text; the first form that the variable's own schema reads back to the same value wins.
 */
function writeDefault(
  field: { safeParse(input: unknown): { success: boolean; data?: unknown } },
  value: unknown,
): string {
  const candidates =
    typeof value === 'number' ? [durationText(value), String(value)] : [String(value)];
  for (const text of candidates) {
    if (text === null) continue;
    const r = field.safeParse(text);
    if (r.success && r.data === value) return text;
  }
  return String(value);
}

function durationText(ms: number): string | null {
  if (!Number.isSafeInteger(ms) || ms <= 0) return null;
  // hours rather than days: 24h and 720h read as the timeouts they are
  const units: [string, number][] = [
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
    ['ms', 1],
  ];
  let rest = ms;
  let text = '';
  for (const [unit, size] of units) {
    if (rest >= size) {
      text += `${Math.floor(rest / size)}${unit}`;
      rest %= size;
    }
  }
  return text;
}

function shown(v: VariableHelp): string {
  let text: string;
  if (v.default === null) text = '(unset)';
  else if (v.default.includes('\n')) {
    const lines = v.default.split('\n');
    text = `${JSON.stringify(`${lines[0] ?? ''} …`)} (${lines.length} lines)`;
  } else text = v.default === '' ? '""' : v.default;
  return v.choices ? `${text}  [${v.choices.join(', ')}]` : text;
}

export function usage(): string {
  const vars = configVariables();
  const width = Math.max(...vars.map((v) => v.name.length)) + 2;
  const rows = vars.map((v) => `  ${v.name.padEnd(width)}${shown(v)}`);
  return `usage: chatd [--help | --version]

chatd ${packageVersion()}, the chat server: IRC semantics over HTTP+JSON.

It takes no other arguments. It is configured by environment variables, completed by a .env
file in the working directory (NAME=value lines; the real environment wins; an empty value counts
as unset). Durations are written 90s, 15m, 24h, 7d, 1h30m or as milliseconds. An invalid value
stops it at start with a message naming the variable (exit status 2). SIGTERM or SIGINT stops it
gracefully.

Variables and their defaults:
${rows.join('\n')}

The README's "Configuration" section says what each variable means.
`;
}
