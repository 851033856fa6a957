// Signing in from the web client: a hashcash stamp minted in the page's worker with a progress
// notice, nick + password (register, then log in from another browser; a wrong password), the
// session kept across reloads, logging out, and reconnecting after chatd restarts.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
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

const PASSWORD = 'correct horse battery';
/** /login answers 401 for a nick without a session, before /register creates it. */
const EXPECTED_4XX = [/Failed to load resource: the server responded with a status of 40[19]/];

// Records every text the login form's progress notice shows (it is gone once signed in).
const RECORD_PROGRESS = `
  window.__progress = [];
  new MutationObserver(() => {
    const p = document.querySelector('.progress');
    if (p && p.textContent) window.__progress.push(p.textContent);
  }).observe(document, { subtree: true, childList: true, characterData: true });
`;

void describe('web client: signing in', { skip: skipWithoutBrowser, timeout: 300_000 }, () => {
  let chatd: Chatd;
  let browser: Browser;
  let restarted: Chatd | null = null;
  const pages: WatchedPage[] = [];
  const page = async () => {
    const w = await newWatchedPage(await browser.newContext());
    pages.push(w);
    return w;
  };

  before(async () => {
    chatd = await startChatd({ env: { HASHCASH_BITS: '12' } });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await restarted?.stop();
    await chatd?.cleanup();
  });

  test('a nick alone: a stamp is minted with a visible progress notice', async () => {
    const w = await page();
    await w.page.addInitScript({ content: RECORD_PROGRESS });
    await signIn(w.page, chatd.url, 'minter');
    const shown = await w.page.evaluate<string[]>('window.__progress');
    assert.ok(
      shown.some((t) =>
        /Computing a proof-of-work stamp: [\d,]+ hashes tried \(about 4,096/.test(t),
      ),
      `progress notice: ${JSON.stringify(shown)}`,
    );
    await waitForLine(w.page, 'Welcome to the');
    assert.equal(await w.page.locator('.status .me').textContent(), 'minter');
    // A second session with the same nick is refused with a readable message.
    const other = await page();
    await other.page.goto(chatd.url);
    await other.page.getByLabel('Nick').fill('minter');
    await other.page.getByRole('button', { name: 'Connect' }).click();
    await other.page.getByRole('alert').filter({ hasText: 'That nick is in use' }).waitFor();
    assertClean(w, 'minter');
    assertClean(other, 'second minter', EXPECTED_4XX);
  });

  test('nick and password: registers, then logs in from another browser', async () => {
    const laptop = await page();
    await signIn(laptop.page, chatd.url, 'pat', PASSWORD);
    await type(laptop.page, '/join #pw');
    await waitForLine(laptop.page, 'You have joined #pw');

    const phone = await page();
    await signIn(phone.page, chatd.url, 'pat', PASSWORD);
    await phone.page.locator('.windows button[data-window="#pw"]').waitFor();
    await openWindow(phone.page, '#pw');
    await phone.page.locator('.nicks li', { hasText: '@pat' }).waitFor();
    await type(phone.page, 'from the phone');
    await waitForLine(laptop.page, '<pat> from the phone');

    const wrong = await page();
    await wrong.page.goto(chatd.url);
    await wrong.page.getByLabel('Nick').fill('pat');
    await wrong.page.getByLabel(/^Password/).fill('not the password');
    await wrong.page.getByRole('button', { name: 'Connect' }).click();
    await wrong.page.getByRole('alert').filter({ hasText: 'Wrong password for pat' }).waitFor();
    assertClean(laptop, 'laptop', EXPECTED_4XX);
    assertClean(phone, 'phone');
    assertClean(wrong, 'wrong password', EXPECTED_4XX);
  });

  test('a reload keeps the session; Log out returns to the form and forgets the token', async () => {
    const w = await page();
    await signIn(w.page, chatd.url, 'leaver');
    await w.page.reload();
    await waitConnected(w.page);
    assert.equal(await w.page.locator('.status .me').textContent(), 'leaver');
    await w.page.getByRole('button', { name: 'Log out' }).click();
    await w.page.getByRole('button', { name: 'Connect' }).waitFor();
    assert.equal(await w.page.evaluate<string | null>("localStorage.getItem('chatd.token')"), null);
    assert.equal(
      await w.page.getByLabel('Nick').inputValue(),
      'leaver',
      'the form remembers the nick',
    );
    assertClean(w, 'leaver');
  });

  test('after chatd restarts the page shows it reconnecting, then goes on', async () => {
    const w = await page();
    await signIn(w.page, chatd.url, 'steady');
    await type(w.page, '/join #steady');
    await waitForLine(w.page, 'You have joined #steady');
    const { dir, port } = chatd;
    await chatd.stop();
    await w.page.locator('.conn[data-state="reconnecting"]').waitFor({ timeout: 20_000 });
    assert.match((await w.page.locator('.conn').textContent()) ?? '', /reconnecting in \d+ s/);
    // Same database and port; the first process's cleanup (in after()) removes the folder.
    restarted = await startChatd({ dir, port, env: { HASHCASH_BITS: '12' } });
    await waitConnected(w.page);
    const api = await apiUser(restarted.url, 'talker');
    await api.send({ command: 'JOIN', to: '#steady' });
    await api.send({ command: 'PRIVMSG', to: '#steady', body: ['still here?'] });
    await waitForLine(w.page, '<talker> still here?');
    // While chatd stops and is down, Chromium itself logs the failed requests of the page's
    // retries as console errors: a 503 from the stopping server (`shutting_down`), then refused
    // connections. Whether a retry falls into the outage depends on timing. That is the outage
    // this test makes, not an error of the page.
    assertClean(w, 'steady', [
      /net::ERR_CONNECTION_REFUSED/,
      /status of 503 \(Service Unavailable\)/,
    ]);
  });
});
