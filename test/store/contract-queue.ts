// Contract: the derived queue (membership intervals, arms, order, paging, caps) and history.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Fixture, MESSAGES, seqs, texts, type MakeStore } from './contract-helpers.js';
import { withFixture } from './contract-entities.js';

export function registerQueueTests(make: MakeStore): void {
  void test('queue: channel rows exactly within membership intervals (inclusive), rejoin reopens', () =>
    withFixture(make, async (fx) => {
      const a = await fx.user('alice');
      const b = await fx.user('bob');
      const ch = await fx.channel('#x');
      await fx.join(a.session.id, ch);
      const m1 = await fx.say(ch, 'before bob');
      const jb = await fx.join(b.session.id, ch);
      const m2 = await fx.say(ch, 'with bob');
      const pb = await fx.part(b.session.id, ch);
      await fx.say(ch, 'after bob left');
      const jb2 = await fx.join(b.session.id, ch);
      const m4 = await fx.say(ch, 'bob is back');
      assert.deepEqual(seqs(await fx.read(b, null)), [jb.seq, m2.seq, pb.seq, jb2.seq, m4.seq]);
      assert.ok(seqs(await fx.read(a, null)).includes(m1.seq));
      // a cursor inside the gap between the intervals
      assert.deepEqual(seqs(await fx.read(b, pb.seq)), [jb2.seq, m4.seq]);
      assert.deepEqual(seqs(await fx.read(b, m2.seq)), [pb.seq, jb2.seq, m4.seq]);
    }));

  void test('queue: a read names the channels the session is in now (what a held poll waits on)', () =>
    withFixture(make, async (fx) => {
      const a = await fx.user('alice');
      const [x, y] = [await fx.channel('#x'), await fx.channel('#y')];
      assert.deepEqual((await fx.read(a, null)).channels, []);
      await fx.join(a.session.id, x);
      const jy = await fx.join(a.session.id, y);
      assert.deepEqual([...(await fx.read(a, null)).channels].sort(), [x.id, y.id].sort());
      const px = await fx.part(a.session.id, x);
      // #x's interval still lies after the cursor, but alice is no longer in it
      assert.deepEqual((await fx.read(a, jy.seq)).channels, [y.id]);
      assert.deepEqual((await fx.read(a, px.seq, 0)).channels, [y.id], 'also with limit 0');
    }));

  void test('queue: session, sender and client arms; a self-DM appears once', () =>
    withFixture(make, async (fx) => {
      const a = await fx.user('alice');
      const a2 = { session: a.session, client: await fx.client(a.session.id) };
      const b = await fx.user('bob');
      const dm = await fx.dm(a.session, b.session, 'hi bob');
      const self = await fx.dm(a.session, a.session, 'note to self');
      const own = await fx.toClient(a.client.id, 'only for the first device');
      const toA = await fx.toSession(a.session.id, 'for every device of alice');
      assert.deepEqual(seqs(await fx.read(a, null)), [dm.seq, self.seq, own.seq, toA.seq]);
      assert.deepEqual(seqs(await fx.read(a2, null)), [dm.seq, self.seq, toA.seq]);
      assert.deepEqual(seqs(await fx.read(b, null)), [dm.seq]);
      assert.deepEqual((await fx.read(b, null)).entries[0], { ...dm });
    }));

  void test('queue: a row listed in several channels comes once', () =>
    withFixture(make, async (fx) => {
      const a = await fx.user('alice');
      const b = await fx.user('bob');
      const [x, y, z] = [await fx.channel('#x'), await fx.channel('#y'), await fx.channel('#z')];
      for (const c of [x, y]) await fx.join(b.session.id, c);
      await fx.join(a.session.id, z);
      const nick = await fx.append(fx.envelope('NICK', 'bobby'), {
        kind: 'channel',
        channelId: x.id,
        alsoChannels: [y.id, z.id, x.id],
      });
      const quit = await fx.append(fx.envelope('QUIT', 'bye'), {
        kind: 'session',
        sessionId: b.session.id,
        alsoChannels: [x.id, y.id],
      });
      const got = seqs(await fx.read(b, null));
      assert.deepEqual(got.slice(-2), [nick.seq, quit.seq]);
      assert.equal(new Set(got).size, got.length);
      assert.deepEqual(seqs(await fx.read(a, null)).slice(-1), [nick.seq]);
    }));

  void test('queue: seq order across sources, limit, paging loses and repeats nothing', () =>
    withFixture(make, async (fx) => {
      const a = await fx.user('alice');
      const b = await fx.user('bob');
      const [x, y] = [await fx.channel('#x'), await fx.channel('#y')];
      const expected = [(await fx.join(a.session.id, x)).seq, (await fx.join(a.session.id, y)).seq];
      for (let i = 0; i < 30; i++) {
        const kind = i % 5;
        if (kind === 0) expected.push((await fx.say(x, `x${i}`)).seq);
        if (kind === 1) expected.push((await fx.say(y, `y${i}`)).seq);
        if (kind === 2) expected.push((await fx.dm(b.session, a.session, `dm${i}`)).seq);
        if (kind === 3) expected.push((await fx.toClient(a.client.id, `c${i}`)).seq);
        if (kind === 4) await fx.toClient(b.client.id, `other${i}`);
      }
      assert.deepEqual(seqs(await fx.read(a, null)), expected);
      assert.deepEqual(seqs(await fx.read(a, null, 4)), expected.slice(0, 4));
      assert.deepEqual(seqs(await fx.read(a, expected[3]!, 4)), expected.slice(4, 8));
      for (const limit of [1, 3, 7]) assert.deepEqual(await fx.readAll(a, null, limit), expected);
      assert.deepEqual(seqs(await fx.read(a, null, 0)), []);
    }));

  void test('queue: a new client starts after the newest row; unknown clients read nothing', () =>
    withFixture(make, async (fx) => {
      const a = await fx.user('alice');
      const old = await fx.toSession(a.session.id, 'old');
      const late = { session: a.session, client: await fx.client(a.session.id) };
      const fresh = await fx.toSession(a.session.id, 'new');
      assert.deepEqual(seqs(await fx.read(a, null)), [old.seq, fresh.seq]);
      assert.deepEqual(seqs(await fx.read(late, null)), [fresh.seq]);
      assert.deepEqual(seqs(await fx.read(late, 0)), [fresh.seq]);
      const gone = await fx.store.readQueue({
        clientId: 9999,
        sessionId: a.session.id,
        after: null,
        limit: 10,
        maxEntries: 10,
      });
      assert.deepEqual([gone.entries, gone.gap], [[], false]);
    }));

  void test('queue: more than maxEntries behind skips to the newest ones with a gap', () =>
    withFixture(make, async (fx) => {
      const a = await fx.user('alice');
      const ch = await fx.channel('#x');
      const all = [(await fx.join(a.session.id, ch)).seq];
      for (let i = 0; i < 20; i++) all.push((await fx.say(ch, `m${i}`)).seq);
      const capped = await fx.read(a, null, 5, 8);
      assert.equal(capped.gap, true);
      assert.deepEqual(seqs(capped), all.slice(-8, -3));
      const wide = await fx.read(a, 0, 500, 8);
      assert.equal(wide.gap, true);
      assert.deepEqual(seqs(wide), all.slice(-8));
      const within = await fx.read(a, all[all.length - 9]!, 500, 8);
      assert.equal(within.gap, false);
      assert.deepEqual(seqs(within), all.slice(-8));
      const exact = await fx.read(a, all[all.length - 9]!, 8, 8);
      assert.equal(exact.gap, false);
    }));

  void test('queue: paging through a capped backlog reports the gap once and loses nothing after it', () =>
    withFixture(make, async (fx) => {
      const a = await fx.user('alice');
      const all: number[] = [];
      for (let i = 0; i < 30; i++) all.push((await fx.toClient(a.client.id, `r${i}`)).seq);
      const pageAll = async (after: number | null) => {
        const got: number[] = [];
        const gaps: boolean[] = [];
        for (let cursor = after; ;) {
          const r = await fx.read(a, cursor, 5, 12);
          if (r.entries.length === 0) return { got, gaps };
          got.push(...seqs(r));
          gaps.push(r.gap);
          cursor = got[got.length - 1]!;
        }
      };
      const first = await pageAll(0);
      assert.deepEqual(first.got, all.slice(-12));
      assert.deepEqual(first.gaps, [true, false, false]);
      const more: number[] = [];
      for (let i = 0; i < 20; i++) more.push((await fx.toClient(a.client.id, `s${i}`)).seq);
      const second = await pageAll(all[all.length - 1]!);
      assert.deepEqual(second.got, more.slice(-12));
      assert.deepEqual(second.gaps, [true, false, false]);
      const few: number[] = [];
      for (let i = 0; i < 7; i++) few.push((await fx.toClient(a.client.id, `t${i}`)).seq);
      const third = await pageAll(more[more.length - 1]!);
      assert.deepEqual(third.got, few);
      assert.deepEqual(third.gaps, [false, false]);
    }));

  void test('history: pages backwards, oldest first, commands filter, DM pairs', () =>
    withFixture(make, async (fx) => {
      const { store } = fx;
      const a = await fx.user('alice');
      const b = await fx.user('bob');
      const c = await fx.user('carol');
      const ch = await fx.channel('#x');
      await fx.join(a.session.id, ch);
      for (let i = 1; i <= 5; i++) await fx.say(ch, `m${i}`, i === 3 ? 'NOTICE' : 'PRIVMSG');
      await fx.join(b.session.id, ch);
      const target = { kind: 'channel' as const, channelId: ch.id };
      const p1 = await store.readHistory(target, null, 2, MESSAGES);
      assert.deepEqual(texts(p1), ['m4', 'm5']);
      assert.equal(p1.hasMore, true);
      const p2 = await store.readHistory(target, p1.messages[0]!.seq, 2, MESSAGES);
      assert.deepEqual(texts(p2), ['m2', 'm3']);
      const p3 = await store.readHistory(target, p2.messages[0]!.seq, 2, MESSAGES);
      assert.deepEqual(texts(p3), ['m1']);
      assert.equal(p3.hasMore, false);
      const exact = await store.readHistory(target, null, 5, MESSAGES);
      assert.equal(exact.hasMore, false);
      assert.deepEqual(texts(await store.readHistory(target, null, 10, ['PRIVMSG'])), [
        'm1',
        'm2',
        'm4',
        'm5',
      ]);
      const withJoins = await store.readHistory(target, null, 10, ['JOIN', 'PRIVMSG', 'NOTICE']);
      assert.equal(withJoins.messages.length, 7);
      await fx.dm(a.session, b.session, 'ab1');
      await fx.dm(b.session, a.session, 'ab2');
      await fx.dm(a.session, c.session, 'ac1');
      const pair = `${Math.min(a.session.id, b.session.id)}:${Math.max(a.session.id, b.session.id)}`;
      const dms = await store.readHistory({ kind: 'dm', dmPair: pair }, null, 10, MESSAGES);
      assert.deepEqual(texts(dms), ['ab1', 'ab2']);
      assert.equal(dms.messages[0]!.seq < dms.messages[1]!.seq, true);
    }));

  void test('seq is never reused, also after deleting every row and reopening', async (t) => {
    const h = await make();
    try {
      if (!h.reopen) return t.skip('store cannot be reopened');
      const fx = new Fixture(h.store);
      const a = await fx.user('alice');
      let last = 0;
      for (let i = 0; i < 3; i++) last = (await fx.toClient(a.client.id, `r${i}`)).seq;
      const pruned = await h.store.prune({
        now: fx.now + 10,
        queueMaxAgeMs: 0,
        maxHistory: 10,
        txnMaxAgeMs: 0,
      });
      assert.equal(pruned.queueRowsDeleted, 3);
      assert.deepEqual((await fx.read(a, null)).entries, []);
      const store = await h.reopen();
      assert.equal(await store.latestSeq(), last);
      fx.store = store;
      const next = await fx.toClient(a.client.id, 'after restart');
      assert.ok(next.seq > last, `${next.seq} > ${last}`);
    } finally {
      await h.cleanup();
    }
  });
}
