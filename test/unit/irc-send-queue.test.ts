// The IRC send queue (src/transports/irc/send-queue.ts) against a fake sink: one write per turn,
// order kept across turns, batches and backpressure (fast-check), the SendQ cap firing once,
// final() writing only the ERROR line, silence after close, and lines with CR/LF/NUL refused.
// Then once over a real TCP connection on 127.0.0.1, with a client that never reads.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import net, { type AddressInfo } from 'node:net';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  SEND_BATCH_MAX_BYTES,
  SendQueue,
  type SendQueueOptions,
  type SendSink,
} from '../../src/transports/irc/send-queue.js';

/** A sink that records what it is given and reports "full" while `full` is set. */
class FakeSink implements SendSink {
  readonly writes: string[] = [];
  ended: string | undefined;
  destroyed = 0;
  full = false;
  #drainListeners: (() => void)[] = [];

  write(chunk: Buffer): boolean {
    assert.equal(this.ended, undefined, 'write after end');
    this.writes.push(chunk.toString('utf8'));
    return !this.full;
  }

  end(chunk: Buffer): void {
    assert.equal(this.ended, undefined, 'end twice');
    this.ended = chunk.toString('utf8');
  }

  destroy(): void {
    this.destroyed++;
  }

  once(_event: 'drain', listener: () => void): void {
    this.#drainListeners.push(listener);
  }

  get waiting(): number {
    return this.#drainListeners.length;
  }

  drain(): void {
    this.full = false;
    const listeners = this.#drainListeners;
    this.#drainListeners = [];
    for (const listener of listeners) listener();
  }
}

/** One event-loop turn: setImmediate callbacks run in order, so the queue's flush runs first. */
const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

function setUp(options: Partial<SendQueueOptions> = {}) {
  const sink = new FakeSink();
  const overflow = { count: 0 };
  const queue = new SendQueue(sink, {
    sendqBytes: 1 << 20,
    onOverflow: () => overflow.count++,
    ...options,
  });
  return { sink, queue, overflow };
}

test('lines queued in one turn leave in one write, across awaits of settled promises too', async () => {
  const { sink, queue } = setUp();
  for (let i = 0; i < 50; i++) queue.send(`:srv NOTICE * :line ${i}`);
  await Promise.resolve();
  for (let i = 50; i < 100; i++) queue.send(`:srv NOTICE * :line ${i}`);
  assert.equal(sink.writes.length, 0, 'nothing is written synchronously');
  const expected = Array.from({ length: 100 }, (_, i) => `:srv NOTICE * :line ${i}\r\n`).join('');
  assert.equal(queue.queuedBytes, Buffer.byteLength(expected));
  await turn();
  assert.equal(sink.writes.length, 1);
  assert.equal(sink.writes[0], expected);
  assert.equal(queue.queuedBytes, 0);
  queue.send('PING :again');
  await turn();
  assert.deepEqual(sink.writes.slice(1), ['PING :again\r\n']);
});

test('a large burst is cut into writes of at most SEND_BATCH_MAX_BYTES, at line boundaries', async () => {
  const { sink, queue } = setUp();
  const line = `PRIVMSG #c :${'y'.repeat(985)}`;
  for (let i = 0; i < 200; i++) queue.send(line);
  await turn();
  assert.ok(sink.writes.length > 1);
  for (const write of sink.writes) {
    assert.ok(Buffer.byteLength(write) <= SEND_BATCH_MAX_BYTES);
    assert.ok(write.endsWith('\r\n'));
  }
  assert.equal(sink.writes.join(''), `${line}\r\n`.repeat(200));
});

type Step =
  { kind: 'send'; line: string } | { kind: 'turn' } | { kind: 'full' } | { kind: 'drain' };

test('order is kept whatever the turns, batches and backpressure (fast-check)', async () => {
  const safeText = fc
    .string({ unit: 'grapheme', maxLength: 30 })
    .map((s) => s.replace(/[\r\n\0]/g, '?'));
  const step: fc.Arbitrary<Step> = fc.oneof(
    { weight: 6, arbitrary: safeText.map((line) => ({ kind: 'send' as const, line })) },
    { weight: 1, arbitrary: fc.constant({ kind: 'send' as const, line: 'z'.repeat(30_000) }) },
    { weight: 2, arbitrary: fc.constant({ kind: 'turn' as const }) },
    { weight: 1, arbitrary: fc.constant({ kind: 'full' as const }) },
    { weight: 1, arbitrary: fc.constant({ kind: 'drain' as const }) },
  );
  await fc.assert(
    fc.asyncProperty(fc.array(step, { maxLength: 40 }), async (steps) => {
      const { sink, queue } = setUp();
      const sent: string[] = [];
      for (const s of steps) {
        if (s.kind === 'send') {
          queue.send(s.line);
          sent.push(`${s.line}\r\n`);
        } else if (s.kind === 'turn') await turn();
        else if (s.kind === 'full') sink.full = true;
        else sink.drain();
      }
      sink.drain();
      await turn();
      assert.equal(sink.writes.join(''), sent.join(''));
      assert.equal(queue.queuedBytes, 0);
      // Lone surrogates leave as U+FFFD, so the byte count matched what was written.
      assert.equal(Buffer.byteLength(sink.writes.join('')), Buffer.byteLength(sent.join('')));
    }),
    { numRuns: 100 },
  );
});

test('backpressure: after write() returns false, lines wait for drain and count as queued', async () => {
  const { sink, queue } = setUp();
  sink.full = true;
  queue.send('first');
  await turn();
  assert.deepEqual(sink.writes, ['first\r\n']);
  assert.equal(queue.queuedBytes, 0, 'what the socket took is no longer ours');
  assert.equal(sink.waiting, 1);
  for (let i = 0; i < 3; i++) {
    queue.send(`line ${i}`);
    await turn();
  }
  assert.equal(sink.writes.length, 1, 'nothing written while the socket is full');
  assert.equal(queue.queuedBytes, 3 * 8);
  sink.drain();
  assert.deepEqual(sink.writes, ['first\r\n', 'line 0\r\nline 1\r\nline 2\r\n']);
  assert.equal(queue.queuedBytes, 0);
  assert.equal(sink.waiting, 0);
});

test('overflow fires once, at the first line that would go past the cap', async () => {
  const { sink, queue, overflow } = setUp({ sendqBytes: 100 });
  sink.full = true;
  queue.send('12345678'); // 10 bytes with CRLF, handed over at once; the socket is then full
  await turn();
  for (let i = 0; i < 10; i++) queue.send('abcdefgh');
  assert.equal(queue.queuedBytes, 100);
  assert.equal(overflow.count, 0, 'exactly at the cap is still fine');
  queue.send('x');
  assert.equal(overflow.count, 1);
  assert.ok(queue.overflowed);
  for (let i = 0; i < 5; i++) queue.send('more');
  assert.equal(overflow.count, 1);
  assert.equal(queue.queuedBytes, 100, 'lines after the overflow are dropped');
  // Until the listener acts, what was queued still goes out when the client reads.
  sink.drain();
  assert.equal(sink.writes.join(''), `12345678\r\n${'abcdefgh\r\n'.repeat(10)}`);
});

test('final() after overflow writes only the ERROR line, ends the stream, then destroys', async () => {
  // The listener's answer, given from inside the callback (which runs after setUp returned).
  const { sink, queue } = setUp({
    sendqBytes: 64,
    lingerMs: 5,
    onOverflow: () => queue.final('ERROR :SendQ exceeded'),
  });
  sink.full = true;
  queue.send('accepted');
  await turn();
  for (let i = 0; i < 20; i++) queue.send('backlog line');
  assert.ok(queue.closed, 'final() from inside onOverflow');
  assert.equal(queue.queuedBytes, 0);
  assert.equal(sink.ended, 'ERROR :SendQ exceeded\r\n');
  sink.drain();
  await turn();
  assert.deepEqual(sink.writes, ['accepted\r\n']);
  assert.equal(sink.destroyed, 0, 'the ERROR line gets lingerMs to leave');
  await new Promise((resolve) => setTimeout(resolve, 30));
  assert.equal(sink.destroyed, 1);
  queue.close();
  assert.equal(sink.destroyed, 1, 'destroyed once');
});

test('after close (or final) nothing is written, not even lines queued in the same turn', async () => {
  const { sink, queue } = setUp();
  queue.send('queued before close');
  queue.close();
  queue.send('after close');
  queue.final('ERROR :too late');
  await turn();
  assert.deepEqual(sink.writes, []);
  assert.equal(sink.ended, undefined);
  assert.equal(sink.destroyed, 1);
  assert.equal(queue.queuedBytes, 0);

  const second = setUp();
  second.queue.send('pending');
  second.queue.final('ERROR :Closing link');
  second.queue.send('after final');
  second.queue.final('ERROR :twice');
  await turn();
  assert.deepEqual(second.sink.writes, []);
  assert.equal(second.sink.ended, 'ERROR :Closing link\r\n');
  second.queue.close();
});

test('a line holding CR, LF or NUL is a programming error: send and final throw', () => {
  const { sink, queue } = setUp();
  for (const bad of ['PRIVMSG #c :hi\r\nQUIT', 'a\rb', 'a\nb', 'a\0b', '\n', 'x\r']) {
    assert.throws(() => queue.send(bad), TypeError);
    assert.throws(() => queue.final(bad), TypeError);
  }
  assert.equal(queue.queuedBytes, 0);
  assert.equal(queue.closed, false);
  assert.equal(sink.ended, undefined);
  fc.assert(
    fc.property(fc.string(), fc.constantFrom('\r', '\n', '\0'), fc.string(), (a, bad, b) => {
      assert.throws(() => queue.send(a + bad + b), TypeError);
    }),
  );
  assert.equal(queue.queuedBytes, 0);
  queue.close();
});

test('options are checked', () => {
  const sink = new FakeSink();
  const onOverflow = () => undefined;
  assert.throws(() => new SendQueue(sink, { sendqBytes: 0, onOverflow }), RangeError);
  assert.throws(() => new SendQueue(sink, { sendqBytes: 1.5, onOverflow }), RangeError);
  assert.throws(
    () => new SendQueue(sink, { sendqBytes: 10, onOverflow, lingerMs: -1 }),
    RangeError,
  );
});

test('over TCP: a client that does not read makes queuedBytes grow to the cap, then overflow', async () => {
  const server = net.createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const accepted = once(server, 'connection');
  const client = net.connect(port, '127.0.0.1');
  client.pause();
  client.on('error', () => undefined);
  const [socket] = (await accepted) as [net.Socket];
  socket.on('error', () => undefined);

  const cap = 128 * 1024;
  let overflowedAt = -1;
  const queue: SendQueue = new SendQueue(socket, {
    sendqBytes: cap,
    onOverflow: () => {
      overflowedAt = queue.queuedBytes;
      queue.final('ERROR :SendQ exceeded');
    },
  });
  const line = `:srv PRIVMSG #c :${'x'.repeat(480)}`;
  const lineBytes = Buffer.byteLength(line) + 2;
  let sent = 0;
  // queuedBytes at the end of each turn, from the first turn the socket refused something.
  const backlog: number[] = [];
  try {
    // The kernel's buffers take the first bytes; then the socket refuses, and the rest piles up.
    while (overflowedAt < 0 && sent < 256 << 20) {
      for (let i = 0; i < 40; i++) queue.send(line);
      sent += 40 * lineBytes;
      await turn();
      if (queue.queuedBytes > 0) backlog.push(queue.queuedBytes);
    }
    assert.ok(overflowedAt >= 0, `no overflow after ${sent} bytes`);
    assert.ok(overflowedAt > cap - lineBytes && overflowedAt <= cap, `at ${overflowedAt}`);
    assert.ok(backlog.length >= 2, `backlog over turns: ${backlog.join(' ')}`);
    for (let i = 1; i < backlog.length; i++) {
      assert.ok((backlog[i] ?? 0) > (backlog[i - 1] ?? 0), `backlog: ${backlog.join(' ')}`);
    }
    assert.ok(sent > cap, 'the socket took what it could before refusing');
    assert.ok(queue.closed);
    assert.equal(queue.queuedBytes, 0);
  } finally {
    queue.close();
    client.destroy();
    server.close();
    await once(server, 'close');
  }
});
