// Hostile inputs of the "bounded work per request" class (docs/limits.md) for the C1 corpus: lists
// over their TARGMAX cap, masks over their length cap, text smuggled in `params` and `meta`, the
// server's own name as a nick, invisible characters in channel names, empty lists. Each is
// refused with its numeric and stores nothing.
import type { Expectation, HttpCase } from './corpus.js';

const MESSAGES = '/api/v1/messages';

const msg = (name: string, json: unknown, expect: Expectation): HttpCase => ({
  kind: 'http',
  name,
  row: 'bounded work: lists, masks, relayed text, names',
  method: 'POST',
  path: MESSAGES,
  who: 'alice',
  json,
  expect,
});

const irc = (numeric: string, error: string): Expectation => ({ status: 400, error, numeric });
const tooMany = irc('407', 'too_many_targets');
const tooLong: Expectation = { status: 400, error: 'message_too_long' };
const badName = irc('479', 'bad_channel_name');

export function boundedWorkCases(safe: string): HttpCase[] {
  const nicks = (n: number) => Array.from({ length: n }, (_, i) => `n${i}`);
  return [
    msg(
      'PRIVMSG to 5 targets (TARGMAX 4)',
      { command: 'PRIVMSG', to: 'a,b,c,d,e', body: ['x'] },
      tooMany,
    ),
    msg('NOTICE to 5 targets', { command: 'NOTICE', to: 'a,b,c,d,e', body: ['x'] }, tooMany),
    msg(
      'KICK with 600 nicks',
      { command: 'KICK', to: safe, params: [nicks(600).join(',')] },
      tooMany,
    ),
    msg('KICK with 5 channels', { command: 'KICK', to: '#a,#b,#c,#d,#e', params: ['x'] }, tooMany),
    msg('LIST with two masks', { command: 'LIST', params: ['#a*,#b*'] }, tooMany),
    msg('NAMES of two channels', { command: 'NAMES', to: `${safe},#other` }, tooMany),
    msg('WHOIS of two nicks', { command: 'WHOIS', to: 'bob,alice' }, tooMany),
    msg('USERHOST of 6 nicks', { command: 'USERHOST', params: nicks(6) }, tooMany),
    msg('ISON of 21 nicks', { command: 'ISON', params: [nicks(21).join(' ')] }, tooMany),
    msg(
      'JOIN of 21 channels',
      {
        command: 'JOIN',
        to: nicks(21)
          .map((n) => `#${n}`)
          .join(','),
      },
      tooMany,
    ),
    msg(
      'WHO with a 200-character mask',
      { command: 'WHO', to: '*a'.repeat(100) },
      irc('417', 'input_too_long'),
    ),
    msg(
      'LIST with a 200-character mask',
      { command: 'LIST', params: ['#' + '*a'.repeat(100)] },
      irc('417', 'input_too_long'),
    ),
    msg('JOIN ",,,"', { command: 'JOIN', to: ',,,' }, irc('461', 'need_more_params')),
    msg('PART ","', { command: 'PART', to: ',' }, irc('461', 'need_more_params')),
    msg(
      'PRIVMSG with 15 params of 300 bytes',
      { command: 'PRIVMSG', to: safe, params: Array(15).fill('p'.repeat(300)), body: ['x'] },
      tooLong,
    ),
    msg(
      'PRIVMSG with params and meta text over 4096 bytes',
      {
        command: 'PRIVMSG',
        to: safe,
        params: ['p'.repeat(2100)],
        body: ['x'],
        meta: { note: 'm'.repeat(2000) },
      },
      tooLong,
    ),
    msg(
      'JOIN keys over MAX_MESSAGE_SIZE',
      { command: 'JOIN', to: '#k', params: Array(5).fill('k'.repeat(900)) },
      tooLong,
    ),
    msg(
      'NICK to the server name',
      { command: 'NICK', body: ['chat'] },
      irc('432', 'erroneous_nickname'),
    ),
    msg(
      'NICK to a service name',
      { command: 'NICK', body: ['NickServ'] },
      irc('432', 'erroneous_nickname'),
    ),
    {
      kind: 'http',
      name: 'a session named after the server',
      row: 'bounded work: lists, masks, relayed text, names',
      method: 'POST',
      path: '/api/v1/session',
      who: 'none',
      json: { nick: 'CHAT' },
      expect: irc('432', 'erroneous_nickname'),
    },
    ...[0x00ad, 0x061c, 0x034f, 0x3164, 0x2800, 0x2066].map((cp) =>
      msg(
        `JOIN a channel name with U+${cp.toString(16).padStart(4, '0').toUpperCase()}`,
        { command: 'JOIN', to: `#safe${String.fromCodePoint(cp)}` },
        badName,
      ),
    ),
  ];
}
