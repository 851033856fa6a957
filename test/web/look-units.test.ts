// The pure parts of the web client's look, run in Node: time and date formats, nick list updates
// (away, real names kept across a reload of the list) and the channel browser's LIST parsing.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Envelope } from '../../src/model/api.js';
import { listing, noteListReply, startListing } from '../../web/src/state/listing.js';
import {
  addMember,
  awayState,
  setMembers,
  sortedMembers,
  updateMember,
} from '../../web/src/state/members.js';
import { newWindow } from '../../web/src/state/model.js';
import { clock, day, dayLabel, newDay, nickColour, stamp } from '../../web/src/util/format.js';

test('one time format: HH:MM:SS, YYYY-MM-DD, and day labels', () => {
  const t = new Date(2026, 0, 2, 3, 4, 5);
  assert.equal(clock(t), '03:04:05');
  assert.equal(day(t), '2026-01-02');
  assert.equal(stamp(t), '2026-01-02 03:04:05');
  const now = new Date(2026, 0, 3, 12, 0, 0);
  assert.equal(dayLabel(new Date(2026, 0, 3, 0, 0, 1), now), 'Today, 2026-01-03, Saturday');
  assert.equal(dayLabel(t, now), 'Yesterday, 2026-01-02, Friday');
  assert.equal(dayLabel(new Date(2025, 11, 31, 23, 59), now), '2025-12-31, Wednesday');
  // the first line of a window and the first of a new local day get a separator
  assert.equal(newDay(undefined, t), true);
  assert.equal(newDay(new Date(2026, 0, 2, 0, 0, 0), t), false);
  assert.equal(newDay(new Date(2026, 0, 1, 23, 59, 59), t), true);
});

test('nick colours are stable and case-insensitive', () => {
  assert.equal(nickColour('Alice'), nickColour('alice'));
  assert.match(nickColour('bob'), /^c[0-7]$/);
});

test('away and real names: set by events, kept when the member list is read again', () => {
  const win = newWindow('#t', 'channel');
  setMembers(win, [
    { nick: 'alice', op: true, voice: false, away: false },
    { nick: 'bob', op: false, voice: false, away: false },
  ]);
  addMember(win, 'carol', 'Carol Real');
  assert.equal(win.members.value.get('carol')?.realname, 'Carol Real');
  // a second JOIN (replay) without a real name changes nothing
  addMember(win, 'carol');
  assert.equal(win.members.value.get('carol')?.realname, 'Carol Real');

  assert.equal(updateMember(win, 'BOB', awayState('lunch')), true);
  assert.deepEqual(win.members.value.get('bob'), {
    nick: 'bob',
    op: false,
    voice: false,
    away: true,
    awayMessage: 'lunch',
  });
  assert.equal(updateMember(win, 'nobody', awayState('x')), false);

  // The members read again (after a reload or a 353): what only events told is kept while it holds.
  setMembers(win, [
    { nick: 'alice', op: true, voice: false, away: false },
    { nick: 'bob', op: false, voice: false, away: true },
    { nick: 'carol', op: false, voice: false, away: false },
  ]);
  assert.equal(win.members.value.get('bob')?.awayMessage, 'lunch');
  assert.equal(win.members.value.get('carol')?.realname, 'Carol Real');

  updateMember(win, 'bob', awayState(null));
  assert.equal(win.members.value.get('bob')?.away, false);
  assert.equal('awayMessage' in (win.members.value.get('bob') ?? {}), false);
  assert.deepEqual(
    sortedMembers(win).map((m) => m.nick),
    ['alice', 'bob', 'carol'],
  );
});

test('the channel browser collects a LIST answered to this page', () => {
  const reply = (command: string, params: string[], body: string[]): Envelope => ({
    id: command,
    seq: 1,
    command,
    from: 'chat',
    to: 'alice',
    params,
    body,
    ts: new Date().toISOString(),
    meta: {},
  });
  // replies nobody here asked for are not collected
  noteListReply(reply('322', ['#x', '3'], ['ignored']));
  // (read through a function: the assertion would narrow the signal's type for the rest)
  const open = () => listing.value;
  assert.equal(open(), null);

  startListing('#a*');
  noteListReply(reply('321', ['Channel'], ['Users  Name']));
  noteListReply(reply('322', ['#ab', '2'], ['Topic here']));
  noteListReply(reply('322', ['#ac', 'x'], []));
  noteListReply(reply('322', [], ['no name: skipped']));
  assert.equal(open()?.done, false);
  noteListReply(reply('323', [], ['End of /LIST']));
  assert.deepEqual(open(), {
    mask: '#a*',
    done: true,
    channels: [
      { name: '#ab', users: 2, topic: 'Topic here' },
      { name: '#ac', users: 0, topic: '' },
    ],
  });
  // a later LIST (another tab's) does not change a finished one
  noteListReply(reply('322', ['#zz', '1'], []));
  assert.equal(open()?.channels.length, 2);
});
