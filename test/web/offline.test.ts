// End to end in Chromium: a line typed while chatd is down is kept, shown as pending and sent
// once (with its `txn`) when chatd is back on the same port and database — also when the page was
// reloaded while the server was still away, and when chatd stored a line but its answer was lost.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import type { ChatClient } from '../../src/shared/client.js';
import { startChatd, type Chatd } from '../helpers/chatd.js';
import { apiUser } from './api-user.js';
import {
  launchBrowser,
  newWatchedPage,
  signIn,
  skipWithoutBrowser,
  type,
  waitConnected,
  waitForLine,
  type WatchedPage,
} from './browser.js';

void describe('web client: offline lines', { skip: skipWithoutBrowser, timeout: 300_000 }, () => {
  let chatd: Chatd;
  let browser: Browser;
  let alice: WatchedPage;
  let bob: ChatClient;

  /** How many times `text` is stored in #off's history (what every member gets). */
  async function stored(text: string): Promise<number> {
    const page = await bob.history({ target: '#off', before: null, limit: 100 });
    return page.messages.filter((m) => Array.isArray(m.body) && m.body.includes(text)).length;
  }

  async function serverDown(): Promise<void> {
    await chatd.stop();
    await alice.page.locator('.conn[data-state="reconnecting"]').waitFor({ timeout: 30_000 });
  }

  before(async () => {
    chatd = await startChatd({ env: { HASHCASH_BITS: '0' } });
    browser = await launchBrowser();
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    alice = await newWatchedPage(context);
    bob = await apiUser(chatd.url, 'bob');
    await bob.send({ command: 'JOIN', to: '#off' });
    await signIn(alice.page, chatd.url, 'alice');
    await type(alice.page, '/join #off');
    await waitForLine(alice.page, 'You have joined #off');
  });

  after(async () => {
    await browser?.close();
    await chatd?.cleanup();
  });

  test('a line typed while the server is down is kept, shown pending and sent once', async () => {
    await serverDown();
    await type(alice.page, 'typed while down');
    const pending = alice.page.locator('.log .line.pending', { hasText: 'typed while down' });
    await pending.waitFor();
    chatd = await chatd.restart();
    await waitConnected(alice.page);
    await pending.waitFor({ state: 'detached', timeout: 30_000 });
    await waitForLine(alice.page, '<alice> typed while down', 30_000);
    // A later line is stored after it: by then every retry of the first one has been answered.
    await type(alice.page, 'after the outage');
    await waitForLine(alice.page, '<alice> after the outage');
    assert.equal(await stored('typed while down'), 1);
    const lines = await alice.page
      .locator('.log .line', { hasText: 'typed while down' })
      .allTextContents();
    assert.equal(lines.length, 1, lines.join('\n'));
  });

  test('an answer lost on the way back: the retry has the same txn and is stored once', async () => {
    const attempts: string[] = [];
    await alice.page.route('**/api/v1/messages', async (route) => {
      const body = route.request().postData() ?? '';
      if (!body.includes('answer lost')) return route.continue();
      attempts.push((JSON.parse(body) as { txn?: string }).txn ?? '');
      if (attempts.length > 1) return route.continue();
      // chatd gets and stores the first attempt, but the page never hears back
      await route.fetch();
      await route.abort('connectionreset');
    });
    await type(alice.page, 'answer lost');
    await waitForLine(alice.page, '<alice> answer lost', 30_000);
    await alice.page.locator('.log .line.pending').waitFor({ state: 'detached', timeout: 30_000 });
    await alice.page.unroute('**/api/v1/messages');
    await type(alice.page, 'after the lost answer');
    await waitForLine(alice.page, '<alice> after the lost answer');
    assert.equal(attempts.length, 2, 'sent again');
    assert.ok(attempts[0], 'with a txn');
    assert.equal(attempts[1], attempts[0], 'the same txn');
    assert.equal(await stored('answer lost'), 1);
    assert.equal(await alice.page.locator('.log .line', { hasText: /answer lost$/ }).count(), 1);
  });

  test('pending lines survive a reload while the server is away', async () => {
    await serverDown();
    await type(alice.page, 'first pending');
    await type(alice.page, 'second pending');
    await alice.page
      .locator('.log .line.pending', { hasText: 'second pending' })
      .waitFor({ timeout: 10_000 });
    // The reload finds no server: the browser shows its error page.
    await alice.page.reload().catch(() => undefined);
    chatd = await chatd.restart();
    await alice.page.goto(chatd.url);
    await waitConnected(alice.page);
    await waitForLine(alice.page, '<alice> second pending', 30_000);
    await waitForLine(alice.page, '<alice> first pending', 30_000);
    await type(alice.page, 'after the reload');
    await waitForLine(alice.page, '<alice> after the reload');
    assert.equal(await stored('first pending'), 1);
    assert.equal(await stored('second pending'), 1);
    // in the order typed
    const page = await bob.history({ target: '#off', before: null, limit: 100 });
    const texts = page.messages.flatMap((m) => (Array.isArray(m.body) ? m.body : []));
    assert.ok(texts.indexOf('first pending') < texts.indexOf('second pending'), texts.join('|'));
  });
});
