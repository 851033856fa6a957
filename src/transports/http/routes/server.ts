// Public server information, health, the OpenAPI document and Prometheus metrics.
import { defineRoute, type RouteSpec } from '../route-def.js';
import { buildOpenApi } from '../openapi.js';
import { HealthSchema, OpenApiSchema, ServerInfoSchema, TextSchema } from '../schemas.js';

const serverInfo = defineRoute({
  method: 'GET',
  path: '/api/v1/server',
  auth: 'none',
  tag: 'server',
  summary: 'Server name, version, MOTD, user count and the hashcash cost',
  response: { status: 200, description: 'server information', schema: ServerInfoSchema },
  handler: ({ deps }) => deps.core.serverInfo(),
});

const health = defineRoute({
  method: 'GET',
  path: '/.well-known/healthcheck.json',
  auth: 'none',
  tag: 'server',
  summary: 'Health check',
  description: '"degraded" with 503 when the store cannot write.',
  response: {
    status: 200,
    description: 'healthy (503 with status "degraded" otherwise)',
    schema: HealthSchema,
  },
  handler: async ({ deps, reply }) => {
    let ok: boolean;
    try {
      ok = await deps.health();
    } catch (err) {
      deps.logger.warn({ err }, 'health check failed');
      ok = false;
    }
    if (!ok) void reply.code(503);
    return {
      status: ok ? 'ok' : 'degraded',
      now: new Date().toISOString(),
      uptime_ms: Math.round(process.uptime() * 1000),
      version: deps.settings.version,
    };
  },
});

let openApiCache: { routes: readonly RouteSpec[]; version: string; doc: unknown } | null = null;

const openApi = defineRoute({
  method: 'GET',
  path: '/api/v1/openapi.json',
  auth: 'none',
  tag: 'server',
  summary: 'This API as an OpenAPI 3.1 document',
  response: { status: 200, description: 'the OpenAPI document', schema: OpenApiSchema },
  handler: async ({ deps, routes }) => {
    const { version } = deps.settings;
    if (openApiCache?.routes !== routes || openApiCache.version !== version) {
      openApiCache = { routes, version, doc: buildOpenApi(routes, version) };
    }
    return openApiCache.doc;
  },
});

const metrics = defineRoute({
  method: 'GET',
  path: '/metrics',
  auth: 'basic',
  tag: 'server',
  summary: 'Prometheus metrics',
  description:
    'HTTP basic auth with METRICS_USERNAME/METRICS_PASSWORD; 404 unless both are set. Failures ' +
    'are limited per address and overall: then 429 with Retry-After, even for the right ones.',
  response: {
    status: 200,
    description: 'Prometheus text exposition',
    schema: TextSchema,
    contentType: 'text/plain; version=0.0.4; charset=utf-8',
  },
  errors: [404, 429],
  handler: async ({ deps, reply }) => {
    void reply.type(deps.metrics.contentType);
    return deps.metrics.render();
  },
});

export const serverRoutes: RouteSpec[] = [serverInfo, health, openApi, metrics];
