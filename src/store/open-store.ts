// DBURL → Store. `file:` is followed by a filesystem path (relative to the working directory),
// parsed as a path rather than a URL so that `file:./data/chat.db` means what it says.
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { SqliteStore } from './sqlite/sqlite-store.js';
import type { Store } from './store.js';

export interface OpenStoreOptions {
  /** DBURL, e.g. "file:./data/chat.db" */
  url: string;
  synchronous?: 'normal' | 'full';
}

/** the filesystem path of a `file:` DBURL, or null for another scheme */
export function sqlitePathOf(url: string): string | null {
  if (!url.startsWith('file:')) return null;
  let path = url.slice('file:'.length);
  // tolerate the URL spelling `file:///abs/path` too
  if (path.startsWith('//')) path = path.slice(2);
  if (path === '') throw new Error('DBURL: "file:" must be followed by a path');
  return resolve(process.cwd(), path);
}

export async function openStore(opts: OpenStoreOptions): Promise<Store> {
  const path = sqlitePathOf(opts.url);
  if (path === null) {
    const scheme = /^[a-z][a-z0-9+.-]*:/i.exec(opts.url)?.[0] ?? opts.url;
    throw new Error(`DBURL: unsupported store ${JSON.stringify(scheme)} (expected file:<path>)`);
  }
  mkdirSync(dirname(path), { recursive: true });
  const store = SqliteStore.open(path, opts.synchronous ? { synchronous: opts.synchronous } : {});
  return store;
}
