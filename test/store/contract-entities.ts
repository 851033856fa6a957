// Contract: sessions, clients, channels, memberships, txns, counts, transactions.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fold } from '../../src/model/casefold.js';
import { Fixture, isConflict, type MakeStore, type StoreHandle } from './contract-helpers.js';

export async function withFixture(
  make: MakeStore,
  body: (fx: Fixture, h: StoreHandle) => Promise<void>,
): Promise<void> {
  const h = await make();
  try {
    await body(new Fixture(h.store), h);
  } finally {
    await h.cleanup();
  }
}

export function registerEntityTests(make: MakeStore): void {
  void test('sessions: create, read by id and folded nick, update, conflicts', () =>
    withFixture(make, async (fx) => {
      const { store } = fx;
      const a = await fx.session('Alice[1]', { modes: 'i' });
      assert.equal(a.lastSeen, a.createdAt);
      assert.equal(a.lastMessageAt, a.createdAt);
      assert.deepEqual(await store.getSession(a.id), a);
      assert.deepEqual(await store.getSessionByNick(fold('ALICE{1}')), a);
      await assert.rejects(fx.session('alice{1}'), isConflict('nick'));
      const b = await fx.session('bob');
      await assert.rejects(
        store.transaction((tx) =>
          tx.updateSession(b.id, { nick: 'ALICE[1]', nickFolded: fold('ALICE[1]') }),
        ),
        isConflict('nick'),
      );
      await store.transaction((tx) =>
        tx.updateSession(b.id, {
          nick: 'Bobby',
          nickFolded: fold('Bobby'),
          away: 'gone',
          modes: 'iw',
        }),
      );
      const b2 = await store.getSessionByNick(fold('bobby'));
      assert.equal(b2?.nick, 'Bobby');
      assert.equal(b2?.away, 'gone');
      assert.equal(b2?.modes, 'iw');
      assert.equal(await store.getSessionByNick(fold('bob')), null);
      await store.transaction((tx) => tx.updateSession(b.id, { away: null, passwordHash: 'h' }));
      const b3 = await store.getSession(b.id);
      assert.equal(b3?.away, null);
      assert.equal(b3?.passwordHash, 'h');
      assert.deepEqual(
        (await store.listSessions()).map((s) => s.nick),
        ['Alice[1]', 'Bobby'],
      );
    }));

  void test('clients: start at the latest seq, touch, list, idle, delete with the session', () =>
    withFixture(make, async (fx) => {
      const { store } = fx;
      const a = await fx.user('alice');
      await fx.toSession(a.session.id, 'x');
      const latest = await store.latestSeq();
      assert.ok(latest > 0);
      const c2 = await fx.client(a.session.id);
      assert.equal(c2.startSeq, latest);
      assert.equal(c2.lastSeen, c2.createdAt);
      assert.deepEqual(await store.getClientByTokenHash('nope'), null);
      assert.deepEqual(
        (await store.listClients(a.session.id)).map((c) => c.id),
        [a.client.id, c2.id],
      );
      await store.transaction((tx) => tx.touchClient(c2.id, fx.now + 5000));
      assert.equal((await store.getClient(c2.id))?.lastSeen, fx.now + 5000);
      assert.equal((await store.getSession(a.session.id))?.lastSeen, fx.now + 5000);
      const idle = await store.listIdleClients(fx.now + 1000, fx.now + 1000);
      assert.deepEqual(
        idle.map((c) => c.id),
        [a.client.id],
      );
      await store.transaction((tx) => tx.deleteClient(a.client.id));
      assert.equal(await store.getClient(a.client.id), null);
      await store.transaction((tx) => tx.deleteSession(a.session.id, latest));
      assert.equal(await store.getSession(a.session.id), null);
      assert.equal(await store.getClient(c2.id), null);
      assert.deepEqual(await store.listClients(a.session.id), []);
    }));

  void test('channels: folded names, patch, removal frees the name', () =>
    withFixture(make, async (fx) => {
      const { store } = fx;
      const c = await fx.channel('#Chat[x]');
      assert.deepEqual(await store.getChannelByName(fold('#chat{X}')), c);
      await assert.rejects(fx.channel('#CHAT{x}'), isConflict('channel'));
      await store.transaction((tx) =>
        tx.updateChannel(c.id, {
          topic: 'hello',
          topicSetBy: 'alice',
          topicSetAt: 7,
          key: 'k',
          limit: 5,
        }),
      );
      let row = await store.getChannel(c.id);
      assert.equal(row?.topic, 'hello');
      assert.equal(row?.topicSetBy, 'alice');
      assert.equal(row?.topicSetAt, 7);
      assert.equal(row?.key, 'k');
      assert.equal(row?.limit, 5);
      await store.transaction((tx) =>
        tx.updateChannel(c.id, { key: null, limit: null, modes: 'ntm' }),
      );
      row = await store.getChannel(c.id);
      assert.equal(row?.key, null);
      assert.equal(row?.limit, null);
      assert.equal(row?.modes, 'ntm');
      await store.transaction((tx) => tx.removeChannel(c.id, fx.now));
      assert.equal(await store.getChannelByName(fold('#chat[x]')), null);
      assert.deepEqual(await store.listChannels(), []);
      const again = await fx.channel('#chat[x]');
      assert.notEqual(again.id, c.id);
      assert.equal((await store.getChannelByName(fold('#CHAT[X]')))?.id, again.id);
    }));

  void test('memberships: members, counts, peers, modes, close, deleteSession', () =>
    withFixture(make, async (fx) => {
      const { store } = fx;
      const [a, b, c] = [await fx.user('alice'), await fx.user('bob'), await fx.user('carol')];
      const x = await fx.channel('#x');
      const y = await fx.channel('#b-y');
      const ja = await fx.join(a.session.id, x, 'o');
      await fx.join(b.session.id, x);
      await fx.join(a.session.id, y);
      await fx.join(c.session.id, y);
      assert.deepEqual(await store.getMembership(a.session.id, x.id), {
        sessionId: a.session.id,
        channelId: x.id,
        joinedSeq: ja.seq,
        modes: 'o',
      });
      const members = await store.listMembers(x.id);
      assert.deepEqual(
        members.map((m) => m.session.nick),
        ['alice', 'bob'],
      );
      assert.equal(await store.countMembers(x.id), 2);
      const list = await store.listChannels();
      assert.deepEqual(
        list.map((l) => [l.name, l.memberCount]),
        [
          ['#b-y', 2],
          ['#x', 2],
        ],
      );
      const mine = await store.listSessionChannels(a.session.id);
      assert.deepEqual(
        mine.map((m) => m.channel.name),
        ['#b-y', '#x'],
      );
      assert.deepEqual(
        await store.listChannelPeers(a.session.id),
        [b.session.id, c.session.id].sort((p, q) => p - q),
      );
      await store.transaction((tx) => tx.setMemberModes(b.session.id, x.id, 'v'));
      assert.equal((await store.getMembership(b.session.id, x.id))?.modes, 'v');
      await fx.part(b.session.id, x);
      assert.equal(await store.getMembership(b.session.id, x.id), null);
      assert.equal(await store.countMembers(x.id), 1);
      assert.deepEqual(await store.listChannelPeers(b.session.id), []);
      await store.transaction((tx) => tx.deleteSession(c.session.id, fx.now));
      assert.equal(await store.countMembers(y.id), 1);
      assert.deepEqual(await store.listChannelPeers(a.session.id), []);
    }));

  void test('txns: save, get, conflict, gone with the client', () =>
    withFixture(make, async (fx) => {
      const { store } = fx;
      const a = await fx.user('alice');
      const value = { refused: false, response: { id: 'x', seq: 3, replies: [] } };
      await store.transaction((tx) => tx.saveTxn(a.client.id, 't1', value, fx.now));
      assert.deepEqual(await store.getTxn(a.client.id, 't1'), value);
      assert.equal(await store.getTxn(a.client.id, 't2'), null);
      await assert.rejects(
        store.transaction((tx) => tx.saveTxn(a.client.id, 't1', value, fx.now)),
        isConflict('txn'),
      );
      await store.transaction((tx) => tx.deleteClient(a.client.id));
      assert.equal(await store.getTxn(a.client.id, 't1'), null);
    }));

  void test('spent stamps: once only, forgotten after they expire', () =>
    withFixture(make, async (fx) => {
      const { store } = fx;
      const stamp = '1:20:261129:chat::abc:1';
      await store.transaction((tx) => tx.spendStamp(stamp, fx.now + 1000));
      await assert.rejects(
        store.transaction((tx) => tx.spendStamp(stamp, fx.now + 1000)),
        isConflict('stamp'),
      );
      const keep = { queueMaxAgeMs: 1e9, maxHistory: 1e6, txnMaxAgeMs: 1e9 };
      await store.prune({ ...keep, now: fx.now + 500 });
      await assert.rejects(
        store.transaction((tx) => tx.spendStamp(stamp, fx.now + 1000)),
        isConflict('stamp'),
        'not yet expired',
      );
      await store.prune({ ...keep, now: fx.now + 2000 });
      await store.transaction((tx) => tx.spendStamp(stamp, fx.now + 3000));
    }));

  void test('counts, orphan sessions, DM peers', () =>
    withFixture(make, async (fx) => {
      const { store } = fx;
      const a = await fx.user('alice', { modes: 'i' });
      const b = await fx.user('bob', { modes: 'io' });
      const reg = await fx.session('reg', { password: 'hash' });
      const anon = await fx.session('anon');
      await fx.channel('#x');
      assert.deepEqual(await store.counts(), {
        sessions: 4,
        invisible: 2,
        clients: 2,
        channels: 1,
        opers: 1,
      });
      const orphans = async (before: number) =>
        (await store.listOrphanSessions(before)).map((s) => s.nick).sort();
      assert.deepEqual(await orphans(fx.now), ['anon']);
      assert.deepEqual(await orphans(fx.now + 1), ['anon', 'reg']);
      await fx.dm(a.session, b.session, 'hi');
      await fx.dm(reg, a.session, 'yo');
      await fx.dm(a.session, anon, 'hey');
      await store.transaction((tx) => tx.deleteSession(anon.id, fx.now));
      assert.deepEqual(await store.listDmPeers(a.session.id, 500), ['bob', 'reg']);
      assert.deepEqual(await store.listDmPeers(b.session.id, 500), ['alice']);
      // only the pairs with the most recent DMs: anon (gone) and reg, not bob
      assert.deepEqual(await store.listDmPeers(a.session.id, 2), ['reg']);
    }));

  void test('transactions: rollback leaves nothing; readers never see uncommitted rows', () =>
    withFixture(make, async (fx) => {
      const { store } = fx;
      const a = await fx.user('alice');
      const before = await store.latestSeq();
      await assert.rejects(
        store.transaction(async (tx) => {
          await tx.createSession({
            nick: 'ghost',
            nickFolded: fold('ghost'),
            user: '~ghost',
            passwordHash: null,
            modes: '',
            createdAt: 1,
          });
          const e = await tx.appendEvent(fx.envelope('NOTICE', 'alice', ['boo']), {
            kind: 'session',
            sessionId: a.session.id,
          });
          // inside: the transaction sees its own writes; the store (other readers) does not
          assert.ok(await tx.getSessionByNick(fold('ghost')));
          assert.equal(
            (
              await tx.readQueue({
                clientId: a.client.id,
                sessionId: a.session.id,
                after: null,
                limit: 10,
                maxEntries: 100,
              })
            ).entries.length,
            1,
          );
          assert.equal(await store.getSessionByNick(fold('ghost')), null);
          assert.deepEqual((await fx.read(a, null)).entries, []);
          assert.equal(await store.latestSeq(), before);
          assert.equal(await tx.latestSeq(), e.seq);
          throw new Error('abort');
        }),
        /abort/,
      );
      assert.equal(await store.getSessionByNick(fold('ghost')), null);
      assert.deepEqual((await fx.read(a, null)).entries, []);
      const e = await fx.toSession(a.session.id, 'kept');
      assert.deepEqual(
        (await fx.read(a, null)).entries.map((x) => x.seq),
        [e.seq],
      );
    }));

  void test('transactions run one at a time and return their value', () =>
    withFixture(make, async (fx) => {
      const { store } = fx;
      const a = await fx.user('alice');
      const order: string[] = [];
      const run = (name: string) =>
        store.transaction(async (tx) => {
          order.push(`${name}:start`);
          await new Promise((r) => setTimeout(r, 5));
          await tx.appendEvent(fx.envelope('NOTICE', 'a', [name]), {
            kind: 'session',
            sessionId: a.session.id,
          });
          await new Promise((r) => setTimeout(r, 5));
          order.push(`${name}:end`);
          return name;
        });
      assert.deepEqual(await Promise.all([run('one'), run('two'), run('three')]), [
        'one',
        'two',
        'three',
      ]);
      assert.deepEqual(order, [
        'one:start',
        'one:end',
        'two:start',
        'two:end',
        'three:start',
        'three:end',
      ]);
      assert.equal((await fx.read(a, null)).entries.length, 3);
    }));

  void test('canWrite; a failing write is StoreUnavailable and the store recovers', async (t) => {
    const h = await make();
    try {
      const fx = new Fixture(h.store);
      const a = await fx.user('alice');
      assert.equal(await h.store.canWrite(), true);
      if (!h.breakWrites || !h.repairWrites) return t.skip('no fault hooks for this store');
      await h.breakWrites();
      await assert.rejects(fx.toSession(a.session.id, 'x'), { name: 'StoreUnavailable' });
      await assert.rejects(fx.session('bob'), { name: 'StoreUnavailable' });
      assert.equal(await h.store.canWrite(), false);
      assert.ok(await h.store.getSession(a.session.id), 'reads still work');
      await h.repairWrites();
      assert.equal(await h.store.canWrite(), true);
      const e = await fx.toSession(a.session.id, 'after');
      assert.deepEqual(
        (await fx.read(a, null)).entries.map((x) => x.seq),
        [e.seq],
      );
    } finally {
      await h.cleanup();
    }
  });
}
