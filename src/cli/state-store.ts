// What chat-cli keeps between runs, under $XDG_STATE_HOME/chat-cli/<server>/ (docs/clients.md):
// per nick, the session token, the queue cursor, the current target, the buffer order and the
// signing key; per server, the trust-on-first-use keys of other nicks. The token is a password
// equivalent, so the files are 0600 in a 0700 directory, and every write is a rename of a complete
// file: a crash leaves the old state or the new one, never half of it.
import fs from 'node:fs';
import path from 'node:path';
import { fold } from '../model/casefold.js';
import type { KeyPersistence } from '../shared/tofu.js';

export interface SavedSession {
  version: 1;
  server: string;
  /** the nick this identity was asked for (names the file; the session's nick may differ) */
  nick: string;
  sessionNick: string;
  token: string;
  /** the last queue id processed; null before the first poll answer */
  cursor: number | null;
  /** the buffer that was active last (where plain mode's text goes, where the UI starts) */
  target: string | null;
  /** the order of the buffers (channel and nick names) when the client last ran */
  buffers?: string[];
  /** Ed25519 private key, PKCS#8 DER in base64 */
  signingKey: string | null;
  pubkeyAnnounced: boolean;
}

export class StateLockedError extends Error {}

/** A file name for the server: scheme, host and port, without characters a file system minds. */
export function serverKey(server: string): string {
  const url = new URL(server);
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  const rest = url.pathname.replace(/\/+$/, '');
  return `${url.protocol.replace(':', '')}_${url.hostname}_${port}${rest}`.replace(
    /[^A-Za-z0-9._-]/g,
    '_',
  );
}

export class StateStore {
  readonly dir: string;
  private readonly file: string;
  private readonly lockFile: string;
  private locked = false;

  constructor(
    baseDir: string,
    readonly server: string,
    readonly nick: string,
  ) {
    this.dir = path.join(baseDir, serverKey(server));
    const name = encodeURIComponent(fold(nick));
    this.file = path.join(this.dir, `${name}.json`);
    this.lockFile = path.join(this.dir, `${name}.lock`);
  }

  load(): SavedSession | null {
    const parsed = readJson(this.file);
    if (!isSavedSession(parsed)) return null;
    // fields a hand-edited or older file may lack get their neutral values
    return {
      ...parsed,
      server: this.server,
      nick: typeof parsed.nick === 'string' ? parsed.nick : this.nick,
      target: typeof parsed.target === 'string' ? parsed.target : null,
      buffers: Array.isArray(parsed.buffers)
        ? parsed.buffers.filter((b): b is string => typeof b === 'string')
        : [],
      signingKey: typeof parsed.signingKey === 'string' ? parsed.signingKey : null,
      pubkeyAnnounced: parsed.pubkeyAnnounced === true,
    };
  }

  save(session: SavedSession): void {
    writeAtomic(this.file, JSON.stringify(session, null, 2) + '\n');
  }

  clear(): void {
    fs.rmSync(this.file, { force: true });
  }

  /**
   * One chat-cli per identity: two processes on one token would share one cursor and each see
   * half of the messages. A lock left by a process that is gone is taken over.
   */
  lock(): void {
    fs.mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        fs.writeFileSync(this.lockFile, String(process.pid), { flag: 'wx', mode: 0o600 });
        this.locked = true;
        return;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        const pid = Number(readText(this.lockFile));
        if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && isAlive(pid)) {
          throw new StateLockedError(
            `another chat-cli (pid ${pid}) is using ${this.nick} on ${this.server}`,
          );
        }
        fs.rmSync(this.lockFile, { force: true });
      }
    }
    throw new StateLockedError(`cannot take the lock ${this.lockFile}`);
  }

  unlock(): void {
    if (!this.locked) return;
    this.locked = false;
    if (readText(this.lockFile) === String(process.pid)) fs.rmSync(this.lockFile, { force: true });
  }

  /**
   * Pinned signing keys of other nicks on this server (tofu.ts), in `keys.tofu.json`: a name no
   * nick's file can have (nicks hold no `.`), where `keys.json` was the file of the nick "keys".
   * Keys pinned in an older `keys.json` (a map of nicks to keys, not a session) are read once.
   */
  keyPersistence(): KeyPersistence {
    const file = path.join(this.dir, 'keys.tofu.json');
    const legacy = path.join(this.dir, 'keys.json');
    const keyMap = (parsed: unknown): Record<string, string> | null => {
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return null;
      if ('token' in parsed) return null; // the saved session of the nick "keys"
      return Object.fromEntries(
        Object.entries(parsed).filter((e): e is [string, string] => typeof e[1] === 'string'),
      );
    };
    return {
      load: () =>
        keyMap(readJson(file)) ?? (fs.existsSync(file) ? {} : (keyMap(readJson(legacy)) ?? {})),
      save: (keys) => writeAtomic(file, JSON.stringify(keys, null, 2) + '\n'),
    };
  }
}

function isSavedSession(v: unknown): v is SavedSession {
  if (typeof v !== 'object' || v === null) return false;
  const s = v as Record<string, unknown>;
  return (
    s.version === 1 &&
    typeof s.token === 'string' &&
    typeof s.sessionNick === 'string' &&
    (s.cursor === null || (typeof s.cursor === 'number' && Number.isSafeInteger(s.cursor)))
  );
}

function readText(file: string): string | null {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

function readJson(file: string): unknown {
  const text = readText(file);
  if (text === null) return null;
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

function writeAtomic(file: string, text: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, text, { mode: 0o600 });
  fs.renameSync(tmp, file);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
