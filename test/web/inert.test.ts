// reliability/README.mdc / C3: markup and script in anything the server relays — message text, topic,
// nick (refused by the server, so it reaches the page inside an error reply), DM sender, part and
// kick reasons — is shown as the literal text: no script runs, no dialog opens, no element is
// created from it, and every link is a plain http(s) link.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { startChatd, type Chatd } from '../helpers/chatd.js';
import { apiUser } from './api-user.js';
import {
  assertClean,
  launchBrowser,
  logLines,
  newWatchedPage,
  signIn,
  skipWithoutBrowser,
  type,
  waitForLine,
  type WatchedPage,
} from './browser.js';

const PAYLOADS = [
  '<img src=x onerror=alert(1)>',
  '<script>alert(2)</script>',
  '<svg onload=alert(3)><circle r=9 /></svg>',
  '<a href="javascript:alert(4)">click</a>',
  '"><iframe src="javascript:alert(5)"></iframe>',
  '<style>body{display:none}</style><b>bold?</b>',
  'http://x.example/"><img src=x onerror=alert(6)>',
  'javascript:alert(7)',
  '&lt;img src=x onerror=alert(8)&gt; &amp; &#60;b&#62;',
  '{{constructor.constructor("alert(9)")()}} ${alert(10)}',
];

/**
 * Elements that could only have come from server text (the page itself makes none of these but
 * its own icons, marked data-icon, which server text cannot make: it is only ever text), and
 * links that are not plain http(s). Runs in the page; a string so Node's types do not need the DOM.
 */
const CENSUS = `(() => {
  const count = {};
  for (const tag of ['img', 'script', 'svg', 'iframe', 'style', 'b', 'circle', 'object', 'embed']) {
    count[tag] = [...document.querySelectorAll('#app ' + tag)].filter((e) => !e.closest('[data-icon]')).length;
  }
  const links = [...document.querySelectorAll('#app a')].map((a) => a.getAttribute('href') || '');
  count.nonHttpLinks = links.filter((href) => !/^https?:\\/\\//.test(href)).length;
  return count;
})()`;

const elementCensus = (w: WatchedPage) => w.page.evaluate<Record<string, number>>(CENSUS);
/** set by the replaced alert() below if any script ever ran */
const pwned = (w: WatchedPage) =>
  w.page.evaluate<string | null>('document.documentElement.dataset.pwned ?? null');

const NONE = {
  img: 0,
  script: 0,
  svg: 0,
  iframe: 0,
  style: 0,
  b: 0,
  circle: 0,
  object: 0,
  embed: 0,
  nonHttpLinks: 0,
};

void describe(
  'web client: server text stays inert',
  { skip: skipWithoutBrowser, timeout: 240_000 },
  () => {
    let chatd: Chatd;
    let browser: Browser;
    let alice: WatchedPage;

    before(async () => {
      chatd = await startChatd();
      browser = await launchBrowser();
      alice = await newWatchedPage(await browser.newContext());
      // A script that ran would leave a mark here (alert is also watched as a dialog).
      await alice.page.addInitScript({
        content: 'window.alert = (m) => { document.documentElement.dataset.pwned = String(m); };',
      });
      await signIn(alice.page, chatd.url, 'alice');
      await type(alice.page, '/join #xss');
      await waitForLine(alice.page, 'You have joined #xss');
    });

    after(async () => {
      await browser?.close();
      await chatd?.cleanup();
    });

    test('message text, topic and reasons from another user', async () => {
      const mallory = await apiUser(chatd.url, 'mallory');
      await mallory.send({ command: 'JOIN', to: '#xss' });
      for (const p of PAYLOADS) await mallory.send({ command: 'PRIVMSG', to: '#xss', body: [p] });
      await mallory.send({
        command: 'PRIVMSG',
        to: '#xss',
        body: [PAYLOADS[0]!],
        meta: { action: true },
      });
      await waitForLine(alice.page, `* mallory ${PAYLOADS[0]}`);
      const lines = await logLines(alice.page);
      for (const p of PAYLOADS) {
        assert.ok(
          lines.some((l) => l.endsWith(`<mallory> ${p}`)),
          `shown as text: ${p}`,
        );
      }
      // The topic (set by alice, the op, from the input line) and the topic bar.
      await type(alice.page, `/topic ${PAYLOADS[0]} ${PAYLOADS[1]}`);
      await waitForLine(alice.page, 'alice changed the topic to:');
      assert.equal(
        await alice.page.locator('.topic').textContent(),
        `${PAYLOADS[0]} ${PAYLOADS[1]}`,
      );
      await mallory.send({ command: 'PART', to: '#xss', body: [PAYLOADS[2]!] });
      await waitForLine(alice.page, `mallory has left #xss (${PAYLOADS[2]})`);
      await mallory.send({ command: 'JOIN', to: '#xss' });
      await type(alice.page, `/kick mallory ${PAYLOADS[3]}`);
      await waitForLine(alice.page, `alice has kicked mallory from #xss (${PAYLOADS[3]})`);
      assert.deepEqual(await elementCensus(alice), NONE);
      assert.equal(await pwned(alice), null);
      assertClean(alice, 'alice');
    });

    test('a direct message and its query window', async () => {
      const mallory = await apiUser(chatd.url, 'mallory2');
      await mallory.send({ command: 'PRIVMSG', to: 'alice', body: PAYLOADS.slice(0, 3) });
      await alice.page.locator('.windows button[data-window="mallory2"]').click();
      await waitForLine(alice.page, `<mallory2> ${PAYLOADS[2]}`);
      assert.deepEqual(await elementCensus(alice), NONE);
      assertClean(alice, 'alice');
    });

    test('a nick made of markup is refused by the server and shown as text', async () => {
      await type(alice.page, `/nick ${PAYLOADS[0]}`);
      await waitForLine(alice.page, 'Erroneous nickname');
      const line = (await logLines(alice.page)).find((l) => l.includes('Erroneous nickname')) ?? '';
      assert.ok(line.includes('<img'), `the nick is quoted literally: ${line}`);
      // The login form does not let such a nick through either.
      const other = await newWatchedPage(await browser.newContext());
      await other.page.goto(chatd.url);
      await other.page.getByLabel('Nick').fill(PAYLOADS[0]!);
      await other.page.getByRole('button', { name: 'Connect' }).click();
      assert.equal(
        await other.page.evaluate<boolean>(
          "document.querySelector('input[name=nick]').validity.valid",
        ),
        false,
      );
      assert.deepEqual(await elementCensus(alice), NONE);
      assert.equal(await pwned(alice), null);
      // 432 is an HTTP 400 answer, which Chromium reports on the console as a failed load.
      assertClean(alice, 'alice', [
        /Failed to load resource: the server responded with a status of 400/,
      ]);
      assertClean(other, 'login page');
    });
  },
);
