// The SSE framing of src/shared/sse.ts: what chatd writes on GET /api/v1/events and how the web
// client reads it back, chunk by chunk.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatComment, formatEvent, SseParser } from '../../src/shared/sse.js';

test('an event: event and id lines first, one data line per line of text, a blank line last', () => {
  assert.equal(formatEvent({ data: '{"a":1}', id: 42 }), 'id: 42\ndata: {"a":1}\n\n');
  assert.equal(formatEvent({ event: 'gap', data: '{}' }), 'event: gap\ndata: {}\n\n');
  assert.equal(
    formatEvent({ data: 'one\r\ntwo\rthree\nfour' }),
    'data: one\ndata: two\ndata: three\ndata: four\n\n',
  );
  assert.equal(formatEvent({ data: '' }), 'data: \n\n');
  assert.equal(formatComment('heartbeat'), ': heartbeat\n\n');
});

test('a line break in an id, an event name or a comment is refused, not written', () => {
  assert.throws(() => formatEvent({ data: 'x', id: '1\n2' }), /line break/);
  assert.throws(() => formatEvent({ data: 'x', event: 'a\rb' }), /line break/);
  assert.throws(() => formatComment('a\nb'), /line break/);
});

test('the parser reads back what the formatter wrote, split at every possible point', () => {
  const text =
    formatComment('ok') +
    formatEvent({ event: 'gap', data: '{"gap":true}' }) +
    formatEvent({ id: 7, data: '{"x":"é"}' }) +
    formatEvent({ id: 8, data: 'two\nlines' }) +
    formatComment('heartbeat');
  const expected = [
    { event: 'gap', data: '{"gap":true}', id: null },
    { event: '', data: '{"x":"é"}', id: '7' },
    { event: '', data: 'two\nlines', id: '8' },
  ];
  for (let cut = 0; cut <= text.length; cut++) {
    const p = new SseParser();
    const got = [...p.push(text.slice(0, cut)), ...p.push(text.slice(cut))];
    assert.deepEqual(got, expected, `split at ${cut}`);
    assert.equal(p.comments, 2);
  }
  // one character at a time
  const p = new SseParser();
  const got = [...text].flatMap((ch) => p.push(ch));
  assert.deepEqual(got, expected);
});

test('CRLF and CR line ends, a CRLF split across chunks, fields without a space or a value', () => {
  const p = new SseParser();
  assert.deepEqual(p.push('id:5\r'), []);
  assert.deepEqual(p.push('\ndata:a\r\rdata\r\n\r\n'), [
    { event: '', data: 'a', id: '5' },
    { event: '', data: '', id: null },
  ]);
});

test('an event without data is not dispatched; unknown fields and retry are ignored', () => {
  const p = new SseParser();
  assert.deepEqual(p.push('id: 3\nevent: x\n\nretry: 10\nfoo: bar\ndata: y\n\n'), [
    { event: '', data: 'y', id: null },
  ]);
});

test('an unfinished event stays buffered until its blank line', () => {
  const p = new SseParser();
  assert.deepEqual(p.push('data: a\n'), []);
  assert.deepEqual(p.push('data: b\n'), []);
  assert.deepEqual(p.push('\n'), [{ event: '', data: 'a\nb', id: null }]);
});
