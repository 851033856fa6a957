// Generators of hostile JSON for the property tests (D1 parser, D5 API fuzz). They produce JSON
// *text*, not values, so they can say what JSON.stringify never would: duplicate keys,
// `__proto__` as an own key, numbers beyond a double (1e999) or beyond 2^53, escaped lone
// surrogates, nesting far past any limit. Some generated texts are invalid JSON on purpose
// (token soup); `jsonText` is always valid JSON text (possibly with duplicate keys).
import fc from 'fast-check';

/** Object keys that have bitten JavaScript servers, plus the fields our bodies use. */
export const HOSTILE_KEYS = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  'valueOf',
  'command',
  'to',
  'params',
  'body',
  'meta',
  'txn',
  'nick',
  'password',
  'hashcash',
  'id',
  'sender',
  'isOper',
  '',
] as const;

/** Every command of docs/commands.md, plus some that are not. */
export const COMMANDS = [
  'PRIVMSG',
  'NOTICE',
  'JOIN',
  'PART',
  'NICK',
  'TOPIC',
  'MODE',
  'KICK',
  'INVITE',
  'NAMES',
  'LIST',
  'WHO',
  'WHOIS',
  'LUSERS',
  'MOTD',
  'AWAY',
  'PING',
  'QUIT',
  'PUBKEY',
  'PASS',
  'OPER',
  'KILL',
  'WALLOPS',
  'VERSION',
  'TIME',
  'ADMIN',
  'INFO',
  'USERHOST',
  'ISON',
  'privmsg',
  'FOO',
  '001',
  '',
] as const;

const NUMBER_TEXTS = [
  '0',
  '-0',
  '1',
  '-1',
  '0.5',
  '1e999',
  '-1e999',
  '1e-999',
  '9007199254740993',
  '123456789012345678901234567890',
  '1.7976931348623157e308',
  '5e-324',
  '2.5E+3',
];

/** Strings likely to matter: IRC syntax, control characters, escapes of lone surrogates. */
const STRING_TEXTS = [
  '"#safe"',
  '"#a,#b"',
  '"#"',
  '"alice"',
  '"x\\r\\nQUIT"',
  '"\\u0000"',
  '"\\ud800"',
  '"\\udc00x"',
  '"\\ud83d\\ude00"',
  '"+o"',
  '"+k"',
  '"*"',
  '""',
  '"\\u202e"',
];

export const jsonNumberText: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...NUMBER_TEXTS),
  fc.integer().map(String),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((d) => JSON.stringify(d)),
);

export const jsonStringText: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...STRING_TEXTS),
  fc.string({ unit: 'binary', maxLength: 40 }).map((s) => JSON.stringify(s)),
  fc.constantFrom(...COMMANDS).map((s) => JSON.stringify(s)),
);

const scalarText = fc.oneof(
  fc.constantFrom('null', 'true', 'false'),
  jsonNumberText,
  jsonStringText,
);

const keyText = fc.oneof(
  fc.constantFrom(...HOSTILE_KEYS).map((k) => JSON.stringify(k)),
  jsonStringText,
);

/** Valid JSON text (duplicate keys and `__proto__` keys included), a few levels deep. */
export const jsonText: fc.Arbitrary<string> = fc.letrec<{
  value: string;
  array: string;
  object: string;
}>((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, scalarText, tie('array'), tie('object')),
  array: fc.array(tie('value'), { maxLength: 6 }).map((xs) => `[${xs.join(',')}]`),
  object: fc
    .array(fc.tuple(keyText, tie('value')), { maxLength: 6 })
    .map((kv) => `{${kv.map(([k, v]) => `${k}:${v}`).join(',')}}`),
})).value;

/** Arrays or objects nested `depth` deep around a scalar (the parser allows 64 levels). */
export const deepText: fc.Arbitrary<{ depth: number; text: string }> = fc
  .tuple(fc.integer({ min: 1, max: 4000 }), scalarText, fc.boolean())
  .map(([depth, inner, object]) => ({
    depth,
    text: object
      ? '{"a":'.repeat(depth) + inner + '}'.repeat(depth)
      : '['.repeat(depth) + inner + ']'.repeat(depth),
  }));

const TOKENS = [
  '{',
  '}',
  '[',
  ']',
  ',',
  ':',
  ' ',
  '\n',
  '\t',
  '\ufeff',
  '"',
  '\\',
  '"a"',
  '"__proto__"',
  '"command"',
  '"\\ud800"',
  '"\\u0000"',
  '"\\x"',
  'true',
  'nul',
  'NaN',
  'Infinity',
  '-',
  '1e',
  '0x10',
  '1',
  "'",
  '/*',
];

/** JSON-ish text: mostly broken, sometimes valid. */
export const tokenSoup: fc.Arbitrary<string> = fc
  .array(fc.oneof(fc.constantFrom(...TOKENS), scalarText), { maxLength: 40 })
  .map((ts) => ts.join(''));

/** Valid JSON text with one random edit: a character inserted, deleted or replaced. */
export const mutatedJson: fc.Arbitrary<string> = fc
  .tuple(
    jsonText,
    fc.nat(),
    fc.constantFrom('insert', 'delete', 'replace'),
    fc.string({ unit: 'binary', minLength: 1, maxLength: 3 }),
  )
  .map(([text, at, op, s]) => {
    const i = text.length === 0 ? 0 : at % text.length;
    if (op === 'insert') return text.slice(0, i) + s + text.slice(i);
    if (op === 'delete') return text.slice(0, i) + text.slice(i + 1);
    return text.slice(0, i) + s + text.slice(i + 1);
  });

/** A value of a random JSON type, as text. */
const anyTypeText = fc.oneof(scalarText, jsonText);

/** JSON text of an object shaped like a command, each field of a random type or missing. */
export const commandText: fc.Arbitrary<string> = fc
  .record(
    {
      command: fc.oneof(
        { weight: 4, arbitrary: fc.constantFrom(...COMMANDS).map((c) => JSON.stringify(c)) },
        { weight: 1, arbitrary: anyTypeText },
      ),
      to: fc.oneof({ weight: 3, arbitrary: jsonStringText }, { weight: 1, arbitrary: anyTypeText }),
      params: fc.oneof(
        {
          weight: 3,
          arbitrary: fc.array(jsonStringText, { maxLength: 17 }).map((xs) => `[${xs.join(',')}]`),
        },
        { weight: 1, arbitrary: anyTypeText },
      ),
      body: fc.oneof(
        {
          weight: 3,
          arbitrary: fc.array(jsonStringText, { maxLength: 4 }).map((xs) => `[${xs.join(',')}]`),
        },
        { weight: 1, arbitrary: anyTypeText },
      ),
      meta: anyTypeText,
      txn: fc.oneof(
        fc.string({ unit: 'grapheme-ascii', maxLength: 10 }).map((s) => JSON.stringify(s)),
        anyTypeText,
      ),
      extra: fc.tuple(fc.constantFrom(...HOSTILE_KEYS), anyTypeText),
    },
    { requiredKeys: ['command'] },
  )
  .map((r) => {
    const parts: string[] = [];
    for (const [k, v] of Object.entries(r)) {
      if (k === 'extra') {
        const [ek, ev] = v as [string, string];
        parts.push(`${JSON.stringify(ek)}:${ev}`);
      } else parts.push(`${JSON.stringify(k)}:${v as string}`);
    }
    return `{${parts.join(',')}}`;
  });

/** JSON text of a well-typed command (right field types, random content): reaches the commands. */
export const typedCommandText: fc.Arbitrary<string> = fc
  .record(
    {
      command: fc.constantFrom(...COMMANDS),
      to: fc.oneof(
        fc.constantFrom('#fuzz', '#fuzz,#other', '#', 'fz1x', '*', '#' + 'x'.repeat(70)),
        fc.string({ unit: 'grapheme-ascii', maxLength: 12 }),
      ),
      params: fc.array(
        fc.oneof(
          fc.constantFrom('+o', '-o', '+b', '+k', '+l', '+imnst', 'fz1x', '*!*@*', '10', '-1'),
          fc.string({ unit: 'grapheme-ascii', maxLength: 10 }),
        ),
        { maxLength: 5 },
      ),
      body: fc.oneof(
        fc.array(fc.string({ unit: 'grapheme', maxLength: 30 }), { maxLength: 3 }),
        fc.constant({ alg: 'ed25519', key: 'AAAA' }),
      ),
      meta: fc.dictionary(
        fc.constantFrom('action', 'sig', 'alg', 'x'),
        fc.jsonValue({ maxDepth: 2 }),
      ),
      txn: fc.string({ unit: fc.constantFrom(...'abcXYZ019-_'), minLength: 1, maxLength: 8 }),
    },
    { requiredKeys: ['command'] },
  )
  .map((r) => JSON.stringify(r));
