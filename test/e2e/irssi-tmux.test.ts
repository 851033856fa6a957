// irssi, a real terminal IRC client, in tmux against the real chatd, beside an HTTP user: a person
// types into it key by key (/join, a message, /me, /msg, /query, /nick, /topic, /quit), and the
// test reads what irssi shows (capture-pane) and what reached the HTTP user's long-poll. irssi's
// own defaults are kept, flood queue included (it paces its commands about 2 s apart once it has
// sent a burst), so every step waits for its effect rather than for time to pass.
// Without irssi or tmux these tests are skipped locally and FAIL in CI (CI=true): a missing client
// must never pass as green.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { HttpClient } from '../helpers/api.js';
import { startChatd, type Chatd } from '../helpers/chatd.js';
import { pollUntil, sendOk } from '../helpers/irc-http.js';
import { irssiAvailable, IrssiPane, tmuxAvailable } from '../helpers/irc-irssi.js';

const inCi = !!process.env.CI && process.env.CI !== 'false' && process.env.CI !== '0';
const haveIrssi = irssiAvailable();
const haveTmux = tmuxAvailable();
const missing = [!haveIrssi && 'irssi', !haveTmux && 'tmux'].filter(Boolean).join(' and ');

test(
  'irssi and tmux are installed (required in CI)',
  { skip: missing && !inCi ? `${missing} not installed` : false },
  () => {
    assert.ok(
      haveIrssi,
      'irssi is missing: .ci/run installs it; the irssi e2e tests need it in CI',
    );
    assert.ok(haveTmux, 'tmux is missing: .ci/run installs it; the irssi e2e tests need it in CI');
  },
);

/** irssi's waits: its flood queue alone can hold a command a few seconds on a busy machine */
const SLOW = 30_000;

describe(
  'irssi in tmux',
  // in CI nothing is skipped: a missing irssi fails the tests below loudly
  { skip: missing && !inCi ? `${missing} not installed` : false, concurrency: 1 },
  () => {
    let chatd: Chatd;
    let irssi: IrssiPane;
    let bob: HttpClient;
    const room = '#room';

    before(async () => {
      chatd = await startChatd({ irc: true, env: { IRC_SESSIONS_PER_ADDRESS: '0' } });
      bob = await HttpClient.create(chatd.url, 'bob');
      await sendOk(bob, { command: 'JOIN', to: room });
      irssi = new IrssiPane({ nick: 'alice', port: chatd.ircPort! });
      irssi.start();
    });

    after(async () => {
      await irssi?.kill();
      await chatd?.cleanup();
    });

    test('irssi registers, joins a channel and talks with an HTTP user both ways', async () => {
      const welcome = await irssi.waitFor(/End of \/MOTD command/, SLOW);
      assert.match(welcome, /Welcome to the chat Network, alice!~alice@s\d+\.chat/);
      // irssi says what it asked for and what it got: all of it acknowledged
      const requested = /Capabilities requested: (.*)/.exec(welcome)?.[1]?.trim().split(/\s+/);
      const acked = /Capabilities acknowledged: (.*)/.exec(welcome)?.[1]?.trim().split(/\s+/);
      assert.ok(requested?.includes('server-time'), welcome);
      assert.deepEqual(acked?.sort(), requested?.sort());

      await irssi.type(`/join ${room}`);
      await irssi.waitFor(/-!- alice \[~alice@s\d+\.chat\] has joined #room/, SLOW);
      await irssi.waitFor(/\[@bob\] \[ alice\]/, SLOW);
      // irssi asks MODE, WHO and the ban list; a missing answer would leave it unsynced
      await irssi.waitFor(/Join to #room was synced/, SLOW);
      await pollUntil(bob, (e) => e.command === 'JOIN' && e.from === 'alice' && e.to === room);

      // HTTP → irssi: two lines, then an action
      await sendOk(bob, { command: 'PRIVMSG', to: room, body: ['hello alice', 'second line'] });
      await sendOk(bob, { command: 'PRIVMSG', to: room, body: ['waves'], meta: { action: true } });
      const screen = await irssi.waitFor(/ \* bob waves/, SLOW);
      const at = ['<@bob> hello alice', '<@bob> second line', ' * bob waves'].map((l) =>
        screen.indexOf(l),
      );
      assert.ok(at[0]! >= 0 && at[0]! < at[1]! && at[1]! < at[2]!, `in order:\n${screen}`);

      // irssi → HTTP: a message, /me, /msg
      await irssi.type('hi bob, typed in irssi');
      const said = await pollUntil(
        bob,
        (e) => e.command === 'PRIVMSG' && e.from === 'alice' && e.to === room,
        SLOW,
      );
      assert.deepEqual(said.body, ['hi bob, typed in irssi']);
      assert.notEqual(said.meta.action, true);
      await irssi.waitFor(/< alice> hi bob, typed in irssi/);

      await irssi.type('/me waves back');
      const action = await pollUntil(
        bob,
        (e) => e.command === 'PRIVMSG' && e.from === 'alice' && e.meta.action === true,
        SLOW,
      );
      assert.equal(action.to, room);
      assert.deepEqual(action.body, ['waves back']);
      await irssi.waitFor(/ \* alice waves back/);

      await irssi.type('/msg bob hi');
      const dm = await pollUntil(bob, (e) => e.command === 'PRIVMSG' && e.to === 'bob', SLOW);
      assert.equal(dm.from, 'alice');
      assert.deepEqual(dm.body, ['hi']);

      // HTTP → irssi privately: the query window with bob shows both sides
      await sendOk(bob, { command: 'PRIVMSG', to: 'alice', body: ['hi yourself'] });
      await irssi.type('/query bob');
      const query = await irssi.waitFor(/<bob> hi yourself/, SLOW);
      assert.match(query, /<alice> hi\n/);
      await irssi.type(`/window goto ${room}`);
      await irssi.waitFor(/^\[#room\]$/m);
    });

    test('nick changes both ways, MODE +o from the HTTP op, topics both ways', async () => {
      await sendOk(bob, { command: 'NICK', body: ['robert'] });
      await irssi.waitFor(/-!- bob is now known as robert/, SLOW);

      await irssi.type('/nick alicia');
      await irssi.waitFor(/-!- You're now known as alicia/, SLOW);
      const nick = await pollUntil(bob, (e) => e.command === 'NICK' && e.from === 'alice', SLOW);
      assert.equal(nick.to, 'alicia');

      // the channel is +t: bob (its op) sets a topic, then makes alicia an op so she can too
      await sendOk(bob, { command: 'TOPIC', to: room, body: ['set over HTTP'] });
      await irssi.waitFor(/robert changed the topic of #room to: set over HTTP/, SLOW);
      await sendOk(bob, { command: 'MODE', to: room, params: ['+o', 'alicia'] });
      await irssi.waitFor(/mode\/#room \[\+o alicia\] by robert/, SLOW);
      await irssi.type('/topic plans for the weekend');
      const topic = await pollUntil(bob, (e) => e.command === 'TOPIC' && e.from === 'alicia', SLOW);
      assert.equal(topic.to, room);
      assert.deepEqual(topic.body, ['plans for the weekend']);
      await irssi.waitFor(/alicia changed the topic of #room to: plans for the weekend/, SLOW);

      // and the HTTP user, under its new nick, is still heard
      await sendOk(bob, { command: 'PRIVMSG', to: room, body: ['still me'] });
      await irssi.waitFor(/<@robert> still me/, SLOW);
    });

    test('/quit bye: irssi exits and the HTTP user sees Quit: bye', async () => {
      await irssi.type('/quit bye');
      await irssi.waitExit(SLOW);
      const quit = await pollUntil(bob, (e) => e.command === 'QUIT' && e.from === 'alicia', SLOW);
      assert.deepEqual(quit.body, ['Quit: bye']);
    });
  },
);
