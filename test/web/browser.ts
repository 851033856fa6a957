// Headless Chromium (Debian's package, driven by playwright-core) for the web client's end-to-end
// tests, plus helpers that act as a user would: sign in, type a line, read the log.
// Without /usr/bin/chromium the suites are skipped locally, but in CI (CI=true) they run and
// fail: a missing browser must never pass as green.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  chromium,
  type Browser,
  type BrowserContext,
  type ConsoleMessage,
  type Page,
} from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
// docs/DEVELOPING.md: Chromium as root needs --no-sandbox; the rest keeps it quiet and offline.
const FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * Where screenshots are written: the README's docs/screenshots only when asked for
 * (UPDATE_SCREENSHOTS=1, which `npm run screenshots` sets); otherwise a folder under the OS temp
 * directory, so that a test run leaves the work tree as it found it. They are taken either way.
 */
export function screenshotDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.UPDATE_SCREENSHOTS === '1'
    ? path.join(ROOT, 'docs', 'screenshots')
    : path.join(os.tmpdir(), 'chat-screenshots');
}

/**
 * `skip` option for describe(): a reason locally without Chromium, never in CI nor when the
 * README's screenshots are being updated (a missing browser must not pass as done).
 */
export const skipWithoutBrowser: string | false =
  fs.existsSync(CHROMIUM) || process.env.CI === 'true' || process.env.UPDATE_SCREENSHOTS === '1'
    ? false
    : `Chromium not found at ${CHROMIUM} (apt-get install chromium)`;

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: FLAGS, headless: true });
}

/** A page whose console errors, uncaught exceptions and dialogs are recorded. */
export interface WatchedPage {
  page: Page;
  /** console errors and page errors, as text */
  errors: string[];
  /** alert/confirm/prompt dialogs that opened (each is dismissed) */
  dialogs: string[];
}

export function watch(page: Page): WatchedPage {
  const w: WatchedPage = { page, errors: [], dialogs: [] };
  page.on('console', (m: ConsoleMessage) => {
    if (m.type() === 'error') w.errors.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => w.errors.push(`pageerror: ${e.message}`));
  page.on('dialog', (d) => {
    w.dialogs.push(`${d.type()}: ${d.message()}`);
    void d.dismiss();
  });
  return w;
}

export async function newWatchedPage(context: BrowserContext): Promise<WatchedPage> {
  return watch(await context.newPage());
}

/** Signs in from the login form and waits for the chat screen to be connected. */
export async function signIn(page: Page, url: string, nick: string, password = ''): Promise<void> {
  await page.goto(url);
  await page.getByLabel('Nick').fill(nick);
  if (password) await page.getByLabel(/^Password/).fill(password);
  await page.getByRole('button', { name: 'Connect' }).click();
  await waitConnected(page);
}

export async function waitConnected(page: Page): Promise<void> {
  await page.locator('.conn[data-state="connected"]').waitFor({ timeout: 20_000 });
}

/** Types a line into the input and presses Enter. */
export async function type(page: Page, text: string): Promise<void> {
  const input = page.locator('.input input');
  await input.fill(text);
  await input.press('Enter');
}

/** Switches to a window by its name in the window list. */
export async function openWindow(page: Page, name: string): Promise<void> {
  await page.locator(`.windows button[data-window="${name}"]`).click();
}

/** Waits until a line of the active window's log contains `text`. */
export async function waitForLine(
  page: Page,
  text: string | RegExp,
  timeout = 15_000,
): Promise<void> {
  await page.locator('.log .line', { hasText: text }).first().waitFor({ timeout });
}

/** The text of every line in the active window. */
export async function logLines(page: Page): Promise<string[]> {
  return page.locator('.log .line').allTextContents();
}

export function assertClean(w: WatchedPage, what: string, allow: RegExp[] = []): void {
  const errors = w.errors.filter((e) => !allow.some((re) => re.test(e)));
  assert.deepEqual(errors, [], `${what}: console errors`);
  assert.deepEqual(w.dialogs, [], `${what}: dialogs`);
}

/** Takes a screenshot into screenshotDir(); returns the file's path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  const dir = screenshotDir();
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, name);
  await page.screenshot({ path: file });
  const png = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  assert.deepEqual([...fs.readFileSync(file).subarray(0, 8)], png, `${file} is a PNG`);
  return file;
}
