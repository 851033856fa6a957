// The web client's poll engine (web/src/net/engine.ts, run in Node here with a stand-in fetch)
// retries with the shared policy of src/shared/backoff.ts: never sooner than the server's
// Retry-After, on 503 as on 429, in seconds or as an HTTP-date; otherwise 1 s doubling.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PollEngine } from '../../web/src/net/engine.js';
import type { ConnectionState, FromEngine } from '../../web/src/net/protocol.js';

const NOW = Date.parse('2026-01-02T03:04:05.000Z');

/** an error answer (headers made when the poll comes, so a date can be read against now), or ok */
type Answer = { status: number; headers?: () => Record<string, string> } | 'ok';

/** An engine whose fetch answers polls from `answers` (then holds), with time and jitter pinned. */
function engineWith(answers: Answer[]) {
  const statuses: ConnectionState[] = [];
  const pollTimes: number[] = [];
  let wake: (() => void) | null = null;
  const fetchStub: typeof fetch = async (_input, init) => {
    pollTimes.push(performance.now());
    wake?.();
    const answer = answers.shift();
    if (answer === undefined) {
      // hold like a long poll until the engine aborts it
      return new Promise<Response>((_resolve, reject) => {
        init?.signal?.addEventListener('abort', () => reject(new Error('aborted')));
      });
    }
    if (answer === 'ok') {
      return Response.json({ messages: [], last_id: 7 });
    }
    return Response.json(
      { error: answer.status === 429 ? 'rate_limited' : 'unavailable', message: 'later' },
      { status: answer.status, headers: answer.headers?.() ?? {} },
    );
  };
  const engine = new PollEngine(
    (m: FromEngine) => {
      if (m.type === 'status') statuses.push(m.connection);
    },
    // long-poll only: these tests are about the poll path's retries (the stream: sse.test.ts)
    {
      baseUrl: 'http://chat.invalid',
      fetch: fetchStub,
      random: () => 0,
      now: () => NOW,
      streaming: false,
    },
  );
  /** resolves when `n` polls have been made */
  const polled = async (n: number, timeoutMs = 10_000): Promise<void> => {
    const deadline = performance.now() + timeoutMs;
    while (pollTimes.length < n) {
      if (performance.now() > deadline) throw new Error(`only ${pollTimes.length} polls`);
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, 20);
      });
    }
  };
  const waits = () =>
    statuses.flatMap((s) => (s.state === 'reconnecting' ? [[s.retryAt - NOW, s.reason]] : []));
  return { engine, statuses, pollTimes, polled, waits };
}

test('a 503 with Retry-After: 2 holds the next poll 2 s (the first backoff would be 0.75 s)', async () => {
  const e = engineWith([{ status: 503, headers: () => ({ 'retry-after': '2' }) }, 'ok']);
  e.engine.handle({ type: 'hello', token: 't', cursor: null });
  await e.polled(3);
  e.engine.handle({ type: 'logout' });
  assert.deepEqual(e.waits(), [[2000, '503 unavailable']]);
  const gap = e.pollTimes[1]! - e.pollTimes[0]!;
  assert.ok(gap >= 1990 && gap < 3500, `next poll after ${Math.round(gap)} ms`);
  assert.ok(
    e.statuses.some((s) => s.state === 'connected'),
    'connected after the retry',
  );
});

test('the waits follow the shared policy: Retry-After as a floor, HTTP-dates, doubling', async () => {
  // HTTP-dates are read against the real clock (client.ts), whole seconds: 9 s ahead reads 8-9 s
  const inSeconds = (s: number) => new Date(Date.now() + s * 1000).toUTCString();
  const e = engineWith([
    { status: 503 }, // no header: 1 s × 0.75
    { status: 503 }, // 2 s × 0.75
    { status: 429, headers: () => ({ 'retry-after': '5' }) }, // 4 s × 0.75 < 5 s asked
    { status: 503, headers: () => ({ 'retry-after': '1' }) }, // 8 s × 0.75 > 1 s asked
    'ok',
    { status: 503, headers: () => ({ 'retry-after': inSeconds(9) }) }, // after a success: 0.75 s < 9 s
  ]);
  e.engine.handle({ type: 'hello', token: 't', cursor: null });
  // "retry now" from a tab cuts each wait short, so the test need not sit through them
  for (let n = 1; n <= 6; n++) {
    await e.polled(n);
    await new Promise((r) => setTimeout(r, 20));
    e.engine.handle({ type: 'retry' });
  }
  await e.polled(7);
  e.engine.handle({ type: 'logout' });
  const waits = e.waits();
  assert.deepEqual(waits.slice(0, 4), [
    [750, '503 unavailable'],
    [1500, '503 unavailable'],
    [5000, '429 rate_limited'],
    [6000, '503 unavailable'],
  ]);
  assert.equal(waits.length, 5);
  const [dated, reason] = waits[4]!;
  assert.equal(reason, '503 unavailable');
  assert.ok(Number(dated) >= 8000 && Number(dated) <= 9000, `HTTP-date wait ${dated}`);
});
