// The web client in headless Chromium against a real chatd, for what it shares with chat-cli
// (src/shared/mentions.ts, src/shared/numeric-text.ts): a mention under rfc1459 folding (`{` is
// `[`), 696 shown as an error in its channel, and a refused NOTICE (whose numeric is never
// queued) shown from the HTTP answer.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { startChatd, type Chatd } from '../helpers/chatd.js';
import {
  assertClean,
  launchBrowser,
  newWatchedPage,
  signIn,
  skipWithoutBrowser,
  type,
  waitForLine,
  type WatchedPage,
} from './browser.js';

const LINE = /^\[\d\d:\d\d:\d\d\] /;

void describe(
  'web client: rules shared with chat-cli',
  { skip: skipWithoutBrowser, timeout: 180_000 },
  () => {
    let chatd: Chatd;
    let browser: Browser;
    let dan: WatchedPage;
    let erin: WatchedPage;

    before(async () => {
      chatd = await startChatd();
      browser = await launchBrowser();
      dan = await newWatchedPage(await browser.newContext());
      erin = await newWatchedPage(await browser.newContext());
      await signIn(dan.page, chatd.url, 'dan[1]');
      await signIn(erin.page, chatd.url, 'erin');
    });

    after(async () => {
      await browser?.close();
      await chatd?.cleanup();
    });

    test('a mention spelt with { for [ highlights; a nick inside a word does not', async () => {
      await type(dan.page, '/join #fold');
      await waitForLine(dan.page, 'You have joined #fold');
      await type(erin.page, '/join #fold');
      await waitForLine(dan.page, 'erin has joined #fold');
      await type(erin.page, 'DAN{1}: lunch?');
      await type(erin.page, 'xdan{1} is not you');
      await waitForLine(dan.page, '<erin> xdan{1} is not you');
      const mentions = await dan.page.locator('.log .line.mention').allTextContents();
      assert.deepEqual(
        mentions.map((l) => l.replace(LINE, '')),
        ['<erin> DAN{1}: lunch?'],
      );
    });

    test('696 (invalid mode parameter) is an error line in the channel window', async () => {
      await type(dan.page, '/mode +l many');
      const line = dan.page.locator('.log .line.k-error', {
        hasText: '#fold l many: Invalid limit',
      });
      await line.first().waitFor({ timeout: 15_000 });
      assert.equal(await line.count(), 1, 'shown once (from the queue), not again from the answer');
    });

    test('a refused NOTICE is shown (its numeric is not queued)', async () => {
      await type(dan.page, '/notice');
      await dan.page
        .locator('.log .line.k-error', { hasText: /recipient|parameters/i })
        .first()
        .waitFor({ timeout: 15_000 });
      // the refused /mode and /notice are 400s, which the browser notes on the console
      assertClean(dan, 'dan', [/status of 400/]);
      assertClean(erin, 'erin');
    });
  },
);
