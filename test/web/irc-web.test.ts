// End to end across transports: the web client in headless Chromium, an IRC user (irc-framework,
// a real IRC client library) and an HTTP user in the same channel of one chatd. What is typed in the browser reaches
// the IRC user as the IRC events it expects (PRIVMSG, CTCP ACTION), and what the IRC user says,
// does (/me) or sends privately shows in the browser as the web client renders it.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { startChatd, type Chatd } from '../helpers/chatd.js';
import { HttpClient } from '../helpers/api.js';
import { IrcUsers } from '../helpers/irc-framework-client.js';
import { pollUntil, sendOk } from '../helpers/irc-http.js';
import {
  assertClean,
  launchBrowser,
  newWatchedPage,
  openWindow,
  signIn,
  skipWithoutBrowser,
  type,
  waitForLine,
  type WatchedPage,
} from './browser.js';

void describe(
  'web client, IRC user and HTTP user',
  { skip: skipWithoutBrowser, timeout: 300_000 },
  () => {
    let chatd: Chatd;
    let browser: Browser;
    let wendy: WatchedPage;
    const users = new IrcUsers();
    const room = '#mixed';

    before(async () => {
      chatd = await startChatd({ irc: true, env: { IRC_SESSIONS_PER_ADDRESS: '0' } });
      browser = await launchBrowser();
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      wendy = await newWatchedPage(context);
    });

    after(async () => {
      users.closeAll();
      await browser?.close();
      await chatd?.cleanup();
    });

    test('the browser, irc-framework and HTTP converse in one channel, both ways', async () => {
      await signIn(wendy.page, chatd.url, 'wendy');
      await type(wendy.page, `/join ${room}`);
      await waitForLine(wendy.page, `You have joined ${room}`);

      const ivan = await users.connect(chatd.ircPort!, { nick: 'ivan' });
      ivan.lib.join(room);
      const names = await ivan.waitFor('userlist', (e) => e.channel === room);
      assert.deepEqual(
        names.users.map((u) => `${u.modes.includes('o') ? '@' : ''}${u.nick}`).sort(),
        ['@wendy', 'ivan'],
      );
      await waitForLine(wendy.page, `ivan has joined ${room}`);
      // and an HTTP user, so that all three transports share the channel
      const hank = await HttpClient.create(chatd.url, 'hank');
      await sendOk(hank, { command: 'JOIN', to: room });
      await ivan.waitFor('join', (e) => e.nick === 'hank' && e.channel === room);
      await waitForLine(wendy.page, `hank has joined ${room}`);

      // browser → IRC: a line and a /me
      await type(wendy.page, 'hello ivan, typed in Chromium');
      const said = await ivan.waitFor(
        'privmsg',
        (e) => e.message === 'hello ivan, typed in Chromium',
      );
      assert.equal(said.nick, 'wendy');
      assert.equal(said.target, room);
      await type(wendy.page, '/me waves from the browser');
      const action = await ivan.waitFor('action', (e) => e.nick === 'wendy');
      assert.equal(action.message, 'waves from the browser');
      assert.equal(action.target, room);
      const fromWendy = await pollUntil(
        hank,
        (e) => e.command === 'PRIVMSG' && e.from === 'wendy' && e.meta.action === true,
      );
      assert.deepEqual(fromWendy.body, ['waves from the browser']);
      assert.ok(
        !ivan.all('privmsg').some((e) => e.message.includes('waves from the browser')),
        'the action is not a plain PRIVMSG',
      );

      // IRC → browser: PRIVMSG and ACTION in the channel
      ivan.lib.say(room, 'hi wendy, irc-framework here');
      await waitForLine(wendy.page, '<ivan> hi wendy, irc-framework here');
      ivan.lib.action(room, 'tips his hat');
      await waitForLine(wendy.page, '* ivan tips his hat');
      const fromIvan = await pollUntil(
        hank,
        (e) => e.command === 'PRIVMSG' && e.from === 'ivan' && e.meta.action === true,
      );
      assert.deepEqual(fromIvan.body, ['tips his hat']);
      // the HTTP user's multi-line message: two lines in the browser, two PRIVMSGs at the IRC user
      await sendOk(hank, { command: 'PRIVMSG', to: room, body: ['hank here,', 'over HTTP'] });
      await waitForLine(wendy.page, '<hank> over HTTP');
      await ivan.waitFor('privmsg', (e) => e.nick === 'hank' && e.message === 'over HTTP');
      assert.deepEqual(
        ivan
          .all('privmsg')
          .filter((e) => e.nick === 'hank')
          .map((e) => e.message),
        ['hank here,', 'over HTTP'],
      );
      const actionLine = wendy.page.locator('.log .line.k-action', { hasText: 'tips his hat' });
      assert.equal(await actionLine.count(), 1, 'shown once, as an action');
      assert.equal(
        await wendy.page.locator('.log .line', { hasText: 'ACTION' }).count(),
        0,
        'no raw CTCP text',
      );

      // a private message from IRC opens its own window in the browser
      ivan.lib.say('wendy', 'just between us');
      const dmWindow = wendy.page.locator('.windows button[data-window="ivan"]');
      await dmWindow.waitFor({ timeout: 15_000 });
      await openWindow(wendy.page, 'ivan');
      await waitForLine(wendy.page, '<ivan> just between us');
      await type(wendy.page, 'ok, noted');
      const reply = await ivan.waitFor('privmsg', (e) => e.message === 'ok, noted');
      assert.equal(reply.nick, 'wendy');
      assert.equal(reply.target, 'ivan');

      // the IRC user leaves: the browser shows the QUIT with its reason
      await openWindow(wendy.page, room);
      await ivan.quit('see you on the web');
      await waitForLine(wendy.page, 'ivan has quit (Quit: see you on the web)');
      assertClean(wendy, 'wendy');
    });
  },
);
