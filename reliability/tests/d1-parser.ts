// D1 (CI): the request parsers never throw anything but a typed error, and never hang. fast-check
// feeds arbitrary Unicode text, arbitrary bytes, JSON-ish token soup, mutated and deeply nested
// JSON, and command-shaped objects of random types into everything that reads a request body:
// the JSON body parser (src/transports/http/json-body.ts), the zod request schemas of every route
// through parseOrThrow (MessageBody first), and the IRC checks of validateInput
// (src/protocol/validate.ts). Each input gives a value or a ChatError with a 4xx status and a
// known code (zod's own safeParse gives success or a ZodError); anything else thrown fails, and
// so does an input taking more than 50 ms (10× on this shared machine). Where the rule is simple
// the property also checks the answer itself (nesting depth, CR/LF/NUL, lines, bytes).
// The IRC line codec and renderer have their own rows: D2 (round trip) and D3 (line safety).
import fc from 'fast-check';
import type { z } from 'zod';
import type { CoreSettings } from '../../src/protocol/environment.js';
import { ChatError } from '../../src/protocol/errors.js';
import type { CommandInput } from '../../src/model/envelope.js';
import { validateInput } from '../../src/protocol/validate.js';
import { MAX_JSON_DEPTH, parseJsonBody } from '../../src/transports/http/json-body.js';
import { httpStatus } from '../../src/transports/http/refusal-status.js';
import { ROUTES } from '../../src/transports/http/routes/index.js';
import { MessageBody } from '../../src/transports/http/schemas.js';
import { parseOrThrow, type Part } from '../../src/transports/http/validate.js';
import {
  COMMANDS,
  HOSTILE_KEYS,
  commandText,
  deepText,
  jsonText,
  mutatedJson,
  tokenSoup,
} from '../lib/json-arbitraries.js';
import { budgetFor, checkSync, propertyFailures, seedFor, type PropertyRun } from '../lib/props.js';
import { Criteria, type ReliabilityTest } from '../lib/types.js';

/** docs/limits.md defaults; validateInput reads only these two settings. */
const SETTINGS = { maxLines: 100, maxMessageSize: 4096 } as CoreSettings;

const JSON_CODES = new Set(['bad_json', 'bad_encoding']);
const VALIDATE_CODES = new Set([
  'invalid_characters',
  'bad_encoding',
  'too_many_lines',
  'message_too_long',
  'to_too_long',
]);
const SCHEMA_CODES = new Set(['invalid_request']);

/** Runs `fn`; a ChatError 4xx with an allowed code is returned, anything else thrown is a failure. */
function typed(fn: () => unknown, codes: ReadonlySet<string>, what: string): ChatError | null {
  try {
    fn();
    return null;
  } catch (err) {
    const status = err instanceof ChatError ? httpStatus(err.code) : 0;
    if (err instanceof ChatError && status >= 400 && status < 500 && codes.has(err.code)) {
      if (!err.message) throw new Error(`${what}: ChatError ${err.code} without a message`);
      return err;
    }
    const desc = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    throw new Error(`${what}: untyped exception ${desc.slice(0, 300)}`);
  }
}

/** One UTF-16 code unit, lone surrogates included (the 'binary' unit only makes valid ones). */
const utf16Unit = fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c));
const unicodeText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 300 }),
  fc.string({ unit: utf16Unit, maxLength: 300 }),
  fc.string({ unit: 'grapheme', maxLength: 100 }),
);

/** Strings with what validateInput must refuse: CR, LF, NUL, lone surrogates. */
const ircString = fc.oneof(
  { weight: 3, arbitrary: fc.string({ unit: 'grapheme-ascii', maxLength: 20 }) },
  { weight: 2, arbitrary: fc.string({ unit: utf16Unit, maxLength: 20 }) },
  {
    weight: 2,
    arbitrary: fc
      .tuple(
        fc.string({ maxLength: 10 }),
        fc.constantFrom('\r', '\n', '\0', '\ud800', '\udfff'),
        fc.string({ maxLength: 10 }),
      )
      .map(([a, b, c]) => a + b + c),
  },
  { weight: 1, arbitrary: fc.nat({ max: 5000 }).map((n) => 'x'.repeat(n)) },
);

const commandInput: fc.Arbitrary<CommandInput> = fc.record(
  {
    command: fc.oneof(fc.constantFrom(...COMMANDS), ircString),
    to: ircString,
    params: fc.array(ircString, { maxLength: 16 }),
    body: fc.oneof(
      { weight: 4, arbitrary: fc.array(ircString, { maxLength: 120 }) },
      { weight: 1, arbitrary: fc.dictionary(fc.string(), fc.jsonValue()) },
    ),
    meta: fc.dictionary(fc.string(), fc.jsonValue()),
    txn: fc.string(),
  },
  { requiredKeys: ['command'] },
);

/** UTF-8 bytes of every string in a JSON value, object keys included. */
function textBytes(value: unknown): number {
  if (typeof value === 'string') return Buffer.byteLength(value, 'utf8');
  if (Array.isArray(value)) return value.reduce((n: number, v) => n + textBytes(v), 0);
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).reduce(
      (n, [k, v]) => n + Buffer.byteLength(k, 'utf8') + textBytes(v),
      0,
    );
  }
  return 0;
}

/** What validateInput must refuse, worked out independently of it. */
function violates(input: CommandInput): boolean {
  const bad = (s: string) => /[\r\n\0]/.test(s) || !s.isWellFormed();
  if (bad(input.command) || (input.to !== undefined && bad(input.to))) return true;
  if (input.to !== undefined && Buffer.byteLength(input.to, 'utf8') > 512) return true;
  if (input.params?.some(bad)) return true;
  // the text a command carries: body lines (and their line breaks), params, meta strings
  let bytes = textBytes(input.params ?? []) + textBytes(input.meta ?? {});
  if (Array.isArray(input.body)) {
    if (input.body.length > SETTINGS.maxLines || input.body.some(bad)) return true;
    bytes += textBytes(input.body) + Math.max(0, input.body.length - 1);
  } else if (input.body !== undefined) {
    bytes += Buffer.byteLength(JSON.stringify(input.body), 'utf8');
  }
  return bytes > SETTINGS.maxMessageSize;
}

/** Query strings and path parameters as Fastify hands them over: strings, repeated ones arrays. */
const queryLike = fc.dictionary(
  fc.oneof(
    fc.constantFrom('after', 'timeout', 'target', 'before', 'limit', 'replay', 'token', 'name'),
    fc.constantFrom('client_id', '__proto__', 'constructor'),
    fc.string({ maxLength: 8 }),
  ),
  fc.oneof(
    fc.constantFrom('0', '1', '-1', '01', '1e3', '0x10', '9007199254740993', '', '#safe', 'true'),
    fc.string({ maxLength: 20 }),
    fc.array(fc.string({ maxLength: 5 }), { minLength: 2, maxLength: 3 }),
  ),
  { maxKeys: 4 },
);

/** A JSON value parsed from hostile text, so `__proto__` can be an own key. */
const parsedValue: fc.Arbitrary<unknown> = fc
  .oneof(jsonText, commandText)
  .map((t) => JSON.parse(t) as unknown);

/** Every schema a request passes through, from the route table. */
function schemas(): { label: string; part: Part; schema: z.ZodType }[] {
  const out: { label: string; part: Part; schema: z.ZodType }[] = [];
  for (const r of ROUTES) {
    const key = `${r.method} ${r.path}`;
    if (r.body) out.push({ label: `${key} body`, part: 'body', schema: r.body });
    if (r.query) out.push({ label: `${key} query`, part: 'query', schema: r.query });
    if (r.params) out.push({ label: `${key} params`, part: 'params', schema: r.params });
  }
  return out;
}

function checkJsonBody(bytes: Uint8Array): void {
  typed(() => parseJsonBody(bytes), JSON_CODES, 'parseJsonBody');
}

export const d1: ReliabilityTest = {
  id: 'D1',
  title: 'Parser never throws or hangs (fast-check)',
  tiers: ['ci', 'soak'],
  budgetSeconds: { ci: 150, soak: 900 },
  async run(ctx) {
    const c = new Criteria();
    // soak: 9 properties × at most 90 s stay within about 15 minutes
    const budget = budgetFor(ctx.tier, 1_000, 100_000, 90_000);
    const seed = seedFor();
    const runs: PropertyRun[] = [];
    const all = schemas();
    // First calls compile zod's validators and the regexes: keep that out of "slowest input".
    for (const s of all) s.schema.safeParse({});
    parseJsonBody(Buffer.from('{"a":[1]}'));
    const property = <T>(name: string, arb: fc.Arbitrary<T>, predicate: (v: T) => void) => {
      if (Date.now() > ctx.deadline - budget.timeLimitMs) {
        c.check(false, `${name}: not run, out of time`);
        return;
      }
      const r = checkSync(name, arb, predicate, budget, seed);
      runs.push(r);
      ctx.log(`${name}: ${r.runs} runs, slowest ${r.maxMs} ms${r.failed ? ' — FAILED' : ''}`);
    };

    property('json-body: arbitrary Unicode text', unicodeText, (s) =>
      checkJsonBody(Buffer.from(s, 'utf8')),
    );
    property('json-body: arbitrary bytes', fc.uint8Array({ maxLength: 400 }), checkJsonBody);
    property(
      'json-body: valid JSON with one byte replaced',
      fc.tuple(jsonText, fc.nat(), fc.integer({ min: 0, max: 255 })),
      ([text, at, byte]) => {
        const bytes = Buffer.from(text, 'utf8');
        if (bytes.length > 0) bytes[at % bytes.length] = byte;
        checkJsonBody(bytes);
      },
    );
    property(
      'json-body: JSON-ish token soup and mutated JSON',
      fc.oneof(tokenSoup, mutatedJson, jsonText, commandText),
      (s) => checkJsonBody(Buffer.from(s, 'utf8')),
    );
    property('json-body: nesting depth decides (≤ 64 accepted)', deepText, ({ depth, text }) => {
      const err = typed(() => parseJsonBody(Buffer.from(text, 'utf8')), JSON_CODES, 'deep');
      if (depth > MAX_JSON_DEPTH) {
        if (err?.code !== 'bad_json') throw new Error(`depth ${depth} not refused as bad_json`);
        return;
      }
      // within the limit only a lone surrogate in the innermost string may refuse it
      const inner = JSON.parse(
        text.replace(/^(\[|\{"a":)+/, '').replace(/(\]|\})+$/, ''),
      ) as unknown;
      const lone = typeof inner === 'string' && !inner.isWellFormed();
      if (lone ? err?.code !== 'bad_encoding' : err !== null) {
        throw new Error(`depth ${depth}: got ${err ? err.code : 'a value'}`);
      }
    });
    property(
      'validateInput: refuses exactly CR/LF/NUL, lone surrogates, too many lines or bytes',
      commandInput,
      (input) => {
        const err = typed(() => validateInput(input, SETTINGS), VALIDATE_CODES, 'validateInput');
        const should = violates(input);
        if (should && !err) throw new Error('accepted an input it must refuse');
        if (!should && err) throw new Error(`refused a valid input: ${err.code} ${err.message}`);
      },
    );
    property('MessageBody.safeParse: success or a ZodError, never a throw', parsedValue, (v) => {
      const r = MessageBody.safeParse(v);
      if (!r.success && !(r.error && Array.isArray(r.error.issues) && r.error.issues.length > 0)) {
        throw new Error('a failed parse without issues');
      }
    });
    property(
      'parseOrThrow: every route schema gives a value or a 400 naming its part',
      fc.tuple(fc.nat({ max: all.length - 1 }), parsedValue, queryLike),
      ([i, value, query]) => {
        const s = all[i]!;
        const input = s.part === 'body' ? value : query;
        const err = typed(() => parseOrThrow(s.schema, input, s.part), SCHEMA_CODES, s.label);
        if (err && !err.message.startsWith(s.part)) {
          throw new Error(`${s.label}: message does not name the part: ${err.message}`);
        }
      },
    );
    property(
      'pipeline: bytes → parseJsonBody → MessageBody → validateInput',
      fc.oneof(commandText, mutatedJson, tokenSoup),
      (text) => {
        const allowed = new Set([...JSON_CODES, ...SCHEMA_CODES, ...VALIDATE_CODES]);
        typed(
          () => {
            const value = parseJsonBody(Buffer.from(text, 'utf8'));
            const input: CommandInput = parseOrThrow(MessageBody, value, 'body');
            validateInput(input, SETTINGS);
          },
          allowed,
          'pipeline',
        );
      },
    );

    const totalRuns = runs.reduce((n, r) => n + r.runs, 0);
    const slowest = Math.max(0, ...runs.map((r) => r.maxMs));
    for (const r of runs) for (const f of propertyFailures(r, ctx.tier === 'ci')) c.check(false, f);
    c.timing('slowest single input ms', slowest, 50);
    const hostileKeys = HOSTILE_KEYS.length;
    return {
      figures: {
        runs: totalRuns,
        failures: runs.filter((r) => r.failed).length,
        seed,
        properties: runs.length,
        slowest_input_ms: slowest,
        per_property: runs.map((r) => ({
          name: r.name,
          runs: r.runs,
          failed: r.failed,
          interrupted: r.interrupted,
          slowest_ms: r.maxMs,
          seconds: r.seconds,
          counterexample: r.counterexample,
        })),
        schemas_fuzzed: all.map((s) => s.label),
        hostile_keys: hostileKeys,
      },
      failures: c.failures,
      notes: [
        'the IRC line codec and renderer are D2 (round trip) and D3 (line safety)',
        `replay with RELIABILITY_SEED=${seed}`,
      ],
    };
  },
};
