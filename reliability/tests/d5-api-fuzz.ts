// D5 (CI): API fuzz. fast-check sends random requests to every route of the route table (ROUTES,
// so a new endpoint is fuzzed without touching this file): its method (sometimes another one),
// path parameters filled at random, a random query string, and a random JSON body — valid JSON
// of random types with `__proto__`/`constructor` keys and duplicate keys, command-shaped objects
// with fields of the wrong type, nesting far past the limit, numbers beyond a double, token
// soup — with a valid token, a bad one, or none. Every answer must be a status of docs/api.md other
// than 5xx, every 4xx a JSON error with a code, and the process must stay up. A valid token that
// gets revoked by what the fuzzer sent (QUIT, logout, DELETE of its client) is replaced.
import fc from 'fast-check';
import http from 'node:http';
import { ROUTES } from '../../src/transports/http/routes/index.js';
import { httpRequest } from '../lib/hostile-http.js';
import { call, createSession, send, type Created } from '../lib/http.js';
import {
  commandText,
  deepText,
  jsonText,
  mutatedJson,
  tokenSoup,
  typedCommandText,
} from '../lib/json-arbitraries.js';
import { budgetFor, checkAsync, propertyFailures, seedFor } from '../lib/props.js';
import { startServer, stopAndClean } from '../lib/server.js';
import { Criteria, type ReliabilityTest } from '../lib/types.js';

/** the statuses docs/api.md lists, without 5xx (the store is healthy here) */
const ALLOWED = new Set([
  200, 201, 400, 401, 402, 403, 404, 405, 408, 409, 413, 415, 417, 429, 431,
]);
const METHODS = ['GET', 'POST', 'DELETE', 'PUT', 'PATCH', 'OPTIONS', 'HEAD'] as const;
const CHANNEL = '#fuzz';

const paramValue = fc.oneof(
  fc.constantFrom(
    '1',
    '0',
    '-1',
    '01',
    '99999999999999999999',
    'abc',
    'fuzz',
    '%00',
    '..',
    '%2e%2e',
  ),
  fc.string({ unit: 'binary', maxLength: 12 }).map((s) => encodeURIComponent(s)),
  fc.constant('{own}'),
  fc.nat({ max: 600 }).map((n) => 'p'.repeat(n)),
);

const queryPairs = fc.array(
  fc.tuple(
    fc.constantFrom(
      'after',
      'timeout',
      'target',
      'before',
      'limit',
      'replay',
      'token',
      'clientId',
      '__proto__',
      'q',
    ),
    fc.oneof(
      fc.constantFrom(
        '0',
        '1',
        '-1',
        '1e3',
        '0x10',
        '',
        '#fuzz',
        '%23fuzz',
        'true',
        '9007199254740993',
      ),
      fc.string({ unit: 'binary', maxLength: 10 }).map((s) => encodeURIComponent(s)),
    ),
  ),
  { maxLength: 4 },
);

const bodyText = fc.oneof(
  { weight: 3, arbitrary: typedCommandText },
  { weight: 3, arbitrary: commandText },
  { weight: 2, arbitrary: jsonText },
  { weight: 1, arbitrary: mutatedJson },
  { weight: 1, arbitrary: tokenSoup },
  { weight: 1, arbitrary: deepText.map((d) => d.text) },
  { weight: 1, arbitrary: fc.constantFrom('', '{}', 'null', '{"nick":"fz"}') },
);

/** POST /api/v1/messages carries every command: it gets a good share of the runs */
const MESSAGES_ROUTE = ROUTES.findIndex(
  (r) => r.method === 'POST' && r.path === '/api/v1/messages',
);

const requestArb = fc.record({
  route: fc.oneof(
    { weight: 3, arbitrary: fc.nat({ max: ROUTES.length - 1 }) },
    { weight: MESSAGES_ROUTE >= 0 ? 2 : 0, arbitrary: fc.constant(Math.max(0, MESSAGES_ROUTE)) },
  ),
  method: fc.oneof(
    { weight: 5, arbitrary: fc.constant(null) },
    { weight: 1, arbitrary: fc.constantFrom(...METHODS) },
  ),
  params: fc.array(paramValue, { minLength: 2, maxLength: 2 }),
  query: queryPairs,
  body: fc.option(bodyText, { freq: 4 }),
  contentType: fc.oneof(
    { weight: 6, arbitrary: fc.constant('application/json') },
    { weight: 1, arbitrary: fc.constantFrom('text/plain', 'application/json; charset=latin1', '') },
  ),
  auth: fc.constantFrom('valid', 'valid', 'valid', 'none', 'bad', 'basic'),
});

export const d5: ReliabilityTest = {
  id: 'D5',
  title: 'API fuzz: random requests to every route, never 5xx',
  tiers: ['ci', 'soak'],
  budgetSeconds: { ci: 90, soak: 900 },
  async run(ctx) {
    const c = new Criteria();
    const seed = seedFor();
    const budget = budgetFor(ctx.tier, 1_000, 50_000, 600_000);
    const server = await startServer({ env: { LONG_POLL_TIMEOUT: '0' } });
    const port = server.port;
    const a = new http.Agent({ keepAlive: true, maxSockets: 4 });
    const histogram: Record<string, number> = {};
    const byRoute: Record<string, number> = {};
    const bad: string[] = [];
    /** contract breaches other than 5xx, by kind: count and the first example */
    const breaches = new Map<string, { count: number; example: string }>();
    const breach = (kind: string, where: string, text: string) => {
      const b = breaches.get(kind);
      if (b) b.count++;
      else
        breaches.set(kind, {
          count: 1,
          example: `${where.slice(0, 160)}… → ${text.slice(0, 100)}`,
        });
    };
    let renewals = 0;
    let n = 0;
    try {
      const fresh = async (): Promise<Created> => {
        const who = await createSession(port, `fz${++n}x`);
        await send(port, who.token, { command: 'JOIN', to: CHANNEL });
        return who;
      };
      let me = await fresh();
      const keeper = await fresh(); // stays untouched: proves the server still serves at the end

      const run = await checkAsync(
        'random requests to every route',
        requestArb,
        async (r) => {
          const route = ROUTES[r.route]!;
          const method = r.method ?? route.method;
          let i = 0;
          const path = route.path.replace(/:[a-z_]+/g, () => {
            const v = r.params[i++] ?? '1';
            return v === '{own}' ? String(me.client_id) : v || 'x';
          });
          const pairs = r.query.map(([k, v]) =>
            // a held poll would stall the fuzzer: polls answer at once here
            k === 'timeout' && route.path === '/api/v1/messages' ? [k, '0'] : [k, v],
          );
          const qs = pairs.map(([k, v]) => `${k}=${v}`).join('&');
          const headers: Record<string, string> = {};
          if (r.auth === 'valid') headers.authorization = `Bearer ${me.token}`;
          if (r.auth === 'bad') headers.authorization = 'Bearer Zm9yZ2VkLXRva2Vu';
          if (r.auth === 'basic') headers.authorization = 'Basic c2NyYXBlcjp4';
          const sendBody = r.body !== null && method !== 'GET' && method !== 'HEAD';
          if (sendBody && r.contentType) headers['content-type'] = r.contentType;
          const answer = await httpRequest(port, method, qs ? `${path}?${qs}` : path, {
            headers,
            ...(sendBody ? { body: r.body! } : {}),
            agent: a,
          });
          const key = String(answer.status);
          histogram[key] = (histogram[key] ?? 0) + 1;
          const routeKey = `${method} ${route.path}`;
          byRoute[routeKey] = (byRoute[routeKey] ?? 0) + 1;
          const where = `${method} ${path}${qs ? `?${qs}` : ''} (${r.auth}) ${JSON.stringify(r.body)?.slice(0, 200)}`;
          // A 5xx (or no answer) fails the property at once, so fast-check shrinks it; other
          // breaches of the contract are collected and the fuzzing goes on.
          if (answer.status >= 500) {
            bad.push(`${answer.status} for ${where}: ${answer.text.slice(0, 200)}`);
            throw new Error(`status ${answer.status} for ${where}`);
          }
          if (!ALLOWED.has(answer.status)) {
            breach(
              `status ${answer.status} (not in docs/api.md) on ${routeKey}`,
              where,
              answer.text,
            );
          } else if (answer.status >= 400 && method !== 'HEAD') {
            const err = (answer.json as { error?: unknown } | undefined)?.error;
            if (typeof err !== 'string' || err === '') {
              breach(
                `${answer.status} without a JSON error code on ${routeKey}`,
                where,
                answer.text,
              );
            }
          }
          // The fuzzer may have ended its own session (QUIT, logout, DELETE of its client).
          if (r.auth === 'valid' && (answer.status === 401 || route.auth === 'bearer')) {
            const alive = await call(port, 'GET', '/api/v1/state', { token: me.token, agent: a });
            if (alive.status === 401) {
              me = await fresh();
              renewals++;
            }
          }
        },
        budget,
        seed,
      );
      for (const f of propertyFailures(run, ctx.tier === 'ci')) c.check(false, f);
      for (const b of bad.slice(0, 5)) ctx.log(b);
      for (const [kind, b] of breaches) {
        c.check(false, `${kind}: ${b.count}× — e.g. ${b.example}`);
      }

      c.check(!server.exited(), 'chatd still running');
      const health = await call(port, 'GET', '/.well-known/healthcheck.json');
      c.equal('health status after the fuzz', health.status, 200);
      const still = await call(port, 'POST', '/api/v1/messages', {
        token: keeper.token,
        json: { command: 'PRIVMSG', to: CHANNEL, body: ['still here'] },
      });
      c.equal('an untouched session can still send', still.status, 200);
      const fiveXx = Object.entries(histogram)
        .filter(([k]) => Number(k) >= 500)
        .reduce((s, [, v]) => s + v, 0);
      c.equal('5xx', fiveXx, 0);
      const unrouted = ROUTES.map((r) => `${r.method} ${r.path}`).filter((k) => !byRoute[k]);
      c.check(unrouted.length === 0, `every route fuzzed (missing: ${unrouted.join(', ')})`);
      return {
        figures: {
          runs: run.runs,
          status_histogram: histogram,
          '5xx': fiveXx,
          seed,
          slowest_request_ms: run.maxMs,
          sessions_renewed: renewals,
          per_route: byRoute,
          counterexample: run.counterexample,
          contract_breaches: Object.fromEntries([...breaches].map(([k, v]) => [k, v.count])),
        },
        failures: c.failures,
        notes: [`replay with RELIABILITY_SEED=${seed}`],
      };
    } finally {
      a.destroy();
      await stopAndClean(server);
    }
  },
};
