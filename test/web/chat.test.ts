// End to end: the web client in headless Chromium against a real chatd (HASHCASH_BITS=8, so every
// browser login mints a stamp). Two browsers chat both ways; a reload loses no message; more tabs
// share one session and one long-poll; history loads on scroll-up; the console stays clean. The
// README's screenshots (desktop, dark and phone) are taken here.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext } from 'playwright-core';
import type { ChatClient } from '../../src/shared/client.js';
import { startChatd, type Chatd } from '../helpers/chatd.js';
import { apiUser, heldPolls, signer } from './api-user.js';
import {
  assertClean,
  launchBrowser,
  logLines,
  newWatchedPage,
  openWindow,
  screenshot,
  signIn,
  skipWithoutBrowser,
  type,
  waitConnected,
  waitForLine,
  type WatchedPage,
} from './browser.js';

const METRICS = { user: 'scrape', password: 'web-test-metrics' };
const LINE = /^\[\d\d:\d\d:\d\d\] /;

void describe('web client: chatting', { skip: skipWithoutBrowser, timeout: 300_000 }, () => {
  let chatd: Chatd;
  let browser: Browser;
  let aliceContext: BrowserContext;
  let bobContext: BrowserContext;
  let alice: WatchedPage;
  let bob: WatchedPage;
  const pages: WatchedPage[] = [];

  before(async () => {
    chatd = await startChatd({
      env: {
        HASHCASH_BITS: '8',
        METRICS_USERNAME: METRICS.user,
        METRICS_PASSWORD: METRICS.password,
      },
    });
    browser = await launchBrowser();
    aliceContext = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    bobContext = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    alice = await newWatchedPage(aliceContext);
    bob = await newWatchedPage(bobContext);
    pages.push(alice, bob);
  });

  after(async () => {
    await browser?.close();
    await chatd?.cleanup();
  });

  test('two browsers chat in a channel in both directions', async () => {
    await signIn(alice.page, chatd.url, 'alice');
    await signIn(bob.page, chatd.url, 'bob');
    await type(alice.page, '/join #web');
    await waitForLine(alice.page, 'You have joined #web');
    await type(alice.page, '/topic Plans for the weekend — see https://example.org/plan');
    await type(bob.page, '/join #web');
    await waitForLine(bob.page, 'Topic for #web: Plans for the weekend');
    await waitForLine(alice.page, 'bob has joined #web');

    await type(alice.page, 'hi bob, hiking on Saturday?');
    await waitForLine(bob.page, '<alice> hi bob, hiking on Saturday?');
    await type(bob.page, 'sure alice! meet at 9?');
    await waitForLine(alice.page, '<bob> sure alice! meet at 9?');
    await type(bob.page, '/me packs the map');
    await waitForLine(alice.page, '* bob packs the map');

    const line = (await logLines(bob.page)).find((l) => l.includes('<alice> hi bob'));
    assert.match(line ?? '', new RegExp(`${LINE.source}<alice> hi bob, hiking on Saturday\\?$`));
    // A line naming you is highlighted; your own lines never are.
    const mentions = (w: WatchedPage) => w.page.locator('.log .line.mention').allTextContents();
    assert.deepEqual(
      (await mentions(alice)).map((l) => l.replace(LINE, '')),
      ['<bob> sure alice! meet at 9?'],
    );
    assert.deepEqual(
      (await mentions(bob)).map((l) => l.replace(LINE, '')),
      ['<alice> hi bob, hiking on Saturday?'],
    );
    // The topic's URL is a link that opens in a new tab without access to this one.
    const link = bob.page.locator('.topic a');
    assert.equal(await link.getAttribute('href'), 'https://example.org/plan');
    assert.equal(await link.getAttribute('rel'), 'noopener noreferrer');
    // Nick list: the op first with @.
    assert.deepEqual(await bob.page.locator('.nicks li').allTextContents(), ['@alice', 'bob']);

    // Unread marker: alice looks at the server window while bob talks.
    await openWindow(alice.page, 'server');
    await type(bob.page, 'two');
    await type(bob.page, 'unread lines');
    const badge = alice.page.locator('.windows button[data-window="#web"] .badge');
    await badge.filter({ hasText: '2' }).waitFor();
    await openWindow(alice.page, '#web');
    assert.equal(await badge.count(), 0);
    await waitForLine(alice.page, 'unread lines');

    // A signed message from a third user, for the signature badge in the screenshot.
    const sally = await signer(chatd.url, 'sally', '#web');
    await sally.say('map and weather: https://example.org/trail — signed');
    await alice.page.locator('.log .line[data-sig="verified"]').waitFor();
    await screenshot(alice.page, 'desktop.png');
    // The same page in the dark theme (the client follows prefers-color-scheme).
    await alice.page.emulateMedia({ colorScheme: 'dark' });
    await screenshot(alice.page, 'dark.png');
    await alice.page.emulateMedia({ colorScheme: null });
    assertClean(alice, 'alice');
    assertClean(bob, 'bob');
  });

  test('at 375 px the layout fits and the nick list opens from a button', async () => {
    const phone = await browser.newContext({
      viewport: { width: 375, height: 740 },
      isMobile: true,
      hasTouch: true,
    });
    const carol = await newWatchedPage(phone);
    pages.push(carol);
    await signIn(carol.page, chatd.url, 'carol');
    await type(carol.page, '/join #web');
    await waitForLine(carol.page, 'You have joined #web');
    await type(alice.page, 'welcome carol — phone users see this too');
    await waitForLine(carol.page, 'welcome carol');
    const overflow = await carol.page.evaluate<number>(
      'document.documentElement.scrollWidth - innerWidth',
    );
    assert.ok(overflow <= 0, `no horizontal scrolling at 375 px (overflow ${overflow} px)`);
    assert.equal(await carol.page.locator('.nicks').isVisible(), false);
    await screenshot(carol.page, 'phone.png');
    await carol.page.getByRole('button', { name: /^Nicks/ }).click();
    assert.equal(await carol.page.locator('.nicks').isVisible(), true);
    await carol.page.getByRole('button', { name: /^Nicks/ }).click();
    assertClean(carol, 'carol');
    await phone.close();
  });

  test('keyboard only: windows switch with Alt+digits and lines are recalled with ↑', async () => {
    const input = alice.page.locator('.input input');
    await input.focus();
    await alice.page.keyboard.press('Alt+1');
    assert.equal(await alice.page.locator('.win.active').textContent(), 'server');
    await alice.page.keyboard.press('Alt+2');
    assert.equal(await alice.page.locator('.win.active').textContent(), '#web');
    await input.press('ArrowUp');
    assert.equal(await input.inputValue(), 'welcome carol — phone users see this too');
    await input.press('ArrowDown');
    assert.equal(await input.inputValue(), '');
    // Every control is reachable with Tab: the window buttons come before the input.
    await alice.page.locator('.win.active').focus();
    await alice.page.keyboard.press('Enter');
    assertClean(alice, 'alice');
  });

  test('a reload loses no message', async () => {
    const api = await apiUser(chatd.url, 'dave');
    await api.send({ command: 'JOIN', to: '#web' });
    await api.send({ command: 'PRIVMSG', to: '#web', body: ['before the reload'] });
    await waitForLine(bob.page, 'before the reload');
    // Messages sent while the page is away (reload started, new page not yet running).
    const reloading = bob.page.reload({ waitUntil: 'commit' });
    for (let i = 1; i <= 5; i++) {
      await api.send({ command: 'PRIVMSG', to: '#web', body: [`during the reload ${i}`] });
    }
    await reloading;
    await waitConnected(bob.page);
    await api.send({ command: 'PRIVMSG', to: '#web', body: ['after the reload'] });
    await waitForLine(bob.page, 'after the reload');
    const lines = await logLines(bob.page);
    const expected = [
      'before the reload',
      ...[1, 2, 3, 4, 5].map((i) => `during the reload ${i}`),
      'after the reload',
    ];
    const seen = lines.filter((l) => /<dave> /.test(l)).map((l) => l.replace(/^.*<dave> /, ''));
    assert.deepEqual(seen, expected, 'every message once, in order');
    // The channel state came back with the replay: topic and nick list.
    assert.match((await bob.page.locator('.topic').textContent()) ?? '', /Plans for the weekend/);
    assert.ok((await bob.page.locator('.nicks li').allTextContents()).includes('dave'));
    assertClean(bob, 'bob after reload');
  });

  test('more tabs share the session and one stream (or long-poll)', async () => {
    const tabs = [await newWatchedPage(bobContext), await newWatchedPage(bobContext)];
    pages.push(...tabs);
    for (const tab of tabs) {
      await tab.page.goto(chatd.url);
      await waitConnected(tab.page);
      assert.equal(await tab.page.locator('.status .me').textContent(), 'bob');
    }
    await type(alice.page, 'one message, three tabs');
    for (const tab of [bob, ...tabs]) {
      await openWindow(tab.page, '#web');
      await waitForLine(tab.page, '<alice> one message, three tabs');
    }
    // alice and bob each hold one stream or poll, however many tabs bob has open.
    let most = 0;
    for (let i = 0; i < 10; i++) {
      most = Math.max(most, await heldPolls(chatd.url, METRICS.user, METRICS.password));
      await new Promise((r) => setTimeout(r, 200));
    }
    assert.ok(most <= 2, `held polls: ${most}`);
    assert.doesNotMatch(
      chatd.output(),
      /"route":"\/api\/v1\/(messages|events)","path":"[^"]*","status":429/,
    );
    for (const tab of tabs) assertClean(tab, 'extra tab');
    for (const tab of tabs) await tab.page.close();
  });

  test('history loads older pages when scrolling up', async () => {
    let erin: ChatClient | null = await apiUser(chatd.url, 'erin');
    await erin.send({ command: 'JOIN', to: '#archive' });
    for (let i = 1; i <= 130; i++) {
      await erin.send({ command: 'PRIVMSG', to: '#archive', body: [`old ${i}`] });
    }
    erin = null;
    await type(alice.page, '/join #archive');
    await waitForLine(alice.page, '<erin> old 130');
    const count = async () =>
      (await logLines(alice.page)).filter((l) => /<erin> old \d+$/.test(l)).length;
    assert.equal(await count(), 50, 'the newest page first');
    for (let round = 0; round < 10 && (await count()) < 130; round++) {
      const shown = (await logLines(alice.page)).length;
      await alice.page.evaluate("document.querySelector('.log').scrollTo({ top: 0 })");
      // Wait (up to 5 s) for the page to add lines; polled from here, as the page's CSP forbids
      // the string evaluation a waitForFunction predicate would need.
      for (let t = 0; t < 50 && (await logLines(alice.page)).length === shown; t++) {
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    const numbers = (await logLines(alice.page))
      .map((l) => /<erin> old (\d+)$/.exec(l)?.[1])
      .filter((n) => n !== undefined)
      .map(Number);
    assert.deepEqual(
      numbers,
      Array.from({ length: 130 }, (_, i) => i + 1),
      'all pages, in order, once',
    );
    assert.equal(await alice.page.locator('.log .older').count(), 0, 'no more to load');
    assertClean(alice, 'alice');
  });

  test('no console errors in any page', () => {
    for (const w of pages) assertClean(w, 'page');
  });
});
