// How chatd serves the web client (no browser needed): cache headers and validators, gzip, the
// Content-Security-Policy, nosniff, and reliability/README.mdc's static-path corpus — no request reaches a
// file outside dist/web, whatever its spelling.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { loadWebAssets } from '../../src/transports/http/web-assets.js';
import { startChatd, type Chatd } from '../helpers/chatd.js';

interface Raw {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** One request with the path sent exactly as written (fetch and URL would normalise `..`). */
function raw(
  base: string,
  method: string,
  rawPath: string,
  headers: Record<string, string> = {},
): Promise<Raw> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: hostname,
      port,
      method,
      path: rawPath,
      headers,
      agent: false,
    });
    req.on('error', reject);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
      );
    });
    req.end();
  });
}

void describe('web client files', () => {
  let chatd: Chatd;
  let page: Raw;
  let assets: string[];

  before(async () => {
    chatd = await startChatd();
    page = await raw(chatd.url, 'GET', '/');
    assets = [...page.body.toString().matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map(
      (m) => m[1]!,
    );
  });
  after(async () => {
    await chatd?.cleanup();
  });

  test('the page: HTML, revalidated on every load, strict CSP, no inline script', () => {
    assert.equal(page.status, 200);
    assert.match(String(page.headers['content-type']), /^text\/html; charset=utf-8/);
    assert.equal(page.headers['cache-control'], 'no-cache');
    assert.match(String(page.headers.etag), /^"[\w-]+"$/);
    assert.equal(page.headers['x-content-type-options'], 'nosniff');
    assert.equal(page.headers['x-frame-options'], 'DENY');
    const csp = String(page.headers['content-security-policy']);
    for (const rule of [
      "default-src 'self'",
      "script-src 'self'",
      "object-src 'none'",
      "frame-ancestors 'none'",
    ]) {
      assert.ok(csp.includes(rule), `CSP has ${rule}: ${csp}`);
    }
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
    const html = page.body.toString();
    const scripts = [...html.matchAll(/<script\b[^>]*>([\s\S]*?)<\/script>/g)];
    assert.ok(scripts.length > 0);
    for (const s of scripts) {
      assert.match(s[0], /\ssrc="\/assets\//, 'scripts are files');
      assert.equal(s[1]!.trim(), '', 'no inline script');
    }
    assert.ok(assets.some((a) => /\/app-\w+\.js$/.test(a)) && assets.some((a) => /\.css$/.test(a)));
  });

  test('assets: immutable for a year, typed, 304 on a matching ETag, gzip when asked', async () => {
    for (const asset of assets) {
      const r = await raw(chatd.url, 'GET', asset);
      assert.equal(r.status, 200, asset);
      assert.equal(r.headers['cache-control'], 'public, max-age=31536000, immutable');
      assert.equal(r.headers['x-content-type-options'], 'nosniff');
      const type = String(r.headers['content-type']);
      if (asset.endsWith('.js')) assert.match(type, /^text\/javascript/);
      if (asset.endsWith('.css')) assert.match(type, /^text\/css/);
      if (asset.endsWith('.svg')) assert.match(type, /^image\/svg\+xml/);
      const again = await raw(chatd.url, 'GET', asset, { 'if-none-match': String(r.headers.etag) });
      assert.equal(again.status, 304);
      assert.equal(again.body.length, 0);
    }
    const script = assets.find((a) => a.endsWith('.js'))!;
    const plain = await raw(chatd.url, 'GET', script);
    const packed = await raw(chatd.url, 'GET', script, { 'accept-encoding': 'gzip, deflate' });
    assert.equal(packed.headers['content-encoding'], 'gzip');
    assert.match(String(packed.headers.vary), /Accept-Encoding/i);
    assert.ok(packed.body.length < plain.body.length / 2);
    assert.deepEqual(gunzipSync(packed.body), plain.body);
    const head = await raw(chatd.url, 'HEAD', '/');
    assert.equal(head.status, 200);
    assert.equal(head.body.length, 0);
  });

  test('favicon.ico is an icon', async () => {
    const r = await raw(chatd.url, 'GET', '/favicon.ico');
    assert.equal(r.status, 200);
    assert.equal(r.headers['content-type'], 'image/x-icon');
    assert.deepEqual([...r.body.subarray(0, 4)], [0, 0, 1, 0]);
  });

  test('no path reaches a file outside dist/web', async () => {
    const corpus = [
      '/../../etc/passwd',
      '/assets/../../etc/passwd',
      '/assets/..%2f..%2f..%2fetc%2fpasswd',
      '/assets/%2e%2e/%2e%2e/package.json',
      '/assets/%2e%2e%2fpackage.json',
      '/assets/%252e%252e%252fpackage.json',
      '/assets/..\\..\\package.json',
      '/assets/%5c..%5c..%5cpackage.json',
      '/assets/app.js%00.png',
      '/assets/%00',
      '//etc/passwd',
      '/assets//etc/passwd',
      '/assets/.',
      '/assets/..',
      '/assets/',
      '/assets',
      '/index.html',
      '/package.json',
      '/dist/web/index.html',
      '/web/src/main.tsx',
      '/web/index.html',
      '/assets/index.html',
      '/favicon.ico/..%2f..%2fpackage.json',
    ];
    const secret = fs.readFileSync('/etc/passwd', 'utf8').split('\n')[0]!;
    for (const p of corpus) {
      const r = await raw(chatd.url, 'GET', p);
      assert.ok(r.status === 400 || r.status === 404, `${p} → ${r.status}`);
      const text = r.body.toString();
      assert.ok(
        !text.includes(secret) && !text.includes('"devDependencies"'),
        `${p} leaked a file`,
      );
      assert.equal(r.headers['x-content-type-options'], 'nosniff', p);
      assert.match(String(r.headers['content-type']), /application\/json/, `${p}: no listing`);
    }
  });

  test('only regular files directly in dist/web/assets are served (no symlinks, no folders)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chatd-web-'));
    try {
      fs.mkdirSync(path.join(dir, 'assets', 'sub'), { recursive: true });
      fs.writeFileSync(path.join(dir, 'index.html'), '<!doctype html>');
      fs.writeFileSync(path.join(dir, 'assets', 'app-1.js'), 'void 0');
      fs.writeFileSync(path.join(dir, 'assets', 'sub', 'inner.js'), 'void 0');
      fs.writeFileSync(path.join(dir, 'secret.txt'), 'not an asset');
      fs.symlinkSync('/etc/passwd', path.join(dir, 'assets', 'passwd.txt'));
      fs.symlinkSync(path.join(dir, 'secret.txt'), path.join(dir, 'assets', 'secret.txt'));
      const { files, built } = loadWebAssets(dir);
      assert.equal(built, true);
      assert.deepEqual([...files.keys()].sort(), ['/', '/assets/app-1.js']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
