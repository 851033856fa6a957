// `GET /`: a small landing page until the web client exists (its own issue).
import { defineRoute, type RouteSpec } from '../route-def.js';
import { TextSchema } from '../schemas.js';

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function landingPage(name: string, version: string): string {
  const title = `${escapeHtml(name)} — chat server`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem}code{background:#eee;padding:0 .2em}</style>
</head>
<body>
<h1>${title}</h1>
<p>IRC semantics over HTTP+JSON, version ${escapeHtml(version)}. The web client is coming;
meanwhile the HTTP API is documented in <a href="/api/v1/openapi.json">/api/v1/openapi.json</a>.</p>
<p>Start with <code>POST /api/v1/session</code> and <code>{"nick": "…"}</code>, then
<code>POST /api/v1/messages</code> with <code>Authorization: Bearer &lt;token&gt;</code> and
long-poll <code>GET /api/v1/messages?after=N</code>.</p>
</body>
</html>
`;
}

const root = defineRoute({
  method: 'GET',
  path: '/',
  auth: 'none',
  tag: 'web',
  summary: 'Landing page (the web client later)',
  response: {
    status: 200,
    description: 'an HTML page',
    schema: TextSchema,
    contentType: 'text/html; charset=utf-8',
  },
  handler: async ({ deps, reply }) => {
    void reply
      .type('text/html; charset=utf-8')
      .header(
        'Content-Security-Policy',
        "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
      )
      .header('X-Frame-Options', 'DENY');
    return landingPage(deps.config.SERVER_NAME, deps.config.version);
  },
});

export const rootRoutes: RouteSpec[] = [root];
