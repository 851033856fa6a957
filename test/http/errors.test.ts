// The error model: one mapper for ChatError, StoreUnavailable, Fastify's errors and bugs;
// 404/405; security headers on every answer.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { ChatError, invalidToken, ircError } from '../../src/protocol/errors.js';
import { REQUEST_CODES } from '../../src/model/refusal-codes.js';
import { httpStatus } from '../../src/transports/http/refusal-status.js';
import { StoreUnavailable } from '../../src/store/errors.js';
import { ERR } from '../../src/model/numerics.js';
import { AUTH, envelope, setup } from './fakes.js';

const JSON_CT = { ...AUTH, 'content-type': 'application/json' };
const noInternals = (body: string) => {
  assert.doesNotMatch(body, /\bat\b .*:\d+|\/work\/|node_modules|\.ts\b|stack/i);
};

void describe('error mapping', () => {
  void it('maps an IRC refusal with numeric, params and replies', async () => {
    const reply = envelope({
      command: '442',
      params: ['#x'],
      body: ["You're not on that channel"],
    });
    const t = setup({
      core: {
        execute: async () => {
          const err = ircError(ERR.NOTONCHANNEL, ['#x']);
          err.replies = [reply];
          throw err;
        },
      },
    });
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/messages',
      headers: JSON_CT,
      payload: '{"command":"PART","to":"#x"}',
    });
    assert.equal(res.statusCode, 403);
    assert.deepEqual(res.json(), {
      error: 'not_on_channel',
      message: "You're not on that channel",
      numeric: '442',
      params: ['#x'],
      replies: [reply],
    });
    await t.app.close();
  });

  void it('maps a ChatError with headers and extra fields', async () => {
    const t = setup({
      core: {
        createSession: async () => {
          throw new ChatError({
            code: 'hashcash_required',
            message: 'a stamp is needed',
            extra: { bits: 20, error: 'must-not-override' },
          });
        },
        execute: async () => {
          throw new ChatError({
            code: 'flood',
            message: 'slow down',
            facts: { retryAfterSeconds: 2 },
          });
        },
      },
    });
    const r1 = await t.app.inject({
      method: 'POST',
      url: '/api/v1/session',
      payload: { nick: 'a' },
    });
    assert.equal(r1.statusCode, 402);
    assert.deepEqual(r1.json(), {
      error: 'hashcash_required',
      message: 'a stamp is needed',
      bits: 20,
    });
    const r2 = await t.app.inject({
      method: 'POST',
      url: '/api/v1/messages',
      headers: JSON_CT,
      payload: '{"command":"PRIVMSG","to":"#a","body":["x"]}',
    });
    assert.equal(r2.statusCode, 429);
    assert.equal(r2.headers['retry-after'], '2');
    assert.deepEqual(r2.json(), { error: 'flood', message: 'slow down' });
    await t.app.close();
  });

  void it('adds a Bearer challenge to a 401 from the core (revoked during a poll)', async () => {
    const t = setup();
    t.delivery.answer = async () => {
      throw invalidToken('token revoked');
    };
    const res = await t.app.inject({ url: '/api/v1/messages?timeout=0', headers: AUTH });
    assert.equal(res.statusCode, 401);
    assert.equal(res.headers['www-authenticate'], 'Bearer realm="chat", error="invalid_token"');
    assert.equal(res.json<{ error: string }>().error, 'invalid_token');
    await t.app.close();
  });

  void it('maps StoreUnavailable to 503 with Retry-After', async () => {
    for (const err of [new StoreUnavailable(new Error('SQLITE_FULL: /var/db/chat.db'))]) {
      const t = setup({
        core: {
          listChannels: async () => {
            throw err;
          },
        },
      });
      const res = await t.app.inject({ url: '/api/v1/channels', headers: AUTH });
      assert.equal(res.statusCode, 503);
      assert.equal(res.headers['retry-after'], '5');
      assert.equal(res.json<{ error: string }>().error, 'store_unavailable');
      noInternals(res.body);
      await t.app.close();
    }
  });

  void it('answers an unexpected throw with 500 internal_error and no internals, and logs it', async () => {
    const logs: string[] = [];
    const t = setup({
      logs: { lines: logs, text: () => logs.join('') },
      core: {
        listChannels: async () => {
          throw new TypeError("Cannot read properties of undefined (reading 'x') at /work/x.ts:1");
        },
      },
    });
    const res = await t.app.inject({ url: '/api/v1/channels', headers: AUTH });
    assert.equal(res.statusCode, 500);
    const body = res.json<{ error: string; message: string }>();
    assert.equal(body.error, 'internal_error');
    assert.doesNotMatch(res.body, /Cannot read|\/work\//);
    noInternals(res.body);
    const reqId = res.headers['x-request-id'];
    assert.ok(typeof reqId === 'string' && body.message.includes(reqId));
    const logged = logs.map((l) => JSON.parse(l) as Record<string, unknown>);
    const entry = logged.find((l) => l.msg === 'unexpected error');
    assert.ok(entry, 'the error is logged');
    assert.equal(entry.reqId, reqId);
    await t.app.close();
  });

  void it('an error that only calls itself StoreUnavailable is a bug, not a 503', async () => {
    const byName = new Error('x');
    byName.name = 'StoreUnavailable';
    const t = setup({
      core: {
        listChannels: async () => {
          throw byName;
        },
      },
    });
    const res = await t.app.inject({ url: '/api/v1/channels', headers: AUTH });
    assert.equal(res.statusCode, 500);
    await t.app.close();
  });

  void it('every refusal code answers an error status; IRC refusals keep the table', () => {
    for (const code of [...REQUEST_CODES, ...Object.values(ERR).map(([, c]) => c)]) {
      const status = httpStatus(code);
      assert.ok(status >= 400 && status <= 599, `${code}: ${status}`);
    }
    assert.deepEqual(
      [ERR.NICKNAMEINUSE, ERR.NOSUCHNICK, ERR.CANNOTSENDTOCHAN, ERR.NEEDMOREPARAMS].map(([, c]) =>
        httpStatus(c),
      ),
      [409, 404, 403, 400],
    );
  });
});

void describe('routing errors', () => {
  const t = setup();
  after(() => t.app.close());

  void it('answers an unknown route 404 not_found in JSON', async () => {
    for (const url of [
      '/nope',
      '/api/v1/',
      '/api/v1/messages/',
      '/api/v2/server',
      '//etc/passwd',
    ]) {
      const res = await t.app.inject({ url });
      assert.equal(res.statusCode, 404, url);
      assert.deepEqual(res.json(), { error: 'not_found', message: 'no such route' });
      assert.equal(res.headers['x-content-type-options'], 'nosniff');
    }
  });

  void it('answers a wrong method on a known path 405 with Allow', async () => {
    for (const method of ['TRACE', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'] as const) {
      const res = await t.app.inject({
        method,
        url: '/api/v1/messages',
        headers: JSON_CT,
        payload: '{}',
      });
      assert.equal(res.statusCode, 405, method);
      assert.equal(res.headers.allow, 'GET, POST');
      assert.equal(res.json<{ error: string }>().error, 'method_not_allowed');
    }
    const r = await t.app.inject({ method: 'GET', url: '/api/v1/clients/5' });
    assert.equal(r.statusCode, 405);
    assert.equal(r.headers.allow, 'DELETE');
    const r2 = await t.app.inject({ method: 'POST', url: '/api/v1/server' });
    assert.equal(r2.statusCode, 405);
    assert.equal(r2.headers.allow, 'GET, HEAD');
  });

  void it('answers a malformed path encoding 400 and an overlong segment 404 (names nothing), both in JSON', async () => {
    const r1 = await t.app.inject({ url: '/api/v1/channels/%ZZ/members', headers: AUTH });
    assert.equal(r1.statusCode, 400);
    assert.equal(r1.json<{ error: string }>().error, 'bad_url');
    const r2 = await t.app.inject({
      url: `/api/v1/channels/${'a'.repeat(300)}/members`,
      headers: AUTH,
    });
    assert.equal(r2.statusCode, 404);
    assert.equal(r2.json<{ error: string }>().error, 'not_found');
    noInternals(r2.body);
  });

  void it('sends nosniff on every answer and never any CORS header', async () => {
    const origin = { origin: 'https://evil.example' };
    const answers = await Promise.all([
      t.app.inject({ url: '/api/v1/server', headers: origin }),
      t.app.inject({ url: '/api/v1/state', headers: origin }),
      t.app.inject({
        method: 'OPTIONS',
        url: '/api/v1/state',
        headers: { ...origin, 'access-control-request-method': 'GET' },
      }),
      t.app.inject({ url: '/', headers: origin }),
      t.app.inject({ url: '/nope', headers: origin }),
    ]);
    for (const res of answers) {
      assert.equal(res.headers['x-content-type-options'], 'nosniff');
      for (const h of Object.keys(res.headers)) assert.doesNotMatch(h, /^access-control-/);
    }
  });

  void it('marks API answers Cache-Control: no-store (they carry tokens)', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/session',
      payload: { nick: 'a' },
    });
    assert.equal(res.headers['cache-control'], 'no-store');
  });
});
