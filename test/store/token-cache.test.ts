// SqliteStore answers getClientByTokenHash from committed rows kept in memory
// (src/store/sqlite/token-cache.ts). A revoked token must never be found once the revoking
// transaction committed: each way a clients row can change or go is tried here, also with a
// lookup racing the open transaction, a rollback, and a commit by another connection (seen within
// EXTERNAL_CHECK_MS).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { EXTERNAL_CHECK_MS } from '../../src/store/sqlite/token-cache.js';
import { Fixture } from './contract-helpers.js';

async function withStore(body: (store: SqliteStore, fx: Fixture, file: string) => Promise<void>) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chat-token-cache-'));
  const file = path.join(dir, 'chat.db');
  const store = SqliteStore.open(file);
  try {
    await body(store, new Fixture(store), file);
  } finally {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** the fixture's token hash of its n-th client (Fixture.client names them token-<id>) */
async function cachedUser(store: SqliteStore, fx: Fixture, nick: string) {
  const { session, client } = await fx.user(nick);
  const hash = `token-${fxIds(fx)}`;
  // looked up twice: the second comes from memory
  assert.equal((await store.getClientByTokenHash(hash))?.id, client.id);
  assert.equal((await store.getClientByTokenHash(hash))?.id, client.id);
  return { session, client, hash };
}

const fxIds = (fx: Fixture) => (fx as unknown as { ids: number }).ids;

void test('token cache: a deleted client is not found after the commit', () =>
  withStore(async (store, fx) => {
    const { client, hash } = await cachedUser(store, fx, 'alice');
    await store.transaction((tx) => tx.deleteClient(client.id));
    assert.equal(await store.getClientByTokenHash(hash), null);
  }));

void test('token cache: a new token replaces the old one at the commit', () =>
  withStore(async (store, fx) => {
    const { client, hash } = await cachedUser(store, fx, 'bob');
    await store.transaction((tx) => tx.setClientToken(client.id, 'rotated'));
    assert.equal(await store.getClientByTokenHash(hash), null);
    assert.equal((await store.getClientByTokenHash('rotated'))?.id, client.id);
  }));

void test('token cache: a deleted session takes its clients’ tokens with it', () =>
  withStore(async (store, fx) => {
    const { session, hash } = await cachedUser(store, fx, 'carol');
    await store.transaction((tx) => tx.deleteSession(session.id, 0));
    assert.equal(await store.getClientByTokenHash(hash), null);
  }));

void test('token cache: a lookup while the revoking transaction is open cannot put the old row back', () =>
  withStore(async (store, fx) => {
    const { client, hash } = await cachedUser(store, fx, 'dave');
    const lookups: (number | null)[] = [];
    await store.transaction(async (tx) => {
      await tx.deleteClient(client.id);
      // not committed yet: the reader still sees the row, as it must
      lookups.push((await store.getClientByTokenHash(hash))?.id ?? null);
      await new Promise((r) => setImmediate(r));
      lookups.push((await store.getClientByTokenHash(hash))?.id ?? null);
    });
    assert.deepEqual(lookups, [client.id, client.id]);
    assert.equal(await store.getClientByTokenHash(hash), null);
  }));

void test('token cache: a rolled back revocation leaves the token valid', () =>
  withStore(async (store, fx) => {
    const { client, hash } = await cachedUser(store, fx, 'erin');
    await assert.rejects(
      store.transaction(async (tx) => {
        await tx.deleteClient(client.id);
        throw new Error('changed my mind');
      }),
      /changed my mind/,
    );
    assert.equal((await store.getClientByTokenHash(hash))?.id, client.id);
  }));

void test('token cache: last_seen and cursor changes are seen after the commit', () =>
  withStore(async (store, fx) => {
    const { client, hash } = await cachedUser(store, fx, 'fay');
    await store.transaction((tx) => tx.touchClient(client.id, client.lastSeen + 5000));
    assert.equal((await store.getClientByTokenHash(hash))?.lastSeen, client.lastSeen + 5000);
  }));

void test('token cache: a commit by another connection empties it', () =>
  withStore(async (store, fx, file) => {
    const { client, hash } = await cachedUser(store, fx, 'gus');
    const other = new Database(file);
    try {
      other.prepare('DELETE FROM clients WHERE id = ?').run(client.id);
    } finally {
      other.close();
    }
    // seen at the next check of data_version, at most EXTERNAL_CHECK_MS later
    const until = Date.now() + 10_000;
    while ((await store.getClientByTokenHash(hash)) !== null) {
      assert.ok(Date.now() < until, 'the other connection’s delete was never seen');
      await new Promise((r) => setTimeout(r, EXTERNAL_CHECK_MS / 4));
    }
  }));

void test('token cache: a returned row is a copy', () =>
  withStore(async (store, fx) => {
    const { client, hash } = await cachedUser(store, fx, 'hal');
    const row = await store.getClientByTokenHash(hash);
    row!.sessionId = -1;
    assert.equal((await store.getClientByTokenHash(hash))?.sessionId, client.sessionId);
  }));
