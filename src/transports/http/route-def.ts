// The shape of one route in the route table: registration, validation, the OpenAPI document and
// the authorization-matrix tests all read the same definitions.
import type { FastifyBaseLogger, FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import type { DeliveryApi } from '../../delivery/delivery-api.js';
import type { ChatCore } from '../../protocol/core-contract.js';
import type { Caller } from '../../model/envelope.js';

/** The settings the HTTP transport reads (the composition root fills them from the config). */
export interface HttpSettings {
  serverName: string;
  version: string;
  /** the largest request body accepted (MAX_BODY_BYTES) */
  maxBodyBytes: number;
  /** the largest `meta` of a message, as JSON (MAX_META_BYTES) */
  maxMetaBytes: number;
  /** reverse proxies in front whose X-Forwarded-For entries are believed (TRUST_PROXY) */
  trustProxyHops: number;
  /** the most messages one history page may ask for (HISTORY_PAGE_MAX) */
  historyPageMax: number;
  /** a poll's hold when it names no timeout, in seconds (LONG_POLL_TIMEOUT) */
  longPollTimeoutSeconds: number;
  /** the comment heartbeat of an SSE stream, in seconds (SSE_HEARTBEAT_SECONDS) */
  sseHeartbeatSeconds: number;
  /** the basic-auth credentials of /metrics; null: /metrics is not served */
  metricsLogin: { username: string; password: string } | null;
}

/** What the HTTP transport reports and exposes of the server's metrics. */
export interface HttpMetrics {
  /** one finished HTTP request; `route` is the route pattern, never the raw URL */
  observeHttp(route: string, status: number, seconds: number): void;
  /** the Prometheus text exposition */
  render(): Promise<string>;
  readonly contentType: string;
}

export interface HttpDeps {
  settings: HttpSettings;
  core: ChatCore;
  delivery: DeliveryApi;
  metrics: HttpMetrics;
  /** false when the store cannot write (health check answers 503 "degraded") */
  health: () => Promise<boolean>;
  logger: FastifyBaseLogger;
}

/** `bearer`: a client token; `basic`: the metrics credentials; `none`: public. */
export type AuthKind = 'none' | 'bearer' | 'basic';
export type Method = 'GET' | 'POST' | 'DELETE';

export interface RouteContext<P, Q, B> {
  deps: HttpDeps;
  /** the route table the app was built from */
  routes: readonly RouteSpec[];
  request: FastifyRequest;
  reply: FastifyReply;
  /** the authenticated caller (bearer routes only; reading it elsewhere is a bug and throws) */
  readonly caller: Caller;
  params: P;
  query: Q;
  body: B;
  /** the body exactly as parsed from JSON, before the schema (for pass-through fields) */
  rawBody: unknown;
}

export interface RouteDefinition<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType> {
  method: Method;
  /** Fastify path syntax (`/api/v1/clients/:client_id`) */
  path: string;
  auth: AuthKind;
  summary: string;
  description?: string;
  tag: string;
  /** defaults: no path parameters, no query parameters, no body (or `{}`) */
  params?: P;
  query?: Q;
  body?: B;
  response: {
    status: number;
    description: string;
    schema: z.ZodType;
    /** default application/json */
    contentType?: string;
  };
  /** error statuses this route can answer besides the common ones (400, 5xx, 401 when auth) */
  errors?: number[];
  handler: (ctx: RouteContext<z.output<P>, z.output<Q>, z.output<B>>) => Promise<unknown>;
}

/** A route definition with its types erased, as stored in the table. */
export interface RouteSpec {
  method: Method;
  path: string;
  auth: AuthKind;
  summary: string;
  description?: string;
  tag: string;
  params?: z.ZodType;
  query?: z.ZodType;
  body?: z.ZodType;
  response: RouteDefinition<z.ZodType, z.ZodType, z.ZodType>['response'];
  errors?: number[];
  handler: (ctx: RouteContext<unknown, unknown, unknown>) => Promise<unknown>;
}

export function defineRoute<
  P extends z.ZodType = z.ZodType,
  Q extends z.ZodType = z.ZodType,
  B extends z.ZodType = z.ZodType,
>(def: RouteDefinition<P, Q, B>): RouteSpec {
  return def as unknown as RouteSpec;
}
