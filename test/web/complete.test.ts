// Tab nick completion (web/src/state/complete.ts), without a browser: the order of candidates,
// cycling, the ": " at the start of a line, and no match.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { candidates, complete, type CompletionState } from '../../web/src/state/complete.js';

test('candidates: members by latest speaker, the rest by name, then other speakers; never me', () => {
  const members = ['zed', 'Carl', 'alice', 'carol', 'bob'];
  const speakers = ['carol', 'ghost', 'bob', 'carol', 'ALICE'];
  assert.deepEqual(candidates(members, speakers, 'alice'), [
    'carol',
    'bob',
    'Carl',
    'zed',
    'ghost',
  ]);
});

test('Tab cycles through the matches, Shift+Tab goes back; ": " at the line start', () => {
  const names = ['carol', 'Carl', 'bob'];
  let state: CompletionState | null = null;
  const press = (value: string, caret = value.length, back = false) => {
    const done = complete(value, caret, names, state, back);
    state = done?.state ?? null;
    return done?.completion ?? null;
  };
  assert.deepEqual(press('ca'), { value: 'carol: ', caret: 7 });
  assert.deepEqual(press('carol: '), { value: 'Carl: ', caret: 6 });
  assert.deepEqual(press('Carl: '), { value: 'carol: ', caret: 7 }, 'wraps around');
  assert.deepEqual(press('carol: ', 7, true), { value: 'Carl: ', caret: 6 });
  state = null;
  assert.deepEqual(press('thanks B'), { value: 'thanks bob ', caret: 11 }, 'case-insensitive');
  state = null;
  // in the middle of a line: the rest stays, without a doubled space
  assert.deepEqual(press('ask bo about it', 6), { value: 'ask bob about it', caret: 7 });
});

test('nothing to complete: null (Tab then moves the focus as usual)', () => {
  assert.equal(complete('', 0, ['bob'], null), null);
  assert.equal(complete('hello ', 6, ['bob'], null), null);
  assert.equal(complete('zz', 2, ['bob'], null), null);
  // rfc1459 folding: [ and { are the same letter
  assert.equal(complete('dan{', 4, ['DAN[1]'], null)?.completion.value, 'DAN[1]: ');
});
