// Terminal input → keys: runs of several keys split in order, escape sequences of the common
// terminals, Alt+digit, bracketed paste (also split over several events) and the fallback for
// lines that arrive together without paste marks.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { KeyDecoder, pasteLines } from '../../src/cli/key-decoder.js';

const types = (d: KeyDecoder, event: string) =>
  d
    .feed(event)
    .map((k) => (k.type === 'text' || k.type === 'paste' ? `${k.type}:${k.text}` : k.type));

test('a run of keys is every key, in order', () => {
  const d = new KeyDecoder();
  assert.deepEqual(types(d, 'abc\x7f\x7fd\r'), [
    'text:abc',
    'backspace',
    'backspace',
    'text:d',
    'enter',
  ]);
  assert.deepEqual(types(d, '\x01x\x05\x15\x0b\x17\x19\x04'), [
    'home',
    'text:x',
    'end',
    'kill-before',
    'kill-after',
    'kill-word-before',
    'yank',
    'delete',
  ]);
  assert.deepEqual(types(d, 'ok\r\n'), ['text:ok', 'enter']);
  // other control bytes are dropped, not typed
  assert.deepEqual(types(d, 'a\x00\x1cb'), ['text:a', 'text:b']);
  assert.deepEqual(types(d, '\t'), ['tab']);
});

test('escape sequences: arrows, Home/End in their forms, Delete, paging, Alt and Ctrl keys', () => {
  const d = new KeyDecoder();
  const one = (s: string) => types(d, s)[0];
  assert.equal(one('\x1b[A'), 'up');
  assert.equal(one('\x1bOB'), 'down');
  for (const s of ['\x1b[H', '\x1b[1~', '\x1b[7~', '\x1bOH']) assert.equal(one(s), 'home');
  for (const s of ['\x1b[F', '\x1b[4~', '\x1b[8~', '\x1bOF']) assert.equal(one(s), 'end');
  assert.equal(one('\x1b[3~'), 'delete');
  assert.equal(one('\x1b[5~'), 'page-up');
  assert.equal(one('\x1b[6~'), 'page-down');
  assert.equal(one('\x1b[Z'), 'shift-tab');
  assert.equal(one('\x1bb'), 'word-left');
  assert.equal(one('\x1bf'), 'word-right');
  assert.equal(one('\x1b[1;5D'), 'word-left');
  assert.equal(one('\x1b[1;3C'), 'next-buffer');
  assert.equal(one('\x1b\x1b[D'), 'prev-buffer');
  assert.equal(one('\x1b'), 'escape');
  assert.deepEqual(d.feed('\x1b7'), [{ type: 'alt-digit', digit: 7 }]);
  assert.deepEqual(d.feed('\x1b0'), [{ type: 'alt-digit', digit: 0 }]);
  // unknown keys do nothing (their bytes are never typed)
  assert.deepEqual(d.feed('\x1b[15~'), []);
  assert.deepEqual(d.feed('\x1bq'), []);
});

test('a bracketed paste is one paste, even over several events and with escapes inside', () => {
  const d = new KeyDecoder();
  assert.deepEqual(d.feed('\x1b[200~'), []);
  assert.deepEqual(d.feed('line one\rline '), []);
  assert.deepEqual(d.feed('\x1b[A'), []);
  assert.deepEqual(types(d, 'two\r\x1b[201~'), ['paste:line one\rline \x1b[Atwo\r']);
  // after it, keys are keys again
  assert.deepEqual(types(d, 'x\r'), ['text:x', 'enter']);
  // start, text and end in one event
  assert.deepEqual(types(d, '\x1b[200~a\nb\x1b[201~'), ['paste:a\nb']);
});

test('two lines or more arriving together without paste marks are a paste; one Enter is a key', () => {
  const d = new KeyDecoder();
  assert.deepEqual(types(d, 'one\rtwo\r'), ['paste:one\rtwo\r']);
  assert.deepEqual(types(d, 'one\r\ntwo\r\nthree'), ['paste:one\r\ntwo\r\nthree']);
  assert.deepEqual(types(d, 'one\r'), ['text:one', 'enter']);
  // Enter typed ahead of the next line (one line break): keys, not a paste
  assert.deepEqual(types(d, 'one\rtwo'), ['text:one', 'enter', 'text:two']);
  assert.deepEqual(types(d, '\rnext'), ['enter', 'text:next']);
  assert.deepEqual(types(d, 'one\r\ntwo'), ['text:one', 'enter', 'text:two']);
});

test('pasteLines splits on any line break and drops trailing empty lines', () => {
  assert.deepEqual(pasteLines('a\r\nb\rc\n\n'), ['a', 'b', 'c']);
  assert.deepEqual(pasteLines('a\n\nb'), ['a', '', 'b']);
  assert.deepEqual(pasteLines('\n'), []);
});
