// The slash commands of docs/clients.md, typed into the web client's input line, each checked by what the
// user sees (in the same page, or in the other user's page).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { startChatd, type Chatd } from '../helpers/chatd.js';
import {
  assertClean,
  launchBrowser,
  logLines,
  newWatchedPage,
  openWindow,
  signIn,
  skipWithoutBrowser,
  type,
  waitForLine,
  type WatchedPage,
} from './browser.js';

void describe('web client: slash commands', { skip: skipWithoutBrowser, timeout: 300_000 }, () => {
  let chatd: Chatd;
  let browser: Browser;
  let alice: WatchedPage;
  let bob: WatchedPage;

  before(async () => {
    chatd = await startChatd({ env: { MOTD: 'Welcome to the test server' } });
    browser = await launchBrowser();
    alice = await newWatchedPage(await browser.newContext());
    bob = await newWatchedPage(await browser.newContext());
    await signIn(alice.page, chatd.url, 'alice');
    await signIn(bob.page, chatd.url, 'bob');
  });

  after(async () => {
    await browser?.close();
    await chatd?.cleanup();
  });

  const activeName = (w: WatchedPage) => w.page.locator('.win.active .name').textContent();

  test('/join, /topic, /names, /mode, /me, /msg, /query', async () => {
    await type(alice.page, '/join #cmd');
    await waitForLine(alice.page, 'You have joined #cmd');
    assert.equal(await activeName(alice), '#cmd');
    await type(bob.page, '/join cmd'); // the # is added
    await waitForLine(bob.page, 'You have joined #cmd');

    await type(alice.page, '/topic Release on Friday');
    await waitForLine(bob.page, 'alice changed the topic to: Release on Friday');
    assert.equal(await bob.page.locator('.topic').textContent(), 'Release on Friday');
    await type(bob.page, '/topic');
    await waitForLine(bob.page, 'Topic for #cmd: Release on Friday');
    await waitForLine(bob.page, 'Topic set by alice');

    await type(bob.page, '/names');
    await waitForLine(bob.page, 'Users on #cmd: @alice bob');

    await type(alice.page, '/mode +v bob');
    await waitForLine(bob.page, 'alice sets mode +v bob');
    await bob.page.locator('.nicks li', { hasText: '+bob' }).waitFor();
    await type(alice.page, '/mode');
    await waitForLine(alice.page, 'Modes of #cmd: +nt');

    await type(bob.page, '/me waves');
    await waitForLine(alice.page, '* bob waves');

    await type(alice.page, '/msg bob a private word');
    await bob.page.locator('.windows button[data-window="alice"]').waitFor();
    await openWindow(bob.page, 'alice');
    await waitForLine(bob.page, '<alice> a private word');
    assert.equal(await alice.page.locator('.windows button[data-window="bob"]').count(), 1);
    assert.equal(await activeName(alice), '#cmd', '/msg does not switch windows');

    await type(alice.page, '/query bob and an answer');
    assert.equal(await activeName(alice), 'bob');
    await waitForLine(bob.page, '<alice> and an answer');
    assertClean(alice, 'alice');
    assertClean(bob, 'bob');
  });

  test('/whois, /away, /list, /motd, /invite, /kick, /nick, /part, /clear, /help', async () => {
    await type(alice.page, '/whois bob');
    await waitForLine(alice.page, /^\[.{8}\] \* bob is ~bob@/);
    await waitForLine(alice.page, 'bob is on');

    await type(bob.page, '/away lunch');
    await waitForLine(bob.page, 'You have been marked as being away');
    await bob.page.locator('.status .away').waitFor();
    await type(alice.page, '/msg bob are you there?');
    await waitForLine(alice.page, 'bob is away: lunch');
    await type(bob.page, '/away');
    await waitForLine(bob.page, 'You are no longer marked as being away');

    await openWindow(alice.page, '#cmd');
    await type(alice.page, '/nick alicia');
    await waitForLine(alice.page, 'You are now known as alicia');
    await alice.page.locator('.status .me', { hasText: 'alicia' }).waitFor();
    await openWindow(bob.page, '#cmd');
    await waitForLine(bob.page, 'alice is now known as alicia');
    await bob.page.locator('.nicks li', { hasText: '@alicia' }).waitFor();
    assert.equal(await bob.page.locator('.windows button[data-window="alicia"]').count(), 1);

    await type(alice.page, '/list');
    await waitForLine(alice.page, '#cmd (2 users): Release on Friday');

    await type(alice.page, '/motd');
    await waitForLine(alice.page, 'Welcome to the test server');

    await openWindow(alice.page, '#cmd');
    await type(alice.page, '/join #side');
    await waitForLine(alice.page, 'You have joined #side');
    await type(alice.page, '/invite bob');
    await waitForLine(alice.page, 'Invited bob to #side');
    await waitForLine(bob.page, 'alicia invites you to #side');

    await openWindow(alice.page, '#cmd');
    await type(alice.page, '/kick bob enough for today');
    await waitForLine(alice.page, 'alicia has kicked bob from #cmd (enough for today)');
    await openWindow(bob.page, '#cmd');
    await waitForLine(bob.page, 'You were kicked from #cmd by alicia (enough for today)');
    assert.equal(await bob.page.locator('.nicks li').count(), 0);

    await openWindow(alice.page, '#side');
    await type(alice.page, '/part see you');
    await alice.page.locator('.windows button[data-window="#side"]').waitFor({ state: 'detached' });
    await openWindow(alice.page, 'server');
    await waitForLine(alice.page, 'You have left #side (see you)');

    await type(alice.page, '/clear');
    assert.deepEqual(await logLines(alice.page), []);
    await type(alice.page, '/help');
    await waitForLine(alice.page, '/join #channel');
    assert.ok((await logLines(alice.page)).length >= 18);
    assertClean(alice, 'alice');
    assertClean(bob, 'bob');
  });

  test('an unknown command reaches the server; /quit ends the session on every tab', async () => {
    await type(bob.page, '/version');
    await waitForLine(bob.page, 'chat-');
    await type(bob.page, '/frobnicate');
    await waitForLine(bob.page, 'Unknown command');
    const second = await newWatchedPage(bob.page.context());
    await second.page.goto(chatd.url);
    await second.page.locator('.conn[data-state="connected"]').waitFor();
    await type(bob.page, '/quit bye all');
    await openWindow(alice.page, '#cmd');
    await bob.page.getByRole('button', { name: 'Connect' }).waitFor();
    await second.page.getByRole('button', { name: 'Connect' }).waitFor();
    assert.equal(
      await bob.page.evaluate<string | null>("localStorage.getItem('chatd.token')"),
      null,
    );
    // 421 for /frobnicate is an HTTP 400, which Chromium logs as a failed load.
    const http4xx = [/Failed to load resource: the server responded with a status of 4\d\d/];
    assertClean(bob, 'bob', http4xx);
    assertClean(second, 'second tab', http4xx);
    assertClean(alice, 'alice');
  });
});
