// The web client's look, in headless Chromium against a real chatd: the server window's numerics
// laid out readably, date separators and one time format, window order by join (Alt+N stable
// across a reload, Alt+0 the tenth), full names on hover, away members in the nick list, the
// /list channel browser, and on a 375 px phone: compact times, wrapped lines indented past the
// time, and an arrow for unread windows scrolled out of the strip. Nick colours keep clear of the
// error colour in both themes.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { ChatClient } from '../../src/shared/client.js';
import { startChatd, type Chatd } from '../helpers/chatd.js';
import { apiUser } from './api-user.js';
import {
  assertClean,
  launchBrowser,
  logLines,
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
 * In the page: the hue of the error colour and of the eight nick colours. A string, not a function:
 * the test runner's transform would wrap named functions in a helper the page does not have.
 */
const HUES = `(() => {
  function hueOf(el) {
    const m = /rgba?\\((\\d+), (\\d+), (\\d+)/.exec(getComputedStyle(el).color);
    if (!m) return NaN;
    const [r, g, b] = [m[1], m[2], m[3]].map((v) => Number(v) / 255);
    const max = Math.max(r, g, b);
    const d = max - Math.min(r, g, b);
    if (d === 0) return 0;
    const h = max === r ? ((g - b) / d) % 6 : max === g ? (b - r) / d + 2 : (r - g) / d + 4;
    return (h * 60 + 360) % 360;
  }
  function probe(cls) {
    const el = document.createElement('span');
    el.className = cls;
    document.querySelector('.log').append(el);
    const hue = hueOf(el);
    el.remove();
    return hue;
  }
  return { error: probe('k-error'), nicks: [0, 1, 2, 3, 4, 5, 6, 7].map((i) => probe('nick c' + i)) };
})()`;

// In-page code as strings: the tests' tsconfig has no DOM types, and the test runner's transform
// would wrap named functions in a helper the page does not have.
const STRIP = "document.querySelector('.windows ul')";
/** Whether a window button is wholly inside the visible part of the strip. */
const inStrip = (name: string) => `(() => {
  const strip = ${STRIP}.getBoundingClientRect();
  const r = document.querySelector('.windows button[data-window="${name}"]').getBoundingClientRect();
  return r.left >= strip.left - 1 && r.right <= strip.right + 1;
})()`;
/** Where a line's time ends and where each row of its text starts. */
interface Geometry {
  tsRight: number;
  rows: { left: number; top: number }[];
}
const geometryOf = (text: string) => `(() => {
  const el = [...document.querySelectorAll('.log .line')].find((l) => l.textContent.includes(${JSON.stringify(text)}));
  const ts = el.querySelector('.ts').getBoundingClientRect();
  const range = document.createRange();
  range.selectNodeContents(el.querySelector('.text'));
  const rows = [...range.getClientRects()].map((r) => ({ left: r.left, top: r.top }));
  return { tsRight: ts.right, rows };
})()`;

/** The names in the window list, in the order shown. */
const windowNames = (page: Page) => page.locator('.windows .win .name').allTextContents();
const activeName = (page: Page) => page.locator('.win.active .name').textContent();

/** Waits until `check` holds (polling the page), or fails with `what`. */
async function eventually(what: string, check: () => Promise<boolean>, timeout = 15_000) {
  const end = Date.now() + timeout;
  while (!(await check())) {
    if (Date.now() > end) assert.fail(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

void describe('web client: look and layout', { skip: skipWithoutBrowser, timeout: 300_000 }, () => {
  let chatd: Chatd;
  let browser: Browser;
  let alice: WatchedPage;
  let bob: ChatClient;

  before(async () => {
    chatd = await startChatd({ env: { HASHCASH_BITS: '8' } });
    browser = await launchBrowser();
    alice = await newWatchedPage(
      await browser.newContext({ viewport: { width: 1280, height: 800 } }),
    );
    await signIn(alice.page, chatd.url, 'alice');
    bob = await apiUser(chatd.url, 'bob');
  });

  after(async () => {
    await browser?.close();
    await chatd?.cleanup();
  });

  test('the server window: ISUPPORT tokens kept whole, a date separator, one time format', async () => {
    const page = alice.page;
    await waitForLine(page, 'are supported by this server');
    // The text reads as chat-cli prints it; each KEY=value token is its own unbreakable piece.
    const tokens = await page.locator('.log .isupport .token').allTextContents();
    assert.ok(tokens.includes('CASEMAPPING=rfc1459'), tokens.join(' '));
    assert.ok(tokens.some((t) => t.startsWith('TARGMAX=')));
    await waitForLine(page, 'End of /MOTD command');
    // The server window has no nick list: the log gets its width.
    const log = await page.locator('.log').boundingBox();
    assert.ok(
      log && log.x + log.width > 1250,
      `the log reaches the right edge (${JSON.stringify(log)})`,
    );

    // A date separator heads the day; every line's time is [HH:MM:SS], the full date on hover.
    const now = new Date();
    const pad = (n: number) => String(n).padStart(2, '0');
    const today = `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
    const separator = page.locator('.log .day').first();
    assert.match((await separator.textContent()) ?? '', new RegExp(`${today}, \\w+day`));
    assert.equal(await page.locator('.log .day').count(), 1, 'one separator for one day');
    for (const text of await logLines(page)) assert.match(text, /^\[\d\d:\d\d:\d\d\] /);
    assert.match(
      (await page.locator('.log .line .ts').first().getAttribute('title')) ?? '',
      new RegExp(`^${today} \\d\\d:\\d\\d:\\d\\d$`),
    );
  });

  test('a date separator between lines of different days (history from yesterday)', async () => {
    // The clock of the page is moved a day ahead: the lines it shows now are yesterday's.
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    await signIn(page, chatd.url, 'dora');
    await type(page, '/join #days');
    await waitForLine(page, 'You have joined #days');
    await type(page, 'written today');
    await waitForLine(page, '<dora> written today');
    const tomorrow = Date.now() + 24 * 3600 * 1000;
    await page.clock.install({ time: tomorrow });
    await page.reload();
    await waitConnected(page);
    await openWindow(page, '#days');
    await waitForLine(page, '<dora> written today');
    // The history line (sent at the real time) is yesterday's by the page's clock; a /help note,
    // stamped by the page, is today's: a separator heads each.
    await type(page, '/help');
    await waitForLine(page, '/join');
    const days = await page.locator('.log .day').allTextContents();
    assert.equal(days.length, 2, days.join(' | '));
    // (just past a real midnight the history line would be two days old: no "Yesterday" then)
    assert.doesNotMatch(days[0] ?? '', /^Today, /);
    assert.match(days[1] ?? '', /^Today, /);
    // …in their places: first in the log (above the history line and the channel's events a
    // reload keeps), and right above the first line of the note
    const order = await page.evaluate<string[]>(
      "[...document.querySelectorAll('.log > .day, .log > .line')].map((e) => e.classList.contains('day') ? 'day' : e.textContent)",
    );
    assert.equal(order[0], 'day');
    const second = order.indexOf('day', 1);
    assert.ok(
      order.slice(1, second).some((text) => text.includes('<dora> written today')),
      order.join(' | '),
    );
    assert.match(order[second + 1] ?? '', /Commands:/, order.join(' | '));
    await context.close();
  });

  test('windows keep the order they were joined in, across a reload; Alt+1…9 and Alt+0', async () => {
    const page = alice.page;
    const names = [
      '#zeta',
      '#alpha',
      '#mu',
      '#beta',
      '#omega',
      '#gamma',
      '#kappa',
      '#delta',
      '#eta',
      '#iota',
    ];
    await type(page, `/join ${names.join(',')}`);
    for (const name of names)
      await page.locator(`.windows button[data-window="${name}"]`).waitFor();
    assert.deepEqual(await windowNames(page), ['server', ...names]);

    await page.reload();
    await waitConnected(page);
    await eventually('all windows back', async () => (await windowNames(page)).length === 11);
    assert.deepEqual(
      await windowNames(page),
      ['server', ...names],
      'the same order after a reload',
    );

    await page.locator('body').press('Alt+2');
    assert.equal(await activeName(page), '#zeta');
    await page.locator('body').press('Alt+9');
    assert.equal(await activeName(page), '#delta');
    await page.locator('body').press('Alt+0');
    assert.equal(await activeName(page), '#eta');
    // The full name and the key are on hover.
    assert.equal(
      await page.locator('.windows button[data-window="#eta"]').getAttribute('title'),
      '#eta (Alt+0)',
    );

    // A window parted and joined again goes to the end.
    await type(page, '/part #alpha');
    await page.locator('.windows button[data-window="#alpha"]').waitFor({ state: 'detached' });
    await type(page, '/join #alpha');
    await waitForLine(page, 'You have joined #alpha');
    assert.deepEqual(await windowNames(page), [
      'server',
      ...names.filter((n) => n !== '#alpha'),
      '#alpha',
    ]);
    assertClean(alice, 'alice');
  });

  test('away members are shown away in the nick list; real names on hover', async () => {
    const page = alice.page;
    await type(page, '/join #look');
    await waitForLine(page, 'You have joined #look');
    await bob.send({ command: 'SETNAME', body: ['Bob Builder'] });
    await bob.send({ command: 'JOIN', to: '#look' });
    await waitForLine(page, 'bob has joined #look');
    const bobNick = page.locator('.nicks button[data-nick="bob"]');
    await bobNick.waitFor();
    assert.match((await bobNick.getAttribute('title')) ?? '', /^bob \(Bob Builder\)/);
    assert.doesNotMatch((await bobNick.getAttribute('class')) ?? '', /\baway\b/);

    await bob.send({ command: 'AWAY', body: ['gone fishing'] });
    await page.locator('.nicks button.away[data-nick="bob"]').waitFor();
    assert.match((await bobNick.textContent()) ?? '', /bob \(away\)$/);
    assert.match((await bobNick.getAttribute('title')) ?? '', /away: gone fishing/);
    assert.match((await page.locator('.nicks h2').textContent()) ?? '', /2 in #look, 1 away/);

    await bob.send({ command: 'AWAY' });
    await page.locator('.nicks button:not(.away)[data-nick="bob"]').waitFor();

    // Our own /away marks our own entry too.
    await type(page, '/away tea');
    await page.locator('.nicks button.away[data-nick="alice"]').waitFor();
    await type(page, '/away');
    await page.locator('.nicks button:not(.away)[data-nick="alice"]').waitFor();

    // A new real name (SETNAME) shows on hover too.
    await bob.send({ command: 'SETNAME', body: ['Robert'] });
    await eventually('the new real name', async () =>
      /\(Robert\)/.test((await bobNick.getAttribute('title')) ?? ''),
    );

    // Someone away before we look is shown away from the first (the member list says so).
    await bob.send({ command: 'AWAY', body: ['brb'] });
    await page.locator('.nicks button.away[data-nick="bob"]').waitFor();
    await page.reload();
    await waitConnected(page);
    await openWindow(page, '#look');
    await page.locator('.nicks button.away[data-nick="bob"]').waitFor();
    // The member list has no real names: /who tells them (and the away flag).
    assert.doesNotMatch((await bobNick.getAttribute('title')) ?? '', /Robert/);
    await type(page, '/who #look');
    await waitForLine(page, 'End of WHO');
    await eventually('the real name from WHO', async () =>
      /^bob \(Robert\) — away/.test((await bobNick.getAttribute('title')) ?? ''),
    );
    await bob.send({ command: 'AWAY' });
    await page.locator('.nicks button:not(.away)[data-nick="bob"]').waitFor();
  });

  test('/list opens a channel browser; a click joins the channel', async () => {
    const page = alice.page;
    await bob.send({ command: 'JOIN', to: '#browse' });
    await bob.send({ command: 'TOPIC', to: '#browse', body: ['Find me in the list'] });
    await type(page, '/list');
    const browserPane = page.locator('.browser');
    await browserPane.waitFor();
    await page
      .locator('.browser-status', { hasText: /channels\. Press a channel to join it\./ })
      .waitFor();
    const entry = page.locator('.browser button[data-channel="#browse"]');
    assert.match((await entry.textContent()) ?? '', /#browse\s*1 user\s*Find me in the list/);
    // Filter by topic text.
    await page.getByLabel('Filter channels').fill('find me');
    assert.equal(await page.locator('.browser .channel').count(), 1);
    await entry.click();
    await browserPane.waitFor({ state: 'detached' });
    await waitForLine(page, 'You have joined #browse');
    assert.equal(await activeName(page), '#browse');

    // Escape closes it.
    await type(page, '/list');
    await browserPane.waitFor();
    await page.keyboard.press('Escape');
    await browserPane.waitFor({ state: 'detached' });
    assertClean(alice, 'alice');
  });

  test('nick colours keep clear of the error colour in both themes', async () => {
    const page = alice.page;
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      const hues = await page.evaluate<{ error: number; nicks: number[] }>(HUES);
      for (const [i, hue] of hues.nicks.entries()) {
        const apart = Math.min(Math.abs(hue - hues.error), 360 - Math.abs(hue - hues.error));
        assert.ok(
          apart >= 30,
          `${scheme}: nick colour c${i} (hue ${hue.toFixed(0)}°) is ${apart.toFixed(0)}° from the error colour (${hues.error.toFixed(0)}°)`,
        );
      }
    }
    await page.emulateMedia({ colorScheme: null });
  });

  test('at 375 px: [HH:MM] times, wrapped lines indented past them, unread windows off the strip', async () => {
    const context = await browser.newContext({
      viewport: { width: 375, height: 740 },
      isMobile: true,
      hasTouch: true,
    });
    const phone = await newWatchedPage(context);
    const page = phone.page;
    await signIn(page, chatd.url, 'erin');
    // The server window's 005 tokens are never cut at this width: each piece sits on one row.
    await waitForLine(page, 'are supported by this server');
    const cut = await page.evaluate<string[]>(
      "[...document.querySelectorAll('.isupport .part')].filter((e) => e.getClientRects().length !== 1).map((e) => e.textContent)",
    );
    assert.deepEqual(cut, [], 'ISUPPORT pieces broken across rows');
    assert.ok((await page.locator('.isupport .part').count()) > 10, 'the pieces are there');
    const channels = ['#p1', '#p2', '#p3', '#p4', '#p5', '#p6', '#p7', '#p8'];
    await type(page, `/join ${channels.join(',')}`);
    for (const name of channels)
      await page.locator(`.windows button[data-window="${name}"]`).waitFor();
    await openWindow(page, '#p1');
    await page.evaluate(`${STRIP}.scrollLeft = 0`);

    // A long line wraps; its second row starts under the text, not under the time.
    const long = 'a long line that has to wrap on a phone screen '.repeat(3).trim();
    await bob.send({ command: 'JOIN', to: '#p1' });
    await bob.send({ command: 'PRIVMSG', to: '#p1', body: [long] });
    await waitForLine(page, long);
    const line = page.locator('.log .line', { hasText: long });
    // The visible time is [HH:MM]; the seconds are in the markup (and the full time on hover).
    assert.match(await line.locator('.ts').innerText(), /^\[\d\d:\d\d\]$/);
    assert.match((await line.locator('.ts').textContent()) ?? '', /^\[\d\d:\d\d:\d\d\]$/);
    const geometry = await page.evaluate<Geometry>(geometryOf(long));
    const tops = new Set(geometry.rows.map((r) => Math.round(r.top)));
    assert.ok(tops.size >= 2, `the line wraps (${JSON.stringify(geometry)})`);
    const firstTop = Math.min(...tops);
    for (const row of geometry.rows.filter((r) => Math.round(r.top) > firstTop)) {
      assert.ok(
        row.left >= geometry.tsRight - 1,
        `a wrapped row starts past the time (${JSON.stringify(geometry)})`,
      );
    }

    // The strip is scrolled to its start; a message in the last window (out of sight) shows an
    // arrow at the right edge, marked when it mentions us; pressing it brings the window into view.
    const inView = () => page.evaluate<boolean>(inStrip('#p8'));
    assert.equal(await inView(), false, '#p8 is out of sight at first');
    assert.equal(await page.locator('.offscreen').count(), 0);
    await bob.send({ command: 'JOIN', to: '#p8' });
    await bob.send({ command: 'PRIVMSG', to: '#p8', body: ['erin: look here'] });
    const arrow = page.locator('.offscreen.after');
    await arrow.waitFor();
    assert.equal(await arrow.textContent(), '1 ›');
    assert.match((await arrow.getAttribute('class')) ?? '', /\bhighlight\b/);
    await arrow.click();
    await eventually('#p8 scrolled into view', inView);
    await arrow.waitFor({ state: 'detached' });
    // …and once scrolled past, an arrow on the left says so.
    await page.evaluate(`${STRIP}.scrollLeft = 0`);
    await arrow.waitFor();
    await page.evaluate(`${STRIP}.scrollLeft = ${STRIP}.scrollWidth`);
    await page.locator('.offscreen.after').waitFor({ state: 'detached' });
    // Alt+N picking a window off the strip scrolls it into sight.
    await page.evaluate(`${STRIP}.scrollLeft = 0`);
    await page.locator('body').press('Alt+9');
    assert.equal(await activeName(page), '#p8');
    await eventually('#p8 in sight after Alt+9', () => page.evaluate<boolean>(inStrip('#p8')));

    const overflow = await page.evaluate<number>(
      'document.documentElement.scrollWidth - innerWidth',
    );
    assert.ok(overflow <= 0, `no horizontal scrolling at 375 px (overflow ${overflow} px)`);
    assertClean(phone, 'phone');
    await context.close();
  });
});
