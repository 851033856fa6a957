// WCAG 2.x AA contrast of the web client, measured in Chromium on populated pages in the light and
// the dark theme (prefers-color-scheme): every visible piece of text (and each input's value or
// placeholder) against its effective background must reach 4.5:1, or 3:1 for large text (24 px,
// or 18.66 px bold). Disabled controls are exempt, as WCAG allows. The check is shown to fail
// once on a deliberately bad colour, so a green run means something.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { ChatClient } from '../../src/shared/client.js';
import { startChatd, type Chatd } from '../helpers/chatd.js';
import { apiUser, signer } from './api-user.js';
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

interface Problem {
  text: string;
  where: string;
  fg: string;
  bg: string;
  ratio: number;
  needed: number;
}

/**
 * The in-page check (a string: the tests' tsconfig has no DOM types, and the test runner's
 * transform would wrap named functions in a helper the page does not have). Colours are read
 * from getComputedStyle as rgb()/rgba(); a background is the first non-transparent one up the
 * ancestors, with any translucent ones on the way composited over it; a translucent text colour
 * and ancestors' opacity are blended into the background.
 */
const CHECK = `(() => {
  const parse = (c) => {
    const m = /rgba?\\(([^)]+)\\)/.exec(c || '');
    if (!m) return null;
    const p = m[1].split(/[\\s,/]+/).filter(Boolean).map(Number);
    return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
  };
  const over = (top, bottom) => {
    const a = top[3];
    return [0, 1, 2].map((i) => top[i] * a + bottom[i] * (1 - a)).concat([1]);
  };
  const channel = (v) => {
    const c = v / 255;
    return c <= 0.04045 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
  };
  const luminance = (c) => 0.2126 * channel(c[0]) + 0.7152 * channel(c[1]) + 0.0722 * channel(c[2]);
  const ratio = (a, b) => {
    const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
    return (hi + 0.05) / (lo + 0.05);
  };
  const hex = (c) => '#' + c.slice(0, 3).map((v) => Math.round(v).toString(16).padStart(2, '0')).join('');
  const backgroundOf = (el) => {
    const layers = [];
    for (let e = el; e; e = e.parentElement) {
      const c = parse(getComputedStyle(e).backgroundColor);
      if (c && c[3] > 0) {
        layers.push(c);
        if (c[3] >= 1) break;
      }
    }
    // below everything, the canvas: the page's own colour scheme decides it
    const dark = matchMedia('(prefers-color-scheme: dark)').matches;
    let bg = dark ? [18, 18, 18, 1] : [255, 255, 255, 1];
    for (const layer of layers.reverse()) bg = over(layer, bg);
    return bg;
  };
  const opacityOf = (el) => {
    let o = 1;
    for (let e = el; e; e = e.parentElement) o *= Number(getComputedStyle(e).opacity);
    return o;
  };
  const where = (el) => {
    const parts = [];
    for (let e = el; e && parts.length < 3; e = e.parentElement) {
      parts.unshift(e.tagName.toLowerCase() + (e.className && typeof e.className === 'string' ? '.' + e.className.trim().split(/\\s+/).join('.') : ''));
    }
    return parts.join(' > ');
  };
  const problems = [];
  let checked = 0;
  const check = (el, text, colour) => {
    if (el.closest('button:disabled, input:disabled, [aria-hidden="true"]')) return;
    const style = getComputedStyle(el);
    const size = parseFloat(style.fontSize);
    const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
    const needed = large ? 3 : 4.5;
    const bg = backgroundOf(el);
    let fg = parse(colour);
    if (!fg) return;
    fg = over([fg[0], fg[1], fg[2], fg[3] * opacityOf(el)], bg);
    const r = ratio(fg, bg);
    checked++;
    if (r < needed - 0.005) {
      problems.push({ text: text.trim().slice(0, 40), where: where(el), fg: hex(fg), bg: hex(bg), ratio: Math.round(r * 100) / 100, needed });
    }
  };
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (!node.textContent.trim()) continue;
    const el = node.parentElement;
    if (!el || !el.checkVisibility({ checkOpacity: true, visibilityProperty: true })) continue;
    const range = document.createRange();
    range.selectNodeContents(node);
    const box = range.getBoundingClientRect();
    if (box.width < 2 || box.height < 2) continue; // clipped away (visually hidden)
    if (box.bottom < 0 || box.top > innerHeight || box.right < 0 || box.left > innerWidth) continue;
    check(el, node.textContent, getComputedStyle(el).color);
  }
  for (const input of document.querySelectorAll('input')) {
    if (!input.checkVisibility() || input.type === 'hidden') continue;
    if (input.value) check(input, input.value, getComputedStyle(input).color);
    else if (input.placeholder) check(input, input.placeholder, getComputedStyle(input, '::placeholder').color);
  }
  return { checked, problems };
})()`;

async function contrastProblems(page: Page): Promise<{ checked: number; problems: Problem[] }> {
  return page.evaluate<{ checked: number; problems: Problem[] }>(CHECK);
}

/** Checks the page as it is in both themes; `what` names the state for the failure message. */
async function assertContrast(page: Page, what: string): Promise<void> {
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    const { checked, problems } = await contrastProblems(page);
    assert.ok(checked >= 5, `${what} (${scheme}): only ${checked} text elements were checked`);
    assert.deepEqual(problems, [], `${what} (${scheme}): text below WCAG AA contrast`);
  }
  await page.emulateMedia({ colorScheme: null });
}

void describe(
  'web client: WCAG AA contrast',
  { skip: skipWithoutBrowser, timeout: 300_000 },
  () => {
    let chatd: Chatd;
    let browser: Browser;
    let alice: WatchedPage;
    let bob: ChatClient;
    let carol: ChatClient;

    before(async () => {
      chatd = await startChatd({ env: { HASHCASH_BITS: '8' } });
      browser = await launchBrowser();
      alice = await newWatchedPage(
        await browser.newContext({ viewport: { width: 1280, height: 800 } }),
      );
      bob = await apiUser(chatd.url, 'bob');
      carol = await apiUser(chatd.url, 'carol');
      await signIn(alice.page, chatd.url, 'alice');
    });

    after(async () => {
      await browser?.close();
      await chatd?.cleanup();
    });

    test('the check finds a deliberately bad colour', async () => {
      const page = alice.page;
      await waitForLine(page, 'End of /MOTD command');
      const before = await contrastProblems(page);
      // (through the CSSOM: the page's CSP allows no inline style sheet)
      await page.evaluate(
        "document.querySelectorAll('.log .line .ts').forEach((el) => { el.style.color = '#c4c4c4'; })",
      );
      const bad = await contrastProblems(page);
      const times = bad.problems.filter((p) => p.where.includes('time.ts'));
      assert.ok(times.length > 0, `pale times are reported: ${JSON.stringify(bad.problems)}`);
      assert.ok(times[0]!.ratio < 4.5);
      await page.reload();
      await page.locator('.conn[data-state="connected"]').waitFor();
      assert.ok(before.checked > 10, `a populated page has many texts (${before.checked})`);
    });

    test('a busy channel, the server window, a query and the channel browser', async () => {
      const page = alice.page;
      await type(page, '/join #contrast');
      await waitForLine(page, 'You have joined #contrast');
      await type(page, '/topic Colours for everyone — https://example.org/wcag');
      await type(page, '/join #other');
      await waitForLine(page, 'You have joined #other');
      await openWindow(page, '#contrast');

      // many nicks (all eight colours), an op and a voiced member, someone away, a signed line
      const nicks = ['dave', 'erin', 'frank', 'grace', 'heidi', 'ivan', 'judy', 'mallory'];
      const others = await Promise.all(nicks.map((nick) => apiUser(chatd.url, nick)));
      for (const [i, client] of [bob, carol, ...others].entries()) {
        await client.send({ command: 'JOIN', to: '#contrast' });
        await client.send({
          command: 'PRIVMSG',
          to: '#contrast',
          body: [`line ${i} from ${['bob', 'carol', ...nicks][i]}`],
        });
      }
      await type(page, '/mode +ov bob carol');
      await carol.send({ command: 'AWAY', body: ['lunch'] });
      await bob.send({ command: 'PRIVMSG', to: '#contrast', body: ['alice: a mention for you'] });
      await bob.send({
        command: 'PRIVMSG',
        to: '#contrast',
        body: ['waves'],
        meta: { action: true },
      });
      await bob.send({ command: 'NOTICE', to: '#contrast', body: ['a notice'] });
      const signed = await signer(chatd.url, 'sigrid', '#contrast');
      await signed.say('a signed line');
      await type(page, 'my own line');
      await type(page, '/part #nowhere');
      await waitForLine(page, /nowhere/);
      await page.locator('.nicks button.away[data-nick="carol"]').waitFor();
      await page.locator('.log .line[data-sig="verified"]').waitFor();
      // unread and mention badges on the other windows
      await bob.send({ command: 'JOIN', to: '#other' });
      await bob.send({ command: 'PRIVMSG', to: '#other', body: ['alice: over here'] });
      await carol.send({ command: 'PRIVMSG', to: 'alice', body: ['a private word'] });
      await page.locator('.windows button[data-window="carol"] .badge').waitFor();
      await page.locator('.windows .win.highlight').first().waitFor();
      await assertContrast(page, 'channel');

      await openWindow(page, 'server');
      await assertContrast(page, 'server window');
      await openWindow(page, 'carol');
      await assertContrast(page, 'query');
      await openWindow(page, '#contrast');
      await type(page, '/list');
      await page.locator('.browser .channel').first().waitFor();
      await assertContrast(page, 'channel browser');
      await page.keyboard.press('Escape');
      // the refused /part #nowhere is an HTTP 404 the browser logs
      assertClean(alice, 'alice', [/status of 404/]);
    });

    test('the phone layout: the strip with an unread arrow, the nick drawer', async () => {
      const context = await browser.newContext({
        viewport: { width: 375, height: 740 },
        isMobile: true,
        hasTouch: true,
      });
      const phone = await newWatchedPage(context);
      const page = phone.page;
      await signIn(page, chatd.url, 'phoebe');
      const channels = ['#ph1', '#ph2', '#ph3', '#ph4', '#ph5', '#ph6', '#ph7'];
      await type(page, `/join ${channels.join(',')}`);
      for (const name of channels) {
        await page.locator(`.windows button[data-window="${name}"]`).waitFor();
      }
      await openWindow(page, '#ph1');
      await page.evaluate("document.querySelector('.windows ul').scrollLeft = 0");
      await bob.send({ command: 'JOIN', to: '#ph7' });
      await bob.send({ command: 'PRIVMSG', to: '#ph7', body: ['phoebe: hello'] });
      await page.locator('.offscreen.after.highlight').waitFor();
      await assertContrast(page, 'phone');
      await page.getByRole('button', { name: /^Nicks/ }).click();
      await assertContrast(page, 'phone nick drawer');
      assertClean(phone, 'phone');
      await context.close();
    });

    test('the login screen with an error', async () => {
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      const page = await context.newPage();
      await page.goto(chatd.url);
      await page.getByLabel('Nick').fill('bob');
      await page.getByRole('button', { name: 'Connect' }).click();
      await page.locator('.login .error').waitFor();
      await assertContrast(page, 'login');
      await context.close();
    });
  },
);
