// Core → IRC (src/transports/irc/render.ts): the envelopes the core really stores (shapes from
// docs/commands.md, docs/envelope-and-delivery.md and src/protocol/commands/*) rendered for every
// verb and numeric, the source and tag rules, cutting and splitting, refusals without a numeric;
// and fast-check properties: every line fits 512 bytes and holds no CR/LF/NUL, splitting loses no
// byte, and render then translate gives PRIVMSG/NOTICE/ACTION text back.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type { Envelope } from '../../src/model/envelope.js';
import {
  IRC_MESSAGE_MAX_BYTES,
  lineBytesWithoutTags,
  parseLine,
  serializeLine,
  type IrcMessage,
  type OutgoingMessage,
} from '../../src/transports/irc/line-codec.js';
import {
  refusalNotice,
  refusalReply,
  renderEnvelope,
  type RenderableEnvelope,
  type RenderContext,
} from '../../src/transports/irc/render.js';
import { toCommandInput } from '../../src/transports/irc/translate.js';

const SERVER = 'chat.example.org';
const ID = '0b8a0c5e-8a57-4c36-9d31-2f0b6a1c2d3e';
const TS = '2026-01-01T12:34:56.789Z';

function env(fields: Partial<RenderableEnvelope> & Pick<Envelope, 'command'>): RenderableEnvelope {
  return {
    id: ID,
    seq: 42,
    from: 'alice',
    to: '#c',
    params: [],
    body: [],
    ts: TS,
    meta: {},
    ...fields,
  };
}

const rc = (caps: string[] = [], nick = 'alice'): RenderContext => ({
  nick,
  serverName: SERVER,
  caps: new Set(caps),
});

/** the serialized lines, without CRLF */
const lines = (e: RenderableEnvelope, ctx: RenderContext = rc()): string[] =>
  renderEnvelope(e, ctx).map(serializeLine);

function reparse(line: string): IrcMessage {
  const result = parseLine(Buffer.from(line, 'utf8'));
  if (!result.ok) assert.fail(`refused (${result.reason}): ${JSON.stringify(line)}`);
  return result.message;
}

/**
 * The size rule for one line. Every assert.ok here has a message: without one, Node re-reads
 * and re-parses this (TypeScript) file to describe the failed expression, which takes seconds
 * per failure and turns a fast-check shrink into minutes.
 */
function assertFits(m: OutgoingMessage): void {
  const bytes = lineBytesWithoutTags(m);
  assert.ok(bytes <= IRC_MESSAGE_MAX_BYTES, `${bytes} bytes: ${JSON.stringify(serializeLine(m))}`);
}

const numeric = (command: string, params: string[], body: string[], to = 'alice') =>
  env({ command, from: SERVER, to, params, body });

test('numerics: `:server NNN <to> <params…> [:<body[0]>]`, as the core stores them', () => {
  const rows: [RenderableEnvelope, string][] = [
    [
      numeric('001', [], ['Welcome to the Example Network, alice!alice@s1.chat.example.org']),
      `:${SERVER} 001 alice :Welcome to the Example Network, alice!alice@s1.chat.example.org`,
    ],
    [
      numeric('004', [SERVER, '0.1.0', 'iow'], ['biklmnostv']),
      `:${SERVER} 004 alice ${SERVER} 0.1.0 iow biklmnostv`,
    ],
    [
      numeric(
        '005',
        ['CASEMAPPING=rfc1459', 'CHANTYPES=#', 'NICKLEN=32', 'PREFIX=(ov)@+'],
        ['are supported by this server'],
      ),
      `:${SERVER} 005 alice CASEMAPPING=rfc1459 CHANTYPES=# NICKLEN=32 PREFIX=(ov)@+ :are supported by this server`,
    ],
    // docs/envelope-and-delivery.md's own example
    [numeric('324', ['#c'], ['+nt']), `:${SERVER} 324 alice #c +nt`],
    [numeric('329', ['#c'], ['1767225600']), `:${SERVER} 329 alice #c 1767225600`],
    [numeric('221', [], ['+iw']), `:${SERVER} 221 alice +iw`],
    [numeric('332', ['#c'], ['the topic']), `:${SERVER} 332 alice #c :the topic`],
    [numeric('333', ['#c', 'bob'], ['1767225600']), `:${SERVER} 333 alice #c bob 1767225600`],
    [
      numeric('353', ['=', '#c'], ['@alice +bob carol']),
      `:${SERVER} 353 alice = #c :@alice +bob carol`,
    ],
    [numeric('366', ['#c'], ['End of /NAMES list']), `:${SERVER} 366 alice #c :End of /NAMES list`],
    [numeric('341', ['bob'], ['#c']), `:${SERVER} 341 alice bob #c`],
    [
      numeric('367', ['#c', 'bad!*@*', 'alice!alice@s1.chat'], ['1767225600']),
      `:${SERVER} 367 alice #c bad!*@* alice!alice@s1.chat 1767225600`,
    ],
    [numeric('302', [], ['bob*=-bob@s2.chat']), `:${SERVER} 302 alice bob*=-bob@s2.chat`],
    [numeric('303', [], ['']), `:${SERVER} 303 alice :`],
    [numeric('303', [], ['bob carol']), `:${SERVER} 303 alice :bob carol`],
    [
      numeric('401', ['bob'], ['No such nick/channel']),
      `:${SERVER} 401 alice bob :No such nick/channel`,
    ],
    [numeric('412', [], ['No text to send']), `:${SERVER} 412 alice :No text to send`],
    [numeric('696', ['#c', 'k', ''], ['Invalid key']), `:${SERVER} 696 alice #c k * :Invalid key`],
    // a numeric without body text has no trailing parameter
    [numeric('366', ['#c'], []), `:${SERVER} 366 alice #c`],
    // `to` is the recipient as stored; an empty one is IRC's `*`
    [
      numeric('451', [], ['You have not registered'], ''),
      `:${SERVER} 451 * :You have not registered`,
    ],
  ];
  for (const [e, line] of rows) assert.deepEqual(lines(e), [line], line);
});

test('a numeric is always from the server, whatever its `from` says', () => {
  assert.deepEqual(lines(env({ command: '001', from: 'old-name', to: 'alice', body: ['hi'] })), [
    `:${SERVER} 001 alice hi`,
  ]);
});

test('PRIVMSG and NOTICE: one line per body line, empty lines skipped, actions in CTCP', () => {
  const msg = (fields: Partial<RenderableEnvelope>) => env({ command: 'PRIVMSG', ...fields });
  assert.deepEqual(lines(msg({ body: ['hello'] })), [':alice PRIVMSG #c :hello']);
  assert.deepEqual(lines(msg({ body: ['hello', 'second line'] })), [
    ':alice PRIVMSG #c :hello',
    ':alice PRIVMSG #c :second line',
  ]);
  assert.deepEqual(lines(msg({ body: ['one', '', 'three'] })), [
    ':alice PRIVMSG #c :one',
    ':alice PRIVMSG #c :three',
  ]);
  assert.deepEqual(lines(msg({ body: ['', ''] })), []);
  assert.deepEqual(lines(msg({ body: [] })), []);
  assert.deepEqual(lines(msg({ to: 'bob', body: [':)'] })), [':alice PRIVMSG bob ::)']);
  assert.deepEqual(lines(msg({ body: ['waves', 'and smiles'], meta: { action: true } })), [
    ':alice PRIVMSG #c :\x01ACTION waves\x01',
    ':alice PRIVMSG #c :\x01ACTION and smiles\x01',
  ]);
  // only `true` is an action
  assert.deepEqual(lines(msg({ body: ['waves'], meta: { action: 'yes' } })), [
    ':alice PRIVMSG #c :waves',
  ]);
  assert.deepEqual(lines(env({ command: 'NOTICE', to: 'bob', body: ['psst'] })), [
    ':alice NOTICE bob :psst',
  ]);
  assert.deepEqual(lines(env({ command: 'NOTICE', body: ['shrugs'], meta: { action: true } })), [
    ':alice NOTICE #c :\x01ACTION shrugs\x01',
  ]);
  // a DM's `to` is kept as the sender wrote it
  assert.deepEqual(lines(msg({ from: 'bob', to: 'Alice', body: ['hi'] })), [
    ':bob PRIVMSG Alice :hi',
  ]);
});

test('server NOTICEs: `:server NOTICE <nick> :text`, one line per body line', () => {
  const notice = env({
    command: 'NOTICE',
    from: SERVER,
    to: 'alice',
    body: ['Password set: other devices can log in', 'second'],
  });
  assert.deepEqual(lines(notice), [
    `:${SERVER} NOTICE alice :Password set: other devices can log in`,
    `:${SERVER} NOTICE alice :second`,
  ]);
});

test('invite-notify: the invitee always sees its invite, channel members only with the cap', () => {
  const invite = env({ command: 'INVITE', to: 'bob', params: ['#c'] });
  assert.deepEqual(lines(invite, rc([], 'bob')), [':alice INVITE bob #c']);
  assert.deepEqual(lines(invite, rc(['invite-notify'], 'carol')), [':alice INVITE bob #c']);
  assert.deepEqual(lines(invite, rc([], 'carol')), []);
});

test('channel events: JOIN, PART, KICK, TOPIC, channel MODE, INVITE', () => {
  const rows: [RenderableEnvelope, string[]][] = [
    [env({ command: 'JOIN' }), [':alice JOIN #c']],
    [env({ command: 'PART' }), [':alice PART #c']],
    [env({ command: 'PART', body: ['bye now'] }), [':alice PART #c :bye now']],
    [env({ command: 'PART', body: [''] }), [':alice PART #c']],
    [
      env({ command: 'KICK', params: ['bob'], body: ['spamming'] }),
      [':alice KICK #c bob :spamming'],
    ],
    [
      env({ command: 'KICK', params: ['bob'], body: ['no reason'] }),
      [':alice KICK #c bob :no reason'],
    ],
    [env({ command: 'KICK', params: ['bob'] }), [':alice KICK #c bob']],
    [env({ command: 'TOPIC', body: ['new topic'] }), [':alice TOPIC #c :new topic']],
    [env({ command: 'TOPIC', body: [''] }), [':alice TOPIC #c :']],
    [env({ command: 'TOPIC', body: ['a', 'b'] }), [':alice TOPIC #c :a b']],
    [
      env({ command: 'MODE', params: ['+ov-k', 'alice', 'bob', '*'] }),
      [':alice MODE #c +ov-k alice bob *'],
    ],
    [env({ command: 'MODE', params: ['+b', 'bad!*@*'] }), [':alice MODE #c +b bad!*@*']],
    [env({ command: 'MODE', params: [] }), []],
    // someone else's invite only with invite-notify (see the invite-notify test)
    [env({ command: 'INVITE', to: 'bob', params: ['#c'] }), []],
    [env({ command: 'INVITE', to: 'bob' }), []],
    [env({ command: 'KICK' }), []],
  ];
  for (const [e, expected] of rows) assert.deepEqual(lines(e), expected, JSON.stringify(e));
});

test('extended-join: the account (`*` without one) and the real name; the nick for an old JOIN', () => {
  assert.deepEqual(lines(env({ command: 'JOIN', from: 'bob' }), rc(['extended-join'])), [
    ':bob JOIN #c * :bob',
  ]);
  assert.deepEqual(
    lines(env({ command: 'JOIN', source: 'bob!bob@s2.chat' }), rc(['extended-join'])),
    [':bob!bob@s2.chat JOIN #c * :alice'],
  );
  const full = env({ command: 'JOIN', from: 'bob', account: 'robert', realname: 'Bob Builder' });
  assert.deepEqual(lines(full, rc(['extended-join'])), [':bob JOIN #c robert :Bob Builder']);
  assert.deepEqual(lines({ ...full, account: undefined }, rc(['extended-join'])), [
    ':bob JOIN #c * :Bob Builder',
  ]);
  // without the capability: the plain JOIN
  assert.deepEqual(lines(full), [':bob JOIN #c']);
});

test('account-tag: `account=<name>` on every line from an account, only when asked for', () => {
  const msg = env({ command: 'PRIVMSG', from: 'bob', account: 'robert', body: ['hi', 'there'] });
  assert.deepEqual(lines(msg, rc(['account-tag'])), [
    '@account=robert :bob PRIVMSG #c :hi',
    '@account=robert :bob PRIVMSG #c :there',
  ]);
  assert.deepEqual(lines(msg), [':bob PRIVMSG #c :hi', ':bob PRIVMSG #c :there']);
  // with the other tags; none for a sender without an account
  const tagged = renderEnvelope(msg, rc(['account-tag', 'server-time', 'message-tags']))[0]!;
  assert.deepEqual(Object.fromEntries(tagged.tags ?? []), {
    time: TS,
    account: 'robert',
    msgid: ID,
  });
  const plain = renderEnvelope(env({ command: 'PRIVMSG', body: ['x'] }), rc(['account-tag']));
  assert.equal(plain[0]?.tags, undefined);
  const join = env({ command: 'JOIN', from: 'bob', account: 'robert', realname: 'Bob' });
  assert.deepEqual(lines(join, rc(['account-tag', 'extended-join'])), [
    '@account=robert :bob JOIN #c robert :Bob',
  ]);
});

test('setname: SETNAME to clients that asked, the sender’s own included; nothing otherwise', () => {
  const e = env({ command: 'SETNAME', to: 'bob', from: 'bob', body: ['Bob Builder'] });
  assert.deepEqual(lines(e, rc(['setname'])), [':bob SETNAME :Bob Builder']);
  assert.deepEqual(lines(e, rc(['setname'], 'bob')), [':bob SETNAME :Bob Builder']);
  assert.deepEqual(lines({ ...e, source: 'bob!~bob@s2.chat' }, rc(['setname'])), [
    ':bob!~bob@s2.chat SETNAME :Bob Builder',
  ]);
  assert.deepEqual(lines(e), []);
  assert.deepEqual(lines(e, rc(['away-notify', 'account-notify'])), []);
});

test('account-notify: ACCOUNT <name> to clients that asked; nothing otherwise', () => {
  const e = env({ command: 'ACCOUNT', to: 'bob', from: 'bob', account: 'bob', body: ['bob'] });
  assert.deepEqual(lines(e, rc(['account-notify'])), [':bob ACCOUNT bob']);
  assert.deepEqual(lines(e, rc(['account-notify'], 'bob')), [':bob ACCOUNT bob']);
  assert.deepEqual(lines(e), []);
  assert.deepEqual(lines(e, rc(['setname'])), []);
});

test('refusalReply: invalid_realname is FAIL SETNAME INVALID_REALNAME; other codes a NOTICE', () => {
  assert.equal(
    serializeLine(refusalReply('invalid_realname', 'a real name cannot be empty', rc())),
    `:${SERVER} FAIL SETNAME INVALID_REALNAME :a real name cannot be empty`,
  );
  assert.equal(
    serializeLine(refusalReply('flood', 'slow down', rc())),
    serializeLine(refusalNotice('flood', 'slow down', rc())),
  );
});

test('user events: user MODE, OPER +o, NICK, QUIT, WALLOPS, PONG', () => {
  const rows: [RenderableEnvelope, string[]][] = [
    [env({ command: 'MODE', to: 'alice', body: ['-i'] }), [':alice MODE alice -i']],
    [env({ command: 'MODE', to: 'alice', body: ['+o'] }), [':alice MODE alice +o']],
    [env({ command: 'MODE', to: 'alice', body: [] }), []],
    [env({ command: 'MODE', to: 'alice', body: [''] }), []],
    [env({ command: 'NICK', to: 'alice2', body: ['alice2'] }), [':alice NICK :alice2']],
    [env({ command: 'NICK', to: 'alice2', body: [] }), [':alice NICK :alice2']],
    [
      env({ command: 'QUIT', from: 'bob', to: 'bob', body: ['Quit: bye'] }),
      [':bob QUIT :Quit: bye'],
    ],
    [
      env({ command: 'QUIT', from: 'bob', to: 'bob', body: ['Client Quit'] }),
      [':bob QUIT :Client Quit'],
    ],
    [
      env({ command: 'QUIT', from: 'bob', to: 'bob', body: ['Killed (oper (flooding))'] }),
      [':bob QUIT :Killed (oper (flooding))'],
    ],
    [
      env({ command: 'WALLOPS', from: 'oper', to: 'alice', body: ['restart at noon', '', 'ok'] }),
      [':oper WALLOPS :restart at noon', ':oper WALLOPS :ok'],
    ],
    [
      env({ command: 'PONG', from: SERVER, to: 'alice', params: [SERVER], body: ['tok 1'] }),
      [`:${SERVER} PONG ${SERVER} :tok 1`],
    ],
    [
      env({ command: 'PONG', from: SERVER, to: 'alice', params: [SERVER], body: [SERVER] }),
      [`:${SERVER} PONG ${SERVER} :${SERVER}`],
    ],
  ];
  for (const [e, expected] of rows) assert.deepEqual(lines(e), expected, JSON.stringify(e));
});

test('the source: the full mask when the envelope has one, else the nick or the server', () => {
  const e = env({ command: 'PRIVMSG', body: ['hi'], source: 'alice!alice@s1.chat' });
  assert.deepEqual(lines(e), [':alice!alice@s1.chat PRIVMSG #c :hi']);
  assert.deepEqual(lines({ ...e, source: '' }), [':alice PRIVMSG #c :hi']);
  const nick = env({ command: 'NICK', to: 'al', body: ['al'], source: 'alice!alice@s1.chat' });
  assert.deepEqual(lines(nick), [':alice!alice@s1.chat NICK :al']);
});

test('PUBKEY and other object bodies render nothing and never throw', () => {
  const key = { alg: 'ed25519', key: 'A'.repeat(43) + '=' };
  assert.deepEqual(lines(env({ command: 'PUBKEY', body: key })), []);
  assert.deepEqual(lines(env({ command: 'PUBKEY', to: 'bob', body: key })), []);
  assert.deepEqual(lines(env({ command: 'PRIVMSG', body: key })), []);
  assert.deepEqual(lines(env({ command: 'NOTICE', body: key, meta: { action: true } })), []);
  assert.deepEqual(lines(env({ command: 'WALLOPS', body: key })), []);
  assert.deepEqual(lines(env({ command: 'FROB', body: key })), []);
  // text-free events still say what happened, without the text
  assert.deepEqual(lines(env({ command: 'JOIN', body: key })), [':alice JOIN #c']);
  assert.deepEqual(lines(env({ command: 'PART', body: key })), [':alice PART #c']);
  assert.deepEqual(lines(env({ command: 'QUIT', body: key })), [':alice QUIT']);
  assert.deepEqual(lines(numeric('401', ['bob'], key as unknown as string[])), [
    `:${SERVER} 401 alice bob`,
  ]);
});

test('unknown commands: `:src CMD <to> <params…> :<body[0]>`; nothing if not an IRC word', () => {
  assert.deepEqual(lines(env({ command: 'FROB', to: 'bob', params: ['x'], body: ['some text'] })), [
    ':alice FROB bob x :some text',
  ]);
  assert.deepEqual(lines(env({ command: 'FROB', to: '', params: ['x'] })), [':alice FROB x']);
  assert.deepEqual(lines(env({ command: 'FROB', to: 'bob' })), [':alice FROB bob']);
  assert.deepEqual(lines(env({ command: 'KILL', to: 'bob', body: ['bye'] })), [
    ':alice KILL bob :bye',
  ]);
  assert.deepEqual(lines(env({ command: 'FROB_2', body: ['x'] })), []);
  assert.deepEqual(lines(env({ command: '1234', body: ['x'] })), []);
});

test('tags: server-time gives `time`, message-tags gives `msgid`; later lines get `<id>/<n>`', () => {
  const e = env({ command: 'PRIVMSG', body: ['one', 'two', 'three'] });
  assert.deepEqual(
    renderEnvelope(e, rc()).map((m) => m.tags),
    [undefined, undefined, undefined],
  );
  assert.deepEqual(lines(e, rc(['server-time'])), [
    `@time=${TS} :alice PRIVMSG #c :one`,
    `@time=${TS} :alice PRIVMSG #c :two`,
    `@time=${TS} :alice PRIVMSG #c :three`,
  ]);
  assert.deepEqual(lines(e, rc(['message-tags'])), [
    `@msgid=${ID} :alice PRIVMSG #c :one`,
    `@msgid=${ID}/1 :alice PRIVMSG #c :two`,
    `@msgid=${ID}/2 :alice PRIVMSG #c :three`,
  ]);
  const both = lines(env({ command: 'JOIN' }), rc(['server-time', 'message-tags', 'batch']));
  assert.deepEqual(both, [`@time=${TS};msgid=${ID} :alice JOIN #c`]);
  const back = reparse(both[0]!);
  assert.equal(back.tags.get('time'), TS);
  assert.equal(back.tags.get('msgid'), ID);
  // numerics are tagged like anything else
  assert.deepEqual(lines(numeric('221', [], ['+i']), rc(['server-time'])), [
    `@time=${TS} :${SERVER} 221 alice +i`,
  ]);
});

test('a long PRIVMSG is split at word boundaries within 512 bytes, losing nothing', () => {
  const words = Array.from({ length: 200 }, (_, i) => `word${i}`).join(' ');
  const e = env({ command: 'PRIVMSG', body: [words], source: 'alice!alice@s1.chat.example.org' });
  const out = renderEnvelope(e, rc(['server-time', 'message-tags']));
  assert.ok(out.length > 2, `${out.length} lines`);
  for (const m of out) assertFits(m);
  assert.equal(out.map((m) => m.params[1]).join(''), words);
  // every chunk but the last ends with the space it was cut at (IRCv3 multiline's advice)
  for (const m of out.slice(0, -1)) assert.match(m.params[1]!, / $/);
  // a long action: every chunk is a whole CTCP ACTION
  const act = renderEnvelope({ ...e, body: ['é'.repeat(600)], meta: { action: true } }, rc());
  assert.ok(act.length >= 3, `${act.length} lines`);
  for (const m of act) {
    assertFits(m);
    // eslint-disable-next-line no-control-regex -- CTCP's delimiter
    assert.match(m.params[1]!, /^\x01ACTION é+\x01$/);
  }
});

test('one-line texts (TOPIC, 332, QUIT…) are cut to fit, at a code point, never split', () => {
  const topic = '€'.repeat(390); // TOPICLEN counts code points: 1,170 bytes
  for (const e of [
    env({ command: 'TOPIC', body: [topic] }),
    numeric('332', ['#c'], [topic]),
    env({ command: 'QUIT', body: ['Quit: ' + topic] }),
    env({ command: 'KICK', params: ['bob'], body: [topic] }),
  ]) {
    const out = renderEnvelope(e, rc());
    assert.equal(out.length, 1);
    const m = out[0]!;
    const bytes = lineBytesWithoutTags(m);
    assert.ok(bytes <= IRC_MESSAGE_MAX_BYTES && bytes > IRC_MESSAGE_MAX_BYTES - 4, String(bytes));
    const text = m.params[m.params.length - 1]!;
    assert.ok((e.body as string[])[0]!.startsWith(text), 'the cut text is a prefix');
  }
});

test('more than 15 parameters: the rest joins the last one, as an IRC parser would read it', () => {
  const tokens = Array.from({ length: 20 }, (_, i) => `T${i}=x`);
  const out = renderEnvelope(numeric('005', tokens, ['are supported by this server']), rc());
  assert.equal(out.length, 1);
  assert.equal(out[0]!.params.length, 15);
  const back = reparse(serializeLine(out[0]!));
  assert.deepEqual(back.params.slice(0, 14), ['alice', ...tokens.slice(0, 13)]);
  assert.equal(back.params[14], [...tokens.slice(13), 'are supported by this server'].join(' '));
});

test('a line whose parameters alone cannot fit is not sent', () => {
  const huge = '#' + 'x'.repeat(600);
  assert.deepEqual(lines(env({ command: 'PRIVMSG', to: huge, body: ['hi'] })), []);
  assert.deepEqual(lines(env({ command: 'JOIN', to: huge })), []);
  assert.deepEqual(lines(numeric('403', [huge], ['No such channel'])), []);
});

test('refusalNotice: a server NOTICE to the nick naming the code and the message', () => {
  const notice = refusalNotice('message_too_long', 'body is 9000 bytes; the limit is 8192', rc());
  assert.equal(
    serializeLine(notice),
    `:${SERVER} NOTICE alice :Refused (message_too_long): body is 9000 bytes; the limit is 8192`,
  );
  assert.equal(notice.tags, undefined);
  assert.equal(
    serializeLine(refusalNotice('flood', 'slow down', rc([], ''))),
    `:${SERVER} NOTICE * :Refused (flood): slow down`,
  );
  const long = refusalNotice('invalid_characters', 'x\r\ny\0'.repeat(400), rc());
  const line = serializeLine(long);
  assertFits(long);
  assert.doesNotMatch(line, /[\r\n\0]/);
  assert.ok(line.includes('Refused (invalid_characters): x  y '), line);
  // even an absurd nick leaves a notice that fits
  const absurd = refusalNotice('flood', 'slow down', rc([], 'n'.repeat(600)));
  assertFits(absurd);
  assert.match(serializeLine(absurd), /Refused \(flood\): slow down$/);
});

// ---- properties ----

// Shrinking a counterexample made of 1,500-grapheme strings can take minutes: past this limit
// fast-check stops and reports the smallest failure found so far (a run that found none just
// ends early; normal runs take a second or two).
const TIME_BOX = { interruptAfterTimeLimit: 10_000 };

const hostileChar = fc.oneof(
  fc.constantFrom('\r', '\n', '\0', ' ', ':', '\x01', '#', ',', '\uD800', 'é', '€', '😀', '\u0301'),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }),
);
// size 'max': lengths up to maxLength, so that lines really get split and cut
const hostile = (max: number) => fc.string({ unit: hostileChar, maxLength: max, size: 'max' });
const COMMANDS = [
  'PRIVMSG',
  'NOTICE',
  'JOIN',
  'PART',
  'KICK',
  'TOPIC',
  'MODE',
  'NICK',
  'QUIT',
  'INVITE',
  'WALLOPS',
  'PONG',
  'PUBKEY',
  'SETNAME',
  'ACCOUNT',
  'FROB',
  'bad cmd',
  '001',
  '005',
  '353',
  '999',
];

const anyEnvelope: fc.Arbitrary<RenderableEnvelope> = fc.record({
  id: fc.uuid(),
  seq: fc.nat(),
  command: fc.constantFrom(...COMMANDS),
  from: fc.oneof(hostile(40), fc.constant(SERVER)),
  to: fc.oneof(hostile(80), fc.string({ maxLength: 600, size: 'max' })),
  params: fc.array(hostile(40), { maxLength: 20 }),
  body: fc.oneof(
    fc.array(fc.oneof(hostile(300), fc.string({ unit: 'grapheme', maxLength: 900, size: 'max' })), {
      maxLength: 4,
    }),
    fc.constant({ alg: 'ed25519', key: 'k' }),
  ),
  ts: fc.constant(TS),
  meta: fc.oneof(fc.constant({}), fc.constant({ action: true })),
  source: fc.option(hostile(60), { nil: undefined }),
  account: fc.option(hostile(40), { nil: undefined }),
  realname: fc.option(hostile(100), { nil: undefined }),
});
const anyContext = fc.record({
  nick: hostile(40),
  serverName: fc.constantFrom(SERVER, 'x'),
  caps: fc
    .subarray([
      'server-time',
      'message-tags',
      'extended-join',
      'account-tag',
      'setname',
      'account-notify',
    ])
    .map((c) => new Set(c)),
});

test('property: every rendered line fits 512 bytes without tags and holds no CR, LF or NUL', () => {
  fc.assert(
    fc.property(anyEnvelope, anyContext, (e, ctx) => {
      for (const m of renderEnvelope(e, ctx)) {
        assertFits(m);
        const line = serializeLine(m);
        assert.doesNotMatch(line, /[\r\n\0]/);
        assert.equal(reparse(line).command, m.command.toUpperCase());
      }
    }),
    { numRuns: 1000, ...TIME_BOX },
  );
  fc.assert(
    fc.property(hostile(40), hostile(2000), anyContext, (code, message, ctx) => {
      const m = refusalNotice(code, message, ctx);
      assertFits(m);
      assert.doesNotMatch(serializeLine(m), /[\r\n\0]/);
    }),
    { numRuns: 300, ...TIME_BOX },
  );
});

// What the core accepts: nicks (ASCII, ≤ 32), channels (≤ 64 code points of any script), masks,
// and text lines without CR/LF/NUL or lone surrogates.
const nick = fc.stringMatching(/^[A-Za-z[\]\\`_^{|}][A-Za-z0-9[\]\\`_^{|}-]{0,31}$/);
const channel = fc
  .string({ unit: 'grapheme', minLength: 1, maxLength: 63 })
  // eslint-disable-next-line no-control-regex -- what a channel name may not hold
  .map((s) => '#' + s.replace(/[\s,:\0\x01-\x1f\x7f]/g, 'x'));
const source = fc.option(
  fc.tuple(nick, nick).map(([n, u]) => `${n}!${u}@s12345.${SERVER}`),
  { nil: undefined },
);
const textLine = fc
  .string({
    unit: fc.oneof(fc.constant(' '), fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 })),
    maxLength: 1500,
    size: 'max',
  })
  .map((s) => s.replace(/[\r\n\0]/g, ' '));
const plainLine = textLine.filter((s) => !s.includes('\x01'));

const textEnvelope = (line: fc.Arbitrary<string>, action: boolean) =>
  fc
    .record({
      command: fc.constantFrom('PRIVMSG', 'NOTICE'),
      from: nick,
      to: fc.oneof(nick, channel),
      body: fc.array(line, { maxLength: 4 }),
      source,
    })
    .map((f) => env({ ...f, meta: action ? { action: true } : {} }));

test('property: splitting loses no byte — the texts of each body line join back to it', () => {
  fc.assert(
    fc.property(
      fc.oneof(textEnvelope(plainLine, false), textEnvelope(textLine, true)),
      fc.subarray(['server-time', 'message-tags']),
      (e, caps) => {
        const action = e.meta.action === true;
        const body = e.body as string[];
        // an envelope's lines are exactly its body lines' lines, one after the other
        const perLine = body.map((l) => renderEnvelope({ ...e, body: [l] }, rc()));
        assert.deepEqual(renderEnvelope(e, rc()), perLine.flat());
        body.forEach((l, i) => {
          const texts = perLine[i]!.map((m) => {
            assertFits(m);
            const t = m.params[m.params.length - 1]!;
            return action ? t.slice('\x01ACTION '.length, -1) : t;
          });
          assert.equal(texts.join(''), l);
          if (l === '') assert.equal(texts.length, 0);
        });
        // and the tags do not change the lines
        const tagged = renderEnvelope(e, rc(caps));
        assert.deepEqual(
          tagged.map(({ tags: _tags, ...m }) => m),
          perLine.flat(),
        );
      },
    ),
    { numRuns: 300, ...TIME_BOX },
  );
});

test('property: render → serialize → parse → translate gives the text back, line by line', () => {
  fc.assert(
    fc.property(
      fc.oneof(textEnvelope(plainLine, false), textEnvelope(textLine, true)),
      fc.subarray(['server-time', 'message-tags']),
      (e, caps) => {
        const action = e.meta.action === true;
        const rendered: OutgoingMessage[] = renderEnvelope(e, rc(caps));
        const inputs = rendered.map((m) => toCommandInput(reparse(serializeLine(m))));
        for (const input of inputs) {
          assert.equal(input.command, e.command);
          assert.equal(input.to, e.to);
          assert.deepEqual(input.meta, action ? { action: true } : undefined);
        }
        const texts = inputs.map((input) => (input.body as string[])[0]);
        assert.equal(texts.join(''), (e.body as string[]).join(''));
      },
    ),
    { numRuns: 300, ...TIME_BOX },
  );
});
