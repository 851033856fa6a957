// End to end in Chromium: the web client reads its queue as Server-Sent Events (GET
// /api/v1/events, through fetch with the Authorization header) and shows that it does; where the
// events route is blocked it falls back to long-polls, and messages still arrive live.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Request } from 'playwright-core';
import type { ChatClient } from '../../src/shared/client.js';
import { startChatd, type Chatd } from '../helpers/chatd.js';
import { apiUser } from './api-user.js';
import {
  assertClean,
  launchBrowser,
  newWatchedPage,
  signIn,
  skipWithoutBrowser,
  type,
  waitForLine,
} from './browser.js';

void describe('web client: event stream', { skip: skipWithoutBrowser, timeout: 300_000 }, () => {
  let chatd: Chatd;
  let browser: Browser;
  let bob: ChatClient;

  before(async () => {
    chatd = await startChatd({ env: { HASHCASH_BITS: '0' } });
    browser = await launchBrowser();
    bob = await apiUser(chatd.url, 'bob');
    await bob.send({ command: 'JOIN', to: '#live' });
  });

  /**
   * A context whose pages have no SharedWorker, so the engine runs in the page (as on Chrome for
   * Android): Playwright's request events and routing do not see a SharedWorker's requests.
   */
  async function pageEngineContext() {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    await context.addInitScript(() => {
      Reflect.deleteProperty(globalThis, 'SharedWorker');
    });
    return context;
  }

  after(async () => {
    await browser?.close();
    await chatd?.cleanup();
  });

  test('the shared engine (SharedWorker) streams the queue, shows it, messages arrive live', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const w = await newWatchedPage(context);
    await signIn(w.page, chatd.url, 'alice');
    const conn = w.page.locator('.conn[data-state="connected"]');
    await w.page.locator('.conn[data-transport="stream"]').waitFor({ timeout: 30_000 });
    assert.equal(await conn.innerText(), 'connected');
    await type(w.page, '/join #live');
    await waitForLine(w.page, 'You have joined #live');
    await bob.send({ command: 'PRIVMSG', to: '#live', body: ['streamed to alice'] });
    await waitForLine(w.page, 'streamed to alice');
    assertClean(w, 'streaming page');
    await context.close();
  });

  test('the stream request carries the token in Authorization, never in the URL', async () => {
    const context = await pageEngineContext();
    const requests: Request[] = [];
    context.on('request', (r) => requests.push(r));
    const w = await newWatchedPage(context);
    await signIn(w.page, chatd.url, 'dave');
    await w.page.locator('.conn[data-transport="stream"]').waitFor({ timeout: 30_000 });
    await type(w.page, '/join #live');
    await waitForLine(w.page, 'You have joined #live');
    await bob.send({ command: 'PRIVMSG', to: '#live', body: ['streamed to dave'] });
    await waitForLine(w.page, 'streamed to dave');
    const streams = requests.filter((r) => new URL(r.url()).pathname === '/api/v1/events');
    assert.ok(streams.length > 0, 'the events route was asked');
    for (const r of streams) {
      assert.equal(new URL(r.url()).search, '', 'no token (or anything) in the stream URL');
      assert.match((await r.allHeaders()).authorization ?? '', /^Bearer /);
    }
    assertClean(w, 'streaming page, own engine');
    await context.close();
  });

  test('with /api/v1/events blocked the page falls back to long-polls and stays live', async () => {
    const context = await pageEngineContext();
    let blocked = 0;
    await context.route('**/api/v1/events*', async (route) => {
      blocked++;
      await route.abort('connectionrefused');
    });
    const w = await newWatchedPage(context);
    await signIn(w.page, chatd.url, 'carol');
    await w.page.locator('.conn[data-transport="long-poll"]').waitFor({ timeout: 30_000 });
    assert.ok(blocked > 0, 'the page tried the stream first');
    assert.equal(
      await w.page.locator('.conn[data-state="connected"]').innerText(),
      'connected (polling)',
    );
    await type(w.page, '/join #live');
    await waitForLine(w.page, 'You have joined #live');
    await bob.send({ command: 'PRIVMSG', to: '#live', body: ['polled to carol'] });
    await waitForLine(w.page, 'polled to carol');
    // the aborted stream request is the only failure the console may show
    assertClean(w, 'falling back', [/api\/v1\/events|ERR_CONNECTION_REFUSED|Failed to load/]);
    await context.close();
  });
});
