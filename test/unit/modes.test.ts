// Pure channel modes (docs/commands.md): the MODE parser, the applier, ban masks; table tests and
// fast-check properties.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { maskMatches, matchesAnyBan, normaliseBanMask } from '../../src/protocol/ban-mask.js';
import { fold } from '../../src/model/casefold.js';
import {
  applyChannelModes,
  CHANNEL_MODE_LETTERS,
  channelModeParams,
  formatModeChanges,
  MODES_PER_COMMAND,
  parseChannelModes,
  UNKNOWN_REPORT_MAX,
  type ChannelModeState,
  type MemberModes,
  type ModeChange,
} from '../../src/protocol/modes.js';
import { CHANNEL_MODES, isupportTokens } from '../../src/protocol/welcome.js';

test('004/005 advertise exactly what the parser knows (CHANMODES, PREFIX, MODES, MAXLIST)', () => {
  const tokens = new Map(
    isupportTokens('Net', 20).map((t) => [t.split('=')[0]!, t.split('=')[1] ?? ''] as const),
  );
  const [listModes, keyModes, limitModes, flagModes] = tokens.get('CHANMODES')!.split(',');
  const prefixModes = /^\((\w+)\)/.exec(tokens.get('PREFIX')!)![1]!;
  const advertised = [listModes, keyModes, limitModes, flagModes, prefixModes].join('');
  assert.equal([...advertised].sort().join(''), CHANNEL_MODE_LETTERS);
  assert.equal(CHANNEL_MODES, CHANNEL_MODE_LETTERS, '004');
  assert.equal(tokens.get('MODES'), String(MODES_PER_COMMAND));
  assert.equal(tokens.get('MAXLIST'), 'b:50');
  assert.equal(
    tokens.get('TARGMAX'),
    'ISON:20,JOIN:20,KICK:4,LIST:1,NAMES:1,NOTICE:4,PART:20,PRIVMSG:4,PUBKEY:4,TAGMSG:4,USERHOST:5,WHOIS:1',
  );
  // type A (b) lists, B (k) takes an argument both ways, C (l) only when set, D none
  assert.deepEqual(parseChannelModes(['-k', 'x']).changes, [{ sign: '-', letter: 'k', arg: 'x' }]);
  assert.deepEqual(parseChannelModes(['-l', 'x']).changes, [{ sign: '-', letter: 'l' }]);
  for (const f of flagModes!) {
    assert.deepEqual(parseChannelModes(['+' + f, 'x']).changes, [{ sign: '+', letter: f }]);
  }
});

const c = (sign: '+' | '-', letter: string, arg?: string): ModeChange =>
  arg === undefined ? { sign, letter } : { sign, letter, arg };

test('parse: letters, signs and arguments (table)', () => {
  const cases: [string[], Partial<ReturnType<typeof parseChannelModes>>][] = [
    [['+o', 'alice'], { changes: [c('+', 'o', 'alice')] }],
    [
      ['+ov-k', 'a', 'b', 'key'],
      { changes: [c('+', 'o', 'a'), c('+', 'v', 'b'), c('-', 'k', 'key')] },
    ],
    [['n'], { changes: [c('+', 'n')] }], // no sign means +
    [['+imnst'], { changes: [c('+', 'i'), c('+', 'm'), c('+', 'n'), c('+', 's'), c('+', 't')] }],
    [['-t+m'], { changes: [c('-', 't'), c('+', 'm')] }],
    [['b'], { changes: [], listBans: true }],
    [['+b'], { changes: [], listBans: true }],
    [['-b'], { changes: [], listBans: true }],
    [['+b', 'bob'], { changes: [c('+', 'b', 'bob!*@*')] }],
    [['-b', '~u@h'], { changes: [c('-', 'b', '*!~u@h')] }],
    [['+k'], { changes: [], missingArg: [c('+', 'k')] }],
    [['-k'], { changes: [c('-', 'k')] }],
    [['+l', '10'], { changes: [c('+', 'l', '10')] }],
    [['+l', '010'], { changes: [c('+', 'l', '10')] }],
    [['+l', '0'], { changes: [], invalidArg: [c('+', 'l', '0')] }],
    [['+l', 'ten'], { changes: [], invalidArg: [c('+', 'l', 'ten')] }],
    [['+l', '99999999999'], { changes: [], invalidArg: [c('+', 'l', '99999999999')] }],
    [['-l', '5'], { changes: [c('-', 'l')] }], // -l takes no argument: 5 is left over
    [['+k', 'a b'], { invalidArg: [c('+', 'k', 'a b')] }],
    [['+k', 'a,b'], { invalidArg: [c('+', 'k', 'a,b')] }],
    [['+k', ':x'], { invalidArg: [c('+', 'k', ':x')] }],
    [['+k', 'x'.repeat(33)], { invalidArg: [c('+', 'k', 'x'.repeat(33))] }],
    [['+k', 'x'.repeat(32)], { changes: [c('+', 'k', 'x'.repeat(32))] }],
    [['+b', 'a b'], { invalidArg: [c('+', 'b', 'a b')] }],
    [['+o', ''], { invalidArg: [c('+', 'o', '')] }],
    [['+o'], { missingArg: [c('+', 'o')] }],
    // -k takes the next argument (005 type B), so +o is left without one
    [['-k+o', 'bob'], { changes: [c('-', 'k', 'bob')], missingArg: [c('+', 'o')] }],
    [['+xyzx'], { changes: [], unknown: ['x', 'y', 'z'] }],
    [['+é'], { unknown: ['é'] }],
    [['+p'], { unknown: ['p'] }],
    [[''], { changes: [], listBans: false, unknown: [] }],
    [['+-'], { changes: [] }],
    [[], { changes: [] }],
    [
      ['+ooooo', 'a', 'b', 'c', 'd', 'e'],
      {
        changes: ['a', 'b', 'c', 'd'].map((n) => c('+', 'o', n)),
        dropped: [c('+', 'o')],
      },
    ],
    // flags are not counted against MODES=4
    [
      ['+oooomn', 'a', 'b', 'c', 'd'],
      { changes: [...['a', 'b', 'c', 'd'].map((n) => c('+', 'o', n)), c('+', 'm'), c('+', 'n')] },
    ],
  ];
  for (const [params, expected] of cases) {
    const got = parseChannelModes(params);
    for (const [field, value] of Object.entries(expected)) {
      assert.deepEqual(got[field as keyof typeof got], value, `${JSON.stringify(params)} ${field}`);
    }
  }
});

test('parse: unknown letters are capped at UNKNOWN_REPORT_MAX distinct ones', () => {
  const got = parseChannelModes(['+' + 'ABCDEFGHIJKLMNOP']);
  assert.equal(got.unknown.length, UNKNOWN_REPORT_MAX);
  assert.deepEqual(got.unknown, [...'ABCDEFGHIJ']);
});

test('ban masks: normalisation (table)', () => {
  const cases: [string, string | null][] = [
    ['bob', 'bob!*@*'],
    ['bob!u', 'bob!u@*'],
    ['u@h', '*!u@h'],
    ['a!b@c', 'a!b@c'],
    ['!@', '*!*@*'],
    ['@h', '*!*@h'],
    ['n!', 'n!*@*'],
    ['a!b!c@d', 'a!b!c@d'],
    ['a@b!c', '*!a@b!c'],
    ['*', '*!*@*'],
    ['', null],
    ['a b', null],
    ['a,b', null],
    ['a\tb', null],
    ['x'.repeat(200), null],
  ];
  for (const [raw, expected] of cases) assert.equal(normaliseBanMask(raw), expected, raw);
});

test('ban masks: matching with * and ?, rfc1459 case-insensitive (table)', () => {
  const who = 'Bob[1]!~bob@s7.chat.example';
  const cases: [string, boolean][] = [
    ['*!*@*', true],
    ['bob[1]!*@*', true],
    ['BOB{1}!*@*', true], // [] fold onto {}
    ['bob?1?!*@*', true],
    ['bob!*@*', false],
    ['*!~bob@*', true],
    ['*!*@s7.chat.example', true],
    ['*!*@s7.*', true],
    ['*!*@s70.*', false],
    ['b*b*!*@*', true],
    ['b*x*!*@*', false],
    ['*', true],
    ['', false],
  ];
  for (const [mask, expected] of cases) assert.equal(maskMatches(mask, who), expected, mask);
  assert.equal(matchesAnyBan(['x!*@*', '*!~bob@*'], who), true);
  assert.equal(matchesAnyBan([], who), false);
});

test('ban masks: many stars stay fast', () => {
  const start = performance.now();
  assert.equal(maskMatches('*a'.repeat(60) + 'b', 'a'.repeat(5000)), false);
  assert.ok(performance.now() - start < 1000);
});

test('ban masks: matching agrees with a regex reference (fast-check)', () => {
  const alphabet = fc.constantFrom('a', 'B', '[', '{', '!', '@', '.', '*', '?');
  const reference = (mask: string, s: string) =>
    new RegExp(
      '^' +
        [...fold(mask)]
          .map((ch) => (ch === '*' ? '.*' : ch === '?' ? '.' : ch.replace(/[.[{]/g, '\\$&')))
          .join('') +
        '$',
      's',
    ).test(fold(s));
  fc.assert(
    fc.property(
      fc.string({ unit: alphabet, maxLength: 8 }),
      fc.string({ unit: alphabet.filter((ch) => ch !== '*' && ch !== '?'), maxLength: 10 }),
      (mask, subject) => assert.equal(maskMatches(mask, subject), reference(mask, subject)),
    ),
    { numRuns: 3000, seed: 7 },
  );
});

const NICKS = ['alice', 'Bob', 'carol'];
const member = (nick: string, modes = ''): [string, MemberModes] => [fold(nick), { nick, modes }];

function state(p: Partial<ChannelModeState> = {}): ChannelModeState {
  return {
    modes: 'nt',
    key: null,
    limit: null,
    bans: [],
    members: new Map([member('alice', 'o'), member('Bob')]),
    ...p,
  };
}

test('apply: each letter set and unset, no-ops dropped (table)', () => {
  const cases: [ChannelModeState, ModeChange[], Partial<ChannelModeState>, ModeChange[]][] = [
    [state(), [c('+', 'n')], { modes: 'nt' }, []],
    [state(), [c('+', 'm')], { modes: 'mnt' }, [c('+', 'm')]],
    [
      state(),
      [c('-', 't'), c('+', 'i'), c('+', 's')],
      { modes: 'ins' },
      [c('-', 't'), c('+', 'i'), c('+', 's')],
    ],
    [state(), [c('+', 'k', 'pw')], { modes: 'knt', key: 'pw' }, [c('+', 'k', 'pw')]],
    [state({ modes: 'knt', key: 'pw' }), [c('+', 'k', 'pw')], { key: 'pw' }, []],
    [
      state({ modes: 'knt', key: 'pw' }),
      [c('+', 'k', 'new')],
      { key: 'new' },
      [c('+', 'k', 'new')],
    ],
    [
      state({ modes: 'knt', key: 'pw' }),
      [c('-', 'k', 'wrong')],
      { modes: 'nt', key: null },
      [c('-', 'k', '*')],
    ],
    [state(), [c('-', 'k')], { modes: 'nt', key: null }, []],
    [state(), [c('+', 'l', '5')], { modes: 'lnt', limit: 5 }, [c('+', 'l', '5')]],
    [state({ modes: 'lnt', limit: 5 }), [c('+', 'l', '5')], { limit: 5 }, []],
    [state({ modes: 'lnt', limit: 5 }), [c('-', 'l')], { modes: 'nt', limit: null }, [c('-', 'l')]],
    [state(), [c('-', 'l')], { limit: null }, []],
    [
      state(),
      [c('+', 'b', 'x!*@*'), c('+', 'b', 'X!*@*')],
      { bans: ['x!*@*'] },
      [c('+', 'b', 'x!*@*')],
    ],
    [state({ bans: ['x!*@*'] }), [c('-', 'b', 'X!*@*')], { bans: [] }, [c('-', 'b', 'x!*@*')]],
    [state(), [c('-', 'b', 'x!*@*')], { bans: [] }, []],
    [
      state(),
      [c('+', 'o', 'bob'), c('+', 'v', 'BOB'), c('-', 'o', 'alice')],
      { members: new Map([member('alice'), member('Bob', 'ov')]) },
      [c('+', 'o', 'Bob'), c('+', 'v', 'Bob'), c('-', 'o', 'alice')],
    ],
    [state(), [c('+', 'o', 'alice')], {}, []],
  ];
  for (const [before, changes, expected, applied] of cases) {
    const r = applyChannelModes(before, changes);
    for (const [field, value] of Object.entries(expected)) {
      assert.deepEqual(r.state[field as keyof ChannelModeState], value, JSON.stringify(changes));
    }
    assert.deepEqual(r.applied, applied, JSON.stringify(changes));
    assert.deepEqual(r.rejected, []);
  }
});

test('apply: rejections (o/v on a non-member, a full ban list, malformed input)', () => {
  const r = applyChannelModes(
    state({ bans: ['a!*@*'] }),
    [
      c('+', 'o', 'carol'),
      c('+', 'b', 'b!*@*'),
      c('-', 'b', 'a!*@*'),
      c('+', 'b', 'c!*@*'),
      c('+', 'k'),
      c('+', 'q'),
    ],
    1,
  );
  assert.deepEqual(
    r.rejected.map((x) => [x.change.letter, x.reason]),
    [
      ['o', 'not_on_channel'],
      ['b', 'ban_list_full'],
      ['k', 'unusable'],
      ['q', 'unusable'],
    ],
  );
  assert.deepEqual(r.state.bans, ['c!*@*']);
});

test('format: the MODE line parameters and 324', () => {
  assert.deepEqual(
    formatModeChanges([c('+', 'o', 'alice'), c('+', 'v', 'bob'), c('-', 'k', '*')]),
    ['+ov-k', 'alice', 'bob', '*'],
  );
  assert.deepEqual(formatModeChanges([c('-', 'm'), c('+', 'l', '3'), c('-', 'i')]), [
    '-m+l-i',
    '3',
  ]);
  assert.deepEqual(formatModeChanges([]), []);
  const s = { modes: 'klnt', key: 'pw', limit: 10 };
  assert.deepEqual(channelModeParams(s, true), ['+klnt', 'pw', '10']);
  assert.deepEqual(channelModeParams(s, false), ['+klnt', '10']);
  assert.deepEqual(channelModeParams({ modes: 'nt', key: null, limit: null }, true), ['+nt']);
});

// ---- properties ----

const MASKS = ['a!*@*', 'A!*@*', 'b!*@*', '*!~x@*', 'c'];
const arbState: fc.Arbitrary<ChannelModeState> = fc
  .record({
    flags: fc.subarray([...'imnst']),
    key: fc.option(fc.constantFrom('k1', 'k2'), { nil: null }),
    limit: fc.option(fc.constantFrom(1, 2, 50), { nil: null }),
    bans: fc.uniqueArray(fc.constantFrom('a!*@*', 'b!*@*', '*!~x@*'), { maxLength: 3 }),
    members: fc.subarray(NICKS, { minLength: 0 }),
    prefixes: fc.array(fc.constantFrom('', 'o', 'v', 'ov'), { minLength: 3, maxLength: 3 }),
  })
  .map(({ flags, key, limit, bans, members, prefixes }) => ({
    modes: [...flags, ...(key ? ['k'] : []), ...(limit ? ['l'] : [])].sort().join(''),
    key,
    limit,
    bans,
    members: new Map(members.map((n, i) => member(n, prefixes[i]))),
  }));

const arbParams = fc
  .tuple(
    fc.string({ unit: fc.constantFrom(...'+-biklmnostvxy'), maxLength: 12 }),
    fc.array(
      fc.constantFrom('alice', 'BOB', 'carol', 'ghost', 'k1', 'k2', '0', '3', ...MASKS, '', 'a b'),
      { maxLength: 8 },
    ),
  )
  .map(([modestring, args]) => [modestring, ...args]);

const NO_BAN_CAP = Number.POSITIVE_INFINITY;

test('property: the parser never throws; unknown letters reported; at most MODES=4 arguments', () => {
  fc.assert(
    fc.property(
      fc.oneof(arbParams, fc.array(fc.string({ unit: 'binary', maxLength: 20 }), { maxLength: 6 })),
      (params) => {
        const p = parseChannelModes(params);
        const unknownInInput = new Set(
          [...(params[0] ?? '')].filter(
            (ch) => ch !== '+' && ch !== '-' && !CHANNEL_MODE_LETTERS.includes(ch),
          ),
        );
        assert.deepEqual(p.unknown.length, Math.min(unknownInInput.size, UNKNOWN_REPORT_MAX));
        for (const u of p.unknown) assert.ok(unknownInInput.has(u));
        const withArgs = [...p.changes, ...p.invalidArg].filter((x) => x.arg !== undefined);
        assert.ok(withArgs.length <= MODES_PER_COMMAND);
        for (const x of p.changes) assert.ok(CHANNEL_MODE_LETTERS.includes(x.letter));
      },
    ),
    { numRuns: 3000, seed: 11 },
  );
});

test('property: applying a parsed change set twice equals applying it once', () => {
  fc.assert(
    fc.property(arbState, arbParams, (s, params) => {
      const { changes } = parseChannelModes(params);
      const once = applyChannelModes(s, changes, NO_BAN_CAP).state;
      const twice = applyChannelModes(once, changes, NO_BAN_CAP).state;
      assert.deepEqual(twice, once);
    }),
    { numRuns: 3000, seed: 12 },
  );
});

test('property: the applied list replayed onto the old state gives the new state, no no-ops', () => {
  fc.assert(
    fc.property(arbState, arbParams, fc.constantFrom(1, 3, NO_BAN_CAP), (s, params, cap) => {
      const r = applyChannelModes(s, parseChannelModes(params).changes, cap);
      const replay = applyChannelModes(s, r.applied, cap);
      assert.deepEqual(replay.state, r.state);
      assert.deepEqual(replay.applied, r.applied, 'every applied change changes something');
    }),
    { numRuns: 3000, seed: 13 },
  );
});

test('property: the mode string stays sorted with unique letters; k/l match key/limit', () => {
  fc.assert(
    fc.property(arbState, arbParams, fc.constantFrom(2, NO_BAN_CAP), (s, params, cap) => {
      const { state: after } = applyChannelModes(s, parseChannelModes(params).changes, cap);
      assert.equal(after.modes, [...new Set(after.modes)].sort().join(''));
      assert.equal(after.modes.includes('k'), after.key !== null);
      assert.equal(after.modes.includes('l'), after.limit !== null);
      const folded = after.bans.map(fold);
      assert.equal(new Set(folded).size, folded.length, 'one ban per folded mask');
      assert.ok(after.bans.length <= Math.max(cap, s.bans.length));
      for (const m of after.members.values()) assert.match(m.modes, /^o?v?$/);
    }),
    { numRuns: 3000, seed: 14 },
  );
});

test('property: the MODE line of the applied changes parses back to them', () => {
  fc.assert(
    fc.property(arbState, arbParams, (s, params) => {
      const { applied } = applyChannelModes(s, parseChannelModes(params).changes);
      const line = formatModeChanges(applied);
      assert.deepEqual(parseChannelModes(line).changes, applied);
    }),
    { numRuns: 3000, seed: 15 },
  );
});
