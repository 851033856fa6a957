// The version in package.json, for `chatd --version`, `chat-cli --version` and the server's 002/351.
// The file sits two levels above this module both in src/ (run through tsx) and in dist/
// (compiled). Node only: the web client never imports it.
import fs from 'node:fs';

let cached: string | null = null;

export function packageVersion(): string {
  if (cached === null) {
    const url = new URL('../../package.json', import.meta.url);
    cached = (JSON.parse(fs.readFileSync(url, 'utf8')) as { version: string }).version;
  }
  return cached;
}
