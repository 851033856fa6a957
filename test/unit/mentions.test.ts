// Mentions as both clients see them (src/shared/mentions.ts): the nick as a word, compared under
// rfc1459 folding (`{` is `[`, `}` is `]`, `|` is `\`, `^` is `~`, case-insensitive).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { fold } from '../../src/model/casefold.js';
import { mentions } from '../../src/shared/mentions.js';

test('mentions (table)', () => {
  const cases: [string, string, boolean][] = [
    ['alice: hi', 'alice', true],
    ['hi ALICE!', 'alice', true],
    ['hi alice', 'alice', true],
    ['alice', 'alice', true],
    ['(alice)', 'alice', true],
    ['hi @alice, see', 'alice', true],
    ['alice.', 'alice', true],
    ['malice', 'alice', false],
    ['alice_', 'alice', false],
    ['alice-bob', 'alice', false],
    ['alice1', 'alice', false],
    ['`alice', 'alice', false],
    ['alice~', 'alice', false], // ~ folds to ^: that is the nick alice^
    ['bob', 'alice', false],
    ['', 'alice', false],
    ['anything', '', false],
    // rfc1459 folding
    ['ping [x]', '[x]', true],
    ['hi dan{1}', 'dan[1]', true],
    ['hi DAN[1]', 'dan{1}', true],
    ['hi a|b', 'a\\b', true],
    ['hi A\\B', 'a|b', true],
    ['hi x^', 'X~', true],
    ['hi dan{1}x', 'dan[1]', false],
    ['hi dan{12}', 'dan[1]', false],
    // a later occurrence counts when an earlier one is inside a word
    ['malice and alice', 'alice', true],
    ['dan[1]x dan{1}', 'DAN[1]', true],
  ];
  for (const [text, nick, expected] of cases) {
    assert.equal(mentions(text, nick), expected, `${JSON.stringify(text)} / ${nick}`);
  }
});

const NICK_FIRST = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ[]\\`_^{|}';
const NICK_REST = NICK_FIRST + '0123456789-';
const nickArb = fc
  .tuple(fc.constantFrom(...NICK_FIRST), fc.array(fc.constantFrom(...NICK_REST), { maxLength: 12 }))
  .map(([first, rest]) => first + rest.join(''));
/** text around a mention: anything but nick characters (and ~, which folds to one) */
const gapArb = fc
  .array(fc.constantFrom(' ', ',', ':', '!', '?', '.', '(', ')', '@', '#', 'é', '\u00a0', '\n'), {
    maxLength: 4,
  })
  .map((c) => c.join(''));

/** the other spelling of every folding character: A-Z for a-z and []\~ for {}|^ (ASCII only) */
function unfold(s: string): string {
  const swap: Record<string, string> = { '{': '[', '}': ']', '|': '\\', '^': '~' };
  return s.replace(/[a-z{}|^]/g, (c) => swap[c] ?? c.toUpperCase());
}

test('a nick between non-nick characters is a mention, in any rfc1459 spelling (fast-check)', () => {
  fc.assert(
    fc.property(nickArb, gapArb, gapArb, (nick, before, after) => {
      assert.ok(mentions(before + nick + after, nick));
      assert.ok(mentions(before + unfold(fold(nick)) + after, nick));
      assert.ok(mentions(before + fold(nick) + after, unfold(fold(nick))));
    }),
  );
});

test('a nick glued to a nick character is not a mention (fast-check)', () => {
  fc.assert(
    fc.property(nickArb, fc.constantFrom(...NICK_REST), (nick, c) => {
      assert.ok(!mentions(c + nick, nick));
      assert.ok(!mentions(nick + c, nick));
    }),
  );
});

test('folding either side never changes the answer (fast-check)', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 30 }), nickArb, (text, nick) => {
      const m = mentions(text, nick);
      assert.equal(mentions(fold(text), nick), m);
      assert.equal(mentions(text, fold(nick)), m);
      assert.equal(mentions(unfold(text), unfold(nick)), m);
    }),
  );
});
