// What the page keeps in localStorage (per origin, so per server): the session token and the
// queue cursor (reload resumes where it stopped), pinned signing keys and the input history.
// Storage can be unavailable (privacy modes); then everything just lasts for the page's life.

const PREFIX = 'chatd.';

function read(key: string): string | null {
  try {
    return localStorage.getItem(PREFIX + key);
  } catch {
    return null;
  }
}

function write(key: string, value: string | null): void {
  try {
    if (value === null) localStorage.removeItem(PREFIX + key);
    else localStorage.setItem(PREFIX + key, value);
  } catch {
    // full or disabled: keep going without persistence
  }
}

export const stored = {
  token: () => read('token'),
  nick: () => read('nick'),
  cursor: (): number | null => {
    const n = Number(read('cursor'));
    return Number.isSafeInteger(n) && n > 0 ? n : null;
  },
  setSession(token: string, nick: string): void {
    write('token', token);
    write('nick', nick);
  },
  setNick: (nick: string) => write('nick', nick),
  /** the nick last used to sign in, to prefill the login form */
  lastNick: () => read('lastNick'),
  setLastNick: (nick: string) => write('lastNick', nick),
  /** only ever moves forward: tabs may report batches in any order */
  setCursor(cursor: number): void {
    const current = stored.cursor();
    if (current === null || cursor > current) write('cursor', String(cursor));
  },
  resetCursor: () => write('cursor', null),
  clearSession(): void {
    write('token', null);
    write('nick', null);
    write('cursor', null);
  },
  json<T>(key: string, fallback: T): T {
    const text = read(key);
    if (text === null) return fallback;
    try {
      return JSON.parse(text) as T;
    } catch {
      return fallback;
    }
  },
  setJson: (key: string, value: unknown) => write(key, JSON.stringify(value)),
};
