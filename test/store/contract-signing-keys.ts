// Contract: a session's signing key (PUBKEY, docs/signing.md) is stored, replaced, cleared and read back
// everywhere a session row comes from (by id, by nick, with the members of a channel); accepted
// message signatures are spent once, with the command's transaction, until they expire.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fold } from '../../src/model/casefold.js';
import { isConflict, type MakeStore } from './contract-helpers.js';
import { withFixture } from './contract-entities.js';

const KEY_1 = Buffer.alloc(32, 1).toString('base64');
const KEY_2 = Buffer.alloc(32, 2).toString('base64');

export function registerSigningKeyTests(make: MakeStore): void {
  void test('sessions: pubkey starts null, is set and replaced by updateSession, read everywhere', () =>
    withFixture(make, async (fx) => {
      const { store } = fx;
      const a = await fx.user('alice');
      const b = await fx.user('bob');
      assert.equal(a.session.pubkey, null, 'createSession answers pubkey: null');
      assert.equal((await store.getSession(a.session.id))?.pubkey, null);
      await store.transaction((tx) => tx.updateSession(a.session.id, { pubkey: KEY_1 }));
      assert.equal((await store.getSession(a.session.id))?.pubkey, KEY_1);
      assert.equal((await store.getSessionByNick(fold('ALICE')))?.pubkey, KEY_1);
      assert.equal((await store.getSession(b.session.id))?.pubkey, null, 'only that session');
      const x = await fx.channel('#x');
      await fx.join(a.session.id, x);
      await fx.join(b.session.id, x);
      assert.deepEqual(
        (await store.listMembers(x.id)).map((m) => [m.session.nick, m.session.pubkey]),
        [
          ['alice', KEY_1],
          ['bob', null],
        ],
      );
      // another field's patch leaves the key alone; a new key replaces it; null clears it
      await store.transaction((tx) => tx.updateSession(a.session.id, { away: 'out' }));
      assert.equal((await store.getSession(a.session.id))?.pubkey, KEY_1);
      await store.transaction((tx) => tx.updateSession(a.session.id, { pubkey: KEY_2 }));
      assert.equal((await store.getSession(a.session.id))?.pubkey, KEY_2);
      await assert.rejects(
        store.transaction(async (tx) => {
          await tx.updateSession(a.session.id, { pubkey: KEY_1 });
          throw new Error('roll back');
        }),
        /roll back/,
      );
      assert.equal((await store.getSession(a.session.id))?.pubkey, KEY_2, 'rolled back');
      await store.transaction((tx) => tx.updateSession(a.session.id, { pubkey: null }));
      assert.equal((await store.getSession(a.session.id))?.pubkey, null);
    }));

  void test('spent signatures: once only, rolled back with their transaction, pruned after expiry', () =>
    withFixture(make, async (fx) => {
      const { store } = fx;
      const a = await fx.user('alice');
      const digest = 'ab'.repeat(32);
      const keep = { queueMaxAgeMs: 1e9, maxHistory: 1e6, txnMaxAgeMs: 1e9 };
      // spent in a transaction that fails: not spent (the record belongs to its message)
      await assert.rejects(
        store.transaction(async (tx) => {
          await tx.spendSignature(digest, fx.now + 1000);
          throw new Error('roll back');
        }),
        /roll back/,
      );
      await store.transaction((tx) => tx.spendSignature(digest, fx.now + 1000));
      await assert.rejects(
        store.transaction((tx) => tx.spendSignature(digest, fx.now + 1000)),
        isConflict('signature'),
      );
      // a conflict inside a transaction rolls back what that transaction wrote before it
      await assert.rejects(
        store.transaction(async (tx) => {
          await tx.updateSession(a.session.id, { pubkey: KEY_1 });
          await tx.spendSignature(digest, fx.now + 5000);
        }),
        isConflict('signature'),
      );
      assert.equal((await store.getSession(a.session.id))?.pubkey, null, 'rolled back');
      await store.transaction((tx) => tx.spendSignature('cd'.repeat(32), fx.now + 1000));
      await store.prune({ ...keep, now: fx.now + 500 });
      await assert.rejects(
        store.transaction((tx) => tx.spendSignature(digest, fx.now + 1000)),
        isConflict('signature'),
        'not yet expired',
      );
      await store.prune({ ...keep, now: fx.now + 2000 });
      await store.transaction((tx) => tx.spendSignature(digest, fx.now + 3000));
      await store.transaction((tx) => tx.spendSignature('cd'.repeat(32), fx.now + 3000));
    }));
}
