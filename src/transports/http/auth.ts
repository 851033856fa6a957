// Authentication of HTTP requests: client bearer tokens (docs/api.md) and the metrics basic auth,
// whose failures are limited per address and overall (docs/limits.md).
// Tokens are read from the Authorization header only, never from the query string.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { FailureLimits } from '../../protocol/allowance.js';
import { ChatError, invalidToken, retryLater } from '../../protocol/errors.js';
import type { ChatCore } from '../../protocol/core-contract.js';
import type { Caller } from '../../model/envelope.js';

/** base64url, at most 256 characters (optional padding tolerated). */
const TOKEN_RE = /^[A-Za-z0-9_-]{1,256}={0,2}$/;

const missingToken = () =>
  new ChatError({
    code: 'missing_token',
    message: 'this endpoint needs Authorization: Bearer <token>',
    facts: { authScheme: 'bearer' },
  });

/** Every value of a header as sent (Node keeps only the first Authorization in `headers`). */
function headerValues(request: FastifyRequest, name: string): string[] {
  const raw = request.raw.rawHeaders;
  const out: string[] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) {
    if (raw[i]?.toLowerCase() === name) out.push(raw[i + 1] ?? '');
  }
  return out;
}

/** The bearer token of a request, or a 401 ChatError. */
export function bearerToken(request: FastifyRequest): string {
  const values = headerValues(request, 'authorization');
  if (values.length === 0) throw missingToken();
  if (values.length > 1) throw invalidToken('more than one Authorization header');
  const m = /^Bearer +(\S+) *$/i.exec(values[0] ?? '');
  if (!m) throw invalidToken('Authorization must be: Bearer <token>');
  const token = m[1] ?? '';
  if (!TOKEN_RE.test(token)) throw invalidToken('malformed token');
  return token;
}

/** preHandler of authenticated routes: sets `request.caller` or answers 401. */
export function bearerAuth(core: ChatCore) {
  return async function authenticate(request: FastifyRequest): Promise<void> {
    const token = bearerToken(request);
    const caller: Caller | null = await core.authenticate(token);
    if (!caller) throw invalidToken('unknown or revoked token');
    // the address is per request, not per token: a device may move between networks
    request.caller = { ...caller, address: request.ip };
  };
}

const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest();

/** Constant-time string comparison (hashing first hides the length too). */
export function safeEqual(a: string, b: string): boolean {
  return timingSafeEqual(sha256(a), sha256(b));
}

/**
 * /metrics authentication failures allowed per address and on the whole server, each refilled
 * over 10 minutes. A scraper left with a wrong password (one try every 15 s) locks out its own
 * address after 20 and from then on takes only 2 a minute of the overall 6 a minute, so it alone
 * never locks out the right one; guessing from many addresses stops at the overall limit.
 */
export const METRICS_FAILURE_LIMITS = {
  perAddress: { capacity: 20, windowMs: 10 * 60_000 },
  overall: { capacity: 60, windowMs: 10 * 60_000 },
} as const;

/**
 * Throws 401 with a Basic challenge unless the request carries exactly these credentials, and
 * 429 without comparing anything while `failures` allows no attempt from this address.
 */
export function checkBasicAuth(
  request: FastifyRequest,
  credentials: { username: string; password: string },
  failures: FailureLimits,
  now = Date.now(),
): void {
  const wait = failures.waitMs(request.ip, now);
  if (wait > 0) {
    throw retryLater(
      'too_many_failures',
      'too many failed metrics logins from this address or in all; try again later',
      wait,
    );
  }
  const values = headerValues(request, 'authorization');
  const m = values.length === 1 ? /^Basic +([A-Za-z0-9+/]+={0,2}) *$/i.exec(values[0] ?? '') : null;
  const decoded = m ? Buffer.from(m[1] ?? '', 'base64').toString('utf8') : '';
  const colon = decoded.indexOf(':');
  const user = colon >= 0 ? decoded.slice(0, colon) : '';
  const pass = colon >= 0 ? decoded.slice(colon + 1) : '';
  // Evaluate both comparisons whatever the first gives, so timing says nothing.
  const userOk = safeEqual(user, credentials.username);
  const passOk = safeEqual(pass, credentials.password);
  if (colon < 0 || !userOk || !passOk) {
    failures.failed(request.ip, now);
    throw new ChatError({
      code: 'unauthorized',
      message: 'metrics need HTTP basic authentication',
      facts: { authScheme: 'basic' },
    });
  }
}

declare module 'fastify' {
  interface FastifyRequest {
    /** set by the bearer preHandler on authenticated routes */
    caller: Caller | null;
  }
}
