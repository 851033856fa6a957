// fast-check arbitraries for the IRC rows of reliability/README.md (D2, D3): hostile strings (CR,
// LF, NUL, U+2028, lone surrogates, emoji ZWJ sequences, combining runs, 4 KiB lines), valid IRC
// messages as the codec's users build them, canonical lines written out as text (independently
// of the serializer), byte soup near IRC syntax, and envelopes the core could store. Also the
// model of serializeLine's documented normalisations (src/transports/irc/line-codec.ts), so a
// round trip can be compared exactly.
import fc from 'fast-check';
import type { Envelope } from '../../src/model/envelope.js';
import type { IrcMessage, OutgoingMessage } from '../../src/transports/irc/line-codec.js';

// ---- hostile strings ---------------------------------------------------------------------------

/** Pieces no IRC line may carry raw, or that renderers and parsers often get wrong. */
export const HOSTILE_PIECES: readonly string[] = [
  '\r',
  '\n',
  '\r\n',
  '\0',
  '\u2028', // LINE SEPARATOR
  '\u2029', // PARAGRAPH SEPARATOR
  '\u0085', // NEXT LINE
  '\x01', // CTCP delimiter
  '\x01ACTION ',
  '\ud800', // lone high surrogate
  '\udfff', // lone low surrogate
  '\ufeff', // BOM
  '\u200d', // ZERO WIDTH JOINER
  '\u202e', // RIGHT-TO-LEFT OVERRIDE
  '\ufffd',
  '👨‍👩‍👧‍👦', // family: four emoji joined by ZWJ (25 bytes, one grapheme)
  '🏳️‍🌈',
  '👩🏽‍💻',
  'e\u0301\u0301\u0301\u0301', // combining marks stacked on one base
  '中文字符',
  'Ωμέγα',
  ' ',
  '  ',
  ':',
  ' :',
  '@',
  ';',
  '=',
  '\\',
  '\\s',
  '!',
  '#',
  '*',
  'PRIVMSG #x :injected',
  '\r\nQUIT :injected',
  '\nNOTICE x :injected',
  'a',
  'word ',
];

/** A long run of one piece: the 4 KiB lines of the plan (up to `maxBytes` UTF-8 bytes). */
export function longRun(maxBytes = 4096): fc.Arbitrary<string> {
  return fc
    .tuple(
      fc.constantFrom('x', 'é', '中', '👨‍👩‍👧‍👦', 'a b ', ': ', 'e\u0301', '\u2028'),
      fc.nat({ max: maxBytes }),
    )
    .map(([piece, bytes]) => {
      const each = Buffer.byteLength(piece, 'utf8');
      return piece.repeat(Math.max(1, Math.floor(bytes / each)));
    });
}

/**
 * A hostile string: hostile pieces mixed with arbitrary graphemes and UTF-16 units, sometimes a
 * long run. `maxPieces` bounds the short form; `long` allows the 4 KiB runs.
 */
export function hostileString(
  o: { maxPieces?: number; long?: boolean } = {},
): fc.Arbitrary<string> {
  const maxPieces = o.maxPieces ?? 12;
  const piece = fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...HOSTILE_PIECES) },
    { weight: 3, arbitrary: fc.string({ unit: 'grapheme', maxLength: 4 }) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 3 }) },
    {
      weight: 1,
      arbitrary: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)),
    },
  );
  const short = fc.array(piece, { maxLength: maxPieces }).map((p) => p.join(''));
  if (!o.long) return short;
  return fc.oneof(
    { weight: 6, arbitrary: short },
    {
      weight: 1,
      arbitrary: fc.tuple(short, longRun(), short).map(([a, b, c]) => a + b + c),
    },
  );
}

// ---- valid IRC messages -------------------------------------------------------------------------

const ALNUM = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const alnum = (min: number, max: number) =>
  fc.array(fc.constantFrom(...ALNUM), { minLength: min, maxLength: max }).map((a) => a.join(''));

/** message-tags key shape: optional '+', optional vendor `host/`, then letters, digits, '-'. */
export const tagKey: fc.Arbitrary<string> = fc
  .tuple(
    fc.boolean(),
    fc.option(alnum(1, 8).map((v) => `${v}.example/`)),
    alnum(1, 12),
    fc.option(fc.constantFrom('-', '-x', '-id')),
  )
  .map(
    ([client, vendor, name, suffix]) => `${client ? '+' : ''}${vendor ?? ''}${name}${suffix ?? ''}`,
  );

/** A tag value as a sender means it (unescaped): anything but NUL, with what needs escaping. */
export const tagValue: fc.Arbitrary<string> = fc
  .array(
    fc.oneof(
      { weight: 3, arbitrary: fc.constantFrom(';', ' ', '\\', '\r', '\n', '=', '\\s', ':', '\\:') },
      { weight: 4, arbitrary: fc.string({ unit: 'grapheme', maxLength: 4 }) },
      { weight: 1, arbitrary: fc.constantFrom('👨‍👩‍👧‍👦', '\u2028', '中', '') },
    ),
    { maxLength: 10 },
  )
  .map((p) => p.join('').replace(/\0/g, ''));

export const tagMap: fc.Arbitrary<Map<string, string>> = fc
  .uniqueArray(fc.tuple(tagKey, tagValue), { selector: ([k]) => k, maxLength: 10 })
  .map((entries) => new Map(entries));

/** A token with no SPACE, CR, LF or NUL (a source or middle param), well-formed. */
function token(o: { leadingColon: boolean; maxLength?: number }): fc.Arbitrary<string> {
  return fc
    .string({ unit: 'grapheme', minLength: 1, maxLength: o.maxLength ?? 16 })
    .map((s) => s.replace(/[ \r\n\0]/g, '_'))
    .filter((s) => s !== '' && (o.leadingColon || !s.startsWith(':')));
}

/** 0–14 middle params, every count equally likely (so 14 + a last one = 15 is common). */
function middleParams(maxLength: number): fc.Arbitrary<string[]> {
  return fc
    .integer({ min: 0, max: 14 })
    .chain((n) =>
      fc.array(token({ leadingColon: false, maxLength }), { minLength: n, maxLength: n }),
    );
}

export const ircSource: fc.Arbitrary<string> = fc.oneof(
  fc.tuple(alnum(1, 9), alnum(1, 9), alnum(1, 12)).map(([n, u, h]) => `${n}!~${u}@${h}.chat`),
  fc.constantFrom('chat', 'irc.example.net'),
  token({ leadingColon: true }),
);

export const ircCommand: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('PRIVMSG', 'NOTICE', 'JOIN', 'PART', 'CAP', 'PING', 'privmsg', 'Topic'),
  fc
    .array(fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'), {
      minLength: 1,
      maxLength: 12,
    })
    .map((a) => a.join('')),
  fc.integer({ min: 0, max: 999 }).map((n) => String(n).padStart(3, '0')),
);

/** Free text for a last parameter: spaces, colons, empty, a leading ':' (no CR, LF, NUL). */
export const trailingText: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('', ' ', ':', '::', ' :x', ':leading colon', 'a b c', 'trailing  spaces  '),
  fc
    .array(
      fc.oneof(
        fc.constantFrom(' ', ':', ' :', '@', ';', '\x01', '👨‍👩‍👧‍👦', '\u2028'),
        fc.string({ unit: 'grapheme', maxLength: 6 }),
      ),
      { maxLength: 12 },
    )
    .map((p) => p.join('').replace(/[\r\n\0]/g, ' ')),
);

/**
 * A valid IRC message as the listener's code builds one: tags needing escapes, a source, a
 * command, up to 14 middle params and an optional free-text last one (at most 15 in all).
 * Sizes are not bounded here: the properties filter on the codec's byte limits.
 */
export const validMessage: fc.Arbitrary<OutgoingMessage> = fc
  .record({
    tags: fc.option(tagMap, { nil: undefined }),
    source: fc.option(ircSource, { nil: undefined }),
    command: ircCommand,
    middles: middleParams(12),
    last: fc.option(trailingText, { nil: undefined }),
    trailing: fc.option(fc.boolean(), { nil: undefined }),
  })
  .map(({ tags, source, command, middles, last, trailing }) => {
    const params = last === undefined ? middles : [...middles, last];
    const m: OutgoingMessage = { command, params: params.slice(0, 15) };
    return {
      ...m,
      ...(tags === undefined ? {} : { tags }),
      ...(source === undefined ? {} : { source }),
      ...(trailing === undefined ? {} : { trailing }),
    };
  });

/** A message with hostile strings in every field (the serializer's backstop must hold). */
export const hostileMessage: fc.Arbitrary<OutgoingMessage> = fc
  .record({
    tags: fc.option(
      fc
        .array(fc.tuple(fc.oneof(tagKey, hostileString({ maxPieces: 4 })), hostileString()), {
          maxLength: 8,
        })
        .map((entries) => new Map(entries)),
      { nil: undefined },
    ),
    source: fc.option(hostileString({ maxPieces: 6 }), { nil: undefined }),
    command: ircCommand,
    params: fc.array(hostileString({ maxPieces: 6 }), { maxLength: 15 }),
    trailing: fc.boolean(),
  })
  .map(({ tags, source, command, params, trailing }) => ({
    command,
    params,
    trailing,
    ...(tags === undefined ? {} : { tags }),
    ...(source === undefined ? {} : { source }),
  }));

// ---- the documented normalisations of serializeLine --------------------------------------------

const UNSAFE_KEY = /[ ;=\r\n\0]/;

/**
 * What parseLine(serializeLine(m)) must answer, from serializeLine's documentation: the command
 * in upper case; tags whose key is empty or holds SPACE ; = CR LF NUL left out, server tags before
 * client-only ('+') tags (a later duplicate key wins), NUL in a value → U+FFFD, an empty value
 * the same as none; in the source and middle params SPACE/CR/LF/NUL → U+FFFD and a leading ':' of
 * a middle → U+FFFD, an empty middle → '*'; CR/LF/NUL in the last param → SPACE; an empty source
 * is no source; lone surrogates → U+FFFD everywhere.
 */
export function expectedRoundTrip(m: OutgoingMessage): IrcMessage {
  const tags = new Map<string, string>();
  const entries = [...(m.tags ?? new Map<string, string>())];
  const ordered = [
    ...entries.filter(([k]) => !k.startsWith('+')),
    ...entries.filter(([k]) => k.startsWith('+')),
  ];
  for (const [key, value] of ordered) {
    if (key === '' || UNSAFE_KEY.test(key)) continue;
    tags.set(key.toWellFormed(), value.toWellFormed().replace(/\0/g, '\ufffd'));
  }
  const out: IrcMessage = { tags, command: m.command.toUpperCase(), params: [] };
  if (m.source !== undefined) {
    const s = m.source.toWellFormed().replace(/[ \r\n\0]/g, '\ufffd');
    if (s !== '') out.source = s;
  }
  const last = m.params.length - 1;
  out.params = m.params.map((p, i) => {
    if (i === last) return p.toWellFormed().replace(/[\r\n\0]/g, ' ');
    let s = p.toWellFormed().replace(/[ \r\n\0]/g, '\ufffd');
    if (s.startsWith(':')) s = '\ufffd' + s.slice(1);
    return s === '' ? '*' : s;
  });
  return out;
}

// ---- canonical lines, written as text ---------------------------------------------------------

/** A tag value written in the serializer's escaped form (never empty: that is the key alone). */
const escapedValue: fc.Arbitrary<string> = fc
  .array(
    fc.oneof(
      fc.constantFrom('\\:', '\\s', '\\\\', '\\r', '\\n', '=', ':', ','),
      fc
        .string({ unit: 'grapheme', minLength: 1, maxLength: 4 })
        .map((s) => s.replace(/[; \\\r\n\0]/g, 'v')),
    ),
    { minLength: 1, maxLength: 8 },
  )
  .map((p) => p.join(''));

const canonicalTag = fc
  .tuple(tagKey, fc.option(escapedValue, { nil: undefined }))
  .map(([k, v]) => (v === undefined ? k : `${k}=${v}`));

/**
 * A line exactly as serializeLine writes one (without CRLF), built from the grammar rather than
 * by the serializer: tags (server ones first, unique keys, canonical escapes, empty values as the
 * bare key), an optional source, an upper-case command, middles without a leading ':', and a last
 * parameter with ':' only when it needs one (empty, a space, or a leading ':') — or, with
 * `alwaysColon` (OutgoingMessage.trailing), always.
 */
export function canonicalLineArb(alwaysColon: boolean): fc.Arbitrary<string> {
  return fc
    .record({
      server: fc.uniqueArray(canonicalTag, {
        selector: (t) => t.split('=')[0],
        maxLength: 6,
      }),
      client: fc.uniqueArray(canonicalTag, {
        selector: (t) => t.split('=')[0],
        maxLength: 4,
      }),
      source: fc.option(token({ leadingColon: true }), { nil: undefined }),
      command: ircCommand.map((c) => c.toUpperCase()),
      middles: middleParams(10),
      last: fc.option(trailingText, { nil: undefined }),
    })
    .map(({ server, client, source, command, middles, last }) => {
      // a '+' key in the server group (or the reverse) would be reordered: keep each in its group
      const serverTags = server.filter((t) => !t.startsWith('+'));
      const seen = new Set(serverTags.map((t) => t.split('=')[0]));
      const clientTags = client
        .map((t) => (t.startsWith('+') ? t : `+${t}`))
        .filter((t) => !seen.has(t.split('=')[0]));
      const clientUnique = [...new Map(clientTags.map((t) => [t.split('=')[0], t])).values()];
      const tags = [...serverTags, ...clientUnique];
      const words: string[] = [];
      if (source !== undefined) words.push(`:${source}`);
      words.push(command);
      const params = last === undefined ? middles : [...middles, last].slice(0, 15);
      params.forEach((p, i) => {
        if (i < params.length - 1) {
          words.push(p);
          return;
        }
        const needsColon = alwaysColon || p === '' || p.includes(' ') || p.startsWith(':');
        words.push(needsColon ? `:${p}` : p);
      });
      const head = words.join(' ');
      return tags.length ? `@${tags.join(';')} ${head}` : head;
    });
}

export const canonicalLine: fc.Arbitrary<string> = canonicalLineArb(false);

/** Bytes near IRC syntax: separators, escapes, CR/NUL, invalid UTF-8, long runs. */
const byteSoup: fc.Arbitrary<Buffer> = fc
  .array(
    fc.oneof(
      {
        weight: 6,
        arbitrary: fc.constantFrom(
          '@',
          ':',
          ' ',
          ';',
          '=',
          '\\',
          '+',
          'a',
          'PING',
          'PRIVMSG',
          '#c',
          '421',
          '12',
          'x=y',
          '\\s',
          '\\:',
          '中',
          '👨‍👩‍👧‍👦',
          '\u2028',
        ),
      },
      { weight: 1, arbitrary: fc.constantFrom('\r', '\0', '\n') },
      {
        weight: 1,
        arbitrary: fc.constantFrom(
          '\xff',
          '\xc3',
          '\xed\xa0\x80',
          '\xc0\xaf',
          '\xf4\x90\x80\x80',
          '\x80',
        ),
      },
      { weight: 1, arbitrary: fc.nat({ max: 700 }).map((n) => 'z'.repeat(n)) },
    ),
    { maxLength: 40 },
  )
  .map((pieces) =>
    Buffer.concat(
      pieces.map((p) =>
        // the \x.. pieces are raw bytes (latin1), the rest UTF-8 text
        /^[\x80-\xff]+$/.test(p) ? Buffer.from(p, 'latin1') : Buffer.from(p, 'utf8'),
      ),
    ),
  );

// ---- envelopes the core could store -------------------------------------------------------------

/** The commands the core stores (docs/envelope-and-delivery.md, src/protocol/commands/). */
export const STORED_COMMANDS = [
  'PRIVMSG',
  'NOTICE',
  'WALLOPS',
  'JOIN',
  'PART',
  'KICK',
  'TOPIC',
  'MODE',
  'NICK',
  'QUIT',
  'INVITE',
  'PONG',
  'PUBKEY',
] as const;

export const TEXT_COMMANDS: ReadonlySet<string> = new Set(['PRIVMSG', 'NOTICE', 'WALLOPS']);

/** Capabilities a connection may have negotiated (the renderer reads a few of them). */
export const CAPS = [
  'server-time',
  'message-tags',
  'echo-message',
  'extended-join',
  'cap-notify',
  'sasl',
  'batch',
] as const;

export const capSet: fc.Arbitrary<Set<string>> = fc
  .subarray([...CAPS])
  .map((caps) => new Set<string>(caps));

const uuid = fc.uuid();
const isoTs = fc
  .integer({ min: 0, max: 4_102_444_800_000 })
  .map((ms) => new Date(ms).toISOString());

/**
 * A stored envelope (the renderer's input) with hostile strings in every field the senders
 * control: `from`, `to`, `params`, body lines, `meta.action`, the full-mask `source`. `bounded`:
 * the names keep to what the core allows in length (a nick ≤ 30, a channel ≤ 50, a mask ≤ ~100
 * code points) while their content stays hostile, so the renderer has room for text; unbounded,
 * every field may be a 4 KiB string. `id` and `ts` are the server's own (a UUID, ISO-8601) unless
 * `hostileIds`. Actions (CTCP-wrapped chunks) are generated on their own, so a defect in them
 * does not hide the rest from a property that stops at its first failure.
 */
export function envelopeArb(o: {
  bounded: boolean;
  hostileIds?: boolean;
  /** true: PRIVMSG/NOTICE actions only (`meta.action: true`); false: never an action */
  actions: boolean;
}): fc.Arbitrary<Envelope & { source?: string }> {
  const name = o.bounded
    ? hostileString({ maxPieces: 6 }).map((s) => [...s].slice(0, 30).join(''))
    : hostileString({ long: true });
  const anyText = hostileString({ long: true });
  const command = o.actions
    ? fc.constantFrom('PRIVMSG', 'NOTICE')
    : fc.oneof(
        { weight: 8, arbitrary: fc.constantFrom(...STORED_COMMANDS) },
        {
          weight: 2,
          arbitrary: fc.integer({ min: 1, max: 999 }).map((n) => String(n).padStart(3, '0')),
        },
        {
          weight: 1,
          arbitrary: fc.constantFrom('privmsg', 'Notice', 'KILL', 'AWAY', 'ERROR', 'FOO'),
        },
        { weight: 1, arbitrary: hostileString({ maxPieces: 3 }) },
      );
  const body = fc.oneof(
    { weight: 8, arbitrary: fc.array(anyText, { maxLength: 12 }) },
    { weight: 1, arbitrary: fc.array(anyText, { minLength: 90, maxLength: 100 }) },
    {
      weight: 1,
      arbitrary: fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 }),
    },
    {
      weight: 1,
      arbitrary: fc.array(fc.oneof(anyText, fc.integer(), fc.constant(null)), { maxLength: 5 }),
    },
  );
  return fc
    .record({
      id: o.hostileIds ? fc.oneof(uuid, anyText) : uuid,
      seq: fc.integer({ min: 1, max: 2 ** 40 }),
      command,
      from: name,
      to: fc.oneof(
        name,
        name.map((n) => `#${n}`),
        fc.constant(''),
      ),
      params: fc.array(o.bounded ? name : anyText, { maxLength: 20 }),
      body,
      ts: o.hostileIds ? fc.oneof(isoTs, anyText) : isoTs,
      meta: o.actions
        ? fc.constant({ action: true })
        : fc.oneof(
            fc.constant({}),
            fc.record({ action: fc.oneof(fc.constant(false), fc.string(), fc.constant(1)) }),
          ),
      source: fc.option(
        o.bounded
          ? fc
              .tuple(name, name, fc.nat({ max: 1e6 }))
              .map(([n, u, id]) => `${n}!~${[...u].slice(0, 10).join('')}@s${id}.chat`)
          : anyText,
        { nil: undefined },
      ),
    })
    .map((e) => {
      const { source, ...rest } = e;
      const env = { ...rest, body: rest.body as Envelope['body'] };
      return source === undefined ? env : { ...env, source };
    });
}

/** A canonical line with a few bytes replaced or inserted (hostile and syntax bytes). */
const mutatedLine: fc.Arbitrary<Buffer> = fc
  .tuple(
    canonicalLine,
    fc.array(
      fc.tuple(
        fc.nat(),
        fc.constantFrom(0x00, 0x0d, 0x0a, 0x20, 0x3a, 0x3b, 0x3d, 0x40, 0x5c, 0xff, 0xc3, 0x80),
        fc.boolean(),
      ),
      { maxLength: 3 },
    ),
  )
  .map(([line, edits]) => {
    const bytes = [...Buffer.from(line, 'utf8')];
    for (const [at, byte, insert] of edits) {
      const i = bytes.length === 0 ? 0 : at % bytes.length;
      if (insert || bytes.length === 0) bytes.splice(i, 0, byte);
      else bytes[i] = byte;
    }
    return Buffer.from(bytes);
  });

/** Byte soup near IRC syntax, and canonical lines with a few hostile bytes (about half parse). */
export const ircByteSoup: fc.Arbitrary<Buffer> = fc.oneof(
  byteSoup,
  mutatedLine,
  canonicalLine.map((l) => Buffer.from(l, 'utf8')),
);
