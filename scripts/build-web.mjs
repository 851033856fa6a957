#!/usr/bin/env node
// Builds the web client (web/) into dist/web with esbuild: content-hashed scripts, style sheet and
// icon under dist/web/assets/, index.html pointing at them, and a favicon.ico. Run by
// `npm run build` after tsc (so `npm install`, through `prepare`, builds it too).
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const web = path.join(root, 'web');
const out = path.join(root, 'dist', 'web');
const assets = path.join(out, 'assets');

// Start clean so files of earlier builds (other hashes) are not served any more.
fs.rmSync(out, { recursive: true, force: true });
fs.mkdirSync(assets, { recursive: true });

const result = await build({
  absWorkingDir: root,
  entryPoints: {
    app: 'web/src/main.tsx',
    'poll-worker': 'web/src/net/poll-worker.ts',
    'mint-worker': 'web/src/login/mint-worker.ts',
  },
  tsconfig: 'web/tsconfig.json',
  bundle: true,
  minify: true,
  sourcemap: 'linked',
  // Classic scripts: a SharedWorker or Worker of type "module" is not available everywhere.
  format: 'iife',
  target: ['chrome110', 'firefox115', 'safari16'],
  jsx: 'automatic',
  jsxImportSource: 'preact',
  entryNames: '[name]-[hash]',
  outdir: assets,
  metafile: true,
  logLevel: 'warning',
  legalComments: 'linked',
});

/** entry name (`app.js`, `app.css`, `poll-worker.js`…) → URL path of the built file */
const urls = {};
for (const [file, meta] of Object.entries(result.metafile.outputs)) {
  if (!meta.entryPoint && !file.endsWith('.css')) continue;
  const base = path.basename(file);
  const name = base.replace(/-[A-Z0-9]+(\.\w+)$/, '$1');
  urls[name] = `/assets/${base}`;
}

// The SVG icon, hashed like the rest.
const svg = fs.readFileSync(path.join(web, 'public', 'favicon.svg'));
const svgName = `favicon-${createHash('sha256').update(svg).digest('hex').slice(0, 8)}.svg`;
fs.writeFileSync(path.join(assets, svgName), svg);
urls['favicon.svg'] = `/assets/${svgName}`;

let html = fs.readFileSync(path.join(web, 'index.html'), 'utf8');
html = html.replace(/\{\{([\w.-]+)\}\}/g, (_, name) => {
  if (!urls[name]) throw new Error(`build-web: index.html names ${name}, which was not built`);
  return urls[name];
});
fs.writeFileSync(path.join(out, 'index.html'), html);
fs.writeFileSync(path.join(out, 'favicon.ico'), favicon());

const bytes = (name) => fs.statSync(path.join(out, urls[name] ?? name)).size;
console.log(
  `build-web: dist/web — app.js ${bytes('app.js')} B, app.css ${bytes('app.css')} B, ` +
    `poll-worker.js ${bytes('poll-worker.js')} B, mint-worker.js ${bytes('mint-worker.js')} B`,
);

/**
 * A 32×32 icon (a white speech bubble on a blue rounded square) as an ICO holding one 32-bit
 * BMP, drawn here so the build needs no image tools. Browsers that ask for /favicon.ico without
 * reading the page (and tools) get this; pages use the SVG.
 */
function favicon() {
  const size = 32;
  const pixels = Buffer.alloc(size * size * 4);
  const inRoundedRect = (x, y, x0, y0, x1, y1, r) => {
    const cx = Math.min(Math.max(x, x0 + r), x1 - r);
    const cy = Math.min(Math.max(y, y0 + r), y1 - r);
    return x >= x0 && x <= x1 && y >= y0 && y <= y1 && (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
  };
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const px = x + 0.5;
      const py = y + 0.5;
      let rgba = [0, 0, 0, 0];
      if (inRoundedRect(px, py, 0, 0, 32, 32, 7)) rgba = [0x1f, 0x6f, 0xeb, 255];
      const bubble = inRoundedRect(px, py, 5, 8, 27, 22, 2.5);
      const tail = py >= 21 && py <= 26 && px >= 9 && px <= 14 - (py - 21);
      if (bubble || tail) rgba = [255, 255, 255, 255];
      // BMP rows run bottom-up, pixels in BGRA order.
      const at = ((size - 1 - y) * size + x) * 4;
      pixels[at] = rgba[2];
      pixels[at + 1] = rgba[1];
      pixels[at + 2] = rgba[0];
      pixels[at + 3] = rgba[3];
    }
  }
  const mask = Buffer.alloc((size / 8) * size); // all zero: alpha decides
  const header = Buffer.alloc(40);
  header.writeUInt32LE(40, 0);
  header.writeInt32LE(size, 4);
  header.writeInt32LE(size * 2, 8); // colour and mask images stacked
  header.writeUInt16LE(1, 12);
  header.writeUInt16LE(32, 14);
  header.writeUInt32LE(pixels.length + mask.length, 20);
  const image = Buffer.concat([header, pixels, mask]);
  const dir = Buffer.alloc(22);
  dir.writeUInt16LE(0, 0);
  dir.writeUInt16LE(1, 2); // icon
  dir.writeUInt16LE(1, 4); // one image
  dir.writeUInt8(size, 6);
  dir.writeUInt8(size, 7);
  dir.writeUInt16LE(1, 10); // planes
  dir.writeUInt16LE(32, 12); // bits per pixel
  dir.writeUInt32LE(image.length, 14);
  dir.writeUInt32LE(22, 18);
  return Buffer.concat([dir, image]);
}
