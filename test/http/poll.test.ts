// Long-poll: parameters, clamping, client disconnects (real server) and graceful shutdown.
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, describe, it } from 'node:test';
import { closeHttpApp } from '../../src/transports/http/app.js';
import { AUTH, CALLER, envelope, setup } from './fakes.js';

type Err = { error: string; message: string };

void describe('GET /api/v1/messages parameters', () => {
  const t = setup();
  after(() => t.app.close());
  const lastReq = () => t.delivery.requests.at(-1);

  void it('passes the cursor and the default timeout (LONG_POLL_TIMEOUT)', async () => {
    t.delivery.answer = async (req) => ({ messages: [], last_id: req.after ?? 0 });
    const res = await t.app.inject({ url: '/api/v1/messages?after=5', headers: AUTH });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json(), { messages: [], last_id: 5 });
    assert.deepEqual(lastReq()?.caller, CALLER);
    assert.equal(lastReq()?.after, 5);
    assert.equal(lastReq()?.timeoutMs, t.config.LONG_POLL_TIMEOUT * 1000);
    assert.ok(lastReq()?.signal instanceof AbortSignal);
  });

  void it('passes after=null when omitted, and 0 as 0', async () => {
    await t.app.inject({ url: '/api/v1/messages', headers: AUTH });
    assert.equal(lastReq()?.after, null);
    await t.app.inject({ url: '/api/v1/messages?after=0', headers: AUTH });
    assert.equal(lastReq()?.after, 0);
  });

  void it('clamps timeout to 30 s; 0 answers at once', async () => {
    for (const [given, ms] of [
      ['0', 0],
      ['7', 7000],
      ['30', 30_000],
      ['31', 30_000],
      ['3600', 30_000],
      ['9007199254740991', 30_000],
    ] as const) {
      const res = await t.app.inject({ url: `/api/v1/messages?timeout=${given}`, headers: AUTH });
      assert.equal(res.statusCode, 200);
      assert.equal(lastReq()?.timeoutMs, ms, given);
    }
  });

  void it('returns queued entries, and gap only when true', async () => {
    const entry = { ...envelope({ seq: 9 }), queue_id: 9 };
    t.delivery.answer = async () => ({ messages: [entry], last_id: 9, gap: true });
    const r1 = await t.app.inject({ url: '/api/v1/messages?after=1', headers: AUTH });
    assert.deepEqual(r1.json(), { messages: [entry], last_id: 9, gap: true });
    t.delivery.answer = async () => ({ messages: [entry], last_id: 9 });
    const r2 = await t.app.inject({ url: '/api/v1/messages?after=1', headers: AUTH });
    assert.deepEqual(Object.keys(r2.json<object>()), ['messages', 'last_id']);
    t.delivery.answer = null;
  });

  const badAfter: [string, string][] = [
    ['-1', 'query.after: must be a canonical non-negative integer'],
    ['1e309', 'query.after: must be a canonical non-negative integer'],
    ['1e3', 'query.after: must be a canonical non-negative integer'],
    ['9007199254740993', 'query.after: must be a canonical non-negative integer'],
    ['99999999999999999999', 'query.after: must be a canonical non-negative integer'],
    ['0x10', 'query.after: must be a canonical non-negative integer'],
    ['01', 'query.after: must be a canonical non-negative integer'],
    ['%201', 'query.after: must be a canonical non-negative integer'],
    ['1.0', 'query.after: must be a canonical non-negative integer'],
    ['1%20OR%201%3D1', 'query.after: must be a canonical non-negative integer'],
    ['', 'query.after: must be a canonical non-negative integer'],
  ];
  for (const [value, message] of badAfter) {
    void it(`refuses after=${value || '(empty)'} with 400`, async () => {
      const polls = t.delivery.requests.length;
      const res = await t.app.inject({ url: `/api/v1/messages?after=${value}`, headers: AUTH });
      assert.equal(res.statusCode, 400);
      assert.deepEqual(res.json(), { error: 'invalid_request', message });
      assert.equal(t.delivery.requests.length, polls, 'no poll started');
    });
  }

  void it('refuses a repeated parameter, a bad timeout and unknown parameters', async () => {
    for (const [query, message] of [
      ['after=1&after=2', 'query.after: must be given only once'],
      ['timeout=-1', 'query.timeout: must be a canonical non-negative integer'],
      ['timeout=1.5', 'query.timeout: must be a canonical non-negative integer'],
      ['clientId=3', 'query: unknown parameter "clientId"'],
      ['sessionId=3', 'query: unknown parameter "sessionId"'],
      ['__proto__=1', 'query: unknown parameter "__proto__"'],
    ] as const) {
      const res = await t.app.inject({ url: `/api/v1/messages?${query}`, headers: AUTH });
      assert.equal(res.statusCode, 400, query);
      assert.deepEqual(res.json<Err>(), { error: 'invalid_request', message }, query);
    }
  });

  void it('maps delivery refusals (429 too_many_polls, 400 bad_cursor)', async () => {
    const { ChatError } = await import('../../src/protocol/errors.js');
    t.delivery.answer = async () => {
      throw new ChatError({
        code: 'too_many_polls',
        message: 'two polls are held already',
        facts: { retryAfterSeconds: 1 },
      });
    };
    const res = await t.app.inject({ url: '/api/v1/messages', headers: AUTH });
    assert.equal(res.statusCode, 429);
    assert.equal(res.headers['retry-after'], '1');
    assert.equal(res.json<Err>().error, 'too_many_polls');
    t.delivery.answer = null;
  });
});

function listen(app: ReturnType<typeof setup>['app']) {
  return app
    .listen({ port: 0, host: '127.0.0.1' })
    .then(() => (app.server.address() as AddressInfo).port);
}

function rawGet(port: number, path: string) {
  const req = http.request({ host: '127.0.0.1', port, path, headers: AUTH, agent: false });
  const response = new Promise<{
    status: number;
    body: string;
    headers: http.IncomingHttpHeaders;
  }>((resolve, reject) => {
    req.on('response', (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
      res.on('error', reject);
    });
    req.on('error', reject);
  });
  req.end();
  return { req, response };
}

void describe('long-poll over a real connection', () => {
  void it('aborts the poll signal when the client goes away, and writes nothing', async () => {
    const t = setup();
    const port = await listen(t.app);
    try {
      const started = t.delivery.nextPoll();
      const { req, response } = rawGet(port, '/api/v1/messages?after=3&timeout=30');
      response.catch(() => {}); // the socket is destroyed on purpose
      const poll = await started;
      assert.equal(poll.signal.aborted, false);
      assert.equal(t.delivery.heldPolls(), 1);
      const aborted = new Promise<void>((resolve) =>
        poll.signal.addEventListener('abort', () => resolve()),
      );
      req.destroy();
      await aborted;
      assert.equal(poll.signal.aborted, true);
      await new Promise((r) => setTimeout(r, 20));
      assert.equal(t.delivery.heldPolls(), 0);
    } finally {
      await t.app.close();
    }
  });

  void it('a held poll ends with the timeout as an empty answer', async () => {
    const t = setup();
    const port = await listen(t.app);
    try {
      const { response } = rawGet(port, '/api/v1/messages?after=4&timeout=1');
      const res = await response;
      assert.equal(res.status, 200);
      assert.deepEqual(JSON.parse(res.body), { messages: [], last_id: 4 });
    } finally {
      await t.app.close();
    }
  });

  void it('closeHttpApp answers held polls first, then closes', async () => {
    const t = setup();
    const port = await listen(t.app);
    const started = t.delivery.nextPoll();
    const a = rawGet(port, '/api/v1/messages?after=1&timeout=30');
    await started;
    const startedB = t.delivery.nextPoll();
    const b = rawGet(port, '/api/v1/messages?after=2&timeout=30');
    await startedB;
    assert.equal(t.delivery.heldPolls(), 2);
    const t0 = Date.now();
    await closeHttpApp(t.app, t.delivery);
    const [ra, rb] = await Promise.all([a.response, b.response]);
    assert.equal(t.delivery.shutdownCalls, 1);
    assert.equal(ra.status, 200);
    assert.deepEqual(JSON.parse(ra.body), { messages: [], last_id: 1 });
    assert.deepEqual(JSON.parse(rb.body), { messages: [], last_id: 2 });
    assert.equal(ra.headers.connection, 'close', 'no keep-alive while shutting down');
    assert.ok(Date.now() - t0 < 5000, 'closed promptly');
  });
});
