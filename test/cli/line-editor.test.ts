// The input line's pure model: cursor moves and edits, the kill buffer, grapheme clusters (wide
// and astral characters are one step and never split) and the horizontal window.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cellWidth, LineEditor } from '../../src/cli/line-editor.js';

function editor(text: string, cursor?: number): LineEditor {
  const e = new LineEditor();
  e.set(text);
  if (cursor !== undefined) {
    e.home();
    for (let i = 0; i < cursor; i++) e.right();
  }
  return e;
}

test('set() puts the cursor at the end; insert goes at the cursor and moves it', () => {
  const e = editor('ca');
  assert.equal(e.cursor, 2);
  e.set('carol: ');
  assert.equal(e.cursor, 7);
  e.insert('hi');
  assert.equal(e.text, 'carol: hi');
  e.home();
  e.insert('>');
  assert.equal(e.text, '>carol: hi');
  assert.equal(e.cursor, 1);
});

test('moves stay inside the line', () => {
  const e = editor('ab');
  e.right();
  assert.equal(e.cursor, 2);
  e.left();
  e.left();
  e.left();
  assert.equal(e.cursor, 0);
  e.backspace();
  assert.equal(e.text, 'ab');
  e.end();
  e.delete();
  assert.equal(e.text, 'ab');
  e.backspace();
  e.backspace();
  e.backspace();
  assert.equal(e.text, '');
  assert.equal(e.cursor, 0);
});

test('words: Alt+B/F move, Ctrl+W cuts back to a space, Alt+D forward', () => {
  const e = editor('say hello, world');
  e.wordLeft();
  assert.equal(e.cursor, 11);
  e.wordLeft();
  assert.equal(e.cursor, 4);
  e.wordRight();
  assert.equal(e.cursor, 9);
  e.killWordAfter();
  assert.equal(e.text, 'say hello');
  e.killWordBefore();
  assert.equal(e.text, 'say ');
  e.yank();
  assert.equal(e.text, 'say hello');
});

test('Ctrl+U and Ctrl+K cut around the cursor; Ctrl+Y puts the last cut back', () => {
  const e = editor('one two three', 4);
  e.killBefore();
  assert.equal(e.text, 'two three');
  assert.equal(e.cursor, 0);
  e.end();
  e.yank();
  assert.equal(e.text, 'two threeone ');
  e.home();
  e.right();
  e.killAfter();
  assert.equal(e.text, 't');
  e.yank();
  e.yank();
  assert.equal(e.text, 'two threeone wo threeone ');
});

test('setBeforeCursor (completion) keeps the text after the cursor', () => {
  const e = editor('ca and more', 2);
  e.setBeforeCursor('carol: ');
  assert.equal(e.text, 'carol:  and more');
  assert.equal(e.cursor, 7);
  assert.equal(e.beforeCursor, 'carol: ');
  assert.equal(e.afterCursor, ' and more');
});

test('emoji, astral, CJK and combining marks are one step each, never split', () => {
  const e = editor('a😀b👩‍💻c漢e\u0301');
  assert.equal(e.length, 7);
  e.backspace();
  assert.equal(e.text, 'a😀b👩‍💻c漢');
  e.left();
  e.left();
  e.backspace();
  assert.equal(e.text, 'a😀bc漢');
  e.home();
  e.right();
  e.delete();
  assert.equal(e.text, 'abc漢');
  // a combining mark typed after a letter joins it
  const f = editor('e');
  f.insert('\u0301');
  assert.equal(f.length, 1);
  assert.equal(cellWidth('漢'), 2);
  assert.equal(cellWidth('😀'), 2);
  assert.equal(cellWidth('e\u0301'), 1);
});

test('the view keeps the cursor on screen and fits the width', () => {
  const text = 'abcdefghijklmnopqrstuvwxyz';
  const e = editor(text);
  const width = 10;
  const shown = (v: ReturnType<LineEditor['view']>) => v.before + (v.at || ' ') + v.after;
  let v = e.view(width);
  assert.equal(v.at, '');
  assert.equal(v.before, 'rstuvwxyz');
  assert.equal(shown(v).length, width);
  e.home();
  v = e.view(width);
  assert.equal(v.before, '');
  assert.equal(v.at, 'a');
  assert.equal(v.after, 'bcdefghij');
  // walking right scrolls only when the cursor would leave the window
  for (let i = 0; i < 12; i++) e.right();
  v = e.view(width);
  assert.equal(v.at, 'm');
  assert.equal(shown(v).length, width);
  assert.ok(shown(v).endsWith('m'));
  // deleting the tail slides the window back to show more of the start
  e.killAfter();
  v = e.view(width);
  assert.equal(v.before, 'defghijkl');
  e.clear();
  assert.deepEqual(e.view(width), { before: '', at: '', after: '' });
});

test('the view counts wide characters as two cells and never cuts one', () => {
  const e = editor('漢字漢字漢字漢字');
  const v = e.view(7);
  // the cursor cell at the end takes 1: three wide characters (6 cells) fit before it
  assert.equal(v.before, '字漢字');
  e.home();
  const w = e.view(7);
  assert.equal(w.at, '漢');
  assert.equal(w.after, '字漢');
});
