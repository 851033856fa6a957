// End to end: the authorization matrix. Every route of ROUTES has an entry in AUTHZ_TABLE
// (test/helpers/authz-cases.ts), and every bearer route is called by each kind of caller — no
// token, malformed ones, tokens revoked four ways, another session, a non-member, a member —
// against the real chatd process. Finally no token issued or sent appears in chatd's output at
// LOG_LEVEL=trace. Two chatd processes: one for the matrix, one for idle expiry.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ROUTES } from '../../src/transports/http/routes/index.js';
import {
  AUTHENTICATED_ROLES,
  AUTHZ_TABLE,
  CHANNEL,
  CHANNEL_QUERY,
  METRICS_PASSWORD,
  METRICS_USER,
  ROLES,
  UNAUTHENTICATED_ROLES,
  assertAlive,
  assertHeldPollEnded,
  bearer,
  describeReply,
  holdPoll,
  malformedAuthorizations,
  obj,
  revokedIdentity,
  setupWorld,
  withQueryToken,
  type BearerCase,
  type BearerEntry,
  type Expectation,
  type Identity,
  type Reply,
  type Req,
  type RevokedRole,
  type Role,
  type World,
} from '../helpers/authz-cases.js';
import { startChatd, type Chatd } from '../helpers/chatd.js';

const keyOf = (r: { method: string; path: string }) => `${r.method} ${r.path}`;
const LIVE_KEYS = new Set(ROUTES.map(keyOf));
const BEARER_ROUTES = ROUTES.filter((r) => r.auth === 'bearer');
const bearerEntry = (key: string) => AUTHZ_TABLE[key] as BearerEntry;
const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));

// --- the table itself ---------------------------------------------------------------------------

test('every route of ROUTES has an entry in the authz table', () => {
  const missing = [...LIVE_KEYS].filter((k) => !(k in AUTHZ_TABLE));
  assert.deepEqual(missing, [], 'routes without authorization cases: add them to AUTHZ_TABLE');
});

test('the authz table has no entry for a route that no longer exists', () => {
  const stale = Object.keys(AUTHZ_TABLE).filter((k) => !LIVE_KEYS.has(k));
  assert.deepEqual(stale, [], 'entries for routes that are not in ROUTES');
});

test('each entry has its route’s auth kind; each bearer entry states every role', () => {
  for (const route of ROUTES) {
    const key = keyOf(route);
    const entry = AUTHZ_TABLE[key];
    if (!entry) continue; // reported above
    assert.equal(entry.auth, route.auth, `${key}: auth kind of the entry`);
    if (entry.auth !== 'bearer') {
      assert.ok(entry.cases.length > 0, `${key}: at least one case`);
      continue;
    }
    for (const role of ROLES) {
      const spec = entry.roles[role];
      if ((UNAUTHENTICATED_ROLES as readonly string[]).includes(role)) {
        assert.ok('refused' in spec, `${key} ${role}: refused before any route logic`);
      } else if ('cases' in spec) {
        assert.ok(spec.cases.length > 0, `${key} ${role}: cases, or a reason why not`);
      } else {
        assert.ok('notApplicable' in spec && spec.notApplicable.length > 10, `${key} ${role}`);
      }
    }
  }
});

// --- assertions -----------------------------------------------------------------------------------

function assertRefused(r: Reply, error: string, what: string): void {
  assert.equal(r.status, 401, `${what}: ${describeReply(r)}`);
  assert.equal(obj(r).error, error, `${what}: ${describeReply(r)}`);
  const challenge = String(r.headers['www-authenticate'] ?? '');
  assert.match(challenge, /^Bearer realm="[^"]*"/, `${what}: WWW-Authenticate`);
  if (error === 'invalid_token') assert.match(challenge, /error="invalid_token"/, what);
  else assert.doesNotMatch(challenge, /error=/, `${what}: no error code without credentials`);
}

function assertExpected(r: Reply, expect: Expectation, what: string): void {
  assert.equal(r.status, expect.status, `${what}: ${describeReply(r)}`);
  if (expect.error !== undefined) assert.equal(obj(r).error, expect.error, what);
  if (expect.numeric !== undefined) assert.equal(obj(r).numeric, expect.numeric, what);
  if (r.status === 401) {
    assert.match(String(r.headers['www-authenticate'] ?? ''), /^Bearer /, `${what}: challenge`);
  }
}

/** The 401 roles: the entry's probe, sent with each Authorization this role stands for. */
async function runRefused(
  world: World,
  key: string,
  role: Role,
  attempts: { label: string; authorization: string[]; caller: Identity | null; query?: string }[],
): Promise<number> {
  const entry = bearerEntry(key);
  const spec = entry.roles[role];
  assert.ok('refused' in spec);
  for (const a of attempts) {
    let req: Req = entry.probe({ world, caller: a.caller });
    if (a.query !== undefined) req = withQueryToken(req, a.query);
    const r = await world.send(req, a.authorization);
    assertRefused(r, spec.refused, `${key} ${role} (${a.label})`);
  }
  return attempts.length;
}

async function callerFor(world: World, role: Role, c: BearerCase): Promise<Identity> {
  switch (c.caller) {
    case 'fresh':
      return world.joined('fresh');
    case 'former': {
      const former = await world.joined('former');
      await world.command(former, { command: 'PART', to: CHANNEL });
      return former;
    }
    case 'owner':
      return world.owner;
    default:
      return role === 'member' ? world.member : world.outsider;
  }
}

async function runCase(world: World, key: string, role: Role, c: BearerCase): Promise<void> {
  const caller = await callerFor(world, role, c);
  const ctx = { world, caller };
  const r = await world.send(c.request(ctx), [bearer(caller)]);
  assertExpected(r, c.expect, `${key} ${role} (${c.label})`);
  await c.expect.check?.(r, ctx);
}

interface LogLine {
  level?: number;
  msg?: string;
  route?: string;
  method?: string;
  status?: number;
}

function logLines(output: string): { text: string; json: LogLine | null }[] {
  return output
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((text) => {
      try {
        return { text, json: JSON.parse(text) as LogLine };
      } catch {
        return { text, json: null };
      }
    });
}

/** No secret, nor its first 16 characters, anywhere in the process output. */
function assertNoSecretIn(output: string, secrets: Iterable<string>, what: string): number {
  const leaks: string[] = [];
  let n = 0;
  for (const secret of secrets) {
    n++;
    for (const needle of new Set([secret, secret.slice(0, 16)])) {
      const at = output.indexOf(needle);
      if (at < 0) continue;
      const start = output.lastIndexOf('\n', at) + 1;
      const end = output.indexOf('\n', at);
      const line = output.slice(start, end < 0 ? undefined : end).replaceAll(needle, '<SECRET>');
      leaks.push(`${needle === secret ? 'whole' : 'prefix'}: ${line.slice(0, 400)}`);
    }
  }
  assert.deepEqual(leaks, [], `${what}: secrets in the chatd output`);
  return n;
}

/** The log really covers the requests: a request line per bearer route, refused ones included. */
function assertLogCovers(output: string, routes: typeof ROUTES): void {
  const lines = logLines(output)
    .map((l) => l.json)
    .filter((j): j is LogLine => j !== null && j.msg === 'request');
  for (const route of routes) {
    const ofRoute = lines.filter((j) => j.route === route.path && j.method === route.method);
    assert.ok(
      ofRoute.some((j) => j.status === 401),
      `${keyOf(route)}: a logged 401 request line (the check must see refused requests)`,
    );
  }
  const fivexx = lines.filter((j) => (j.status ?? 0) >= 500);
  assert.deepEqual(fivexx, [], 'no request answered 5xx');
}

/**
 * Waits until chatd has logged one more request of its own, so every earlier request line is in
 * the output too (a request is logged after its answer is sent).
 */
async function settleLog(chatd: Chatd, world: World): Promise<void> {
  const marker = '"route":"/.well-known/healthcheck.json"';
  const count = () => chatd.output().split(marker).length;
  const before = count();
  const r = await world.send({ method: 'GET', path: '/.well-known/healthcheck.json' });
  assert.equal(r.status, 200);
  const deadline = Date.now() + 5000;
  while (count() <= before) {
    assert.ok(Date.now() < deadline, 'the request line of the last request was not logged');
    await delay(50);
  }
}

// --- the matrix -----------------------------------------------------------------------------------

void describe('authorization matrix (one chatd, LOG_LEVEL=trace)', () => {
  let chatd: Chatd;
  let world: World;
  const victims = new Map<RevokedRole, Promise<Identity>>();
  const victim = (role: Exclude<RevokedRole, 'revoked:idle-expiry'>) => {
    let v = victims.get(role);
    if (!v) {
      v = revokedIdentity(world, role);
      victims.set(role, v);
    }
    return v;
  };
  let refusedRequests = 0;
  let caseRequests = 0;

  before(async () => {
    chatd = await startChatd({
      env: {
        LOG_LEVEL: 'trace',
        METRICS_USERNAME: METRICS_USER,
        METRICS_PASSWORD: METRICS_PASSWORD,
      },
    });
    world = await setupWorld(chatd.url);
  });
  after(async () => chatd?.cleanup());

  for (const route of ROUTES) {
    const key = keyOf(route);
    const entry = AUTHZ_TABLE[key];
    if (!entry) continue; // the coverage test fails for it
    void describe(key, () => {
      if (entry.auth === 'none') {
        for (const c of entry.cases) {
          test(`public: ${c.label} → ${c.expect.status}, with or without an Authorization`, async () => {
            for (const authorization of [[], ['Bearer !!!'], [bearer(world.outsider)]]) {
              const what = `${key} (${c.label}; Authorization: ${authorization.length ? 'sent' : 'none'})`;
              const r = await world.send(await c.request(world), authorization);
              assertExpected(r, c.expect, what);
              await c.expect.check?.(r, { world, caller: world.outsider });
            }
          });
        }
        return;
      }
      if (entry.auth === 'basic') {
        for (const c of entry.cases) {
          test(`basic: ${c.label} → ${c.expect.status}`, async () => {
            const r = await world.send(entry.request, c.authorization(world));
            assert.equal(r.status, c.expect.status, `${key} (${c.label}): ${describeReply(r)}`);
            if (c.expect.error) assert.equal(obj(r).error, c.expect.error);
            if (c.expect.challenge) {
              assert.match(String(r.headers['www-authenticate'] ?? ''), c.expect.challenge);
            }
          });
        }
        return;
      }
      const bearerSpec = entry;

      test('no-token: no Authorization header, also with ?token= → 401 missing_token', async () => {
        refusedRequests += await runRefused(world, key, 'no-token', [
          { label: 'no header', authorization: [], caller: null },
          {
            label: 'the token in the query string only',
            authorization: [],
            caller: null,
            query: world.member.token,
          },
        ]);
      });

      test('malformed: each malformed Authorization → 401 invalid_token', async () => {
        refusedRequests += await runRefused(
          world,
          key,
          'malformed',
          malformedAuthorizations(world).map((m) => ({
            label: m.label,
            authorization: m.values,
            caller: null,
          })),
        );
      });

      for (const role of ['revoked:logout', 'revoked:quit', 'revoked:client-delete'] as const) {
        test(`${role}: the revoked token → 401 invalid_token`, async () => {
          const v = await victim(role);
          refusedRequests += await runRefused(world, key, role, [
            { label: 'revoked token', authorization: [bearer(v)], caller: v },
          ]);
        });
      }

      for (const role of AUTHENTICATED_ROLES) {
        const spec = bearerSpec.roles[role];
        if ('notApplicable' in spec) {
          // counted as skipped, with the table's reason: nothing is tried, so nothing passes
          test(`${role}: does not apply`, { skip: `not applicable: ${spec.notApplicable}` });
          continue;
        }
        assert.ok('cases' in spec, `${key} ${role}`);
        for (const c of spec.cases) {
          test(`${role}: ${c.label}`, async () => {
            await runCase(world, key, role, c);
            caseRequests++;
          });
        }
      }
    });
  }

  test('afterwards: owner, member and outsider still work; refused requests stored nothing', async () => {
    for (const who of [world.owner, world.member, world.outsider]) await assertAlive(world, who);
    const history = await world.send(
      { method: 'GET', path: `/api/v1/history?target=${CHANNEL_QUERY}&limit=500` },
      [bearer(world.member)],
    );
    assert.equal(history.status, 200);
    const bodies = (obj(history).messages as { body: string[] }[]).map((m) => m.body[0]);
    assert.ok(bodies.includes(world.channelMarker));
    assert.ok(!bodies.includes('probe'), 'a refused PRIVMSG was stored');
    assert.ok(!bodies.includes('from outside'), 'a non-member’s PRIVMSG was stored');
  });

  test('no token issued or sent appears in the chatd output (LOG_LEVEL=trace), nor in /metrics', async () => {
    const metrics = await world.send({ method: 'GET', path: '/metrics' }, [
      `Basic ${Buffer.from(`${METRICS_USER}:${METRICS_PASSWORD}`).toString('base64')}`,
    ]);
    assert.equal(metrics.status, 200);
    assertNoSecretIn(String(metrics.body), world.secrets, '/metrics');
    await settleLog(chatd, world);
    const output = chatd.output();
    const checked = assertNoSecretIn(output, world.secrets, 'matrix chatd');
    assert.ok(checked >= 10, `only ${checked} tokens collected`);
    assertNoSecretIn(output, [METRICS_PASSWORD, 'correct horse battery'], 'matrix chatd');
    assertLogCovers(output, BEARER_ROUTES);
    assert.ok(refusedRequests > 0 && caseRequests > 0);
  });
});

// --- idle expiry on a second chatd ----------------------------------------------------------------

void describe('revoked:idle-expiry (a second chatd: SESSION_IDLE_TIMEOUT=2s, JOB_INTERVAL=1s)', () => {
  let chatd: Chatd;
  let world: World;
  let sleeper: Identity;
  let held: Promise<Reply>;
  let expired = false;

  before(async () => {
    chatd = await startChatd({
      env: { LOG_LEVEL: 'trace', SESSION_IDLE_TIMEOUT: '2s', JOB_INTERVAL: '1s' },
    });
    world = await setupWorld(chatd.url);
    // In no channel: another member's expiry QUIT would wake its held poll with a 200.
    sleeper = await world.session('sleeper');
    ({ held } = await holdPoll(world, sleeper));
  });
  after(async () => chatd?.cleanup());

  test('every idle session expires (users → 0; polled every 250 ms, up to 30 s); the held poll ends with 401', async () => {
    // Polling with the sleeper's own token would keep it alive: watch the public user count.
    const deadline = Date.now() + 30_000;
    let users = -1;
    while (Date.now() < deadline) {
      const r = await world.send({ method: 'GET', path: '/api/v1/server' });
      users = obj(r).users as number;
      if (users === 0) break;
      await delay(250);
    }
    assert.equal(users, 0, 'sessions still alive after 30 s');
    expired = true;
    await assertHeldPollEnded(held, 'idle expiry');
  });

  for (const route of BEARER_ROUTES) {
    const key = keyOf(route);
    if (!(key in AUTHZ_TABLE)) continue;
    test(`${key} — revoked:idle-expiry: the expired token → 401 invalid_token`, async () => {
      assert.ok(expired, 'the sessions did not expire');
      await runRefused(world, key, 'revoked:idle-expiry', [
        { label: 'expired token', authorization: [bearer(sleeper)], caller: sleeper },
      ]);
    });
  }

  test('no token issued or sent appears in the chatd output (LOG_LEVEL=trace)', async () => {
    await settleLog(chatd, world);
    const output = chatd.output();
    assertNoSecretIn(output, world.secrets, 'expiry chatd');
    assertLogCovers(output, BEARER_ROUTES);
  });
});
