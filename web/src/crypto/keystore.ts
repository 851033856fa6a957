// Where this browser's signing key lives between reloads (docs/clients.md): IndexedDB, per origin
// (so per server). A WebCrypto key is stored as the CryptoKey object itself, which IndexedDB keeps
// non-extractable; the fallback's key (pages without WebCrypto Ed25519) is stored as its 32 raw
// bytes, readable by any script of this origin.
import type { SigningKey } from './ed25519-engines.js';

const DB_NAME = 'chatd-signing';
const STORE = 'keys';
const ID = 'current';

interface IdbRequest<T> {
  result: T;
  error: unknown;
  onsuccess: (() => void) | null;
  onerror: (() => void) | null;
}

/** The part of IndexedDB used here (typed locally: Node's type-check of the tests has no DOM). */
interface Idb {
  open(
    name: string,
    version: number,
  ): IdbRequest<IdbDatabase> & { onupgradeneeded: (() => void) | null };
}
interface IdbDatabase {
  objectStoreNames: { contains(name: string): boolean };
  createObjectStore(name: string): unknown;
  transaction(
    store: string,
    mode: 'readonly' | 'readwrite',
  ): {
    objectStore(name: string): {
      get(id: string): IdbRequest<unknown>;
      put(value: unknown, id: string): IdbRequest<unknown>;
    };
  };
  close(): void;
}

function done<T>(req: IdbRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () =>
      reject(req.error instanceof Error ? req.error : new Error(String(req.error)));
  });
}

async function openDb(): Promise<IdbDatabase> {
  const idb = (globalThis as { indexedDB?: Idb }).indexedDB;
  if (!idb) throw new Error('this browser keeps no IndexedDB here (a private window?)');
  const req = idb.open(DB_NAME, 1);
  req.onupgradeneeded = () => {
    if (!req.result.objectStoreNames.contains(STORE)) req.result.createObjectStore(STORE);
  };
  return done(req);
}

const isBytes = (v: unknown, n: number): v is Uint8Array =>
  v instanceof Uint8Array && v.length === n;

/** The stored key, or null when there is none (or what is stored is not a key). */
export async function loadKey(): Promise<SigningKey | null> {
  const db = await openDb();
  try {
    const value = await done(db.transaction(STORE, 'readonly').objectStore(STORE).get(ID));
    const v = value as Record<string, unknown> | undefined;
    if (!v || !isBytes(v.publicKey, 32)) return null;
    if (v.kind === 'webcrypto' && typeof v.privateKey === 'object' && v.privateKey !== null)
      return { kind: 'webcrypto', privateKey: v.privateKey, publicKey: v.publicKey };
    if (v.kind === 'raw' && isBytes(v.secret, 32))
      return { kind: 'raw', secret: v.secret, publicKey: v.publicKey };
    return null;
  } finally {
    db.close();
  }
}

export async function saveKey(key: SigningKey): Promise<void> {
  const db = await openDb();
  try {
    await done(db.transaction(STORE, 'readwrite').objectStore(STORE).put(key, ID));
  } finally {
    db.close();
  }
}
