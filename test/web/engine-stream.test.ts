// The web client's poll engine on its event stream (web/src/net/engine.ts with event-stream.ts),
// run in Node with a stand-in fetch: entries and gaps from the stream, the cursor sent back as
// Last-Event-ID, a buffering proxy (no first byte) sending it to long-polls, and a revoked stream
// signing out. The real server and browser: test/e2e/sse.test.ts and test/web/sse.test.ts.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { QueuedEnvelope } from '../../src/model/api.js';
import { formatComment, formatEvent } from '../../src/shared/sse.js';
import { PollEngine } from '../../web/src/net/engine.js';
import type { ConnectionState, FromEngine } from '../../web/src/net/protocol.js';

interface Asked {
  path: string;
  lastEventId: string | null;
}

const entry = (id: number, text: string): QueuedEnvelope => ({
  id: `u${id}`,
  seq: id,
  queue_id: id,
  command: 'PRIVMSG',
  from: 'bob',
  to: '#c',
  params: [],
  body: [text],
  ts: '2026-01-01T00:00:00.000Z',
  meta: {},
});

/** A stream body the test writes into; `end()` ends it as a server shutdown would. */
function streamBody() {
  let ctrl!: ReadableStreamDefaultController<Uint8Array>;
  const body = new ReadableStream<Uint8Array>({ start: (c) => void (ctrl = c) });
  const enc = new TextEncoder();
  return {
    body,
    write: (text: string) => ctrl.enqueue(enc.encode(text)),
    end: () => ctrl.close(),
  };
}

function harness(
  answer: (a: Asked, signal: AbortSignal) => Promise<Response>,
  firstByteMs = 20_000,
) {
  const asked: Asked[] = [];
  const messages: FromEngine[] = [];
  const fetchStub: typeof fetch = async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : input);
    const headers = new Headers(init?.headers);
    const a = { path: url.pathname + url.search, lastEventId: headers.get('last-event-id') };
    asked.push(a);
    return answer(a, init!.signal!);
  };
  const engine = new PollEngine((m) => messages.push(m), {
    baseUrl: 'http://chat.invalid',
    fetch: fetchStub,
    random: () => 0,
    firstByteMs,
  });
  const statuses = (): ConnectionState[] =>
    messages.flatMap((m) => (m.type === 'status' ? [m.connection] : []));
  const until = async (ok: () => boolean, what: string) => {
    const deadline = Date.now() + 10_000;
    while (!ok()) {
      if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  };
  return { engine, asked, messages, statuses, until };
}

const held = (signal: AbortSignal) =>
  new Promise<Response>((_resolve, reject) =>
    signal.addEventListener('abort', () => reject(new Error('aborted'))),
  );
const sse = (body: ReadableStream<Uint8Array>) =>
  new Response(body, { headers: { 'content-type': 'text/event-stream; charset=utf-8' } });

test('stream entries reach the tabs with their last id; a gap is flagged; Last-Event-ID resumes', async () => {
  const streams: ReturnType<typeof streamBody>[] = [];
  const h = harness(async (a, signal) => {
    if (!a.path.startsWith('/api/v1/events')) return held(signal);
    const s = streamBody();
    streams.push(s);
    return sse(s.body);
  });
  h.engine.handle({ type: 'hello', token: 't', cursor: 4 });
  await h.until(() => streams.length === 1, 'the first stream');
  assert.equal(h.asked[0]!.path, '/api/v1/events', 'nothing in the URL');
  assert.equal(h.asked[0]!.lastEventId, '4', 'the cursor from the tab');
  const s = streams[0]!;
  s.write(formatComment('ok'));
  await h.until(() => h.statuses().some((c) => c.state === 'connected'), 'connected');
  assert.deepEqual(h.statuses().at(-1), { state: 'connected', transport: 'stream' });
  s.write(formatEvent({ id: 5, data: JSON.stringify(entry(5, 'a')) }));
  s.write(
    formatEvent({ event: 'gap', data: '{"gap":true}' }) +
      formatEvent({ id: 9, data: JSON.stringify(entry(9, 'b')) }),
  );
  const entries = () => h.messages.flatMap((m) => (m.type === 'entries' ? [m] : []));
  await h.until(() => entries().length === 2, 'two batches');
  assert.deepEqual(
    entries().map((e) => [e.messages.map((m) => m.queue_id), e.lastId, e.gap]),
    [
      [[5], 5, false],
      [[9], 9, true],
    ],
  );
  // the server shuts down: the stream ends; the engine comes back with its cursor
  s.end();
  await h.until(() => streams.length === 2, 'a second stream');
  assert.equal(h.asked.at(-1)!.lastEventId, '9');
  h.engine.handle({ type: 'logout' });
});

test('a stream that sends nothing (a buffering proxy) falls back to long-polls', async () => {
  const h = harness(async (a, signal) => {
    if (a.path.startsWith('/api/v1/events')) {
      // headers come, the body never does
      return sse(streamBody().body);
    }
    if (a.path.includes('timeout=0')) {
      return Response.json({ messages: [entry(3, 'polled')], last_id: 3 });
    }
    return held(signal);
  }, 300);
  h.engine.handle({ type: 'hello', token: 't', cursor: null });
  await h.until(
    () => h.statuses().some((c) => c.state === 'connected' && c.transport === 'long-poll'),
    'connected by long-poll',
  );
  assert.ok(h.asked[0]!.path.startsWith('/api/v1/events'));
  assert.ok(h.asked.some((a) => a.path.startsWith('/api/v1/messages?')));
  assert.ok(
    h.messages.some((m) => m.type === 'problem' && /no first byte/.test(m.message)),
    'the tab is told why',
  );
  h.engine.handle({ type: 'logout' });
});

test('event: revoked signs the engine out; a 404 without a stream (old server) long-polls', async () => {
  const s = streamBody();
  const h = harness(async (a, signal) => {
    if (a.path.startsWith('/api/v1/events')) return sse(s.body);
    return held(signal);
  });
  h.engine.handle({ type: 'hello', token: 't', cursor: 1 });
  s.write(formatComment('ok'));
  s.write(
    formatEvent({
      event: 'revoked',
      data: '{"error":"invalid_token","message":"this token was revoked"}',
    }),
  );
  await h.until(() => h.statuses().some((c) => c.state === 'signed-out'), 'signed out');
  assert.deepEqual(h.statuses().at(-1), {
    state: 'signed-out',
    reason: 'this token was revoked',
    token: 't',
  });

  const old = harness(async (a, signal) => {
    if (a.path.startsWith('/api/v1/events')) {
      return Response.json({ error: 'not_found', message: 'no such route' }, { status: 404 });
    }
    if (a.path.includes('timeout=0')) return Response.json({ messages: [], last_id: 1 });
    return held(signal);
  });
  old.engine.handle({ type: 'hello', token: 't', cursor: 1 });
  await old.until(
    () => old.statuses().some((c) => c.state === 'connected' && c.transport === 'long-poll'),
    'connected by long-poll',
  );
  old.engine.handle({ type: 'logout' });
});
