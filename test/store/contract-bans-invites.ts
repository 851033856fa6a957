// Contract: channel bans and invites (docs/commands.md, INVITE): one ban per folded mask, invites per
// session and channel, and both gone with the channel (a re-created name starts clean) or, for
// invites, with the session.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fold } from '../../src/model/casefold.js';
import type { BanRow } from '../../src/store/store.js';
import type { MakeStore } from './contract-helpers.js';
import { withFixture } from './contract-entities.js';

function ban(channelId: number, mask: string, setAt: number): BanRow {
  return { channelId, mask, maskFolded: fold(mask), setBy: 'op!~op@s1.test', setAt };
}

export function registerBanInviteTests(make: MakeStore): void {
  void test('bans: add once per folded mask, list oldest first, remove; per channel', () =>
    withFixture(make, async (fx) => {
      const { store } = fx;
      const x = await fx.channel('#x');
      const y = await fx.channel('#y');
      const added = await store.transaction(async (tx) => [
        await tx.addBan(ban(x.id, '*!*@s2.test', 2)),
        await tx.addBan(ban(x.id, 'Bad[1]!*@*', 1)),
        await tx.addBan(ban(x.id, 'bad{1}!*@*', 3)),
        await tx.addBan(ban(y.id, '*!*@*', 4)),
      ]);
      assert.deepEqual(added, [true, true, false, true]);
      const bans = await store.listBans(x.id);
      assert.deepEqual(
        bans.map((b) => [b.mask, b.setAt]),
        [
          ['Bad[1]!*@*', 1],
          ['*!*@s2.test', 2],
        ],
      );
      assert.equal(bans[0]?.setBy, 'op!~op@s1.test');
      assert.equal(bans[0]?.maskFolded, fold('Bad[1]!*@*'));
      const removed = await store.transaction(async (tx) => [
        await tx.removeBan(x.id, fold('BAD{1}!*@*')),
        await tx.removeBan(x.id, fold('BAD{1}!*@*')),
      ]);
      assert.deepEqual(removed, [true, false]);
      assert.deepEqual(
        (await store.listBans(x.id)).map((b) => b.mask),
        ['*!*@s2.test'],
      );
      assert.equal((await store.listBans(y.id)).length, 1);
      // a rolled-back transaction adds nothing
      await assert.rejects(
        store.transaction(async (tx) => {
          await tx.addBan(ban(y.id, 'z!*@*', 5));
          throw new Error('roll back');
        }),
      );
      assert.equal((await store.listBans(y.id)).length, 1);
    }));

  void test('invites: add (again is fine), check, delete; gone with the session', () =>
    withFixture(make, async (fx) => {
      const { store } = fx;
      const a = await fx.user('alice');
      const b = await fx.user('bob');
      const x = await fx.channel('#x');
      assert.equal(await store.hasInvite(x.id, a.session.id), false);
      await store.transaction(async (tx) => {
        await tx.addInvite(x.id, a.session.id, 1);
        await tx.addInvite(x.id, a.session.id, 2);
        await tx.addInvite(x.id, b.session.id, 3);
      });
      assert.equal(await store.hasInvite(x.id, a.session.id), true);
      await store.transaction((tx) => tx.deleteInvite(x.id, a.session.id));
      assert.equal(await store.hasInvite(x.id, a.session.id), false);
      await store.transaction((tx) => tx.deleteInvite(x.id, a.session.id)); // no-op
      assert.equal(await store.hasInvite(x.id, b.session.id), true);
      const seq = await store.latestSeq();
      await store.transaction((tx) => tx.deleteSession(b.session.id, seq));
      assert.equal(await store.hasInvite(x.id, b.session.id), false);
    }));

  void test('removeChannel drops its bans and invites; the re-created name starts clean', () =>
    withFixture(make, async (fx) => {
      const { store } = fx;
      const a = await fx.user('alice');
      const x = await fx.channel('#x');
      await store.transaction(async (tx) => {
        await tx.addBan(ban(x.id, '*!*@*', 1));
        await tx.addInvite(x.id, a.session.id, 1);
        await tx.removeChannel(x.id, fx.now);
      });
      assert.deepEqual(await store.listBans(x.id), []);
      assert.equal(await store.hasInvite(x.id, a.session.id), false);
      const again = await fx.channel('#x');
      assert.notEqual(again.id, x.id);
      assert.deepEqual(await store.listBans(again.id), []);
      assert.equal(await store.hasInvite(again.id, a.session.id), false);
    }));
}
