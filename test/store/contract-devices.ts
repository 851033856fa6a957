// Contract: device clients (docs/sessions.md#named-devices) — a name unique within a session, found
// again by it, a token that can be replaced, a server-kept cursor that only moves forward, and
// their own idle bound.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HOUR, isConflict, type MakeStore } from './contract-helpers.js';
import { withFixture } from './contract-entities.js';

export function registerDeviceTests(make: MakeStore): void {
  void test('device clients: created with a name and a cursor at startSeq, found by name', () =>
    withFixture(make, async (fx) => {
      const { store } = fx;
      const a = await fx.user('alice');
      const b = await fx.user('bob');
      await fx.toSession(a.session.id, 'x');
      const latest = await store.latestSeq();
      const phone = await store.transaction((tx) =>
        tx.createClient({
          sessionId: a.session.id,
          tokenHash: 't-phone',
          createdAt: fx.now,
          device: 'phone',
        }),
      );
      assert.equal(phone.device, 'phone');
      assert.equal(phone.startSeq, latest);
      assert.equal(phone.cursor, latest);
      assert.deepEqual(await store.getClient(phone.id), phone);
      assert.deepEqual(await store.getClientByDevice(a.session.id, 'phone'), phone);
      assert.equal(await store.getClientByDevice(a.session.id, 'PHONE'), null);
      assert.equal(await store.getClientByDevice(b.session.id, 'phone'), null);
      assert.equal(a.client.device, null);
      assert.equal(a.client.cursor, null);
      assert.equal((await store.getClient(a.client.id))?.cursor, null);
      // one per name and session; the same name in another session is another device
      await assert.rejects(
        store.transaction((tx) =>
          tx.createClient({
            sessionId: a.session.id,
            tokenHash: 't-2',
            createdAt: fx.now,
            device: 'phone',
          }),
        ),
        isConflict('device'),
      );
      const other = await store.transaction((tx) =>
        tx.createClient({
          sessionId: b.session.id,
          tokenHash: 't-3',
          createdAt: fx.now,
          device: 'phone',
        }),
      );
      assert.notEqual(other.id, phone.id);
      // clients without a name are as many as one likes
      await fx.client(a.session.id);
      await fx.client(a.session.id);
      assert.equal((await store.listClients(a.session.id)).length, 4);
    }));

  void test('device clients: the token is replaced; the cursor only moves forward', () =>
    withFixture(make, async (fx) => {
      const { store } = fx;
      const a = await fx.user('alice');
      const phone = await store.transaction((tx) =>
        tx.createClient({
          sessionId: a.session.id,
          tokenHash: 'old',
          createdAt: fx.now,
          device: 'p',
        }),
      );
      await store.transaction((tx) => tx.setClientToken(phone.id, 'new'));
      assert.equal(await store.getClientByTokenHash('old'), null);
      assert.equal((await store.getClientByTokenHash('new'))?.id, phone.id);
      const at = async () => (await store.getClient(phone.id))?.cursor;
      await store.transaction((tx) => tx.advanceClientCursor(phone.id, 10));
      assert.equal(await at(), 10);
      await store.transaction((tx) => tx.advanceClientCursor(phone.id, 4));
      assert.equal(await at(), 10);
      await store.transaction((tx) => tx.advanceClientCursor(phone.id, 11));
      assert.equal(await at(), 11);
      // a client without a name keeps no cursor
      await store.transaction((tx) => tx.advanceClientCursor(a.client.id, 50));
      assert.equal((await store.getClient(a.client.id))?.cursor, null);
      // a transaction that rolls back leaves the cursor as it was
      await assert.rejects(
        store.transaction(async (tx) => {
          await tx.advanceClientCursor(phone.id, 99);
          throw new Error('undo');
        }),
        /undo/,
      );
      assert.equal(await at(), 11);
    }));

  void test('idle clients: device clients by their own, later bound', () =>
    withFixture(make, async (fx) => {
      const { store } = fx;
      const a = await fx.user('alice');
      const t = fx.now;
      const phone = await store.transaction((tx) =>
        tx.createClient({ sessionId: a.session.id, tokenHash: 'p', createdAt: t, device: 'phone' }),
      );
      const ids = async (before: number, deviceBefore: number) =>
        (await store.listIdleClients(before, deviceBefore)).map((c) => c.id);
      assert.deepEqual(await ids(t + HOUR, t), [a.client.id]);
      assert.deepEqual(await ids(t + HOUR, t + HOUR), [a.client.id, phone.id]);
      assert.deepEqual(await ids(t, t + HOUR), [phone.id]);
      assert.deepEqual(await ids(t, t), []);
    }));
}
