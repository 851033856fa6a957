// IRC → core (src/transports/irc/translate.ts): a table of client lines for every verb, parsed by
// the real codec and mapped to the CommandInput docs/commands.md describes; missing and empty
// parameters passed on as they are (the core answers 411/412/431/461); CTCP ACTION; and a
// fast-check property that no line loses its verb or its first target.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type { CommandInput } from '../../src/model/envelope.js';
import { parseLine, type IrcMessage } from '../../src/transports/irc/line-codec.js';
import { toCommandInput } from '../../src/transports/irc/translate.js';

function parsed(line: string): IrcMessage {
  const result = parseLine(Buffer.from(line, 'utf8'));
  if (!result.ok) assert.fail(`refused (${result.reason}): ${JSON.stringify(line)}`);
  return result.message;
}

const translate = (line: string): CommandInput => toCommandInput(parsed(line));

function table(rows: readonly (readonly [string, CommandInput])[]): void {
  for (const [line, expected] of rows) {
    assert.deepEqual(translate(line), expected, line);
  }
}

test('PRIVMSG and NOTICE: target and text; missing text still reaches the core as body []', () => {
  table([
    ['PRIVMSG #c :hello world', { command: 'PRIVMSG', to: '#c', body: ['hello world'] }],
    ['privmsg bob hi', { command: 'PRIVMSG', to: 'bob', body: ['hi'] }],
    ['PRIVMSG #a,bob :both', { command: 'PRIVMSG', to: '#a,bob', body: ['both'] }],
    ['NOTICE #c :psst', { command: 'NOTICE', to: '#c', body: ['psst'] }],
    // 412 ERR_NOTEXTTOSEND comes from the core, for an empty text as for none
    ['PRIVMSG #c', { command: 'PRIVMSG', to: '#c', body: [] }],
    ['PRIVMSG #c :', { command: 'PRIVMSG', to: '#c', body: [''] }],
    // 411 ERR_NORECIPIENT likewise
    ['PRIVMSG', { command: 'PRIVMSG', body: [] }],
    ['NOTICE', { command: 'NOTICE', body: [] }],
    // words past the text (no colon) are dropped, as IRC servers do
    ['PRIVMSG #c hello world', { command: 'PRIVMSG', to: '#c', body: ['hello'] }],
    // text keeps its colons, spaces and formatting bytes
    [
      'PRIVMSG #c :: a  b \x02bold\x02 ',
      { command: 'PRIVMSG', to: '#c', body: [': a  b \x02bold\x02 '] },
    ],
  ]);
});

test('CTCP ACTION becomes meta.action, with or without the closing \\x01; other CTCP is text', () => {
  const action = (to: string, text: string, command = 'PRIVMSG'): CommandInput => ({
    command,
    to,
    body: [text],
    meta: { action: true },
  });
  table([
    ['PRIVMSG #c :\x01ACTION waves\x01', action('#c', 'waves')],
    ['PRIVMSG #c :\x01ACTION waves', action('#c', 'waves')],
    ['PRIVMSG bob :\x01ACTION waves at you\x01', action('bob', 'waves at you')],
    ['NOTICE #c :\x01ACTION shrugs\x01', action('#c', 'shrugs', 'NOTICE')],
    ['PRIVMSG #c :\x01action lower case\x01', action('#c', 'lower case')],
    // exactly one closing \x01 is taken off, so text ending in one survives a round trip
    ['PRIVMSG #c :\x01ACTION odd\x01\x01', action('#c', 'odd\x01')],
    // an action with no text is an empty message: the core answers 412
    ['PRIVMSG #c :\x01ACTION\x01', action('#c', '')],
    ['PRIVMSG #c :\x01ACTION', action('#c', '')],
    ['PRIVMSG #c :\x01ACTION \x01', action('#c', '')],
    ['PRIVMSG #c :\x01ACTION  two spaces\x01', action('#c', ' two spaces')],
    ['PRIVMSG bob :\x01VERSION\x01', { command: 'PRIVMSG', to: 'bob', body: ['\x01VERSION\x01'] }],
    [
      'NOTICE bob :\x01PING 1473523796 918320\x01',
      { command: 'NOTICE', to: 'bob', body: ['\x01PING 1473523796 918320\x01'] },
    ],
    [
      'PRIVMSG #c :\x01ACTIONS x\x01',
      { command: 'PRIVMSG', to: '#c', body: ['\x01ACTIONS x\x01'] },
    ],
    [
      'PRIVMSG #c :x \x01ACTION y\x01',
      { command: 'PRIVMSG', to: '#c', body: ['x \x01ACTION y\x01'] },
    ],
  ]);
});

test('channel verbs: JOIN (keys, 0), PART (reason), TOPIC (query, set, clear), KICK, INVITE', () => {
  table([
    ['JOIN #c', { command: 'JOIN', to: '#c' }],
    ['JOIN #a,#b', { command: 'JOIN', to: '#a,#b' }],
    ['JOIN #a,#b k1,k2', { command: 'JOIN', to: '#a,#b', params: ['k1,k2'] }],
    ['JOIN #a :key', { command: 'JOIN', to: '#a', params: ['key'] }],
    ['JOIN 0', { command: 'JOIN', to: '0' }],
    ['JOIN', { command: 'JOIN' }],
    ['PART #c', { command: 'PART', to: '#c' }],
    ['PART #a,#b :see you later', { command: 'PART', to: '#a,#b', body: ['see you later'] }],
    ['PART #c :', { command: 'PART', to: '#c' }],
    ['PART', { command: 'PART' }],
    ['TOPIC #c', { command: 'TOPIC', to: '#c' }],
    ['TOPIC #c :new topic', { command: 'TOPIC', to: '#c', body: ['new topic'] }],
    ['TOPIC #c :', { command: 'TOPIC', to: '#c', body: [''] }],
    ['TOPIC', { command: 'TOPIC' }],
    ['KICK #c bob', { command: 'KICK', to: '#c', params: ['bob'] }],
    [
      'KICK #c bob,carol :spam',
      { command: 'KICK', to: '#c', params: ['bob,carol'], body: ['spam'] },
    ],
    ['KICK #a,#b bob,carol :', { command: 'KICK', to: '#a,#b', params: ['bob,carol'], body: [''] }],
    ['KICK #c', { command: 'KICK', to: '#c' }],
    ['INVITE bob #c', { command: 'INVITE', to: 'bob', params: ['#c'] }],
    ['INVITE bob', { command: 'INVITE', to: 'bob' }],
    ['INVITE', { command: 'INVITE' }],
  ]);
});

test('MODE: target and the modestring with its arguments as params', () => {
  table([
    ['MODE #c', { command: 'MODE', to: '#c' }],
    [
      'MODE #c +ov-k alice bob *',
      { command: 'MODE', to: '#c', params: ['+ov-k', 'alice', 'bob', '*'] },
    ],
    ['MODE #c +b', { command: 'MODE', to: '#c', params: ['+b'] }],
    ['MODE #c :+k secret', { command: 'MODE', to: '#c', params: ['+k secret'] }],
    ['MODE alice', { command: 'MODE', to: 'alice' }],
    ['MODE alice -i+w', { command: 'MODE', to: 'alice', params: ['-i+w'] }],
    ['MODE alice :+i', { command: 'MODE', to: 'alice', params: ['+i'] }],
    ['MODE', { command: 'MODE' }],
  ]);
});

test('NICK, AWAY, SETNAME, OPER, KILL, WALLOPS', () => {
  table([
    ['NICK alice2', { command: 'NICK', body: ['alice2'] }],
    ['NICK :alice2', { command: 'NICK', body: ['alice2'] }],
    ['NICK', { command: 'NICK' }],
    ['AWAY :gone fishing', { command: 'AWAY', body: ['gone fishing'] }],
    ['AWAY', { command: 'AWAY' }],
    ['AWAY :', { command: 'AWAY' }],
    ['SETNAME :Real Name', { command: 'SETNAME', body: ['Real Name'] }],
    ['SETNAME Name', { command: 'SETNAME', body: ['Name'] }],
    ['SETNAME :', { command: 'SETNAME', body: [''] }],
    ['SETNAME', { command: 'SETNAME' }],
    ['OPER admin hunter22', { command: 'OPER', params: ['admin', 'hunter22'] }],
    ['OPER admin', { command: 'OPER', params: ['admin'] }],
    ['OPER', { command: 'OPER' }],
    ['KILL bob :go away', { command: 'KILL', to: 'bob', body: ['go away'] }],
    ['KILL bob', { command: 'KILL', to: 'bob' }],
    ['WALLOPS :server restart soon', { command: 'WALLOPS', body: ['server restart soon'] }],
    ['WALLOPS', { command: 'WALLOPS' }],
  ]);
});

test('queries: NAMES, LIST, WHO, WHOIS (one or two parameters), USERHOST, ISON', () => {
  table([
    ['NAMES', { command: 'NAMES' }],
    ['NAMES #c', { command: 'NAMES', to: '#c' }],
    ['NAMES #c irc.example.com', { command: 'NAMES', to: '#c' }],
    ['LIST', { command: 'LIST' }],
    ['LIST #a*', { command: 'LIST', params: ['#a*'] }],
    ['LIST #a,#b irc.example.com', { command: 'LIST', params: ['#a,#b'] }],
    ['WHO', { command: 'WHO' }],
    ['WHO #c', { command: 'WHO', to: '#c' }],
    ['WHO a* o', { command: 'WHO', to: 'a*' }],
    ['WHOIS bob', { command: 'WHOIS', to: 'bob' }],
    ['WHOIS chat bob', { command: 'WHOIS', to: 'bob' }],
    ['WHOIS', { command: 'WHOIS' }],
    ['USERHOST alice bob', { command: 'USERHOST', params: ['alice', 'bob'] }],
    ['USERHOST', { command: 'USERHOST' }],
    ['ISON alice bob', { command: 'ISON', params: ['alice', 'bob'] }],
    ['ISON :alice bob carol', { command: 'ISON', params: ['alice bob carol'] }],
  ]);
});

test('server queries take an optional target in `to`', () => {
  for (const verb of ['VERSION', 'TIME', 'ADMIN', 'INFO', 'LUSERS', 'MOTD']) {
    table([
      [verb, { command: verb }],
      [`${verb.toLowerCase()} chat`, { command: verb, to: 'chat' }],
      [`${verb} *.example.com extra`, { command: verb, to: '*.example.com' }],
    ]);
  }
});

test('PING and QUIT map to their envelopes (normally kept by the listener)', () => {
  table([
    ['PING :token', { command: 'PING', body: ['token'] }],
    ['PING', { command: 'PING' }],
    ['QUIT :bye', { command: 'QUIT', body: ['bye'] }],
    ['QUIT', { command: 'QUIT' }],
  ]);
});

test('unknown verbs (and numerics from a client) go to the core as to + params, for its 421', () => {
  table([
    ['FOO', { command: 'FOO' }],
    ['foo bar', { command: 'FOO', to: 'bar' }],
    ['FOO a b :c d', { command: 'FOO', to: 'a', params: ['b', 'c d'] }],
    ['TAGMSG #c', { command: 'TAGMSG', to: '#c' }],
    ['001 x :y', { command: '001', to: 'x', params: ['y'] }],
  ]);
  // built by hand, as the listener might, without going through the parser's upper-casing
  assert.deepEqual(toCommandInput({ tags: new Map(), command: 'privmsg', params: ['#c', 'x'] }), {
    command: 'PRIVMSG',
    to: '#c',
    body: ['x'],
  });
});

test('the result is a fresh object: the parsed message is never aliased or changed', () => {
  const msg = parsed('MODE #c +o bob');
  const input = toCommandInput(msg);
  input.params?.push('x');
  assert.deepEqual(msg.params, ['#c', '+o', 'bob']);
  const oper = parsed('OPER a b');
  toCommandInput(oper).params?.push('x');
  assert.deepEqual(oper.params, ['a', 'b']);
});

const VERBS = [
  'PRIVMSG',
  'NOTICE',
  'JOIN',
  'PART',
  'NICK',
  'TOPIC',
  'MODE',
  'NAMES',
  'LIST',
  'WHO',
  'WHOIS',
  'AWAY',
  'SETNAME',
  'KICK',
  'INVITE',
  'OPER',
  'KILL',
  'WALLOPS',
  'VERSION',
  'USERHOST',
  'ISON',
  'XYZZY',
];

test('property: the verb is kept, only strings come out, and no field is an empty array', () => {
  const param = fc.string({ maxLength: 12 }).filter((s) => !/[\r\n\0]/.test(s));
  fc.assert(
    fc.property(fc.constantFrom(...VERBS), fc.array(param, { maxLength: 15 }), (verb, params) => {
      const input = toCommandInput({ tags: new Map(), command: verb, params });
      assert.equal(input.command, verb);
      const strings = [input.to, ...(input.params ?? []), ...((input.body as string[]) ?? [])];
      for (const s of strings) assert.ok(s === undefined || typeof s === 'string', 'a string');
      assert.notDeepEqual(input.params, []);
      // the body may be [] only for PRIVMSG/NOTICE without text, which the core must still see
      if (Array.isArray(input.body) && input.body.length === 0) {
        assert.ok(verb === 'PRIVMSG' || verb === 'NOTICE', `${verb} with body []`);
      }
      // the first parameter, when it is a target, is never lost or changed
      if (['PRIVMSG', 'NOTICE', 'JOIN', 'PART', 'TOPIC', 'MODE', 'KICK'].includes(verb)) {
        assert.equal(input.to, params[0]);
      }
    }),
    { numRuns: 500 },
  );
});
