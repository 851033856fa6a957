// End to end in Chromium against a real chatd: signing out, unread state, activity outside the
// page (title, favicon badge, desktop notifications with per-window mute), the "new messages"
// divider and jump-to-latest button, reload keeping unread state and channel context, and Tab
// nick completion.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { ChatClient } from '../../src/shared/client.js';
import { startChatd, type Chatd } from '../helpers/chatd.js';
import { apiUser } from './api-user.js';
import {
  assertClean,
  launchBrowser,
  newWatchedPage,
  openWindow,
  signIn,
  skipWithoutBrowser,
  type,
  waitConnected,
  waitForLine,
  type WatchedPage,
} from './browser.js';

/**
 * Records every `new Notification(title, options)` the page makes in window.__notes, and counts
 * its permission requests in window.__asked (the real Notification still does the work).
 */
const RECORD_NOTIFICATIONS = `
  (() => {
    const Real = window.Notification;
    if (!Real) return;
    window.__notes = [];
    class Recorded extends Real {
      constructor(title, options) {
        super(title, options);
        window.__notes.push({ title, body: (options && options.body) || '' });
      }
    }
    Object.defineProperty(Recorded, 'permission', { get: () => Real.permission });
    window.__asked = 0;
    Recorded.requestPermission = (...args) => {
      window.__asked++;
      return Real.requestPermission(...args);
    };
    window.Notification = Recorded;
  })();
`;

/** What these tests read of the page (the test's TypeScript has no DOM library). */
interface Recorder {
  __notes: { title: string; body: string }[];
  __asked: number;
}
interface Dom {
  document: {
    title: string;
    querySelector(selector: string): {
      scrollTop: number;
      scrollHeight: number;
      clientHeight: number;
      scrollTo(to: { top: number }): void;
    } | null;
  };
}

const waitTitle = (page: Page, title: string) =>
  page.waitForFunction((t) => (globalThis as unknown as Dom).document.title === t, title);
const waitNotes = (page: Page, n: number) =>
  page.waitForFunction((k) => (globalThis as unknown as Recorder).__notes.length === k, n);

const notes = (page: Page): Promise<{ title: string; body: string }[]> =>
  page.evaluate(() => (globalThis as unknown as Recorder).__notes);

/** Makes the page believe it is hidden (another tab in front) or shown again. */
async function setHidden(page: Page, hidden: boolean): Promise<void> {
  await page.evaluate(`(() => {
    const h = ${hidden};
    Object.defineProperty(document, 'visibilityState', {
      configurable: true,
      get: () => (h ? 'hidden' : 'visible'),
    });
    Object.defineProperty(document, 'hidden', { configurable: true, get: () => h });
    document.dispatchEvent(new Event('visibilitychange'));
  })()`);
}

void describe('web client: activity', { skip: skipWithoutBrowser, timeout: 300_000 }, () => {
  let chatd: Chatd;
  let browser: Browser;
  let context: BrowserContext;
  let alice: WatchedPage;
  let carol: ChatClient;

  before(async () => {
    chatd = await startChatd({ env: { HASHCASH_BITS: '0' } });
    browser = await launchBrowser();
    context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    await context.grantPermissions(['notifications'], { origin: chatd.url });
    await context.addInitScript(RECORD_NOTIFICATIONS);
    alice = await newWatchedPage(context);
    carol = await apiUser(chatd.url, 'carol');
    await carol.send({ command: 'JOIN', to: '#act' });
  });

  after(async () => {
    await browser?.close();
    await chatd?.cleanup();
  });

  test('your own /msg opens the query window without marking it unread', async () => {
    await signIn(alice.page, chatd.url, 'alice');
    await type(alice.page, '/msg carol hello from alice');
    await alice.page.locator('.windows button[data-window="carol"]').waitFor();
    // A later message from someone else: once its window shows, alice's own line was applied.
    const dave = await apiUser(chatd.url, 'dave');
    await dave.send({ command: 'PRIVMSG', to: 'alice', body: ['barrier'] });
    await alice.page.locator('.windows button[data-window="dave"].unread').waitFor();
    assert.equal(
      await alice.page.locator('.windows button[data-window="carol"]').getAttribute('class'),
      'win query',
    );
    await openWindow(alice.page, 'carol');
    await waitForLine(alice.page, '<alice> hello from alice');
    await openWindow(alice.page, 'dave');
  });

  test('in the background: counts in the title, a favicon badge, notifications; mute', async () => {
    const page = alice.page;
    await type(page, '/join #act');
    await waitForLine(page, 'You have joined #act');
    const icon = page.locator('link[rel~="icon"]');
    assert.equal(await page.title(), '#act — chat');
    await setHidden(page, true);
    await carol.send({ command: 'PRIVMSG', to: '#act', body: ['just chatting'] });
    await carol.send({ command: 'PRIVMSG', to: '#act', body: ['alice: are you there?'] });
    await waitTitle(page, '(2, 1 mention) #act — chat');
    await page.locator('link[rel~="icon"][data-badge="2"][href^="data:image/png"]').waitFor({
      state: 'attached',
    });
    await waitNotes(page, 1);
    assert.deepEqual(await notes(page), [
      { title: 'carol in #act', body: 'alice: are you there?' },
    ]);

    // A private message notifies too, and counts as a mention.
    await carol.send({ command: 'PRIVMSG', to: 'alice', body: ['a word in private'] });
    await waitTitle(page, '(3, 2 mentions) #act — chat');
    await waitNotes(page, 2);
    assert.deepEqual((await notes(page))[1], {
      title: 'carol (private message)',
      body: 'a word in private',
    });

    // Muting #act (the bell by the input line) silences it; the counts still show.
    await page.getByRole('button', { name: 'Mute #act' }).click();
    await page.getByRole('button', { name: 'Unmute #act' }).waitFor();
    await carol.send({ command: 'PRIVMSG', to: '#act', body: ['alice: still there?'] });
    await waitTitle(page, '(4, 3 mentions) #act — chat');
    await carol.send({ command: 'PRIVMSG', to: 'alice', body: ['private again'] });
    await waitTitle(page, '(5, 4 mentions) #act — chat');
    await waitNotes(page, 3);
    assert.deepEqual(
      (await notes(page)).map((n) => n.body),
      ['alice: are you there?', 'a word in private', 'private again'],
    );

    // Back on the page: the active window is read, a divider marks where its new lines start.
    await setHidden(page, false);
    await waitTitle(page, '(2, 2 mentions) #act — chat');
    const log = await page.locator('.log > *').allTextContents();
    const divider = log.findIndex((t) => t.includes('new messages'));
    assert.ok(divider >= 0, 'a new-messages divider');
    assert.match(log[divider + 1] ?? '', /<carol> just chatting/);
    await openWindow(page, 'carol');
    await waitTitle(page, 'carol — chat');
    assert.equal(await icon.getAttribute('data-badge'), '0');
    assert.match((await icon.getAttribute('href')) ?? '', /^\/assets\/|^http/);
    // /unmute from the input line
    await openWindow(page, '#act');
    await type(page, '/unmute');
    await page.getByRole('button', { name: 'Mute #act' }).waitFor();
  });

  test('scrolled up, a button jumps to the latest line', async () => {
    const page = alice.page;
    for (let i = 1; i <= 60; i++) {
      await carol.send({ command: 'PRIVMSG', to: '#act', body: [`filler ${i}`] });
    }
    await waitForLine(page, '<carol> filler 60');
    const jump = page.locator('.log .jump');
    assert.equal(await jump.count(), 0, 'no button at the bottom');
    await page.evaluate(() =>
      (globalThis as unknown as Dom).document.querySelector('.log')!.scrollTo({ top: 0 }),
    );
    await jump.waitFor();
    await carol.send({ command: 'PRIVMSG', to: '#act', body: ['while you read back'] });
    await page.locator('.log .jump', { hasText: '1 new' }).waitFor();
    await jump.click();
    await jump.waitFor({ state: 'detached' });
    await page.waitForFunction(() => {
      const el = (globalThis as unknown as Dom).document.querySelector('.log');
      return el !== null && el.scrollHeight - el.scrollTop - el.clientHeight < 40;
    });
  });

  test('Tab completes nicks: members who spoke last first, then by name', async () => {
    const page = alice.page;
    const carl = await apiUser(chatd.url, 'carl');
    await carl.send({ command: 'JOIN', to: '#act' });
    await waitForLine(page, 'carl has joined #act');
    const input = page.locator('.input input');
    await input.fill('ca');
    await input.press('Tab');
    assert.equal(await input.inputValue(), 'carol: ', 'carol spoke last');
    await input.press('Tab');
    assert.equal(await input.inputValue(), 'carl: ', 'Tab again: the next match');
    await input.press('Shift+Tab');
    assert.equal(await input.inputValue(), 'carol: ');
    await input.pressSequentially('thanks, and ca');
    await input.press('Tab');
    assert.equal(await input.inputValue(), 'carol: thanks, and carol ');
    await input.fill('');
  });

  test('a reload keeps unread counts and the channel’s events; an empty window says so', async () => {
    const page = alice.page;
    // carol created #act: she is its operator
    await carol.send({ command: 'TOPIC', to: '#act', body: ['Release on Friday'] });
    await waitForLine(page, 'carol changed the topic to: Release on Friday');
    await carol.send({ command: 'MODE', to: '#act', params: ['+i'] });
    await waitForLine(page, 'carol sets mode +i');
    await type(page, '/join #quiet');
    await waitForLine(page, 'You have joined #quiet');
    await page.locator('.log .empty', { hasText: 'No messages in #quiet yet.' }).waitFor();
    await carol.send({ command: 'PRIVMSG', to: '#act', body: ['unread one'] });
    await carol.send({ command: 'PRIVMSG', to: '#act', body: ['unread two'] });
    const act = page.locator('.windows button[data-window="#act"] .badge');
    await page.locator('.windows button[data-window="#act"] .badge', { hasText: '2' }).waitFor();

    await page.reload();
    await waitConnected(page);
    await page.locator('.log .empty', { hasText: 'No messages in #quiet yet.' }).waitFor();
    assert.equal(await act.textContent(), '2', 'unread count kept');
    assert.match(await page.title(), /^\(\d+\b/);
    await openWindow(page, '#act');
    await waitForLine(page, '<carol> unread two');
    await waitForLine(page, 'carol changed the topic to: Release on Friday');
    await waitForLine(page, 'carol sets mode +i');
    const log = await page.locator('.log > *').allTextContents();
    const divider = log.findIndex((t) => t.includes('new messages'));
    assert.match(log[divider + 1] ?? '', /<carol> unread one/, 'the divider came back too');
    // each event once, in its place among the messages
    const topic = log.filter((t) => t.includes('changed the topic to: Release on Friday'));
    assert.equal(topic.length, 1);
    assert.ok(
      log.findIndex((t) => t.includes('sets mode +i')) < divider,
      'the mode change is older than the unread lines',
    );
  });

  test('notifications are asked for from a click only', async () => {
    const other = await browser.newContext();
    await other.addInitScript(RECORD_NOTIFICATIONS);
    const page = await other.newPage();
    await signIn(page, chatd.url, 'erin');
    await type(page, '/join #erin');
    await waitForLine(page, 'You have joined #erin');
    assert.equal(
      await page.evaluate(() => (globalThis as unknown as Recorder).__asked),
      0,
      'not at load',
    );
    await page.getByRole('button', { name: 'Notify me' }).click();
    await page.waitForFunction(() => (globalThis as unknown as Recorder).__asked === 1);
    await other.close();
  });

  test('Log out lands on the login form without an error', async () => {
    await type(alice.page, '/logout');
    await alice.page.getByLabel('Nick').waitFor();
    // The revoked token's poll answer comes back too: it must not turn into an error here.
    await alice.page.waitForTimeout(1000);
    assert.equal(await alice.page.locator('.login .error, p.error').count(), 0);
    assertClean(alice, 'logout');
  });

  test('Log out in one tab signs every tab out, none with an error', async () => {
    // Both tabs share one poll (the SharedWorker): the revoked token's answer reaches both.
    await signIn(alice.page, chatd.url, 'alice2');
    const second = await newWatchedPage(context);
    await second.page.goto(chatd.url);
    await waitConnected(second.page);
    await type(alice.page, '/logout');
    await alice.page.getByLabel('Nick').waitFor();
    await second.page.getByLabel('Nick').waitFor();
    await second.page.waitForTimeout(1000);
    for (const w of [alice, second]) {
      assert.equal(await w.page.locator('.login .error, p.error').count(), 0);
      assert.doesNotMatch(await w.page.locator('body').innerText(), /revoked/);
    }
    assertClean(second, 'second tab');
    await second.page.close();
  });
});
