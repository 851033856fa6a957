// The web tests take the README's screenshots, but write them into docs/screenshots only when
// asked to (UPDATE_SCREENSHOTS=1, `npm run screenshots`): `npm test` leaves a clone clean.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { ROOT, screenshotDir } from './browser.js';

test('screenshots go to the OS temp directory unless UPDATE_SCREENSHOTS=1', () => {
  const plain = screenshotDir({});
  assert.ok(plain.startsWith(os.tmpdir() + path.sep), plain);
  assert.ok(!plain.startsWith(ROOT + path.sep), `${plain} is outside the work tree`);
  assert.equal(screenshotDir({ UPDATE_SCREENSHOTS: '0' }), plain);
  assert.equal(screenshotDir({ UPDATE_SCREENSHOTS: '1' }), path.join(ROOT, 'docs', 'screenshots'));
});

test('npm run screenshots is the way to update the README images', () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
    scripts: Record<string, string>;
  };
  assert.match(pkg.scripts.screenshots ?? '', /UPDATE_SCREENSHOTS=1 .*test\/web\/chat\.test\.ts/);
  assert.doesNotMatch(pkg.scripts.test ?? '', /UPDATE_SCREENSHOTS/);
});
