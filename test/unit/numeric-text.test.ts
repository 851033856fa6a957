// The numerics both clients show (src/shared/numeric-text.ts): the error set follows the server's
// own table (696 included), each numeric's line, the channel a numeric is about, and which
// refusals the queue shows.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type { Envelope } from '../../src/model/api.js';
import { ERR, ERR_TEXT, RPL } from '../../src/model/numerics.js';
import {
  duration,
  ERROR_NUMERICS,
  isErrorNumeric,
  numericChannel,
  numericText,
  refusalIsQueued,
  SERVER_NUMERICS,
  unixDate,
} from '../../src/shared/numeric-text.js';

function num(command: string, params: string[] = [], body: string[] = []): Envelope {
  return {
    id: 'x',
    seq: 1,
    command,
    from: 'chat',
    to: 'alice',
    params,
    body,
    ts: '2026-01-02T03:04:05.000Z',
    meta: {},
  };
}

test('every error numeric of the server table is an error, 696 among them', () => {
  for (const spec of Object.values(ERR)) {
    assert.ok(isErrorNumeric(spec[0]), spec[0]);
    assert.ok(ERROR_NUMERICS.has(spec[0]), spec[0]);
  }
  assert.ok(isErrorNumeric('696'));
  assert.equal(ERROR_NUMERICS.size, Object.keys(ERR).length);
});

test('no reply numeric of the server table is an error', () => {
  for (const [name, numeric] of Object.entries(RPL)) assert.ok(!isErrorNumeric(numeric), name);
});

test('error classification: the table, then the 4xx/5xx convention for numerics it lacks', () => {
  const cases: [string, boolean][] = [
    ['401', true],
    ['482', true],
    ['696', true],
    ['467', true], // ERR_KEYSET: not in the table, still 4xx
    ['599', true],
    ['400', true],
    ['001', false],
    ['332', false],
    ['399', false],
    ['600', false],
    ['697', false],
    ['PRIVMSG', false],
    ['', false],
  ];
  for (const [command, error] of cases) assert.equal(isErrorNumeric(command), error, command);
});

test('any three-digit numeric in 400-599 is an error; outside it only the table decides', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 999 }), (n) => {
      const command = String(n).padStart(3, '0');
      const expected = (n >= 400 && n <= 599) || ERROR_NUMERICS.has(command);
      assert.equal(isErrorNumeric(command), expected);
    }),
  );
});

test('numeric lines (table)', () => {
  const cases: [Envelope, string | null][] = [
    [num('001', [], ['Welcome to the chat Network, alice!alice@chat']), 'Welcome to the chat Network, alice!alice@chat'],
    [num('005', ['CASEMAPPING=rfc1459', 'NICKLEN=32'], ['are supported by this server']), 'CASEMAPPING=rfc1459 NICKLEN=32 are supported by this server'],
    [num('221', [], ['+i']), 'Your user modes: +i'],
    [num('221'), 'Your user modes: +'],
    [num('252', ['0'], ['operator(s) online']), '0 operator(s) online'],
    [num('265', ['3', '10'], ['Current local users 3, max 10']), 'Current local users 3, max 10'],
    [num('301', ['bob'], ['lunch']), 'bob is away: lunch'],
    [num('302', [], []), 'Userhost: (none)'],
    [num('303', [], ['bob carol']), 'Online: bob carol'],
    [num('311', ['bob', '~bob', 's2.chat', '*'], ['Bob']), 'bob is ~bob@s2.chat (Bob)'],
    [num('311', ['bob', '~bob', 's2.chat', '*'], []), 'bob is ~bob@s2.chat'],
    [num('312', ['bob', 'chat'], ['chat server']), 'bob is on chat (chat server)'],
    [num('313', ['bob'], ['is an IRC operator']), 'bob is an IRC operator'],
    [num('315', ['#c'], ['End of WHO list']), 'End of WHO for #c'],
    [num('317', ['bob', '3723', '0'], ['seconds idle, signon time']), `bob has been idle 1h 2m 3s, signed on ${unixDate('0')}`],
    [num('318', ['bob'], ['End of /WHOIS list']), 'End of WHOIS for bob'],
    [num('319', ['bob'], ['@#a #b']), 'bob is on @#a #b'],
    [num('321', ['Channel'], ['Users Name']), null],
    [num('322', ['#c', '3'], ['plans']), '#c (3 users): plans'],
    [num('322', ['#c', '3'], ['']), '#c (3 users)'],
    [num('324', ['#c', 'secret'], ['+ntk']), 'Modes of #c: +ntk secret'],
    [num('331', ['#c'], ['No topic is set']), 'No topic is set for #c'],
    [num('332', ['#c'], ['weekend plans']), 'Topic for #c: weekend plans'],
    [num('333', ['#c', 'alice'], ['0']), `Topic set by alice on ${unixDate('0')}`],
    [num('341', ['bob'], ['#side']), 'Invited bob to #side'],
    [num('352', ['#c', '~bob', 'h', 'chat', 'bob', 'H'], ['0 bob']), '#c bob H ~bob@h (bob)'],
    [num('353', ['=', '#c'], ['@alice bob']), 'Users on #c: @alice bob'],
    [num('366', ['#c'], ['End of /NAMES list']), null],
    [num('367', ['#c', '*!*@h', 'alice'], ['0']), `Ban on #c: *!*@h set by alice on ${unixDate('0')}`],
    [num('391', ['chat'], ['Fri, 02 Jan 2026 03:04:05 GMT']), 'Time on chat: Fri, 02 Jan 2026 03:04:05 GMT'],
    [num('401', ['zed'], ['No such nick/channel']), 'zed: No such nick/channel'],
    [num('696', ['#c', 'l', 'many'], ['Invalid limit']), '#c l many: Invalid limit'],
    [num('461', ['MODE']), `MODE: ${ERR_TEXT['461']}`],
    [num('422', [], ['MOTD File is missing']), 'MOTD File is missing'],
    [num('372', [], ['- hello']), '- hello'],
  ]; // prettier-ignore
  for (const [env, expected] of cases) assert.equal(numericText(env), expected, env.command);
});

test('a numeric line never breaks on short params or odd bodies (fast-check)', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 999 }),
      fc.array(fc.string(), { maxLength: 7 }),
      fc.oneof(fc.array(fc.string(), { maxLength: 3 }), fc.constant({ alg: 'x' })),
      (n, params, body) => {
        const env = { ...num(String(n).padStart(3, '0'), params), body } as Envelope;
        const text = numericText(env);
        assert.ok(text === null || typeof text === 'string');
      },
    ),
  );
});

test('the channel a numeric is about', () => {
  const cases: [Envelope, string | null][] = [
    [num('332', ['#c'], ['t']), '#c'],
    [num('353', ['=', '#c'], ['@alice']), '#c'],
    [num('366', ['#c'], ['End']), '#c'],
    [num('341', ['bob'], ['#side']), '#side'],
    [num('441', ['bob', '#c'], ['They aren\u2019t']), '#c'],
    [num('696', ['#c', 'l', 'many'], ['Invalid limit']), '#c'],
    [num('482', ['#c'], ["You're not channel operator"]), '#c'],
    // a LIST or WHO line names a channel but belongs with the rest of its listing
    [num('322', ['#c', '3'], ['topic']), null],
    [num('352', ['#c', '~bob', 'h', 'chat', 'bob', 'H'], ['0 bob']), null],
    [num('401', ['zed'], ['No such nick']), null],
    [num('332', ['nick'], ['t']), null],
    [num('353', ['='], []), null],
  ];
  for (const [env, expected] of cases) assert.equal(numericChannel(env), expected, env.command);
});

test('server-window numerics: the welcome burst, LUSERS and MOTD only', () => {
  for (const n of ['001', '005', '251', '266', '372', '375', '376', '422']) {
    assert.ok(SERVER_NUMERICS.has(n), n);
  }
  for (const n of ['221', '301', '332', '381', '401', '696']) assert.ok(!SERVER_NUMERICS.has(n), n);
});

test('a refusal with a numeric is queued, except NOTICE’s; one without a numeric is not', () => {
  assert.equal(refusalIsQueued('PRIVMSG', { numeric: '404' }), true);
  assert.equal(refusalIsQueued('mode', { numeric: '696' }), true);
  assert.equal(refusalIsQueued('NOTICE', { numeric: '404' }), false);
  assert.equal(refusalIsQueued('notice', { numeric: '401' }), false);
  assert.equal(refusalIsQueued('PRIVMSG', {}), false);
});

test('durations and dates', () => {
  assert.equal(duration('0'), '0s');
  assert.equal(duration('59'), '59s');
  assert.equal(duration('90061'), '1d 1h 1m 1s');
  assert.equal(duration('abc'), 'abc');
  assert.equal(duration(undefined), '?');
  assert.match(unixDate('1767323045'), /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
  assert.equal(unixDate(undefined), '?');
  assert.equal(unixDate('soon'), 'soon');
});
