// `chat-cli stamp [--bits N] [--resource NAME] [--server URL]` (docs/hashcash.md, docs/clients.md): prints one
// hashcash stamp for curl users. Bits and resource default to what the server announces.
import { mintStamp } from '../shared/hashcash.js';
import { UsageError } from './usage-error.js';

export const DEFAULT_SERVER = 'http://127.0.0.1:8080';

export interface StampArgs {
  bits?: number;
  resource?: string;
  server: string;
}

export function parseStampArgs(argv: string[], env: NodeJS.ProcessEnv): StampArgs {
  const args: StampArgs = { server: env.CHAT_SERVER || DEFAULT_SERVER };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const eq = arg.indexOf('=');
    const flag = arg.startsWith('--') && eq > 0 ? arg.slice(0, eq) : arg;
    // the option is known before its value is asked for: `--frob` is unknown, not valueless
    if (flag !== '--bits' && flag !== '--resource' && flag !== '--server') {
      throw new UsageError(`unknown option ${arg} for chat-cli stamp`);
    }
    const value = flag !== arg ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined) throw new UsageError(`${flag} needs a value`);
    if (flag === '--bits') {
      if (!/^\d{1,2}$/.test(value)) throw new UsageError('--bits must be a whole number below 100');
      args.bits = Number(value);
    } else if (flag === '--resource') {
      args.resource = value;
    } else {
      args.server = value;
    }
  }
  try {
    const url = new URL(args.server);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('scheme');
  } catch {
    throw new UsageError(`--server must be an http:// or https:// URL, not ${args.server}`);
  }
  return args;
}

/** Mints a stamp; asks the server for what is not given. */
export async function stampCommand(args: StampArgs): Promise<string> {
  let { bits, resource } = args;
  if (bits === undefined || resource === undefined) {
    const url = new URL('/api/v1/server', args.server);
    const res = await fetch(url);
    if (!res.ok) throw new Error(`${url.href} answered ${res.status}`);
    const info = (await res.json()) as { name: string; hashcash_bits: number };
    bits ??= info.hashcash_bits;
    resource ??= info.name;
  }
  return mintStamp({ bits, resource, now: new Date() });
}
