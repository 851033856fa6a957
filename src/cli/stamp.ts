// `chat-cli stamp [--bits N] [--resource NAME] [--server URL]` (docs/hashcash.md, docs/clients.md): prints one
// hashcash stamp for curl users. Bits and resource default to what the server announces.
import { mintStamp } from '../shared/hashcash.js';

export const DEFAULT_SERVER = 'http://127.0.0.1:8080';

export interface StampArgs {
  bits?: number;
  resource?: string;
  server: string;
}

export function parseStampArgs(argv: string[], env: NodeJS.ProcessEnv): StampArgs {
  const args: StampArgs = { server: env.CHAT_SERVER || DEFAULT_SERVER };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = argv[i + 1];
    if (value === undefined) throw new Error(`${flag} needs a value`);
    if (flag === '--bits') {
      if (!/^\d{1,2}$/.test(value)) throw new Error('--bits must be a whole number below 100');
      args.bits = Number(value);
    } else if (flag === '--resource') {
      args.resource = value;
    } else if (flag === '--server') {
      args.server = value;
    } else {
      throw new Error(`unknown option ${flag}`);
    }
    i++;
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
