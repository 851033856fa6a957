// The IRC line codec (src/transports/irc/line-codec.ts): table tests after the examples of the
// IRCv3 message-tags spec and the Modern IRC document, the refusals, and fast-check properties
// (round trip, no CR/LF/NUL ever written, sizes, splitting, parsing arbitrary bytes).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  IRC_MESSAGE_MAX_BYTES,
  IRC_TAG_DATA_MAX_BYTES,
  lineBytesWithoutTags,
  parseLine,
  serializeLine,
  splitText,
  tagDataBytes,
  textOverheadBytes,
  type IrcMessage,
  type OutgoingMessage,
  type ParseFailureReason,
  type ParseResult,
} from '../../src/transports/irc/line-codec.js';

const run = (line: string | Buffer): ParseResult =>
  parseLine(typeof line === 'string' ? Buffer.from(line, 'utf8') : line);

function parsed(line: string | Buffer): IrcMessage {
  const result = run(line);
  if (!result.ok) assert.fail(`refused (${result.reason}): ${JSON.stringify(line.toString())}`);
  return result.message;
}

function refused(line: string | Buffer, reason: ParseFailureReason, command?: string): void {
  assert.deepEqual(
    run(line),
    command === undefined ? { ok: false, reason } : { ok: false, reason, command },
  );
}

const tags = (entries: Record<string, string> = {}) => new Map(Object.entries(entries));

test('message-tags examples: plain, vendor-prefixed and valueless tags, client-only tags', () => {
  assert.deepEqual(
    parsed('@aaa=bbb;ccc;example.com/ddd=eee :nick!ident@host.com PRIVMSG me :Hello'),
    {
      tags: tags({ aaa: 'bbb', ccc: '', 'example.com/ddd': 'eee' }),
      source: 'nick!ident@host.com',
      command: 'PRIVMSG',
      params: ['me', 'Hello'],
    },
  );
  const m = parsed(
    String.raw`@+example=raw+:=,escaped\:\s\\ :irc.example.com NOTICE #channel :Message`,
  );
  assert.equal(m.tags.get('+example'), 'raw+:=,escaped; \\');
  assert.deepEqual(m.params, ['#channel', 'Message']);
  assert.deepEqual(parsed('@+example-client-tag=example-value TAGMSG @#channel'), {
    tags: tags({ '+example-client-tag': 'example-value' }),
    command: 'TAGMSG',
    params: ['@#channel'],
  });
});

test('tag values: every escape, a lone trailing backslash, unknown escapes, empty = missing', () => {
  const m = parsed(String.raw`@a=b\\and\nk;c=72\s45;d=gh\:764;e=\r foo`);
  assert.deepEqual(m.tags, tags({ a: 'b\\and\nk', c: '72 45', d: 'gh;764', e: '\r' }));
  assert.equal(parsed(String.raw`@t=value1\ CMD`).tags.get('t'), 'value1');
  assert.equal(parsed(String.raw`@t=value\1 CMD`).tags.get('t'), 'value1');
  assert.equal(parsed(String.raw`@t=\b\ CMD`).tags.get('t'), 'b');
  // Modern IRC's JSON examples: a missing and an empty value are the same thing.
  assert.deepEqual(parsed('@id=123AB;rose CMD').tags, tags({ id: '123AB', rose: '' }));
  assert.deepEqual(parsed('@url=;netsplit=tur,ty CMD').tags, tags({ url: '', netsplit: 'tur,ty' }));
});

test('tags: the last of repeated keys wins, keys are case-sensitive and never validated', () => {
  assert.deepEqual(parsed('@t=1;u=2;t=3 CMD').tags, tags({ t: '3', u: '2' }));
  assert.deepEqual(parsed('@Key=1;key=2 CMD').tags, tags({ Key: '1', key: '2' }));
  // Empty segments and an empty key carry nothing; odd key names are kept as they are.
  assert.deepEqual(parsed('@;a=1;;=x;b_!@=2; CMD').tags, tags({ a: '1', 'b_!@': '2' }));
  assert.deepEqual(parsed('@ CMD'), { tags: tags(), command: 'CMD', params: [] });
});

test('sources: server name, nick!user@host, nick alone; an empty source counts as none', () => {
  assert.deepEqual(parsed(':irc.example.com CAP LS * :multi-prefix extended-join sasl'), {
    tags: tags(),
    source: 'irc.example.com',
    command: 'CAP',
    params: ['LS', '*', 'multi-prefix extended-join sasl'],
  });
  assert.equal(
    parsed("@id=234AB :dan!d@localhost PRIVMSG #chan :Hey what's up!").source,
    'dan!d@localhost',
  );
  assert.equal(parsed(':dan PING x').source, 'dan');
  assert.equal(parsed(':  PING x').source, undefined);
  assert.equal('source' in parsed('PING x'), false);
});

test('params: Modern IRC examples, colons in the trailing, empty trailing, extra spaces', () => {
  const cases: [string, string[]][] = [
    [':irc.example.com CAP * LIST :', ['*', 'LIST', '']],
    ['CAP * LS :multi-prefix sasl', ['*', 'LS', 'multi-prefix sasl']],
    ['CAP REQ :sasl message-tags foo', ['REQ', 'sasl message-tags foo']],
    [':dan!d@localhost PRIVMSG #chan :Hey!', ['#chan', 'Hey!']],
    [':dan!d@localhost PRIVMSG #chan Hey!', ['#chan', 'Hey!']],
    [':dan!d@localhost PRIVMSG #chan ::-)', ['#chan', ':-)']],
    ['PRIVMSG #c :a :b  c ', ['#c', 'a :b  c ']],
    ['PRIVMSG #c a:b', ['#c', 'a:b']],
    [':srv 432  #x   :Erroneous Nickname', ['#x', 'Erroneous Nickname']],
    [':srv MODE #c +n  ', ['#c', '+n']],
    [':src AWAY ', []],
    ['  PING   x', ['x']],
  ];
  for (const [line, params] of cases) assert.deepEqual(parsed(line).params, params, line);
});

test('params: at most 15; after 14 the rest of the line is the 15th (RFC 2812 §2.3.1)', () => {
  const fourteen = Array.from({ length: 14 }, (_, i) => `p${i + 1}`);
  assert.deepEqual(parsed(`CMD ${fourteen.join(' ')} p15`).params, [...fourteen, 'p15']);
  assert.deepEqual(parsed(`CMD ${fourteen.join(' ')} p15 p16 :p17`).params, [
    ...fourteen,
    'p15 p16 :p17',
  ]);
  assert.deepEqual(parsed(`CMD ${fourteen.join(' ')} :x y`).params, [...fourteen, 'x y']);
  assert.deepEqual(parsed(`CMD ${fourteen.join(' ')}   `).params, fourteen);
});

test('commands: verbs uppercased, numerics as three digits, CRLF or bare LF both fine', () => {
  assert.equal(parsed('privmsg #c :hi').command, 'PRIVMSG');
  assert.equal(parsed('PrivMsg #c :hi').command, 'PRIVMSG');
  assert.deepEqual(parsed(':irc.example.com 001 dan :Welcome to the network'), {
    tags: tags(),
    source: 'irc.example.com',
    command: '001',
    params: ['dan', 'Welcome to the network'],
  });
  assert.deepEqual(parsed('PING x\r'), parsed('PING x'));
  assert.deepEqual(parsed('PRIVMSG #c :héllo ☃ 😀').params, ['#c', 'héllo ☃ 😀']);
});

test('refusals: invalid UTF-8 (with the command for FAIL when it can be read)', () => {
  const withBytes = (head: string, ...bytes: number[]) =>
    Buffer.concat([Buffer.from(head), Buffer.from(bytes)]);
  refused(withBytes('PRIVMSG #c :', 0xff, 0xfe), 'invalid_utf8', 'PRIVMSG');
  refused(withBytes('privmsg #c :', 0xc0, 0xaf), 'invalid_utf8', 'PRIVMSG'); // overlong '/'
  refused(withBytes('USER u s e :', 0xed, 0xa0, 0x80), 'invalid_utf8', 'USER'); // a surrogate
  refused(withBytes('TOPIC #c :cut ', 0xe2, 0x82), 'invalid_utf8', 'TOPIC'); // cut short
  refused(
    Buffer.concat([withBytes('@+t=', 0xff), Buffer.from(' TAGMSG #c')]),
    'invalid_utf8',
    'TAGMSG',
  );
  refused(withBytes('PRIV', 0xff, 0x20, 0x78), 'invalid_utf8', undefined);
});

test('refusals: over 512 bytes with CRLF, tag data over 4094 bytes', () => {
  const body = (bytes: number) => `PRIVMSG #c :${'x'.repeat(bytes - 'PRIVMSG #c :'.length)}`;
  assert.equal(parsed(body(510)).params[1]?.length, 510 - 12);
  refused(body(511), 'too_long');
  // Multi-byte text is counted in bytes, and the tags do not count against the 512.
  refused(`PRIVMSG #c :${'é'.repeat(250)}`, 'too_long');
  const tagData = (bytes: number) => `+a=${'v'.repeat(bytes - 3)}`;
  assert.equal(parsed(`@${tagData(4094)} ${body(510)}`).tags.get('+a')?.length, 4091);
  refused(`@${tagData(4095)} ${body(510)}`, 'tags_too_long');
  refused(`@${tagData(5000)}`, 'tags_too_long');
});

test('refusals: empty, spaces only, no command, bad command, forbidden bytes', () => {
  for (const line of ['', ' ', '     ', '\r']) refused(line, 'empty');
  for (const line of [':src', ':src   ', '@a=b', '@a=b   ', '@a=b :src', ':']) {
    refused(line, 'no_command');
  }
  refused('PRIV1MSG x', 'bad_command', 'PRIV1MSG');
  refused('1234 x', 'bad_command', '1234');
  refused(':src 12 x', 'bad_command', '12');
  refused('ÄÖ x', 'bad_command', 'ÄÖ');
  refused(' @a=b CMD', 'bad_command', '@a=b'); // '@' starts tags only as the first byte
  for (const line of ['PRIVMSG #c :a\0b', 'PRIVMSG #c :a\rb', 'PRIVMSG #c :a\nb', 'PING\r\r']) {
    refused(line, 'forbidden_char');
  }
});

function serializes(cases: [OutgoingMessage, string][]): void {
  for (const [msg, line] of cases) assert.equal(serializeLine(msg), line);
}

test('serialize: trailing colon only when needed, tag escapes, server tags first', () => {
  const example = tags({
    '+example': 'raw+:=,escaped; \\',
    msgid: 'abc',
    flag: '',
    crlf: 'a\r\nb',
  });
  serializes([
    [{ command: 'PRIVMSG', params: ['#c', 'hello world'] }, 'PRIVMSG #c :hello world'],
    [{ command: 'PRIVMSG', params: ['#c', 'hello'] }, 'PRIVMSG #c hello'],
    [{ command: 'CAP', params: ['*', 'LIST', ''] }, 'CAP * LIST :'],
    [{ command: 'PRIVMSG', params: ['#c', ':-)'] }, 'PRIVMSG #c ::-)'],
    [{ command: 'ping', params: [] }, 'PING'],
    [{ source: 'srv', command: '001', params: ['dan', 'Welcome'] }, ':srv 001 dan Welcome'],
    [
      { tags: example, source: 'irc.example.com', command: 'NOTICE', params: ['#channel', 'Hi'] },
      String.raw`@msgid=abc;flag;crlf=a\r\nb;+example=raw+:=,escaped\:\s\\ :irc.example.com NOTICE #channel Hi`,
    ],
  ]);
});

test('serialize: hostile text is neutralised, never written as CR, LF or NUL', () => {
  const badKeys = tags({ k: 'a\0b', 'x y': '1', 'a;b': '2', 'a=b': '3', '': '4' });
  serializes([
    [{ command: 'PRIVMSG', params: ['#c', 'a\r\nb\0c'] }, 'PRIVMSG #c :a  b c'],
    [{ command: 'PRIVMSG', params: ['#c\r\nQUIT', 'x'] }, 'PRIVMSG #c\uFFFD\uFFFDQUIT x'],
    [{ command: 'MODE', params: ['a b', ':x', '', 'last'] }, 'MODE a\uFFFDb \uFFFDx * last'],
    [{ source: 'a b', command: 'PING', params: [] }, ':a\uFFFDb PING'],
    [{ source: '', command: 'PING', params: [] }, 'PING'],
    [{ tags: badKeys, command: 'PING', params: [] }, '@k=a\uFFFDb PING'],
    [{ command: 'PRIVMSG', params: ['#c', 'lone \uD800'] }, 'PRIVMSG #c :lone \uFFFD'],
  ]);
});

test('serialize: a bad command or more than 15 params is a programming error', () => {
  for (const command of ['', 'PRIV MSG', '12', '1234', 'A1', 'QUIT\r\n', '😀']) {
    assert.throws(() => serializeLine({ command, params: [] }), TypeError, command);
  }
  const params = Array.from({ length: 16 }, (_, i) => `p${i}`);
  assert.throws(() => serializeLine({ command: 'CMD', params }), RangeError);
  assert.doesNotThrow(() => serializeLine({ command: 'CMD', params: params.slice(1) }));
});

test('splitText: word boundaries keep the space on the earlier chunk; hard splits', () => {
  assert.deepEqual(splitText(0, 'hello world foo', 8), ['hello ', 'world ', 'foo']);
  assert.deepEqual(splitText(0, 'short', 8), ['short']);
  assert.deepEqual(splitText(0, '', 8), ['']);
  assert.deepEqual(splitText(0, 'abcdefghij', 8), ['abcdefgh', 'ij']);
  assert.deepEqual(splitText(0, '😀😀😀', 9), ['😀😀', '😀']);
  assert.deepEqual(splitText(0, 'e\u0301e\u0301e\u0301', 7), ['e\u0301e\u0301', 'e\u0301']);
  // One grapheme longer than the budget is cut between code points.
  assert.deepEqual(splitText(0, `a${'\u0301'.repeat(4)}`, 5), ['a\u0301\u0301', '\u0301\u0301']);
  assert.throws(() => splitText(509, 'x'), RangeError);
  assert.deepEqual(splitText(508, 'xxxxx'), ['xxxx', 'x']);
});

test('splitText with a real prefix: the overhead counts source, command, params, " :" and CRLF', () => {
  const template = { source: 'nick!user@host', command: 'PRIVMSG', params: ['#chan'] };
  const overhead = textOverheadBytes(template);
  assert.equal(overhead, Buffer.byteLength(':nick!user@host PRIVMSG #chan :\r\n'));
  const chunks = splitText(overhead, 'word '.repeat(300));
  for (const chunk of chunks) {
    assert.ok(lineBytesWithoutTags({ ...template, params: ['#chan', chunk] }) <= 512);
  }
  assert.equal(chunks.join(''), 'word '.repeat(300));
});

// ---- properties ----

const letters = (chars: string, min: number, max: number) =>
  fc.string({ unit: fc.constantFrom(...chars), minLength: min, maxLength: max });
const anyChar = fc.string({ unit: 'binary', minLength: 1, maxLength: 1 });
const hostileChar = fc.oneof(
  fc.constantFrom('\r', '\n', '\0', ' ', ':', ';', '=', '\\', '@', '+', '\r\n', '\uD800', '\uDFFF'),
  anyChar,
);
const hostile = fc.string({ unit: hostileChar, maxLength: 30 });
const charExcept = (forbidden: string) => anyChar.filter((c) => !forbidden.includes(c));

const command = fc.oneof(letters('ABCDEFGHIJKLMNOPQRSTUVWXYZ', 1, 10), letters('0123456789', 3, 3));
const token = fc.string({ unit: charExcept(' \r\n\0'), minLength: 1, maxLength: 8 });
const middleParam = token.filter((t) => !t.startsWith(':'));
const text = fc.string({ unit: charExcept('\r\n\0'), maxLength: 60 });
const tagKey = fc
  .tuple(
    fc.boolean(),
    fc.option(fc.constantFrom('example.com', 'draft', 'znc.in')),
    letters('abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-', 1, 10),
  )
  .map(
    ([client, vendor, name]) => `${client ? '+' : ''}${vendor === null ? '' : `${vendor}/`}${name}`,
  );
const tagValue = fc.string({ unit: charExcept('\0'), maxLength: 20 });

const validMessage: fc.Arbitrary<IrcMessage> = fc
  .record({
    tags: fc.uniqueArray(fc.tuple(tagKey, tagValue), { selector: ([k]) => k, maxLength: 5 }),
    source: fc.option(token),
    command,
    middles: fc.array(middleParam, { maxLength: 14, size: 'large' }),
    last: fc.option(text),
  })
  .map(({ tags: entries, source, command: cmd, middles, last }) => {
    const msg: IrcMessage = {
      tags: new Map(entries),
      command: cmd,
      params: last === null ? middles : [...middles, last],
    };
    if (source !== null) msg.source = source;
    return msg;
  });

const hostileMessage: fc.Arbitrary<OutgoingMessage> = fc.record({
  tags: fc.array(fc.tuple(hostile, hostile), { maxLength: 4 }).map((e) => new Map(e)),
  source: hostile,
  command,
  params: fc.array(hostile, { maxLength: 15, size: 'large' }),
});

test('property: parse(serialize(m)) is m for every valid message within the limits', () => {
  fc.assert(
    fc.property(validMessage, (msg) => {
      fc.pre(lineBytesWithoutTags(msg) <= IRC_MESSAGE_MAX_BYTES);
      assert.deepEqual(parsed(serializeLine(msg)), msg);
    }),
    { numRuns: 500 },
  );
});

test('property: serialize never writes CR, LF or NUL, and keeps the message shape', () => {
  fc.assert(
    fc.property(hostileMessage, (msg) => {
      const line = serializeLine(msg);
      assert.doesNotMatch(line, /[\r\n\0]/);
      const bytes = Buffer.byteLength(line);
      const tagBytes = tagDataBytes(msg);
      assert.equal(bytes, lineBytesWithoutTags(msg) - 2 + (tagBytes > 0 ? tagBytes + 2 : 0));
      if (lineBytesWithoutTags(msg) > IRC_MESSAGE_MAX_BYTES) return;
      if (tagBytes > IRC_TAG_DATA_MAX_BYTES) return;
      const back = parsed(line);
      assert.equal(back.command, msg.command);
      assert.equal(back.params.length, msg.params.length);
      assert.ok(back.tags.size <= (msg.tags?.size ?? 0));
    }),
    { numRuns: 500 },
  );
});

test('property: an arbitrary command either throws TypeError or gives a clean line', () => {
  fc.assert(
    fc.property(hostile, fc.array(hostile, { maxLength: 3 }), (cmd, params) => {
      let line: string;
      try {
        line = serializeLine({ command: cmd, params });
      } catch (err) {
        assert.ok(err instanceof TypeError);
        return;
      }
      assert.doesNotMatch(line, /[\r\n\0]/);
      assert.equal(parsed(line).command, cmd.toUpperCase());
    }),
  );
});

test('property: splitText chunks fit 512 bytes, rejoin exactly, never cut a code point', () => {
  const template = fc.record({
    source: token,
    command,
    params: fc.array(middleParam, { maxLength: 3 }),
  });
  const longText = fc.string({
    unit: fc.oneof(hostileChar, fc.constant(' ')),
    maxLength: 1500,
    size: 'max',
  });
  let split = 0;
  fc.assert(
    fc.property(template, longText, (msg, txt) => {
      const chunks = splitText(textOverheadBytes(msg), txt);
      if (chunks.length > 1) split++;
      assert.equal(chunks.join(''), txt);
      chunks.forEach((chunk, i) => {
        assert.ok(lineBytesWithoutTags({ ...msg, params: [...msg.params, chunk] }) <= 512);
        if (i < chunks.length - 1) assert.ok(chunk.length > 0);
        const next = chunks[i + 1];
        if (next === undefined) return;
        const high = chunk.charCodeAt(chunk.length - 1);
        const low = next.charCodeAt(0);
        assert.ok(
          !(high >= 0xd800 && high <= 0xdbff && low >= 0xdc00 && low <= 0xdfff),
          'split pair',
        );
      });
    }),
    { numRuns: 200 },
  );
  // The generator must actually produce texts longer than one line.
  assert.ok(split > 50, `only ${split} runs split`);
});

test('property: splitText cuts at the last space that fits when there is one', () => {
  const word = letters('abcdéf€😀', 1, 40);
  const words = fc
    .array(word, { minLength: 1, maxLength: 200, size: 'max' })
    .map((w) => w.join(' '));
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 480 }), words, (prefix, txt) => {
      const chunks = splitText(prefix, txt);
      assert.equal(chunks.join(''), txt);
      for (const chunk of chunks.slice(0, -1)) {
        assert.ok(Buffer.byteLength(chunk) <= 512 - prefix);
        // A chunk that does not end at a word boundary had no space to cut at.
        if (!chunk.endsWith(' ')) assert.ok(!chunk.includes(' '), JSON.stringify(chunk));
        assert.equal(chunk, chunk.toWellFormed());
      }
    }),
    { numRuns: 200 },
  );
});

test('property: parseLine never throws on arbitrary bytes, and what it accepts is well formed', () => {
  const ircish = fc
    .array(fc.oneof(hostile, fc.constantFrom('@', ':', ' ', 'PRIVMSG', '001', '#c', '\\')), {
      maxLength: 20,
    })
    .map((parts) => Buffer.from(parts.join('')));
  // Random bytes nearly always hold a NUL, CR or LF; the same bytes without them reach the
  // UTF-8 and structure checks too.
  const noControls = fc
    .uint8Array({ maxLength: 1000, size: 'max' })
    .map((b) => b.map((x) => (x === 0 || x === 10 || x === 13 ? 0x20 : x)));
  const anyBytes = fc.oneof(fc.uint8Array({ maxLength: 1000, size: 'max' }), noControls, ircish);
  fc.assert(
    fc.property(anyBytes, (bytes) => {
      const result = parseLine(bytes);
      if (!result.ok) return;
      const { message } = result;
      assert.match(message.command, /^(?:[A-Z]+|[0-9]{3})$/);
      assert.ok(message.params.length <= 15);
      message.params.slice(0, -1).forEach((p) => {
        assert.ok(p !== '' && !p.includes(' ') && !p.startsWith(':'));
      });
      assert.doesNotMatch(serializeLine(message), /[\r\n\0]/);
    }),
    { numRuns: 1000 },
  );
});
