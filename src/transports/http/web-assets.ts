// The web client's files (dist/web, written by scripts/build-web.mjs), held in memory and served
// from a fixed map of URL path → file built once when first asked for. A request can only name a
// key of that map, so no request path is ever joined onto a directory: `..`, encoded slashes,
// NUL bytes or symlinks cannot reach a file outside dist/web.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

export interface WebAsset {
  body: Buffer;
  /** the body gzip-compressed, when that saves something */
  gzip: Buffer | null;
  contentType: string;
  /** strong validator: a hash of the body */
  etag: string;
  cacheControl: string;
}

export interface WebAssets {
  /** URL path (`/`, `/assets/app-3F2A….js`, `/favicon.ico`) → file */
  files: ReadonlyMap<string, WebAsset>;
  /** false when dist/web has no index.html (the bundle was not built) */
  built: boolean;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
  '.png': 'image/png',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
};

// Files under assets/ carry a content hash in their name, so they can be cached for good; the
// page itself must be revalidated each time so a new build is picked up at the next load.
const IMMUTABLE = 'public, max-age=31536000, immutable';
const REVALIDATE = 'no-cache';
const FAVICON = 'public, max-age=86400';

/** The repository (or installed package) root: this file is src/… or dist/… three levels down. */
const PACKAGE_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const DEFAULT_WEB_DIR = path.join(PACKAGE_ROOT, 'dist', 'web');

function asset(body: Buffer, name: string, cacheControl: string): WebAsset {
  const ext = path.extname(name).toLowerCase();
  const contentType = TYPES[ext] ?? 'application/octet-stream';
  // Source maps are fetched only by developer tools: not worth compressing at start-up.
  const compressible = ext !== '.map' && /^(text\/|application\/json|image\/svg)/.test(contentType);
  const packed = compressible && body.length > 512 ? gzipSync(body, { level: 9 }) : null;
  const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
  return {
    body,
    gzip: packed && packed.length < body.length * 0.9 ? packed : null,
    contentType,
    etag,
    cacheControl,
  };
}

/** Regular files directly in `dir` (no recursion; symlinks and other kinds are skipped). */
function regularFiles(dir: string): string[] {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries
    .filter((e) => e.isFile() && /^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(e.name))
    .map((e) => e.name);
}

export function loadWebAssets(dir: string = DEFAULT_WEB_DIR): WebAssets {
  const files = new Map<string, WebAsset>();
  const index = path.join(dir, 'index.html');
  const built = regularFiles(dir).includes('index.html');
  if (built) files.set('/', asset(fs.readFileSync(index), 'index.html', REVALIDATE));
  if (regularFiles(dir).includes('favicon.ico')) {
    files.set(
      '/favicon.ico',
      asset(fs.readFileSync(path.join(dir, 'favicon.ico')), 'favicon.ico', FAVICON),
    );
  }
  const assetsDir = path.join(dir, 'assets');
  for (const name of regularFiles(assetsDir)) {
    files.set(
      `/assets/${name}`,
      asset(fs.readFileSync(path.join(assetsDir, name)), name, IMMUTABLE),
    );
  }
  return { files, built };
}

let cached: WebAssets | null = null;

/** The assets of DEFAULT_WEB_DIR, read on first use and kept for the life of the process. */
export function webAssets(): WebAssets {
  cached ??= loadWebAssets();
  return cached;
}

/**
 * The page's Content-Security-Policy: scripts, styles, workers and API calls only from this
 * origin, no inline script or style, no plugins, not framable. Server text is rendered as DOM
 * text anyway; this is the second fence should a bug ever put markup on the page.
 */
export const WEB_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "worker-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');
