// The web client signs (docs/clients.md, docs/signing.md): /sign on makes a key in the browser, announces
// it, and signs what the page sends, so chat-cli (in a real terminal: its ✓ mark) and a second
// browser show the page's messages as verified. The choice and the key survive a reload (no second
// announcement), /sign off stops signing. Once with WebCrypto's Ed25519 (a non-extractable key in
// IndexedDB), once in a page whose WebCrypto refuses Ed25519 (an init script), where the
// @noble/ed25519 fallback both signs and verifies, and once on a plain-http LAN origin.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { startChatd, type Chatd } from '../helpers/chatd.js';
import { Tmux, tmuxAvailable } from '../cli/tmux.js';
import { signer } from './api-user.js';
import {
  assertClean,
  CHROMIUM,
  launchBrowser,
  newWatchedPage,
  ROOT,
  signIn,
  skipWithoutBrowser,
  type,
  waitConnected,
  waitForLine,
  type WatchedPage,
} from './browser.js';

const CLI = path.join(ROOT, 'bin/chat-cli.js');

/** Makes this page's WebCrypto refuse Ed25519, as a browser without it does (NotSupportedError). */
const NO_WEBCRYPTO_ED25519 = `(() => {
  const subtle = globalThis.crypto && globalThis.crypto.subtle;
  if (!subtle) return;
  const isEd = (alg) => String(typeof alg === 'string' ? alg : alg && alg.name).toLowerCase() === 'ed25519';
  const refuse = () => Promise.reject(new DOMException('Ed25519 is disabled in this test', 'NotSupportedError'));
  for (const [name, at] of [['generateKey', 0], ['importKey', 2], ['sign', 0], ['verify', 0]]) {
    const original = subtle[name].bind(subtle);
    subtle[name] = (...args) => (isEd(args[at]) ? refuse() : original(...args));
  }
})();`;

async function waitVerdict(w: WatchedPage, text: string, verdict: string): Promise<void> {
  await w.page
    .locator(`.log .line[data-sig="${verdict}"]`, { hasText: text })
    .waitFor({ timeout: 15_000 });
}

/** What the page stored in IndexedDB: the key's kind and whether a CryptoKey could be read out. */
function storedKey(page: Page): Promise<{ kind: string; extractable: boolean | null } | null> {
  // a string: Node's type-check of the tests has no DOM types
  return page.evaluate(`new Promise((resolve, reject) => {
    const open = indexedDB.open('chatd-signing', 1);
    open.onerror = () => reject(new Error('no database'));
    open.onsuccess = () => {
      const get = open.result.transaction('keys', 'readonly').objectStore('keys').get('current');
      get.onsuccess = () => {
        const v = get.result;
        open.result.close();
        resolve(v ? { kind: v.kind, extractable: v.privateKey ? v.privateKey.extractable : null } : null);
      };
    };
  })`);
}

const statusSigning = (page: Page) => page.locator('.status .signing');

void describe(
  'web client: the browser signs',
  {
    skip: skipWithoutBrowser || (tmuxAvailable() ? false : 'tmux not installed'),
    timeout: 300_000,
  },
  () => {
    let chatd: Chatd;
    let browser: Browser;
    let tmux: Tmux;
    let home: string;

    before(async () => {
      chatd = await startChatd({ env: { HASHCASH_BITS: '8' } });
      browser = await launchBrowser();
      tmux = new Tmux();
      home = fs.mkdtempSync(path.join(os.tmpdir(), 'web-sign-cli-'));
    });
    after(async () => {
      tmux?.kill();
      await browser?.close();
      await chatd?.cleanup();
      if (home) fs.rmSync(home, { recursive: true, force: true });
    });

    /** chat-cli (ink, in tmux) in `channel` as `nick`. */
    async function cliIn(nick: string, channel: string): Promise<void> {
      const dir = path.join(home, nick);
      tmux.start(nick, `exec node ${CLI} --server ${chatd.url} --nick ${nick}`, {
        XDG_STATE_HOME: path.join(dir, 'state'),
        XDG_CONFIG_HOME: path.join(dir, 'config'),
        HOME: dir,
        LANG: 'C.UTF-8',
      });
      await tmux.waitFor(nick, /\[online\]/, 30_000);
      await tmux.type(nick, `/join ${channel}`);
      await tmux.waitFor(nick, new RegExp(`${nick} has joined ${channel}`));
    }

    /** A second browser in `channel`, reading. */
    async function readerIn(nick: string, channel: string): Promise<WatchedPage> {
      const w = await newWatchedPage(await browser.newContext());
      await signIn(w.page, chatd.url, nick);
      await type(w.page, `/join ${channel}`);
      await waitForLine(w.page, `You have joined ${channel}`);
      return w;
    }

    async function signerPage(
      context: BrowserContext,
      url: string,
      nick: string,
      channel: string,
    ): Promise<WatchedPage> {
      const w = await newWatchedPage(context);
      await signIn(w.page, url, nick);
      assert.equal(await statusSigning(w.page).count(), 0, 'signing is off by default');
      await type(w.page, `/join ${channel}`);
      await waitForLine(w.page, `You have joined ${channel}`);
      return w;
    }

    async function signingRoundTrip(opts: {
      nick: string;
      channel: string;
      context: BrowserContext;
      kind: 'webcrypto' | 'raw';
      /** where the signing page loads the client (default: chatd's localhost URL) */
      url?: string;
    }): Promise<void> {
      const { nick, channel } = opts;
      const reader = await readerIn(`${nick}-r`, channel);
      const cli = `${nick}c`;
      await cliIn(cli, channel);
      const w = await signerPage(opts.context, opts.url ?? chatd.url, nick, channel);

      await type(w.page, '/sign maybe');
      await waitForLine(w.page, 'Usage: /sign [on|off]');
      await type(w.page, '/sign on');
      await waitForLine(w.page, 'Signing is on');
      await statusSigning(w.page).waitFor();
      assert.equal(await statusSigning(w.page).getAttribute('data-signing'), opts.kind);
      const stored = await storedKey(w.page);
      assert.equal(stored?.kind, opts.kind);
      if (opts.kind === 'webcrypto') assert.equal(stored?.extractable, false, 'non-extractable');
      await waitForLine(reader.page, `${nick} announced a signing key`);

      await type(w.page, 'signed in a browser');
      await waitVerdict(reader, 'signed in a browser', 'verified');
      await waitVerdict(w, 'signed in a browser', 'verified'); // our own echo, under our key
      await tmux.waitFor(cli, new RegExp(`✓ <${nick}> signed in a browser`));
      await type(w.page, '/me signs an action too');
      await waitVerdict(reader, 'signs an action too', 'verified');

      // The choice and the key survive a reload; the session already has the key: no new PUBKEY.
      await w.page.reload();
      await waitConnected(w.page);
      await statusSigning(w.page).waitFor();
      await type(w.page, `/join ${channel}`);
      await type(w.page, 'still signed after a reload');
      await waitVerdict(reader, 'still signed after a reload', 'verified');
      await tmux.waitFor(cli, new RegExp(`✓ <${nick}> still signed after a reload`));
      assert.equal(
        await reader.page.locator('.log .line', { hasText: `${nick} announced` }).count(),
        1,
        'announced once',
      );

      // The page verifies others too (WebCrypto or the fallback).
      const other = await signer(chatd.url, `${nick}-o`, channel);
      await other.say('signed from Node');
      await waitVerdict(w, 'signed from Node', 'verified');

      await type(w.page, '/sign off');
      await waitForLine(w.page, 'Signing is off');
      assert.equal(await statusSigning(w.page).count(), 0);
      await type(w.page, 'plain words now');
      await waitVerdict(reader, 'plain words now', 'unsigned');
      const screen = await tmux.waitFor(cli, /plain words now/);
      assert.doesNotMatch(screen, /✓ <[^>]+> plain words now/);
      await type(w.page, '/sign');
      await waitForLine(w.page, /Signing is off; key [A-Za-z0-9+/]{43}=/);

      assertClean(w, nick);
      assertClean(reader, `${nick}-r`);
    }

    test('with WebCrypto Ed25519 (localhost): a non-extractable key', async () => {
      const context = await browser.newContext();
      await signingRoundTrip({ nick: 'wendy', channel: '#websig', context, kind: 'webcrypto' });
    });

    test('without WebCrypto Ed25519: the @noble/ed25519 fallback signs and verifies', async () => {
      const context = await browser.newContext();
      await context.addInitScript(NO_WEBCRYPTO_ED25519);
      const probe = await context.newPage();
      await probe.goto(chatd.url);
      const refused = await probe.evaluate<boolean>(
        "crypto.subtle.generateKey({ name: 'Ed25519' }, false, ['sign']).then(() => false, () => true)",
      );
      assert.equal(refused, true, 'the init script takes Ed25519 away');
      await probe.close();
      await signingRoundTrip({ nick: 'fallon', channel: '#fallback', context, kind: 'raw' });
    });

    test('the key outlives a logout: announced at the next login, or with the first message', async () => {
      const channel = '#again';
      const reader = await readerIn('kim-r', channel);
      const context = await browser.newContext();
      const w = await signerPage(context, chatd.url, 'kim', channel);
      await type(w.page, '/sign on');
      await waitForLine(w.page, 'Signing is on');
      const logOutAndIn = async (nick: string) => {
        await w.page.getByRole('button', { name: 'Log out' }).click();
        await signIn(w.page, chatd.url, nick);
        await statusSigning(w.page).waitFor(); // the choice outlived the session
      };

      // A new session (no channel yet, so its PUBKEY reaches nobody): the reader learns the key
      // from the members list when the first signed message arrives.
      await logOutAndIn('kim2');
      await type(w.page, `/join ${channel}`);
      await waitForLine(reader.page, 'kim2 has joined');
      await type(w.page, 'a new session, the same key');
      await waitVerdict(reader, 'a new session, the same key', 'verified');

      // The announcement at login is lost: chatd answers the first signed message with no_key,
      // the page announces and sends it again, signed.
      let dropped = 0;
      await context.route('**/api/v1/messages', async (route) => {
        const req = route.request();
        const body = req.method() === 'POST' ? (req.postDataJSON() as { command?: string }) : {};
        if (body.command === 'PUBKEY' && dropped++ === 0) await route.abort();
        else await route.continue();
      });
      await logOutAndIn('kim3');
      await waitForLine(w.page, 'Could not announce your signing key');
      await type(w.page, `/join ${channel}`);
      await waitForLine(reader.page, 'kim3 has joined');
      await type(w.page, 'announced late, still signed');
      await waitVerdict(reader, 'announced late, still signed', 'verified');
      assert.equal(dropped, 2, 'one PUBKEY lost, one sent after no_key');
      assertClean(w, 'kim', [/Failed to load resource/]);
      assertClean(reader, 'kim-r');
    });

    test('on a plain-http LAN origin (no crypto.subtle at all): the fallback signs', async () => {
      // chat.test resolves to this machine: http and not localhost, so not a secure context
      const lan = await chromium.launch({
        executablePath: CHROMIUM,
        headless: true,
        args: ['--no-sandbox', '--disable-gpu', '--host-resolver-rules=MAP chat.test 127.0.0.1'],
      });
      try {
        const context = await lan.newContext();
        const probe = await context.newPage();
        await probe.goto(`http://chat.test:${chatd.port}`);
        assert.equal(await probe.evaluate<boolean>('isSecureContext || !!crypto.subtle'), false);
        await probe.close();
        await signingRoundTrip({
          nick: 'lana',
          channel: '#lan',
          context,
          kind: 'raw',
          url: `http://chat.test:${chatd.port}`,
        });
      } finally {
        await lan.close();
      }
    });
  },
);
