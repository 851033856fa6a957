// Contract: prune() — queue age floor, history rotation, purge of removed channels, txns.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HOUR, MESSAGES, seqs, texts, type MakeStore } from './contract-helpers.js';
import { withFixture } from './contract-entities.js';

const KEEP_ALL = { queueMaxAgeMs: 1000 * HOUR, maxHistory: 1_000_000, txnMaxAgeMs: 1000 * HOUR };
const ZERO = { queueRowsDeleted: 0, historyRowsDeleted: 0, channelsPurged: 0, txnsDeleted: 0 };

export function registerRetentionTests(make: MakeStore): void {
  void test('prune: queue age floor drops old session/client rows and reports a gap', () =>
    withFixture(make, async (fx) => {
      const { store } = fx;
      const a = await fx.user('alice');
      const ch = await fx.channel('#x');
      await fx.join(a.session.id, ch);
      const old = [
        (await fx.toSession(a.session.id, 'old1')).seq,
        (await fx.toClient(a.client.id, 'old2')).seq,
      ];
      const oldMsg = await fx.say(ch, 'old channel message');
      fx.now += 48 * HOUR;
      const young = [
        (await fx.toSession(a.session.id, 'new1')).seq,
        (await fx.say(ch, 'new2')).seq,
      ];
      const late = { session: a.session, client: await fx.client(a.session.id) };
      const result = await store.prune({ ...KEEP_ALL, now: fx.now, queueMaxAgeMs: 24 * HOUR });
      assert.equal(result.queueRowsDeleted, 2);
      const behind = await fx.read(a, old[0]! - 1);
      assert.equal(behind.gap, true);
      assert.deepEqual(seqs(behind), young);
      const fromOldest = await fx.read(a, null);
      assert.equal(fromOldest.gap, false);
      assert.deepEqual(seqs(fromOldest), young);
      // at or above the floor: no gap
      assert.equal((await fx.read(a, oldMsg.seq)).gap, false);
      // a client created after the floor was never owed the dropped rows
      assert.equal((await fx.read(late, 0)).gap, false);
      // channel messages are history: kept, only rotated
      const history = await store.readHistory(
        { kind: 'channel', channelId: ch.id },
        null,
        10,
        MESSAGES,
      );
      assert.deepEqual(texts(history), ['old channel message', 'new2']);
      assert.deepEqual(
        await store.prune({ ...KEEP_ALL, now: fx.now, queueMaxAgeMs: 24 * HOUR }),
        ZERO,
      );
    }));

  void test('prune: rotation keeps exactly maxHistory messages and reports a gap to lagging readers', () =>
    withFixture(make, async (fx) => {
      const { store } = fx;
      const a = await fx.user('alice');
      const b = await fx.user('bob');
      const ch = await fx.channel('#x');
      const ja = await fx.join(a.session.id, ch);
      for (let i = 1; i <= 6; i++) await fx.say(ch, `m${i}`, i % 2 ? 'PRIVMSG' : 'NOTICE');
      const jb = await fx.join(b.session.id, ch);
      const kept: number[] = [];
      for (let i = 7; i <= 9; i++) kept.push((await fx.say(ch, `m${i}`)).seq);
      await store.prune({ ...KEEP_ALL, now: fx.now, maxHistory: 4 }); // nothing aged, 9 > 4
      const history = await store.readHistory(
        { kind: 'channel', channelId: ch.id },
        null,
        100,
        MESSAGES,
      );
      assert.deepEqual(texts(history), ['m6', 'm7', 'm8', 'm9']);
      assert.equal(history.hasMore, false);
      const lagging = await fx.read(a, ja.seq);
      assert.equal(lagging.gap, true);
      assert.deepEqual(texts(lagging), ['m6', '', 'm7', 'm8', 'm9']);
      // bob joined after the rotated part: he lost nothing
      const bob = await fx.read(b, null);
      assert.equal(bob.gap, false);
      assert.deepEqual(seqs(bob), [jb.seq, ...kept]);
      assert.equal((await fx.read(a, jb.seq)).gap, false);
      assert.deepEqual(await store.prune({ ...KEEP_ALL, now: fx.now, maxHistory: 4 }), ZERO);
      await fx.say(ch, 'm10');
      const again = await store.prune({ ...KEEP_ALL, now: fx.now, maxHistory: 4 });
      assert.equal(again.historyRowsDeleted, 2); // m6 and bob's JOIN before m7
      const h2 = await store.readHistory(
        { kind: 'channel', channelId: ch.id },
        null,
        100,
        MESSAGES,
      );
      assert.deepEqual(texts(h2), ['m7', 'm8', 'm9', 'm10']);
    }));

  void test('prune: DM history is rotated per pair', () =>
    withFixture(make, async (fx) => {
      const { store } = fx;
      const a = await fx.user('alice');
      const b = await fx.user('bob');
      for (let i = 1; i <= 5; i++)
        await fx.dm(i % 2 ? a.session : b.session, i % 2 ? b.session : a.session, `d${i}`);
      const result = await store.prune({ ...KEEP_ALL, now: fx.now, maxHistory: 3 });
      assert.equal(result.historyRowsDeleted, 2);
      const pair = `${Math.min(a.session.id, b.session.id)}:${Math.max(a.session.id, b.session.id)}`;
      const h = await store.readHistory({ kind: 'dm', dmPair: pair }, null, 10, MESSAGES);
      assert.deepEqual(texts(h), ['d3', 'd4', 'd5']);
      assert.equal((await fx.read(b, 0)).gap, true);
      assert.deepEqual(await store.prune({ ...KEEP_ALL, now: fx.now, maxHistory: 3 }), ZERO);
    }));

  void test('prune: a removed channel is purged only after queueMaxAge', () =>
    withFixture(make, async (fx) => {
      const { store } = fx;
      const a = await fx.user('alice');
      const ch = await fx.channel('#x');
      const join = await fx.join(a.session.id, ch);
      const msg = await fx.say(ch, 'last words');
      const part = await fx.part(a.session.id, ch);
      await store.transaction((tx) => tx.removeChannel(ch.id, fx.now));
      const removedAt = fx.now;
      const opts = { ...KEEP_ALL, queueMaxAgeMs: 10 * HOUR };
      let r = await store.prune({ ...opts, now: removedAt + 1 });
      assert.equal(r.channelsPurged, 0);
      // the lagging client still reads up to its PART
      assert.deepEqual(seqs(await fx.read(a, null)), [join.seq, msg.seq, part.seq]);
      r = await store.prune({ ...opts, now: removedAt + 10 * HOUR + 1 });
      assert.equal(r.channelsPurged, 1);
      assert.equal(r.historyRowsDeleted, 3);
      assert.deepEqual(seqs(await fx.read(a, null)), []);
      const history = await store.readHistory(
        { kind: 'channel', channelId: ch.id },
        null,
        10,
        MESSAGES,
      );
      assert.deepEqual(history.messages, []);
      assert.deepEqual(await store.prune({ ...opts, now: removedAt + 10 * HOUR + 1 }), ZERO);
      // the name was free all along; a new channel starts empty
      const again = await fx.channel('#x');
      const h2 = await store.readHistory(
        { kind: 'channel', channelId: again.id },
        null,
        10,
        MESSAGES,
      );
      assert.deepEqual(h2.messages, []);
    }));

  void test('prune: old txns go, young ones stay; concurrent prunes agree', () =>
    withFixture(make, async (fx) => {
      const { store } = fx;
      const a = await fx.user('alice');
      const value = { refused: false, response: null };
      await store.transaction((tx) => tx.saveTxn(a.client.id, 'old', value, fx.now));
      await store.transaction((tx) => tx.saveTxn(a.client.id, 'new', value, fx.now + HOUR));
      for (let i = 0; i < 5; i++) await fx.toClient(a.client.id, `r${i}`);
      const opts = {
        ...KEEP_ALL,
        now: fx.now + 2 * HOUR,
        queueMaxAgeMs: HOUR,
        txnMaxAgeMs: HOUR + HOUR / 2,
      };
      const [r1, r2] = await Promise.all([store.prune(opts), store.prune(opts)]);
      assert.equal(r1.txnsDeleted + r2.txnsDeleted, 1);
      assert.equal(r1.queueRowsDeleted + r2.queueRowsDeleted, 5);
      assert.equal(await store.getTxn(a.client.id, 'old'), null);
      assert.deepEqual(await store.getTxn(a.client.id, 'new'), value);
    }));
}
