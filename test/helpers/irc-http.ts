// The HTTP side of the tests that drive real IRC clients (irc-framework, irssi, the web client):
// waiting for what an HTTP user's long-poll delivers, password sessions and logins, and reading
// chatd's /metrics to wait for a server-side condition (an IRC connection's end) instead of
// sleeping.
import assert from 'node:assert/strict';
import type { QueuedEnvelope } from '../../src/model/api.js';
import { call, HttpClient } from './api.js';

/** The credentials the IRC suites start chatd with to read /metrics. */
export const METRICS_ENV = {
  METRICS_USERNAME: 'irc-tests',
  METRICS_PASSWORD: 'irc-tests-metrics',
};

/**
 * Long-polls an HTTP client until an envelope received at index `from` or later matches; fails
 * after `ms` listing what did arrive.
 */
export async function pollUntil(
  c: HttpClient,
  pred: (e: QueuedEnvelope) => boolean,
  ms = 10_000,
  from = 0,
): Promise<QueuedEnvelope> {
  const deadline = Date.now() + ms;
  for (;;) {
    const found = c.received.slice(from).find(pred);
    if (found) return found;
    if (Date.now() > deadline) {
      const got = c.received
        .slice(from)
        .map(
          (e) =>
            `${e.command} ${e.from}→${e.to} ${JSON.stringify(e.params ?? [])} ${JSON.stringify(e.body)} ${JSON.stringify(e.meta)}`,
        );
      throw new Error(`${c.nick}: not received in ${ms} ms; got:\n${got.join('\n')}`);
    }
    await c.poll(1);
  }
}

/** A password session over HTTP (`POST /api/v1/register`); answers its session id. */
export async function registerHttp(url: string, nick: string, password: string): Promise<number> {
  const r = await call<{ id: number }>(url, 'POST', '/api/v1/register', {
    json: { nick, password },
  });
  assert.equal(r.status, 201, `register ${nick}: ${JSON.stringify(r.body)}`);
  return r.body.id;
}

/** One more HTTP client of a password session (`POST /api/v1/login`). */
export async function loginHttp(url: string, nick: string, password: string): Promise<HttpClient> {
  const r = await call<{ token: string; nick: string }>(url, 'POST', '/api/v1/login', {
    json: { nick, password },
  });
  assert.equal(r.status, 200, `login ${nick}: ${JSON.stringify(r.body)}`);
  return new HttpClient(url, r.body.token, r.body.nick);
}

/** Sends a command and asserts the core took it (200). */
export async function sendOk(c: HttpClient, input: Record<string, unknown>): Promise<void> {
  const r = await c.send(input);
  assert.equal(r.status, 200, `${c.nick} ${JSON.stringify(input)}: ${JSON.stringify(r.body)}`);
}

/** The sum of a counter's samples in chatd's /metrics (every label set), 0 when absent. */
export async function metricSum(url: string, name: string): Promise<number> {
  const auth = Buffer.from(`${METRICS_ENV.METRICS_USERNAME}:${METRICS_ENV.METRICS_PASSWORD}`);
  const res = await fetch(`${url}/metrics`, {
    headers: { authorization: `Basic ${auth.toString('base64')}` },
  });
  const text = await res.text();
  assert.equal(res.status, 200, `/metrics: ${text.slice(0, 200)}`);
  let sum = 0;
  for (const line of text.split('\n')) {
    const m = /^(\S+?)(?:\{[^}]*\})? (\S+)$/.exec(line);
    if (m && m[1] === name) sum += Number(m[2]);
  }
  return sum;
}

/** Polls /metrics until `pred` holds for the counter's sum; fails after `ms`. */
export async function waitMetric(
  url: string,
  name: string,
  pred: (value: number) => boolean,
  ms = 10_000,
): Promise<number> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await metricSum(url, name);
    if (pred(value)) return value;
    if (Date.now() > deadline)
      throw new Error(`${name} is ${value}, still not as expected after ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
