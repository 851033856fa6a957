// The client model (pure): routing of events to buffers, members, topics, unread markers, nick
// changes, and the plain-mode line format of docs/clients.md.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clock, plainLine } from '../../src/cli/format.js';
import { mentions } from '../../src/shared/mentions.js';
import { applyFlags } from '../../src/cli/channel-state.js';
import { ChatModel, type RoutedLine } from '../../src/cli/model.js';
import type { Envelope } from '../../src/model/api.js';

let seq = 0;
function env(
  command: string,
  from: string,
  to: string,
  body: string[] = [],
  params: string[] = [],
  meta = {},
): Envelope {
  seq++;
  return {
    id: `id-${seq}`,
    seq,
    command,
    from,
    to,
    params,
    body,
    ts: '2026-01-02T03:04:05.000Z',
    meta,
  };
}

function plain(routed: RoutedLine[]): string[] {
  return routed.map((r) => plainLine(r.buffer.kind === 'server' ? '*' : r.buffer.name, r.line));
}

const T = clock('2026-01-02T03:04:05.000Z');

test('plain lines: messages, actions, notices and system events', () => {
  const m = new ChatModel({ nick: 'alice', serverName: 'chat', repliesTo: 'server' });
  assert.deepEqual(plain(m.ingest(env('JOIN', 'alice', '#c'))), [
    `[${T}] #c *** alice has joined #c`,
  ]);
  assert.deepEqual(plain(m.ingest(env('PRIVMSG', 'bob', '#c', ['hi alice']))), [
    `[${T}] #c bob hi alice`,
  ]);
  assert.deepEqual(plain(m.ingest(env('PRIVMSG', 'bob', '#c', ['waves'], [], { action: true }))), [
    `[${T}] #c * bob waves`,
  ]);
  assert.deepEqual(plain(m.ingest(env('NOTICE', 'bob', '#c', ['psst']))), [`[${T}] #c -bob- psst`]);
  assert.deepEqual(plain(m.ingest(env('PRIVMSG', 'bob', 'alice', ['private']))), [
    `[${T}] bob bob private`,
  ]);
  assert.deepEqual(plain(m.ingest(env('PRIVMSG', 'alice', 'bob', ['reply']))), [
    `[${T}] bob alice reply`,
  ]);
  assert.deepEqual(plain(m.ingest(env('PRIVMSG', 'bob', '#c', ['two', 'lines']))), [
    `[${T}] #c bob two ⏎ lines`,
  ]);
  assert.deepEqual(plain(m.ingest(env('001', 'chat', 'alice', ['Welcome!']))), [
    `[${T}] * *** Welcome!`,
  ]);
  assert.deepEqual(
    plain(m.ingest(env('401', 'chat', 'alice', ['No such nick/channel'], ['zed']))),
    [`[${T}] * *** zed: No such nick/channel`],
  );
  assert.deepEqual(plain(m.ingest(env('PONG', 'chat', 'alice', ['lag'], ['chat']))), []);
});

test('the plain line shows escapes from a hostile sender as text', () => {
  const m = new ChatModel({ nick: 'alice', serverName: 'chat' });
  const [line] = plain(m.ingest(env('PRIVMSG', 'bob', '#c', ['\x1b]0;PWN\x07\x1b[2J\x9b'])));
  assert.equal(line, `[${T}] #c bob ^[]0;PWN^G^[[2J\\x9b`);
});

test('members from NAMES, JOIN, PART, KICK, MODE and NICK; QUIT and NICK go to shared buffers', () => {
  const m = new ChatModel({ nick: 'alice', serverName: 'chat' });
  m.ingest(env('JOIN', 'alice', '#a'));
  m.ingest(env('353', 'chat', 'alice', ['@alice bob +carol'], ['=', '#a']));
  m.ingest(env('366', 'chat', 'alice', ['End of /NAMES list'], ['#a']));
  m.ingest(env('JOIN', 'alice', '#b'));
  m.ingest(env('JOIN', 'bob', '#b'));
  const a = m.find('#A')!;
  assert.deepEqual(
    [...a.members.values()].map((x) => `${x.op ? '@' : x.voice ? '+' : ''}${x.nick}`),
    ['@alice', 'bob', '+carol'],
  );
  m.ingest(env('MODE', 'alice', '#a', [], ['+o-v', 'bob', 'carol']));
  assert.equal(a.members.get('bob' as never)?.op, true);
  assert.equal(a.members.get('carol' as never)?.voice, false);
  const nick = m.ingest(env('NICK', 'bob', 'bobby', ['bobby']));
  assert.deepEqual(nick.map((r) => r.buffer.name).sort(), ['#a', '#b']);
  assert.equal(plain(nick)[0], `[${T}] #a *** bob is now known as bobby`);
  assert.ok(a.members.has('bobby' as never));
  const quit = m.ingest(env('QUIT', 'bobby', 'bobby', ['Quit: bye']));
  assert.deepEqual(quit.map((r) => r.buffer.name).sort(), ['#a', '#b']);
  m.ingest(env('KICK', 'alice', '#a', ['out'], ['carol']));
  assert.deepEqual([...a.members.keys()], ['alice']);
  m.ingest(env('PART', 'alice', '#b', ['later']));
  assert.equal(m.find('#b')!.joined, false);
  m.ingest(env('NICK', 'alice', 'al', ['al']));
  assert.equal(m.nick, 'al');
});

test('topics, channel modes and away state follow numerics and events', () => {
  const m = new ChatModel({ nick: 'alice', serverName: 'chat' });
  m.ingest(env('JOIN', 'alice', '#c'));
  m.ingest(env('332', 'chat', 'alice', ['old topic'], ['#c']));
  const c = m.find('#c')!;
  assert.equal(c.topic, 'old topic');
  m.ingest(env('TOPIC', 'bob', '#c', ['new topic']));
  assert.equal(c.topic, 'new topic');
  m.ingest(env('324', 'chat', 'alice', ['+nt'], ['#c']));
  m.ingest(env('MODE', 'alice', '#c', [], ['+m-t']));
  assert.equal(c.modes, '+mn');
  m.ingest(env('306', 'chat', 'alice', ['You have been marked as being away']));
  assert.equal(m.away, true);
  assert.equal(applyFlags('+nt', '+ik-t key'), '+ikn');
});

test('unread counts, highlights and activity for buffers in the background', () => {
  const m = new ChatModel({ nick: 'alice', serverName: 'chat' });
  m.ingest(env('JOIN', 'alice', '#a'));
  m.ingest(env('JOIN', 'alice', '#b'));
  m.activate(m.find('#a')!);
  m.ingest(env('PRIVMSG', 'bob', '#b', ['hello']));
  m.ingest(env('PRIVMSG', 'bob', '#b', ['alice: are you there?']));
  m.ingest(env('JOIN', 'carol', '#b'));
  m.ingest(env('PRIVMSG', 'bob', '#a', ['here']));
  const b = m.find('#b')!;
  assert.equal(b.unread, 2);
  assert.equal(b.highlight, true);
  assert.equal(b.activity, true);
  assert.equal(m.find('#a')!.unread, 0);
  m.ingest(env('PRIVMSG', 'dave', 'alice', ['psst']));
  assert.equal(m.find('dave')!.highlight, true);
  m.select('2');
  assert.equal(m.active, m.find('#a'));
  m.cycle(1);
  assert.equal(m.active, b);
  assert.equal(b.unread, 0);
  assert.equal(b.highlight, false);
});

test('the same envelope from history and from the queue shows once', () => {
  const m = new ChatModel({ nick: 'alice', serverName: 'chat' });
  m.ingest(env('JOIN', 'alice', '#c'));
  const e1 = env('PRIVMSG', 'bob', '#c', ['one']);
  const e2 = env('PRIVMSG', 'bob', '#c', ['two']);
  const c = m.find('#c')!;
  m.ingest(e2);
  m.prependHistory(
    c,
    [
      { env: e1, verdict: 'unsigned' },
      { env: e2, verdict: 'unsigned' },
    ],
    false,
  );
  assert.deepEqual(
    c.lines.map((l) => l.text),
    ['one', 'alice has joined #c', 'two'],
  );
  assert.equal(c.oldestSeq, e1.seq);
  assert.equal(c.moreHistory, false);
  assert.deepEqual(m.ingest(e1), []);
});

test('replies go to the active buffer in the UI and to the server buffer in plain mode', () => {
  for (const repliesTo of ['active', 'server'] as const) {
    const m = new ChatModel({ nick: 'alice', serverName: 'chat', repliesTo });
    m.open('#c', true);
    const [r] = m.ingest(env('311', 'chat', 'alice', ['Bob'], ['bob', '~bob', 's2.chat', '*']));
    assert.equal(r!.buffer.name, repliesTo === 'active' ? '#c' : 'chat');
    assert.equal(r!.line.text, 'bob is ~bob@s2.chat (Bob)');
  }
});

test('a JOIN of ours for a channel already shown prints nothing again (a replay, or /state first)', () => {
  const m = new ChatModel({ nick: 'alice', serverName: 'chat', repliesTo: 'server' });
  // a resumed run: the channel comes from GET /state before the queue is read
  m.setChannel('#c', null, '+nt');
  assert.deepEqual(m.ingest(env('JOIN', 'alice', '#c')), []);
  assert.deepEqual(
    m.find('#c')!.lines.map((l) => l.text),
    [],
  );
  // a channel we are not in yet: that JOIN is news
  assert.deepEqual(plain(m.ingest(env('JOIN', 'alice', '#d'))), [
    `[${T}] #d *** alice has joined #d`,
  ]);
  // and after leaving, joining again is too
  m.ingest(env('PART', 'alice', '#d'));
  assert.equal(m.ingest(env('JOIN', 'alice', '#d')).length, 1);
});

test('mentions match the nick as a word only', () => {
  assert.ok(mentions('alice: hi', 'alice'));
  assert.ok(mentions('hi ALICE!', 'alice'));
  assert.ok(!mentions('malice', 'alice'));
  assert.ok(!mentions('alice_', 'alice'));
  assert.ok(mentions('ping [x]', '[x]'));
});

test('a mention under rfc1459 folding highlights: `{` is `[`, `}` is `]` (src/shared/mentions.ts)', () => {
  const m = new ChatModel({ nick: 'dan[1]', serverName: 'chat' });
  m.ingest(env('JOIN', 'dan[1]', '#a'));
  m.ingest(env('JOIN', 'dan[1]', '#b'));
  m.activate(m.find('#a')!);
  const [folded] = m.ingest(env('PRIVMSG', 'bob', '#b', ['DAN{1}: are you there?']));
  assert.equal(folded!.line.mention, true);
  assert.equal(m.find('#b')!.highlight, true);
  const [glued] = m.ingest(env('PRIVMSG', 'bob', '#a', ['dan{1}x is someone else']));
  assert.equal(glued!.line.mention, false);
});

test('numerics through the shared table: 696 is an error in its channel, 341 in the channel invited to', () => {
  const m = new ChatModel({ nick: 'alice', serverName: 'chat', repliesTo: 'server' });
  m.ingest(env('JOIN', 'alice', '#c'));
  const [bad] = m.ingest(env('696', 'chat', 'alice', ['Invalid limit'], ['#c', 'l', 'many']));
  assert.equal(bad!.buffer.name, '#c');
  assert.equal(bad!.line.kind, 'error');
  assert.equal(bad!.line.text, '#c l many: Invalid limit');
  const [invited] = m.ingest(env('341', 'chat', 'alice', ['#c'], ['bob']));
  assert.equal(invited!.buffer.name, '#c');
  assert.equal(invited!.line.text, 'Invited bob to #c');
  // a LIST line of a joined channel stays with the rest of the listing
  const [listed] = m.ingest(env('322', 'chat', 'alice', ['plans'], ['#c', '3']));
  assert.equal(listed!.buffer.kind, 'server');
  assert.equal(listed!.line.text, '#c (3 users): plans');
});
