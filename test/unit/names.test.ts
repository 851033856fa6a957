// Pure modules: rfc1459 folding, nick and channel syntax, glob masks.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { fold } from '../../src/model/casefold.js';
import { globMatch, isValidChannel, isValidNick } from '../../src/protocol/name-syntax.js';
import { isReservedNick } from '../../src/protocol/reserved-names.js';

test('rfc1459 folding: A-Z and []\\~ fold onto a-z and {}|^', () => {
  assert.equal(fold('Alice[]\\~'), 'alice{}|^');
  assert.equal(fold('#Chan'), '#chan');
  assert.equal(fold('ÄÖ'), 'ÄÖ', 'non-ASCII untouched');
});

test('folding is idempotent and keeps validity (fast-check)', () => {
  fc.assert(
    fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (s) => {
      assert.equal(fold(fold(s)), fold(s));
      assert.equal(isValidNick(fold(s)), isValidNick(s));
      assert.equal(isValidChannel(fold(s)), isValidChannel(s));
    }),
    { numRuns: 2000, seed: 42 },
  );
});

test('nick syntax (docs/commands.md)', () => {
  for (const ok of [
    'a',
    'Alice',
    '[x]',
    '`_^{|}',
    'a-1',
    'x'.repeat(32),
    '\\o/'.replace('/', ''),
  ]) {
    assert.equal(isValidNick(ok), true, ok);
  }
  for (const bad of [
    '',
    '1a',
    '-a',
    'a b',
    'a,b',
    'a*',
    'a?',
    'a!',
    'a@',
    'a#',
    'a:',
    'x'.repeat(33),
    'аlice',
    'a\u200b',
    'ａ',
  ]) {
    assert.equal(isValidNick(bad), false, JSON.stringify(bad));
  }
});

test('channel syntax (docs/commands.md)', () => {
  for (const ok of ['#a', '#Chat', '#' + 'c'.repeat(63), '#über', '#a-b.c']) {
    assert.equal(isValidChannel(ok), true, ok);
  }
  for (const bad of [
    '#',
    'a',
    '##'.slice(1),
    '#' + 'c'.repeat(64),
    '#a b',
    '#a,b',
    '#a:b',
    '#a\u0007',
    '#a\u0000',
    '#a\r',
    '#a\n',
    '#a\u202e',
    '#a\u200b',
    '#\ud800',
  ]) {
    assert.equal(isValidChannel(bad), false, JSON.stringify(bad));
  }
});

test('channel names hold no invisible, bidi-control or default-ignorable code point (docs/limits.md)', () => {
  // issue 12 finding 9: each of these made a channel that looks like #chat
  const invisible = [
    0x00ad, // soft hyphen
    0x061c, // Arabic letter mark (bidi)
    0x034f, // combining grapheme joiner
    0x3164, // Hangul filler
    0x2800, // Braille pattern blank
    0x115f, // Hangul choseong filler
    0x1160, // Hangul jungseong filler
    0xffa0, // halfwidth Hangul filler
    0x180e, // Mongolian vowel separator
    0xfe0f, // variation selector 16
    0x200e, // left-to-right mark
    0x200f, // right-to-left mark
    0x2066, // left-to-right isolate
    0x2069, // pop directional isolate
    0x2061, // function application (invisible operator)
    0xe0041, // tag letter A
    0x1d173, // musical symbol begin beam (format)
    0x00a0, // no-break space
    0x3000, // ideographic space
    0x2028, // line separator
    0xe000, // private use
    0x0378, // unassigned
  ];
  for (const cp of invisible) {
    const name = '#ch' + String.fromCodePoint(cp) + 'at';
    assert.equal(isValidChannel(name), false, `U+${cp.toString(16).padStart(4, '0')}`);
  }
  // visible letters of other scripts stay allowed
  for (const ok of ['#über', '#日本語', '#чат', '#ελληνικά', '#عربي', '#emoji🙂']) {
    assert.equal(isValidChannel(ok), true, ok);
  }
});

test('reserved nicks: the server name, the network name and service words, folded', () => {
  assert.equal(isReservedNick('chat', 'chat', 'ChatNet'), true);
  assert.equal(isReservedNick('CHAT', 'chat', 'ChatNet'), true);
  assert.equal(isReservedNick('chatnet', 'chat', 'ChatNet'), true);
  assert.equal(isReservedNick('NickServ', 'irc.example.org', 'Example'), true);
  assert.equal(isReservedNick('Server', 'irc.example.org', 'Example'), true);
  assert.equal(isReservedNick('alice', 'chat', 'ChatNet'), false);
  assert.equal(isReservedNick('chatter', 'chat', 'ChatNet'), false);
});

test('channel syntax (docs/commands.md), more refusals', () => {
  for (const bad of ['#a\u0085', '#a\u00ad']) {
    assert.equal(isValidChannel(bad), false, JSON.stringify(bad));
  }
});

test('glob masks: * and ? on folded text', () => {
  assert.equal(globMatch('a*', 'alice'), true);
  assert.equal(globMatch('?lice', 'alice'), true);
  assert.equal(globMatch('a?', 'alice'), false);
  assert.equal(globMatch('#c.(x)', '#c.(x)'), true, 'regex characters are literal');
  assert.equal(globMatch('*', ''), true);
});

test('globMatch: a mask of many stars answers a near-miss at once (no regex backtracking)', () => {
  // With the former regex matcher this took minutes (8 stars: ~0.4 s, 12: ~9 s on a 32-char nick);
  // WHO and LIST take masks from clients, so it was a way to stall the event loop. If it
  // regresses, the test runner's timeout fails this test.
  assert.equal(globMatch('*a'.repeat(30) + 'b', 'a'.repeat(32)), false);
  assert.equal(globMatch('*a'.repeat(16), 'a'.repeat(32)), true);
});
