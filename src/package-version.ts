// The version in package.json, for `chatd --version` and `chat-cli --version`. The file sits one
// level above this module both in src/ (run through tsx) and in dist/ (compiled).
import fs from 'node:fs';

let cached: string | null = null;

export function packageVersion(): string {
  if (cached === null) {
    const url = new URL('../package.json', import.meta.url);
    cached = (JSON.parse(fs.readFileSync(url, 'utf8')) as { version: string }).version;
  }
  return cached;
}
