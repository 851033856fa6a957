// The OpenAPI 3.1 document, generated from the route table and its zod schemas (the same ones
// that validate requests), so the document cannot drift from the code.
import { z } from 'zod';
import type { RouteSpec } from './route-def.js';
import { ApiErrorSchema } from './schemas.js';

type Json = Record<string, unknown>;

const ERROR_TEXT: Record<number, string> = {
  400: 'malformed request (bad JSON, wrong type, unknown field, IRC 4xx numerics)',
  401: 'missing, malformed, unknown or revoked credentials (WWW-Authenticate)',
  402: 'hashcash stamp missing or invalid',
  403: 'refused by IRC rules (see `numeric`)',
  404: 'no such resource',
  409: 'conflict (nick in use, …)',
  413: 'request body larger than MAX_BODY_BYTES',
  415: 'request body is not application/json',
  429: 'too many requests (Retry-After)',
  500: 'internal error (no details)',
  503: 'store unavailable or shutting down (Retry-After)',
};

/** Converts one schema; nested schemas with an id are hoisted into `defs`. */
function toSchema(schema: z.ZodType, io: 'input' | 'output', defs: Json): Json {
  const json = z.toJSONSchema(schema, {
    target: 'draft-2020-12',
    io,
    unrepresentable: 'any',
  }) as Json;
  delete json.$schema;
  const local = json.$defs as Json | undefined;
  delete json.$defs;
  const rewrite = (v: Json) =>
    JSON.parse(JSON.stringify(v).replaceAll('"#/$defs/', '"#/components/schemas/')) as Json;
  if (local) for (const [id, def] of Object.entries(local)) defs[id] = rewrite(def as Json);
  const id = json.id;
  if (typeof id === 'string') {
    delete json.id;
    defs[id] = rewrite(json);
    return { $ref: `#/components/schemas/${id}` };
  }
  return rewrite(json);
}

function parameters(schema: z.ZodType | undefined, where: 'path' | 'query', defs: Json): Json[] {
  if (!schema) return [];
  const json = toSchema(schema, 'input', defs);
  const props = (json.properties ?? {}) as Record<string, Json>;
  const required = new Set((json.required ?? []) as string[]);
  return Object.entries(props).map(([name, prop]) => {
    const { description, ...rest } = prop;
    const p: Json = {
      name,
      in: where,
      required: where === 'path' || required.has(name),
      schema: rest,
    };
    if (typeof description === 'string') p.description = description;
    return p;
  });
}

function errorStatuses(route: RouteSpec): number[] {
  const out = new Set<number>(route.errors ?? []);
  if (route.params || route.query || route.body) out.add(400);
  if (route.method !== 'GET') {
    out.add(400);
    out.add(413);
    out.add(415);
  }
  if (route.auth !== 'none') out.add(401);
  out.add(500);
  if (route.auth === 'bearer' || route.path.startsWith('/api/')) out.add(503);
  return [...out].sort((a, b) => a - b);
}

function operation(route: RouteSpec, defs: Json): Json {
  const op: Json = {
    operationId: `${route.method.toLowerCase()}${route.path.replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ?? '').toUpperCase())}`,
    summary: route.summary,
    tags: [route.tag],
    security:
      route.auth === 'bearer'
        ? [{ bearer: [] }]
        : route.auth === 'basic'
          ? [{ metricsBasic: [] }]
          : [],
  };
  if (route.description) op.description = route.description;
  const params = [
    ...parameters(route.params, 'path', defs),
    ...parameters(route.query, 'query', defs),
  ];
  if (params.length > 0) op.parameters = params;
  if (route.body) {
    op.requestBody = {
      required: true,
      content: { 'application/json': { schema: toSchema(route.body, 'input', defs) } },
    };
  }
  const ok = route.response;
  const responses: Json = {
    [String(ok.status)]: {
      description: ok.description,
      content: {
        [ok.contentType ?? 'application/json']: { schema: toSchema(ok.schema, 'output', defs) },
      },
    },
  };
  for (const status of errorStatuses(route)) {
    responses[String(status)] = {
      description: ERROR_TEXT[status] ?? 'error',
      content: { 'application/json': { schema: { $ref: '#/components/schemas/ApiError' } } },
    };
  }
  op.responses = responses;
  return op;
}

export function buildOpenApi(routes: readonly RouteSpec[], version: string): Json {
  const defs: Json = {};
  toSchema(ApiErrorSchema, 'output', defs);
  const paths: Record<string, Json> = {};
  for (const route of routes) {
    const path = route.path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
    paths[path] ??= {};
    paths[path][route.method.toLowerCase()] = operation(route, defs);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'chat',
      version,
      description:
        'IRC semantics over HTTP+JSON. Errors are {"error": "<code>", "message": "…"}; IRC ' +
        'refusals add numeric, params and replies. Unknown fields and parameters are 400.',
    },
    paths,
    components: {
      schemas: defs,
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          description: 'a client token from /api/v1/session',
        },
        metricsBasic: {
          type: 'http',
          scheme: 'basic',
          description: 'METRICS_USERNAME/METRICS_PASSWORD',
        },
      },
    },
  };
}
