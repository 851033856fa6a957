// Group commit (SqliteStore.transaction): transactions asked for in the same turn of the event
// loop, or while another group runs, share one COMMIT, each in its own SAVEPOINT. Each resolves only once its COMMIT is done (another
// connection sees its rows by then); one that throws is undone alone; a failure after which SQLite
// may have rolled back the whole transaction rejects the whole group, and nothing of it is stored.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { Fixture } from './contract-helpers.js';

async function withStore(body: (store: SqliteStore, fx: Fixture, file: string) => Promise<void>) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chat-group-commit-'));
  const file = path.join(dir, 'chat.db');
  const store = SqliteStore.open(file);
  try {
    await body(store, new Fixture(store), file);
  } finally {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** rows of `seqs` another connection sees (committed data only) */
function committed(file: string, ids: string[]): number {
  const db = new Database(file, { readonly: true });
  try {
    const rows = db.prepare('SELECT data FROM events').pluck().all() as string[];
    return rows.filter((d) => ids.includes((JSON.parse(d) as { id: string }).id)).length;
  } finally {
    db.close();
  }
}

void test('group commit: concurrent transactions share COMMITs, each resolved after its COMMIT', () =>
  withStore(async (store, fx, file) => {
    const { session } = await fx.user('alice');
    const address = { kind: 'session', sessionId: session.id } as const;
    const before = store.groupCommits;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    // the first holds the writer until the others have queued behind it
    const first = store.transaction(async (tx) => {
      await gate;
      return tx.appendEvent(fx.envelope('PRIVMSG', 'alice', ['first']), address);
    });
    const envs = Array.from({ length: 20 }, (_, i) => fx.envelope('PRIVMSG', 'alice', [`m${i}`]));
    const seenAtResolve: number[] = [];
    const rest = envs.map((env) =>
      store
        .transaction((tx) => tx.appendEvent(env, address))
        .then((stored) => {
          seenAtResolve.push(committed(file, [env.id]));
          return stored;
        }),
    );
    release();
    const all = await Promise.all([first, ...rest]);
    assert.deepEqual(
      all.map((e) => e.seq),
      [...all.map((e) => e.seq)].sort((a, b) => a - b),
      'seqs in the order asked',
    );
    assert.deepEqual(
      seenAtResolve,
      envs.map(() => 1),
      'every row committed when resolved',
    );
    const commits = store.groupCommits - before;
    assert.ok(commits < 21, `21 transactions in ${commits} COMMITs`);
  }));

void test('group commit: a member that throws is undone alone', () =>
  withStore(async (store, fx, file) => {
    const { session } = await fx.user('bob');
    const address = { kind: 'session', sessionId: session.id } as const;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const a = fx.envelope('PRIVMSG', 'bob', ['a']);
    const b = fx.envelope('PRIVMSG', 'bob', ['b']);
    const c = fx.envelope('PRIVMSG', 'bob', ['c']);
    const pa = store.transaction(async (tx) => {
      await gate;
      return tx.appendEvent(a, address);
    });
    const pb = store.transaction(async (tx) => {
      await tx.appendEvent(b, address);
      throw new Error('refused after writing');
    });
    const pc = store.transaction((tx) => tx.appendEvent(c, address));
    release();
    await pa;
    await assert.rejects(pb, /refused after writing/);
    await pc;
    assert.equal(committed(file, [a.id]), 1);
    assert.equal(committed(file, [b.id]), 0);
    assert.equal(committed(file, [c.id]), 1);
  }));

void test('group commit: a failure that may have undone the transaction rejects the whole group', () =>
  withStore(async (store, fx, file) => {
    const { session } = await fx.user('carol');
    const address = { kind: 'session', sessionId: session.id } as const;
    // asked for in the same turn: one group
    const a = fx.envelope('PRIVMSG', 'carol', ['a']);
    const b = fx.envelope('PRIVMSG', 'carol', ['b']);
    const c = fx.envelope('PRIVMSG', 'carol', ['c']);
    const pa = store.transaction((tx) => tx.appendEvent(a, address));
    const pb = store.transaction(async (tx) => {
      // writes fail from here on, as on a full disk: the callback swallows the error
      store.writerPragma('query_only = ON');
      await tx.appendEvent(b, address).catch(() => undefined);
    });
    const pc = store.transaction((tx) => tx.appendEvent(c, address));
    const results = await Promise.allSettled([pa, pb, pc]);
    store.writerPragma('query_only = OFF');
    assert.deepEqual(
      results.map((r) => r.status),
      ['rejected', 'rejected', 'rejected'],
    );
    assert.equal(committed(file, [a.id, b.id, c.id]), 0);
    // the store goes on afterwards
    const d = fx.envelope('PRIVMSG', 'carol', ['d']);
    await store.transaction((tx) => tx.appendEvent(d, address));
    assert.equal(committed(file, [d.id]), 1);
  }));
