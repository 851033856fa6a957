// The one place where anything thrown becomes an HTTP answer (statuses: refusal-status.ts). Every error body is
// `{"error": "<snake_case>", "message": "<human text>"}`; an IRC refusal adds numeric, params
// and replies. A client mistake is a 4xx; anything unexpected is logged with the request id and
// answered 500 with no internals.
import { STATUS_CODES } from 'node:http';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ChatError, chatErrorBody } from '../../protocol/errors.js';
import { StoreUnavailable } from '../../store/errors.js';
import { httpStatus, refusalHeaders } from './refusal-status.js';
import type { RouteSpec } from './route-def.js';

export interface ErrorAnswer {
  status: number;
  body: Record<string, unknown>;
  headers: Record<string, string>;
}

/** Fastify's own 4xx errors, by code. Others keep their status with a generic code. */
const FASTIFY_CODES: Record<string, string> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'body_too_large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'bad_content_length',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'bad_json',
  FST_ERR_CTP_INVALID_JSON_BODY: 'bad_json',
  FST_ERR_BAD_URL: 'bad_url',
  FST_ERR_ASYNC_CONSTRAINT: 'bad_request',
};

const FASTIFY_MESSAGES: Record<string, string> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'request body is larger than the limit',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'Content-Length does not match the body received',
  FST_ERR_BAD_URL: 'the request path is not a valid URL',
};

/** Statuses after which the rest of the request body is not worth reading: close instead. */
const CLOSE_AFTER = new Set([408, 413, 431]);

export function snakeCase(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
}

function chatErrorAnswer(err: ChatError): ErrorAnswer {
  return { status: httpStatus(err.code), body: chatErrorBody(err), headers: refusalHeaders(err) };
}

/** Maps anything thrown to its answer; `null` means "unexpected: log it and answer 500". */
export function mapError(err: unknown): ErrorAnswer | null {
  if (err instanceof ChatError) return chatErrorAnswer(err);
  if (err instanceof StoreUnavailable) {
    return {
      status: 503,
      body: { error: 'store_unavailable', message: 'storage is unavailable; retry shortly' },
      headers: { 'Retry-After': '5' },
    };
  }
  const fe = err as Partial<FastifyError> | null;
  const status = fe?.statusCode;
  if (typeof status === 'number' && status >= 400 && status <= 499) {
    const code = typeof fe?.code === 'string' ? fe.code : '';
    // No channel, client or asset has a name that long: it is simply not found (docs/api.md has no
    // 414), like any other unknown path.
    if (code === 'FST_ERR_MAX_PARAM_LENGTH') {
      return {
        status: 404,
        body: { error: 'not_found', message: 'a path segment is too long to name anything' },
        headers: {},
      };
    }
    const text = STATUS_CODES[status] ?? 'Bad Request';
    return {
      status,
      body: {
        error: FASTIFY_CODES[code] ?? snakeCase(text),
        message: FASTIFY_MESSAGES[code] ?? text.toLowerCase(),
      },
      headers: {},
    };
  }
  return null;
}

export function send(reply: FastifyReply, answer: ErrorAnswer): void {
  const headers: Record<string, string> = { ...answer.headers };
  if (CLOSE_AFTER.has(answer.status)) headers.Connection = 'close';
  headers['X-Content-Type-Options'] = 'nosniff';
  void reply.code(answer.status).headers(headers).send(answer.body);
}

function internalError(request: FastifyRequest): ErrorAnswer {
  return {
    status: 500,
    body: { error: 'internal_error', message: `internal error (request ${request.id})` },
    headers: {},
  };
}

/** Allowed methods for a path that matches a known route pattern (empty when none). */
export function allowedMethods(routes: readonly RouteSpec[], path: string): string[] {
  const allowed = new Set<string>();
  for (const r of routes) {
    if (!pathPattern(r.path).test(path)) continue;
    allowed.add(r.method);
    // HEAD is served only for public GETs (a HEAD must not hold a long-poll).
    if (r.method === 'GET' && r.auth === 'none') allowed.add('HEAD');
  }
  return [...allowed].sort();
}

const patternCache = new Map<string, RegExp>();
function pathPattern(route: string): RegExp {
  let re = patternCache.get(route);
  if (!re) {
    const source = route
      .split('/')
      .map((seg) => (seg.startsWith(':') ? '[^/]+' : seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
      .join('/');
    re = new RegExp(`^${source}$`);
    patternCache.set(route, re);
  }
  return re;
}

/** The error handler, also used for the router's own errors (bad URL, overlong segment). */
export function handleError(err: unknown, request: FastifyRequest, reply: FastifyReply): void {
  const answer = mapError(err);
  if (answer) {
    if (answer.status >= 500) request.log.warn({ code: answer.body.error }, 'service unavailable');
    send(reply, answer);
    return;
  }
  request.log.error({ err }, 'unexpected error');
  send(reply, internalError(request));
}

export function installErrorHandling(app: FastifyInstance, routes: readonly RouteSpec[]): void {
  app.setErrorHandler(handleError);

  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? '/';
    const allowed = allowedMethods(routes, path);
    if (allowed.length > 0) {
      send(reply, {
        status: 405,
        body: {
          error: 'method_not_allowed',
          message: `${request.method} is not allowed here; allowed: ${allowed.join(', ')}`,
        },
        headers: { Allow: allowed.join(', ') },
      });
      return;
    }
    send(reply, {
      status: 404,
      body: { error: 'not_found', message: 'no such route' },
      headers: {},
    });
  });
}
