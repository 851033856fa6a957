// The store contract against SqliteStore on temp files, plus SQLite-specific checks.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { migrate, MIGRATIONS } from '../../src/store/sqlite/migrations.js';
import { openStore } from '../../src/store/open-store.js';
import { queueRowsSql } from '../../src/store/sqlite/queue.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { Fixture, type StoreHandle } from './contract-helpers.js';
import { runStoreContract } from './store-contract.js';

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'chat-store-'));
}

async function makeSqlite(): Promise<StoreHandle & { path: string; current(): SqliteStore }> {
  const dir = tempDir();
  const file = path.join(dir, 'chat.db');
  let store = SqliteStore.open(file);
  return {
    store,
    path: file,
    current: () => store,
    reopen: async () => {
      await store.close();
      store = SqliteStore.open(file);
      return store;
    },
    // query_only makes every write fail with SQLITE_READONLY, like a read-only file
    breakWrites: () => void store.writerPragma('query_only = ON'),
    repairWrites: () => void store.writerPragma('query_only = OFF'),
    cleanup: async () => {
      await store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

runStoreContract('sqlite', makeSqlite);

async function withSqlite(body: (h: Awaited<ReturnType<typeof makeSqlite>>) => Promise<void>) {
  const h = await makeSqlite();
  try {
    await body(h);
  } finally {
    await h.cleanup();
  }
}

void test('sqlite: WAL, foreign keys, partial indexes, each migration recorded once', () =>
  withSqlite(async (h) => {
    const store = h.current();
    assert.deepEqual(store.writerPragma('journal_mode'), [{ journal_mode: 'wal' }]);
    assert.deepEqual(store.writerPragma('foreign_keys'), [{ foreign_keys: 1 }]);
    assert.deepEqual(store.writerPragma('synchronous'), [{ synchronous: 1 }]); // NORMAL
    const db = new Database(h.path, { readonly: true });
    try {
      assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
      const indexes = db
        .prepare(`SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'events'`)
        .all() as { name: string; sql: string }[];
      for (const col of ['channel_id', 'session_id', 'sender_session_id', 'client_id', 'dm_pair']) {
        const ix = indexes.find((i) => i.sql?.includes(`(${col}, seq) WHERE ${col} IS NOT NULL`));
        assert.ok(ix, `partial index on ${col}`);
      }
      assert.deepEqual(
        db.prepare('SELECT version FROM schema_migrations ORDER BY version').pluck().all(),
        MIGRATIONS.map((m) => m.version),
      );
    } finally {
      db.close();
    }
  }));

void test('sqlite: migration 6 gives the clients of an older database no device and no cursor', async () => {
  const dir = tempDir();
  const file = path.join(dir, 'chat.db');
  try {
    // a database as version 5 left it, with a session and a client
    const old = new Database(file);
    migrate(
      old,
      MIGRATIONS.filter((m) => m.version <= 5),
    );
    old
      .prepare(
        `INSERT INTO sessions (id, nick, nick_folded, user, modes, created_at, last_message_at,
          last_seen) VALUES (1, 'alice', 'alice', '~alice', 'i', 1, 1, 1)`,
      )
      .run();
    old
      .prepare(
        `INSERT INTO clients (id, session_id, token_hash, created_at, last_seen, start_seq)
          VALUES (7, 1, 'h', 1, 1, 0)`,
      )
      .run();
    old.close();
    const store = SqliteStore.open(file);
    try {
      const client = await store.getClient(7);
      assert.equal(client?.device, null);
      assert.equal(client?.cursor, null);
      assert.deepEqual(await store.listIdleClients(2, 0), [client]);
      const phone = await store.transaction((tx) =>
        tx.createClient({ sessionId: 1, tokenHash: 'p', createdAt: 2, device: 'phone' }),
      );
      assert.deepEqual(await store.getClientByDevice(1, 'phone'), phone);
    } finally {
      await store.close();
    }
    const db = new Database(file, { readonly: true });
    try {
      const ix = db
        .prepare(`SELECT sql FROM sqlite_master WHERE type = 'index' AND name = 'clients_device'`)
        .pluck()
        .get() as string;
      assert.match(
        ix,
        /UNIQUE INDEX clients_device ON clients\(session_id, device\) WHERE device IS NOT NULL/,
      );
    } finally {
      db.close();
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

void test('sqlite: the queue read uses the (channel_id, seq) index, no full scan', () =>
  withSqlite(async (h) => {
    const db = new Database(h.path, { readonly: true });
    try {
      const sql = queueRowsSql(3, 500);
      const args = Array.from({ length: 7 + 3 * 6 }, () => 1);
      const plan = (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...args) as { detail: string }[])
        .map((r) => r.detail)
        .join('\n');
      assert.match(
        plan,
        /SEARCH events USING COVERING INDEX events_channel \(channel_id=\? AND seq>\? AND seq<\?\)/,
      );
      assert.match(plan, /events_session/);
      assert.match(plan, /events_client/);
      assert.doesNotMatch(plan, /SCAN events/);
      assert.doesNotMatch(plan, /TEMP B-TREE/);
    } finally {
      db.close();
    }
  }));

void test('sqlite: one channel message is one row whatever the member count', () =>
  withSqlite(async (h) => {
    const fx = new Fixture(h.current());
    const db = new Database(h.path, { readonly: true });
    const rows = () =>
      db
        .prepare('SELECT (SELECT count(*) FROM events) + (SELECT count(*) FROM event_channels)')
        .pluck()
        .get() as number;
    try {
      const small = await fx.channel('#small');
      const big = await fx.channel('#big');
      await fx.join((await fx.session('only')).id, small);
      for (let i = 0; i < 200; i++) await fx.join((await fx.session(`u${i}`)).id, big);
      for (const ch of [small, big]) {
        const before = rows();
        await fx.say(ch, 'hello');
        assert.equal(rows() - before, 1, ch.name);
      }
    } finally {
      db.close();
    }
  }));

void test('sqlite: a session in more channels than one compound SELECT allows', () =>
  withSqlite(async (h) => {
    const fx = new Fixture(h.current());
    const a = { session: await fx.session('alice'), client: undefined as never };
    const u = { session: a.session, client: await fx.client(a.session.id) };
    const expected: number[] = [];
    for (let i = 0; i < 300; i++) {
      const ch = await fx.channel(`#c${i}`);
      expected.push((await fx.join(a.session.id, ch)).seq, (await fx.say(ch, `m${i}`)).seq);
    }
    const nick = await fx.append(fx.envelope('NICK', 'x'), {
      kind: 'session',
      sessionId: a.session.id,
      alsoChannels: [1, 2, 299],
    });
    expected.push(nick.seq);
    assert.deepEqual(await fx.readAll(u, null, 500), expected);
    assert.deepEqual(await fx.readAll(u, null, 77), expected);
    const capped = await fx.read(u, null, 500, 100);
    assert.equal(capped.gap, true);
    assert.deepEqual(
      capped.entries.map((e) => e.seq),
      expected.slice(-100),
    );
  }));

void test('sqlite: migration 7 gives older sessions their nick as real name, an account when they have a password', async () => {
  const dir = tempDir();
  const file = path.join(dir, 'chat.db');
  try {
    const old = new Database(file);
    migrate(
      old,
      MIGRATIONS.filter((m) => m.version <= 6),
    );
    old
      .prepare(
        `INSERT INTO sessions (id, nick, nick_folded, user, password_hash, modes, created_at,
          last_message_at, last_seen) VALUES (1, 'alice', 'alice', '~alice', NULL, 'i', 1, 1, 1),
          (2, 'Bob', 'bob', '~bob', 'hash', 'i', 1, 1, 1)`,
      )
      .run();
    old.close();
    const store = SqliteStore.open(file);
    try {
      const alice = await store.getSession(1);
      const bob = await store.getSession(2);
      assert.deepEqual([alice?.realname, alice?.account], ['alice', null]);
      assert.deepEqual([bob?.realname, bob?.account], ['Bob', 'Bob']);
      const carol = await store.transaction(async (tx) => {
        const row = await tx.createSession({
          nick: 'carol',
          nickFolded: 'carol' as never,
          user: '~carol',
          passwordHash: null,
          modes: '',
          createdAt: 3,
        });
        await tx.updateSession(1, { realname: 'Alice A.', account: 'alice' });
        return row;
      });
      // defaults: the nick, no account
      assert.deepEqual([carol.realname, carol.account], ['carol', null]);
      assert.deepEqual(await store.getSession(carol.id), carol);
      const updated = await store.getSession(1);
      assert.deepEqual([updated?.realname, updated?.account], ['Alice A.', 'alice']);
    } finally {
      await store.close();
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

void test('sqlite: SQLITE_FULL is StoreUnavailable, the transaction rolls back, the store recovers', () =>
  withSqlite(async (h) => {
    const store = h.current();
    const fx = new Fixture(store);
    const a = await fx.user('alice');
    const pages = store.writerPragma('page_count') as { page_count: number }[];
    store.writerPragma(`max_page_count = ${pages[0]!.page_count}`);
    const big = fx.envelope('NOTICE', 'alice', ['x'.repeat(200_000)]);
    await assert.rejects(
      store.transaction(async (tx) => {
        await tx.createSession({
          nick: 'ghost',
          nickFolded: 'ghost' as never,
          user: '~g',
          passwordHash: null,
          modes: '',
          createdAt: 1,
        });
        await tx.appendEvent(big, { kind: 'session', sessionId: a.session.id });
      }),
      { name: 'StoreUnavailable' },
    );
    assert.equal(await store.getSessionByNick('ghost' as never), null);
    store.writerPragma('max_page_count = 1073741823');
    const e = await fx.append(big, { kind: 'session', sessionId: a.session.id });
    assert.deepEqual(
      (await fx.read(a, null)).entries.map((x) => x.seq),
      [e.seq],
    );
  }));

void test('openStore: file: paths relative to the cwd, parent folders created, other schemes refused', async () => {
  const dir = tempDir();
  const cwd = process.cwd();
  try {
    process.chdir(dir);
    for (const url of ['file:./data/a.db', 'file:data/b.db', `file:${dir}/abs/c.db`]) {
      const store = await openStore({ url, synchronous: 'full' });
      await store.transaction(async (tx) =>
        tx.createChannel({ name: '#x', nameFolded: '#x' as never, modes: '', createdAt: 1 }),
      );
      await store.close();
    }
    assert.ok(fs.existsSync(path.join(dir, 'data/a.db')));
    assert.ok(fs.existsSync(path.join(dir, 'data/b.db')));
    assert.ok(fs.existsSync(path.join(dir, 'abs/c.db')));
    await assert.rejects(openStore({ url: 'mysql://x' }), /DBURL/);
    await assert.rejects(openStore({ url: 'file:' }), /DBURL/);
  } finally {
    process.chdir(cwd);
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

void test('sqlite: two stores on one file prune at once and both see the result', async () => {
  const h = await makeSqlite();
  const other = SqliteStore.open(h.path);
  try {
    const fx = new Fixture(h.current());
    const a = await fx.user('alice');
    for (let i = 0; i < 50; i++) await fx.toClient(a.client.id, `r${i}`);
    const opts = { now: fx.now + 10, queueMaxAgeMs: 0, maxHistory: 10, txnMaxAgeMs: 0 };
    const [r1, r2] = await Promise.all([h.current().prune(opts), other.prune(opts)]);
    assert.equal(r1.queueRowsDeleted + r2.queueRowsDeleted, 50);
    assert.deepEqual((await fx.read(a, null)).entries, []);
    const next = await other.transaction((tx) =>
      tx.appendEvent(fx.envelope('NOTICE', 'a', ['x']), { kind: 'client', clientId: a.client.id }),
    );
    assert.deepEqual(
      (await fx.read(a, null)).entries.map((e) => e.seq),
      [next.seq],
    );
  } finally {
    await other.close();
    await h.cleanup();
  }
});
