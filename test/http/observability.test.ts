// Metrics (basic auth, route labels, CoreObserver), the OpenAPI document, and logs without tokens.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatPretty } from '../../src/server/logger.js';
import { createMetrics } from '../../src/server/metrics.js';
import { ROUTES } from '../../src/transports/http/app.js';
import { AUTH, TOKEN, logSink, setup } from './fakes.js';

const METRICS_ENV = { METRICS_USERNAME: 'prom', METRICS_PASSWORD: 's3cret-pass' };
const basic = (user: string, pass: string) => ({
  authorization: `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`,
});

void describe('GET /metrics', () => {
  void it('is 404 unless metrics are configured', async () => {
    const t = setup();
    const res = await t.app.inject({ url: '/metrics', headers: basic('prom', 's3cret-pass') });
    assert.equal(res.statusCode, 404);
    assert.equal(res.json<{ error: string }>().error, 'not_found');
    await t.app.close();
  });

  void it('is 401 with a Basic challenge without the right credentials', async () => {
    const t = setup({ config: METRICS_ENV });
    for (const headers of [
      {},
      basic('prom', 'wrong'),
      basic('other', 's3cret-pass'),
      basic('prom', 's3cret-pass-longer'),
      { authorization: 'Basic !!!' },
      { authorization: 'Basic ' + Buffer.from('no-colon').toString('base64') },
      AUTH,
    ]) {
      const res = await t.app.inject({ url: '/metrics', headers });
      assert.equal(res.statusCode, 401);
      assert.equal(res.headers['www-authenticate'], 'Basic realm="metrics"');
    }
    await t.app.close();
  });

  void it('serves Prometheus text with route-pattern labels and the observer metrics', async () => {
    const t = setup({ config: METRICS_ENV });
    await t.app.inject({ url: '/api/v1/channels/general/members', headers: AUTH });
    await t.app.inject({ url: '/api/v1/state?token=leak', headers: AUTH });
    await t.app.inject({ url: '/no/such/thing' });
    t.metrics.messageStored('PRIVMSG');
    t.metrics.fanout(12);
    await t.metrics.timeStore('appendMessage', async () => 1);
    t.metrics.setCollector('sessions', () => 3);
    const res = await t.app.inject({ url: '/metrics', headers: basic('prom', 's3cret-pass') });
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-type']), /^text\/plain/);
    const text = res.body;
    assert.match(
      text,
      /chatd_http_requests_total\{route="\/api\/v1\/channels\/:name\/members",status="200"\} 1/,
    );
    assert.match(text, /chatd_http_requests_total\{route="\/api\/v1\/state",status="400"\} 1/);
    assert.match(text, /chatd_http_requests_total\{route="unmatched",status="404"\} 1/);
    assert.doesNotMatch(text, /general|leak|no\/such/);
    assert.match(
      text,
      /chatd_http_request_duration_seconds_bucket\{le="[^"]+",route="\/api\/v1\/state"\}/,
    );
    assert.match(text, /chatd_messages_stored_total\{command="PRIVMSG"\} 1/);
    assert.match(text, /chatd_fanout_recipients_count 1/);
    assert.match(text, /chatd_store_seconds_count\{op="appendMessage"\} 1/);
    assert.match(text, /chatd_held_polls 0/);
    assert.match(text, /chatd_sessions 3/);
    assert.match(text, /chatd_clients 0/);
    assert.match(text, /chatd_channels 0/);
    await t.app.close();
  });

  void it('includes process metrics and event-loop lag by default', async () => {
    const m = createMetrics();
    const text = await m.render();
    assert.match(text, /chatd_process_cpu_user_seconds_total/);
    assert.match(text, /chatd_nodejs_eventloop_lag_seconds/);
  });

  void it('a failing gauge source does not break the scrape', async () => {
    const m = createMetrics({ defaultMetrics: false });
    m.setCollector('clients', () => Promise.reject(new Error('store down')));
    m.setGauge('channels', 4);
    const text = await m.render();
    assert.match(text, /chatd_channels 4/);
  });
});

void describe('GET /api/v1/openapi.json', () => {
  void it('is an OpenAPI 3.1 document listing every route of the table', async () => {
    const t = setup();
    const res = await t.app.inject({ url: '/api/v1/openapi.json' });
    assert.equal(res.statusCode, 200);
    const doc = res.json<{
      openapi: string;
      paths: Record<string, Record<string, Record<string, unknown>>>;
      components: { schemas: Record<string, unknown>; securitySchemes: Record<string, unknown> };
    }>();
    assert.equal(doc.openapi, '3.1.0');
    for (const r of ROUTES) {
      const path = r.path.replace(/:(\w+)/g, '{$1}');
      const op = doc.paths[path]?.[r.method.toLowerCase()];
      assert.ok(op, `${r.method} ${path} is documented`);
      assert.equal(op.summary, r.summary);
      assert.ok((op.responses as Record<string, unknown>)[String(r.response.status)]);
      if (r.auth === 'bearer') {
        assert.deepEqual(op.security, [{ bearer: [] }]);
        assert.ok((op.responses as Record<string, unknown>)['401']);
      }
    }
    assert.deepEqual(doc.components.securitySchemes.bearer, {
      type: 'http',
      scheme: 'bearer',
      description: 'a client token from /api/v1/session',
    });
    assert.ok(doc.components.schemas.ApiError);
    assert.ok(doc.components.schemas.Envelope);
    // generated from the request schemas
    const post = doc.paths['/api/v1/messages']?.post as {
      requestBody: { content: Record<string, { schema: Record<string, unknown> }> };
    };
    const schema = post.requestBody.content['application/json']?.schema;
    assert.equal(schema?.additionalProperties, false);
    assert.deepEqual(schema?.required, ['command']);
    const poll = doc.paths['/api/v1/messages']?.get as {
      parameters: { name: string; in: string }[];
    };
    assert.deepEqual(
      poll.parameters.map((p) => `${p.in}:${p.name}`),
      ['query:after', 'query:timeout'],
    );
    const members = doc.paths['/api/v1/channels/{name}/members']?.get as {
      parameters: { name: string; in: string; required: boolean }[];
    };
    assert.deepEqual(members.parameters[0], {
      name: 'name',
      in: 'path',
      required: true,
      schema: { type: 'string', minLength: 1 },
      description: 'channel name without the leading #',
    });
    // every $ref resolves
    const refs = [...res.body.matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)].map(
      (m) => m[1],
    );
    for (const ref of refs) assert.ok(doc.components.schemas[ref ?? ''], `${ref} is defined`);
    await t.app.close();
  });
});

void describe('logs', () => {
  void it('never contain a token, the Authorization header or a query string', async () => {
    const sink = logSink();
    const t = setup({ logs: sink });
    await t.app.inject({ url: '/api/v1/state', headers: AUTH });
    await t.app.inject({ url: `/api/v1/state?token=${TOKEN}`, headers: AUTH });
    await t.app.inject({ url: `/api/v1/messages?after=1&timeout=0`, headers: AUTH });
    await t.app.inject({ method: 'POST', url: '/api/v1/session', payload: { nick: 'bob' } });
    await t.app.inject({ url: '/api/v1/state', headers: { authorization: `Bearer ${TOKEN}x` } });
    await t.app.close();
    const text = sink.text();
    assert.ok(sink.lines.length >= 5, 'requests are logged');
    assert.ok(!text.includes(TOKEN), 'no token in logs');
    assert.doesNotMatch(text, /authorization|Bearer|\?token|after=1/i);
    const entries = sink.lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    const req = entries.find((e) => e.msg === 'request' && e.route === '/api/v1/state');
    assert.ok(req);
    assert.equal(req.path, '/api/v1/state');
    assert.equal(typeof req.reqId, 'string');
  });

  void it('the pretty form shows time, level, message and fields', () => {
    const line = JSON.stringify({
      level: 40,
      time: '2026-11-29T15:00:01.234Z',
      pid: 1,
      msg: 'slow',
      route: '/x',
      status: 200,
    });
    assert.equal(formatPretty(line, false), '15:00:01.234 WARN  slow  route=/x status=200\n');
    assert.equal(formatPretty('not json', false), 'not json\n');
  });
});
