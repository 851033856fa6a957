// chat-cli. This version has one command, `stamp`; the terminal client arrives with its own issue.
import { parseStampArgs, stampCommand } from './stamp.js';

const USAGE = `usage: chat-cli stamp [--bits N] [--resource NAME] [--server URL]
  prints a hashcash stamp for POST /api/v1/session (header X-Hashcash);
  bits and resource default to what the server announces (--server, or CHAT_SERVER,
  default http://127.0.0.1:8080)`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === 'stamp') {
    process.stdout.write((await stampCommand(parseStampArgs(rest, process.env))) + '\n');
    return 0;
  }
  process.stderr.write(`${USAGE}\n`);
  return command === undefined || command === '--help' || command === '-h' ? 0 : 2;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`chat-cli: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
