// The HTTP transport (docs/api.md): a Fastify app built from the route table. It translates JSON
// requests into ChatCore/DeliveryApi calls and their results or ChatErrors back into JSON; it
// holds no IRC rules.
import http, { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import Fastify, {
  LogController,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import type { DeliveryApi } from '../../delivery/delivery-api.js';
import { ChatError, retryLater } from '../../protocol/errors.js';
import { FailureLimits } from '../../protocol/allowance.js';
import { bearerAuth, checkBasicAuth, METRICS_FAILURE_LIMITS } from './auth.js';
import { handleError, installErrorHandling } from './errors.js';
import { pathOnly } from './url-path.js';
import { installJsonBodyParser } from './json-body.js';
import { installPipeliningLimit } from './pipelining.js';
import { answerExpectations } from './expect.js';
import type { HttpDeps, RouteContext, RouteSpec } from './route-def.js';
import { ROUTES } from './routes/index.js';
import { NoBody, NoParams, NoQuery } from './schemas.js';
import { parseOrThrow } from './validate.js';

export type { HttpDeps } from './route-def.js';
export { ROUTES } from './routes/index.js';

/** Node's connection timeouts (docs/limits.md): slow headers and slow bodies are cut promptly. */
export const SERVER_TIMEOUTS = {
  headersTimeout: 10_000,
  requestTimeout: 30_000,
  connectionsCheckingInterval: 1_000,
  maxHeaderSize: 16_384,
  keepAliveTimeout: 72_000,
} as const;

interface AppState {
  closing: boolean;
}
const states = new WeakMap<FastifyInstance, AppState>();

export interface BuildOptions {
  /** the route table (default ROUTES); tests may pass a subset or extra routes */
  routes?: readonly RouteSpec[];
}

export function buildHttpApp(deps: HttpDeps, options: BuildOptions = {}): FastifyInstance {
  const routes = options.routes ?? ROUTES;
  const app = Fastify({
    loggerInstance: deps.logger,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: deps.settings.maxBodyBytes,
    // request.ip: the socket address, or behind TRUST_PROXY hops of reverse proxies the
    // X-Forwarded-For entry that many hops from the right (the leftmost is whatever the client
    // wrote; only the entries our own proxies appended can be believed)
    trustProxy: trustHops(deps.settings.trustProxyHops),
    return503OnClosing: false,
    forceCloseConnections: 'idle',
    routerOptions: { maxParamLength: 256 },
    serverFactory: (handler) => {
      const { keepAliveTimeout, ...serverOptions } = SERVER_TIMEOUTS;
      const server = http.createServer(serverOptions, handler);
      server.keepAliveTimeout = keepAliveTimeout;
      answerExpectations(server, handler, deps.settings.maxBodyBytes);
      return server;
    },
    clientErrorHandler: answerClientError,
    // The router's own errors (malformed percent-encoding, overlong segment) bypass
    // setErrorHandler; route them through the same mapper.
    frameworkErrors: (err, request, reply) => {
      void reply.header('X-Content-Type-Options', 'nosniff');
      handleError(err, request, reply);
    },
  });
  const state: AppState = { closing: false };
  states.set(app, state);

  app.decorateRequest('caller', null);
  installJsonBodyParser(app);
  installErrorHandling(app, routes);

  installPipeliningLimit(app);
  app.addHook('onRequest', async (request, reply) => {
    void reply.header('X-Content-Type-Options', 'nosniff').header('X-Request-Id', request.id);
    if (request.url.startsWith('/api/')) void reply.header('Cache-Control', 'no-store');
    if (state.closing) {
      throw retryLater('shutting_down', 'the server is shutting down; retry shortly', 5000);
    }
  });
  app.addHook('onSend', async (_request, reply) => {
    if (state.closing) void reply.header('Connection', 'close');
  });
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    const ms = reply.elapsedTime;
    deps.metrics.observeHttp(route, reply.statusCode, ms / 1000);
    const quiet =
      route === '/api/v1/messages' && request.method === 'GET' && reply.statusCode < 400;
    const fields = {
      method: request.method,
      route,
      path: pathOnly(request.url),
      status: reply.statusCode,
      ms: Math.round(ms * 10) / 10,
    };
    if (quiet) request.log.debug(fields, 'request');
    else request.log.info(fields, 'request');
  });

  const { perAddress, overall } = METRICS_FAILURE_LIMITS;
  const metricsFailures = new FailureLimits(perAddress, overall);
  for (const route of routes) {
    app.route({
      method: route.method,
      url: route.path,
      exposeHeadRoute: route.method === 'GET' && route.auth === 'none',
      preHandler: preHandlerFor(route, deps, metricsFailures),
      handler: handlerFor(route, deps, routes),
    });
  }
  return app;
}

/**
 * Fastify's trust function for `hops` proxies: hop 0 is the socket's peer, hop 1 the rightmost
 * X-Forwarded-For entry, and so on; the first untrusted hop is the client.
 */
function trustHops(hops: number): false | ((address: string, hop: number) => boolean) {
  return hops === 0 ? false : (_address, hop) => hop < hops;
}

/** Answers held polls first (delivery.shutdown), then closes the listener and connections. */
export async function closeHttpApp(app: FastifyInstance, delivery: DeliveryApi): Promise<void> {
  const state = states.get(app);
  if (state) state.closing = true;
  delivery.shutdown();
  await app.close();
}

/** `metricsFailures`: the app's one set of basic-auth failure limits (per address, overall). */
function preHandlerFor(route: RouteSpec, deps: HttpDeps, metricsFailures: FailureLimits) {
  if (route.auth === 'bearer') return bearerAuth(deps.core);
  if (route.auth === 'basic') {
    return async (request: FastifyRequest): Promise<void> => {
      const login = deps.settings.metricsLogin;
      if (!login) {
        throw new ChatError({ code: 'not_found', message: 'no such route' });
      }
      checkBasicAuth(request, login, metricsFailures);
    };
  }
  return undefined;
}

/** Copies a query or params object (fast-querystring gives null-prototype objects). */
function ownEntries(value: unknown): Record<string, unknown> {
  return value && typeof value === 'object' ? Object.fromEntries(Object.entries(value)) : {};
}

function handlerFor(route: RouteSpec, deps: HttpDeps, routes: readonly RouteSpec[]) {
  return async function handle(request: FastifyRequest, reply: FastifyReply): Promise<unknown> {
    const params = parseOrThrow(route.params ?? NoParams, ownEntries(request.params), 'params');
    const query = parseOrThrow(route.query ?? NoQuery, ownEntries(request.query), 'query');
    const body =
      route.method === 'GET' ? undefined : parseOrThrow(route.body ?? NoBody, request.body, 'body');
    const ctx: RouteContext<unknown, unknown, unknown> = {
      deps,
      routes,
      request,
      reply,
      params,
      query,
      body,
      rawBody: request.body,
      get caller() {
        if (!request.caller) throw new Error(`route ${route.path} has no authenticated caller`);
        return request.caller;
      },
    };
    const result = await route.handler(ctx);
    if (result === reply) return reply;
    if (reply.statusCode === 200 && route.response.status !== 200) {
      void reply.code(route.response.status);
    }
    return result;
  };
}

/** Errors Node raises before a request reaches Fastify: slow or malformed requests. */
function answerClientError(err: Error & { code?: string }, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const pending = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (socket.writable && !pending?.headersSent) {
    const [status, code, message] =
      err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'request_timeout', 'the request was not received in time']
        : err.code === 'HPE_HEADER_OVERFLOW'
          ? [431, 'headers_too_large', 'the request headers are too large']
          : [400, 'bad_request', 'malformed HTTP request'];
    const body = JSON.stringify({ error: code, message });
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n` +
        'Content-Type: application/json; charset=utf-8\r\n' +
        `Content-Length: ${Buffer.byteLength(body)}\r\n` +
        'X-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n' +
        body,
    );
  }
  socket.destroy();
}
