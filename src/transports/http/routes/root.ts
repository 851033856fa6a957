// The web client (docs/clients.md): `GET /` (the page), `GET /assets/:file` (its scripts, styles and
// icons, content-hashed names) and `GET /favicon.ico`, served from the in-memory map of
// web-assets.ts. Without a built bundle, `/` answers a small landing page instead.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { ChatError } from '../../../protocol/errors.js';
import { defineRoute, type RouteSpec } from '../route-def.js';
import { TextSchema } from '../schemas.js';
import { WEB_CSP, webAssets, type WebAsset } from '../web-assets.js';

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** Shown at `/` when dist/web was not built (e.g. tests run on a tree built with tsc alone). */
export function landingPage(name: string, version: string): string {
  const title = `${escapeHtml(name)} — chat server`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
</head>
<body>
<h1>${title}</h1>
<p>IRC semantics over HTTP+JSON, version ${escapeHtml(version)}. The web client is not built
here (<code>npm run build</code> builds it); the HTTP API is documented in
<a href="/api/v1/openapi.json">/api/v1/openapi.json</a>.</p>
</body>
</html>
`;
}

const notFound = () => new ChatError({ code: 'not_found', message: 'no such file' });

/** Query strings are ignored on these routes (links with tracking parameters still load). */
const AnyQuery = z.looseObject({});

function sendAsset(file: WebAsset, request: FastifyRequest, reply: FastifyReply): unknown {
  void reply
    .type(file.contentType)
    .header('Cache-Control', file.cacheControl)
    .header('ETag', file.etag)
    .header('Vary', 'Accept-Encoding');
  if (file.contentType.startsWith('text/html')) {
    void reply.header('Content-Security-Policy', WEB_CSP).header('X-Frame-Options', 'DENY');
  }
  const match = request.headers['if-none-match'];
  if (typeof match === 'string' && match.split(/\s*,\s*/).includes(file.etag)) {
    return reply.code(304).send();
  }
  const accepts = String(request.headers['accept-encoding'] ?? '');
  if (file.gzip && /\bgzip\b/.test(accepts)) {
    return reply.header('Content-Encoding', 'gzip').send(file.gzip);
  }
  return reply.send(file.body);
}

const root = defineRoute({
  method: 'GET',
  path: '/',
  auth: 'none',
  tag: 'web',
  summary: 'The web client',
  description: 'The single-page web client (a landing page when the bundle was not built).',
  query: AnyQuery,
  response: {
    status: 200,
    description: 'an HTML page',
    schema: TextSchema,
    contentType: 'text/html; charset=utf-8',
  },
  handler: async ({ deps, request, reply }) => {
    const page = webAssets().files.get('/');
    if (page) return sendAsset(page, request, reply);
    void reply
      .type('text/html; charset=utf-8')
      .header('Cache-Control', 'no-cache')
      .header('Content-Security-Policy', "default-src 'none'; frame-ancestors 'none'")
      .header('X-Frame-Options', 'DENY');
    return landingPage(deps.settings.serverName, deps.settings.version);
  },
});

const assetFile = defineRoute({
  method: 'GET',
  path: '/assets/:file',
  auth: 'none',
  tag: 'web',
  summary: 'A file of the web client (script, style sheet, worker, icon)',
  description: 'Names carry a content hash; answers are cacheable for a year.',
  params: z.strictObject({ file: z.string().max(200) }),
  query: AnyQuery,
  response: { status: 200, description: 'the file', schema: TextSchema },
  errors: [404],
  handler: async ({ request, reply, params }) => {
    const file = webAssets().files.get(`/assets/${params.file}`);
    if (!file) throw notFound();
    return sendAsset(file, request, reply);
  },
});

const favicon = defineRoute({
  method: 'GET',
  path: '/favicon.ico',
  auth: 'none',
  tag: 'web',
  summary: 'The site icon',
  query: AnyQuery,
  response: {
    status: 200,
    description: 'an icon',
    schema: TextSchema,
    contentType: 'image/x-icon',
  },
  errors: [404],
  handler: async ({ request, reply }) => {
    const file = webAssets().files.get('/favicon.ico');
    if (!file) throw notFound();
    return sendAsset(file, request, reply);
  },
});

export const rootRoutes: RouteSpec[] = [root, assetFile, favicon];
