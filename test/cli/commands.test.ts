// Slash commands → actions (pure), as a table.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseInput, words, type Action } from '../../src/cli/commands.js';

const inChan = { target: '#c' };
const inQuery = { target: 'bob' };
const inServer = { target: null };

test('commands map onto the server commands', () => {
  const cases: [string, { target: string | null }, Action][] = [
    ['hello there', inChan, { type: 'say', target: '#c', text: 'hello there' }],
    [
      '//etc/passwd is a path',
      inChan,
      { type: 'say', target: '#c', text: '/etc/passwd is a path' },
    ],
    ['/join #a', inServer, { type: 'send', command: { command: 'JOIN', to: '#a' }, focus: '#a' }],
    [
      '/j #a,#b k1 k2',
      inServer,
      {
        type: 'send',
        command: { command: 'JOIN', to: '#a,#b', params: ['k1', 'k2'] },
        focus: '#b',
      },
    ],
    ['/join 0', inChan, { type: 'send', command: { command: 'JOIN', to: '0' } }],
    ['/part', inChan, { type: 'send', command: { command: 'PART', to: '#c' } }],
    [
      '/part #d bye now',
      inChan,
      { type: 'send', command: { command: 'PART', to: '#d', body: ['bye now'] } },
    ],
    [
      '/part see you',
      inChan,
      { type: 'send', command: { command: 'PART', to: '#c', body: ['see you'] } },
    ],
    ['/msg bob  hi  there', inChan, { type: 'say', target: 'bob', text: 'hi  there' }],
    ['/notice #c hear ye', inServer, { type: 'say', target: '#c', text: 'hear ye', notice: true }],
    ['/query bob', inChan, { type: 'query', nick: 'bob' }],
    ['/query bob psst', inChan, { type: 'query', nick: 'bob', text: 'psst' }],
    ['/me waves', inQuery, { type: 'say', target: 'bob', text: 'waves', action: true }],
    ['/nick newbie', inChan, { type: 'send', command: { command: 'NICK', body: ['newbie'] } }],
    ['/topic', inChan, { type: 'send', command: { command: 'TOPIC', to: '#c' } }],
    [
      '/topic new topic here',
      inChan,
      { type: 'send', command: { command: 'TOPIC', to: '#c', body: ['new topic here'] } },
    ],
    ['/topic #d x', inChan, { type: 'send', command: { command: 'TOPIC', to: '#d', body: ['x'] } }],
    [
      '/mode +o bob',
      inChan,
      { type: 'send', command: { command: 'MODE', to: '#c', params: ['+o', 'bob'] } },
    ],
    [
      '/mode alice +i',
      inChan,
      { type: 'send', command: { command: 'MODE', to: 'alice', params: ['+i'] } },
    ],
    ['/mode', inChan, { type: 'send', command: { command: 'MODE', to: '#c' } }],
    [
      '/kick bob spam',
      inChan,
      { type: 'send', command: { command: 'KICK', to: '#c', params: ['bob'], body: ['spam'] } },
    ],
    [
      '/kick #d bob',
      inChan,
      { type: 'send', command: { command: 'KICK', to: '#d', params: ['bob'] } },
    ],
    [
      '/invite bob',
      inChan,
      { type: 'send', command: { command: 'INVITE', to: 'bob', params: ['#c'] } },
    ],
    [
      '/invite bob #d',
      inServer,
      { type: 'send', command: { command: 'INVITE', to: 'bob', params: ['#d'] } },
    ],
    [
      '/away gone fishing',
      inChan,
      { type: 'send', command: { command: 'AWAY', body: ['gone fishing'] } },
    ],
    ['/away', inChan, { type: 'send', command: { command: 'AWAY' } }],
    ['/whois bob', inChan, { type: 'send', command: { command: 'WHOIS', to: 'bob' } }],
    ['/names', inChan, { type: 'send', command: { command: 'NAMES', to: '#c' } }],
    ['/names', inServer, { type: 'send', command: { command: 'NAMES' } }],
    ['/list #a*', inChan, { type: 'send', command: { command: 'LIST', params: ['#a*'] } }],
    ['/motd', inChan, { type: 'send', command: { command: 'MOTD' } }],
    ['/quit', inChan, { type: 'quit' }],
    ['/QUIT bye all', inChan, { type: 'quit', reason: 'bye all' }],
    ['/clear', inChan, { type: 'clear' }],
    ['/help', inChan, { type: 'help' }],
    ['/buffer 2', inChan, { type: 'buffer', which: '2' }],
    ['/close', inChan, { type: 'close' }],
    ['/trust bob', inChan, { type: 'trust', nick: 'bob' }],
    ['   ', inChan, { type: 'none' }],
  ];
  for (const [line, ctx, expected] of cases)
    assert.deepEqual(parseInput(line, ctx), expected, line);
});

test('missing arguments and unknown commands are local errors', () => {
  const errors: [string, { target: string | null }, RegExp][] = [
    ['hello', inServer, /No target here/],
    ['/me waves', inServer, /needs a channel or query/],
    ['/join', inChan, /Usage: \/join/],
    ['/part', inServer, /Usage: \/part/],
    ['/msg bob', inChan, /Usage: \/msg/],
    ['/query #c', inChan, /Usage: \/query/],
    ['/kick', inChan, /Usage: \/kick/],
    ['/invite bob', inQuery, /Usage: \/invite/],
    ['/frobnicate', inChan, /Unknown command \/frobnicate/],
  ];
  for (const [line, ctx, re] of errors) {
    const action = parseInput(line, ctx);
    assert.equal(action.type, 'error', line);
    assert.match((action as { message: string }).message, re, line);
  }
});

test('/join without # joins the channel (as the web client does); /who', () => {
  assert.deepEqual(parseInput('/join ops', inServer), {
    type: 'send',
    command: { command: 'JOIN', to: '#ops' },
    focus: '#ops',
  });
  assert.deepEqual(parseInput('/j ops,#dev key1', inServer), {
    type: 'send',
    command: { command: 'JOIN', to: '#ops,#dev', params: ['key1'] },
    focus: '#dev',
  });
  assert.deepEqual(parseInput('/join 0', inChan), {
    type: 'send',
    command: { command: 'JOIN', to: '0' },
  });
  assert.deepEqual(parseInput('/who', inChan), {
    type: 'send',
    command: { command: 'WHO', to: '#c' },
  });
});

test('words() keeps the rest of the line as typed', () => {
  assert.deepEqual(words('  a b   c  d ', 2), ['a', 'b', 'c  d ']);
  assert.deepEqual(words('a', 2), ['a']);
  assert.deepEqual(words('', 1), []);
});
