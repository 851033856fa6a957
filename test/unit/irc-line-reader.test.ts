// The IRC line reader (src/transports/irc/line-reader.ts): splitting on LF whatever the chunking
// (fast-check against a one-pass model), CRLF and bare LF, overlong lines reported once and
// skipped with the reader's buffer staying under the cap, many lines in one chunk without
// copying, and the per-push limit that lets the listener stop mid-chunk.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { IRC_CLIENT_LINE_MAX_BYTES, parseLine } from '../../src/transports/irc/line-codec.js';
import { LineReader, type LineEvent } from '../../src/transports/irc/line-reader.js';

/** Events as comparable strings: a line's bytes in hex, or 'too_long'. */
const show = (events: readonly LineEvent[]): string[] =>
  events.map((e) => (e.kind === 'line' ? `line:${e.line.toString('hex')}` : 'too_long'));

/**
 * What any reader must report for `stream`: each LF ends a line, a line with more than
 * `max - 1` bytes before its LF is too_long, and so is an unfinished tail already that long.
 */
function model(stream: Uint8Array, max: number): string[] {
  const bytes = Buffer.from(stream);
  const out: string[] = [];
  let start = 0;
  for (;;) {
    const lf = bytes.indexOf(0x0a, start);
    const end = lf < 0 ? bytes.length : lf;
    if (end - start > max - 1) out.push('too_long');
    else if (lf >= 0) out.push(`line:${bytes.subarray(start, end).toString('hex')}`);
    if (lf < 0) return out;
    start = lf + 1;
  }
}

/** Cuts `stream` at the given offsets (any order, repeats allowed: empty chunks are fine too). */
function chunked(stream: Uint8Array, cuts: readonly number[]): Buffer[] {
  const points = [...cuts.map((c) => c % (stream.length + 1)), 0, stream.length];
  points.sort((a, b) => a - b);
  return points.slice(1).map((end, i) => Buffer.from(stream.subarray(points[i], end)));
}

/** Pushes every chunk, checking the memory bound after each, and returns all events. */
function readAll(reader: LineReader, chunks: readonly Buffer[], cap: number): LineEvent[] {
  const events: LineEvent[] = [];
  for (const chunk of chunks) {
    events.push(...reader.push(chunk));
    assert.ok(reader.bufferedBytes <= cap - 1, `buffered ${reader.bufferedBytes} of ${cap}`);
    assert.equal(reader.backlogBytes, 0);
  }
  return events;
}

// Streams made mostly of a few byte values, so LFs, CRs and short and long lines are all common.
const streamArb = fc
  .uint8Array({ maxLength: 400 })
  .map((raw) => Uint8Array.from(raw, (b) => [0x0a, 0x0d, 0x41, 0x20][b % 4] ?? b));

test('any chunking of a stream gives the same events, which a simple model predicts', () => {
  fc.assert(
    fc.property(
      streamArb,
      fc.array(fc.nat(), { maxLength: 40 }),
      fc.integer({ min: 2, max: 40 }),
      (stream, cuts, max) => {
        const whole = show(new LineReader({ maxLineBytes: max }).push(Buffer.from(stream)));
        const pieces = readAll(new LineReader({ maxLineBytes: max }), chunked(stream, cuts), max);
        assert.deepEqual(show(pieces), whole);
        assert.deepEqual(whole, model(stream, max));
      },
    ),
    { numRuns: 300 },
  );
});

test('the default cap: chunked streams around IRC_CLIENT_LINE_MAX_BYTES match the model', () => {
  const max = IRC_CLIENT_LINE_MAX_BYTES;
  const line = fc.integer({ min: max - 3, max: max + 3 }).map((n) => 'x'.repeat(n));
  fc.assert(
    fc.property(
      fc.array(fc.oneof(line, fc.string({ maxLength: 20 })), { maxLength: 6 }),
      fc.array(fc.nat(), { maxLength: 30 }),
      (lines, cuts) => {
        const stream = Buffer.from(lines.map((l) => `${l}\n`).join(''), 'latin1');
        const events = readAll(new LineReader(), chunked(stream, cuts), max);
        assert.deepEqual(show(events), model(stream, max));
      },
    ),
    { numRuns: 40 },
  );
});

test('CRLF and bare LF both end a line; the CR stays for the codec to drop', () => {
  const reader = new LineReader();
  const events = reader.push(Buffer.from('NICK a\r\nUSER b 0 * :c\nPING x\r\n\r\n\nPART'));
  assert.deepEqual(show(events), [
    `line:${Buffer.from('NICK a\r').toString('hex')}`,
    `line:${Buffer.from('USER b 0 * :c').toString('hex')}`,
    `line:${Buffer.from('PING x\r').toString('hex')}`,
    `line:${Buffer.from('\r').toString('hex')}`,
    'line:',
  ]);
  const commands = events.map((e) => {
    const result = e.kind === 'line' ? parseLine(e.line) : undefined;
    return result?.ok ? result.message.command : result?.reason;
  });
  assert.deepEqual(commands, ['NICK', 'USER', 'PING', 'empty', 'empty']);
  // The unfinished 'PART' waits for its LF, which may come in a later chunk, after a lone CR.
  assert.equal(reader.bufferedBytes, 4);
  assert.deepEqual(show(reader.push(Buffer.from(' #c\r'))), []);
  assert.deepEqual(show(reader.push(Buffer.from('\n'))), [
    `line:${Buffer.from('PART #c\r').toString('hex')}`,
  ]);
  assert.equal(reader.bufferedBytes, 0);
});

test('a 64 KiB line: one too_long as soon as it overflows, then the next line intact', () => {
  const reader = new LineReader();
  const long = Buffer.alloc(64 * 1024, 'a');
  const events: LineEvent[] = [];
  let reportedAt = -1;
  for (let at = 0; at < long.length; at += 1000) {
    events.push(...reader.push(long.subarray(at, at + 1000)));
    if (reportedAt < 0 && events.length > 0) reportedAt = at + 1000;
    assert.ok(reader.bufferedBytes < IRC_CLIENT_LINE_MAX_BYTES);
  }
  // Reported with the chunk that went past the cap, not at the LF 60 KiB later.
  assert.equal(reportedAt, Math.ceil(IRC_CLIENT_LINE_MAX_BYTES / 1000) * 1000);
  assert.equal(reader.bufferedBytes, 0);
  events.push(...reader.push(Buffer.from('aaaa\r\nPRIVMSG #c :after\r\n')));
  assert.deepEqual(show(events), [
    'too_long',
    `line:${Buffer.from('PRIVMSG #c :after\r').toString('hex')}`,
  ]);
});

test('a line is refused exactly when it has more than IRC_CLIENT_LINE_MAX_BYTES with its LF', () => {
  for (const extra of [-1, 0, 1]) {
    const body = Buffer.alloc(IRC_CLIENT_LINE_MAX_BYTES - 1 + extra, 'b');
    const reader = new LineReader();
    const events = [...reader.push(body), ...reader.push(Buffer.from('\n'))];
    assert.deepEqual(
      events.map((e) => e.kind),
      [extra > 0 ? 'too_long' : 'line'],
    );
  }
});

test('the buffer holding an unfinished line never exceeds the cap, byte by byte too', () => {
  const max = 64;
  const reader = new LineReader({ maxLineBytes: max });
  let seen = 0;
  for (let i = 0; i < 10 * max; i++) {
    seen += reader.push(Buffer.from('z')).length;
    assert.ok(reader.bufferedBytes <= max - 1);
  }
  assert.equal(seen, 1);
  assert.deepEqual(show(reader.push(Buffer.from('\nok\n'))), [
    `line:${Buffer.from('ok').toString('hex')}`,
  ]);
});

test('10,000 short lines in one chunk: every one, each a view of the chunk (no copy)', () => {
  const chunk = Buffer.from('PING :12345\r\n'.repeat(10_000));
  const reader = new LineReader();
  const events = reader.push(chunk);
  assert.equal(events.length, 10_000);
  for (const event of events) {
    assert.ok(event.kind === 'line');
    assert.equal(event.line.buffer, chunk.buffer);
    assert.equal(event.line.toString(), 'PING :12345\r');
  }
  assert.equal(reader.bufferedBytes, 0);
});

test('a line that spans chunks is copied once into a buffer of its own', () => {
  const reader = new LineReader();
  const first = Buffer.from('JOIN #a');
  assert.deepEqual(reader.push(first), []);
  const [event] = reader.push(Buffer.from('bc\nrest'));
  assert.ok(event?.kind === 'line');
  assert.equal(event.line.toString(), 'JOIN #abc');
  // Later lines must not overwrite it: the reader's tail buffer is reused.
  reader.push(Buffer.from('XXXXXXXXXXXX\n'));
  assert.equal(event.line.toString(), 'JOIN #abc');
});

test('a limit stops mid-chunk; take() continues where it stopped, same events in the end', () => {
  fc.assert(
    fc.property(
      streamArb,
      fc.array(fc.nat(), { maxLength: 10 }),
      fc.integer({ min: 1, max: 5 }),
      (stream, cuts, limit) => {
        const max = 16;
        const reader = new LineReader({ maxLineBytes: max });
        const events: LineEvent[] = [];
        for (const chunk of chunked(stream, cuts)) {
          let batch = reader.push(chunk, limit);
          // What the listener would do on its next turn, with a fresh budget each time.
          while (batch.length > 0) {
            assert.ok(batch.length <= limit);
            events.push(...batch);
            batch = reader.take(limit);
          }
          assert.equal(reader.backlogBytes, 0);
        }
        assert.deepEqual(show(events), model(stream, max));
      },
    ),
    { numRuns: 200 },
  );
});

test('backlogBytes counts what a limit left unread; an exhausted budget reads nothing', () => {
  const reader = new LineReader();
  const chunk = Buffer.from('A\nB\nC\nD');
  assert.deepEqual(show(reader.push(chunk, 1)), [`line:${Buffer.from('A').toString('hex')}`]);
  assert.equal(reader.backlogBytes, chunk.length - 2);
  assert.deepEqual(reader.take(0), []);
  reader.push(Buffer.from('\n'), 0);
  assert.equal(reader.backlogBytes, chunk.length - 2 + 1);
  assert.equal(reader.take().length, 3);
  assert.equal(reader.backlogBytes, 0);
});

test('maxLineBytes must leave room for a byte and its LF', () => {
  assert.throws(() => new LineReader({ maxLineBytes: 1 }), RangeError);
  assert.throws(() => new LineReader({ maxLineBytes: 2.5 }), RangeError);
  assert.doesNotThrow(() => new LineReader({ maxLineBytes: 2 }));
});
