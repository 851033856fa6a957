// D2 (CI): the IRC line codec round trip (src/transports/irc/line-codec.ts), with fast-check:
// - valid messages (tags whose values need escaping, a source, a command, up to 15 params, a
//   trailing one with spaces and colons): parseLine(serializeLine(m)) deep-equals m, modulo the
//   documented normalisations (the command in upper case; server tags before client-only tags);
// - messages with hostile strings in every field: the line never holds CR, LF or NUL, and the
//   round trip gives exactly what serializeLine's documentation says (lib/irc-arbitraries.ts
//   expectedRoundTrip: U+FFFD, '*', spaces, tags left out);
// - canonical lines written from the grammar as text: serializeLine(parseLine(line)) === line,
//   and with ':' always before the last param, the same with OutgoingMessage.trailing;
// - sizes: parseLine refuses a serialized line (too_long / tags_too_long) exactly when
//   lineBytesWithoutTags > 512 or tagDataBytes > 4094;
// - byte soup near IRC syntax (separators, escapes, CR, NUL, invalid UTF-8, long runs): parseLine
//   answers a typed result and never throws, and an accepted line is a fixed point
//   (parse ∘ serialize ∘ parse = parse whenever the re-serialized line fits).
// CI: 2,000 runs per property; soak: 100,000. The seed is printed (RELIABILITY_SEED replays it)
// and a failure prints the shrunk counterexample.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  IRC_MAX_PARAMS,
  IRC_MESSAGE_MAX_BYTES,
  IRC_TAG_DATA_MAX_BYTES,
  lineBytesWithoutTags,
  parseLine,
  serializeLine,
  tagDataBytes,
  type IrcMessage,
  type OutgoingMessage,
  type ParseFailureReason,
} from '../../src/transports/irc/line-codec.js';
import {
  canonicalLine,
  canonicalLineArb,
  expectedRoundTrip,
  hostileMessage,
  ircByteSoup,
  longRun,
  validMessage,
} from '../lib/irc-arbitraries.js';
import { budgetFor, checkSync, propertyFailures, seedFor, type PropertyRun } from '../lib/props.js';
import { Criteria, type ReliabilityTest } from '../lib/types.js';

const REASONS: ReadonlySet<ParseFailureReason> = new Set([
  'empty',
  'too_long',
  'tags_too_long',
  'forbidden_char',
  'invalid_utf8',
  'no_command',
  'bad_command',
]);

function fits(m: OutgoingMessage): boolean {
  return (
    lineBytesWithoutTags(m) <= IRC_MESSAGE_MAX_BYTES && tagDataBytes(m) <= IRC_TAG_DATA_MAX_BYTES
  );
}

function parsed(line: string): IrcMessage {
  const r = parseLine(Buffer.from(line, 'utf8'));
  if (!r.ok) throw new Error(`parseLine refused ${JSON.stringify(line)}: ${r.reason}`);
  return r.message;
}

/** The message as parseLine answers it: no `source` key when there is none. */
function plain(m: OutgoingMessage): IrcMessage {
  const out: IrcMessage = {
    tags: new Map(m.tags ?? []),
    command: m.command.toUpperCase(),
    params: [...m.params],
  };
  if (m.source !== undefined) out.source = m.source;
  return out;
}

/**
 * Near the limits: long params and large tags, some padded to exactly 511–513 bytes without tags
 * or 4093–4095 bytes of tag data, so both sides of each limit are hit.
 */
const sizedMessage: fc.Arbitrary<OutgoingMessage> = fc
  .record({
    m: validMessage,
    pad: fc.array(longRun(600), { maxLength: 3 }),
    tagPad: fc.nat({ max: 5000 }),
    lineTarget: fc.constantFrom(0, 511, 512, 513),
    tagTarget: fc.constantFrom(0, 4093, 4094, 4095),
  })
  .map(({ m, pad, tagPad, lineTarget, tagTarget }) => {
    let params = [...m.params.slice(0, IRC_MAX_PARAMS - 1 - pad.length), ...pad].slice(
      0,
      IRC_MAX_PARAMS,
    );
    const tags = new Map(m.tags ?? []);
    if (tagPad > 0) tags.set('pad', 'p'.repeat(tagPad));
    if (tagTarget > 0) {
      tags.set('pad', 'p');
      const k = tagTarget - tagDataBytes({ ...m, tags }) + 1;
      if (k >= 1) tags.set('pad', 'p'.repeat(k));
    }
    if (lineTarget > 0) {
      // a bare last param of k 'x' (no colon needed), after at most 14 others
      const head = params.slice(0, IRC_MAX_PARAMS - 1);
      const k = lineTarget - lineBytesWithoutTags({ ...m, params: [...head, 'x'] }) + 1;
      if (k >= 1) params = [...head, 'x'.repeat(k)];
    }
    return { ...m, params, tags };
  });

export const d2: ReliabilityTest = {
  id: 'D2',
  title: 'IRC line codec round trip (fast-check)',
  tiers: ['ci', 'soak'],
  budgetSeconds: { ci: 90, soak: 1_500 },
  async run(ctx) {
    const c = new Criteria();
    const budget = budgetFor(ctx.tier, 2_000, 100_000, 240_000);
    const seed = seedFor();
    ctx.log(`seed ${seed} (replay with RELIABILITY_SEED=${seed})`);
    const runs: PropertyRun[] = [];
    const skipped: Record<string, number> = {};
    const property = <T>(name: string, arb: fc.Arbitrary<T>, predicate: (v: T) => void) => {
      if (Date.now() > ctx.deadline - budget.timeLimitMs) {
        c.check(false, `${name}: not run, out of time`);
        return;
      }
      let skips = 0;
      const r = checkSync(
        name,
        arb,
        (v) => {
          try {
            predicate(v);
          } catch (err) {
            if (fc.PreconditionFailure.isFailure(err)) skips++;
            throw err;
          }
        },
        budget,
        seed,
      );
      skipped[name] = skips;
      runs.push(r);
      ctx.log(
        `${name}: ${r.runs} runs (${skips} skipped), slowest ${r.maxMs} ms` +
          (r.failed ? ` — FAILED: ${r.error}; counterexample ${r.counterexample}` : ''),
      );
    };

    property('valid messages: parse(serialize(m)) deep-equals m', validMessage, (m) => {
      fc.pre(fits(m));
      const line = serializeLine(m);
      assert.ok(!/[\r\n\0]/.test(line), 'CR, LF or NUL in the line');
      const back = parsed(line);
      // a valid message needs none of the backstop's repairs…
      assert.deepStrictEqual(expectedRoundTrip(m), plain(m), 'normalisation changed a valid m');
      // …and comes back whole (Map equality ignores the server-first tag order)
      assert.deepStrictEqual(back, plain(m));
    });

    property(
      'hostile strings in every field: no CR/LF/NUL, round trip as documented',
      hostileMessage,
      (m) => {
        const line = serializeLine(m);
        assert.ok(!/[\r\n\0]/.test(line), `CR, LF or NUL in ${JSON.stringify(line)}`);
        assert.ok(line.isWellFormed(), 'a lone surrogate reached the line');
        fc.pre(fits(m));
        assert.deepStrictEqual(parsed(line), expectedRoundTrip(m));
      },
    );

    const withinLimits = (line: string) => {
      const head = line.startsWith('@') ? line.slice(line.indexOf(' ') + 1) : line;
      const tagBytes = line.startsWith('@') ? Buffer.byteLength(line.split(' ')[0]!) - 1 : 0;
      return (
        Buffer.byteLength(head, 'utf8') + 2 <= IRC_MESSAGE_MAX_BYTES &&
        tagBytes <= IRC_TAG_DATA_MAX_BYTES
      );
    };
    property('canonical lines: serialize(parse(line)) === line', canonicalLine, (line) => {
      fc.pre(withinLimits(line));
      assert.equal(serializeLine(parsed(line)), line);
    });
    property(
      "canonical lines with ':' always before the last param: the same with trailing: true",
      canonicalLineArb(true),
      (line) => {
        fc.pre(withinLimits(line));
        const m = parsed(line);
        fc.pre(m.params.length > 0);
        assert.equal(serializeLine({ ...m, trailing: true }), line);
      },
    );

    property('sizes: refused exactly past 512 bytes (+ 4094 of tags)', sizedMessage, (m) => {
      const line = serializeLine(m);
      const r = parseLine(Buffer.from(line, 'utf8'));
      const tagsOver = tagDataBytes(m) > IRC_TAG_DATA_MAX_BYTES;
      const lineOver = lineBytesWithoutTags(m) > IRC_MESSAGE_MAX_BYTES;
      const want = tagsOver ? 'tags_too_long' : lineOver ? 'too_long' : 'ok';
      assert.equal(r.ok ? 'ok' : r.reason, want);
      if (r.ok) assert.deepStrictEqual(r.message, expectedRoundTrip(m));
    });

    property('byte soup: typed answers, accepted lines are fixed points', ircByteSoup, (bytes) => {
      const r = parseLine(bytes);
      if (!r.ok) {
        assert.ok(REASONS.has(r.reason), `unknown reason ${r.reason}`);
        return;
      }
      const m = r.message;
      assert.match(m.command, /^(?:[A-Z]+|[0-9]{3})$/);
      assert.ok(m.params.length <= IRC_MAX_PARAMS, `${m.params.length} params`);
      if (m.source !== undefined) assert.ok(m.source !== '' && !m.source.includes(' '));
      const line = serializeLine(m);
      assert.ok(!/[\r\n\0]/.test(line));
      if (!fits(m)) return;
      assert.deepStrictEqual(parsed(line), m);
    });

    const totalRuns = runs.reduce((n, r) => n + r.runs, 0);
    for (const r of runs) for (const f of propertyFailures(r, ctx.tier === 'ci')) c.check(false, f);
    const slowest = Math.max(0, ...runs.map((r) => r.maxMs));
    c.timing('slowest single input ms', slowest, 50);
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
          skipped: skipped[r.name] ?? 0,
          failed: r.failed,
          interrupted: r.interrupted,
          slowest_ms: r.maxMs,
          seconds: r.seconds,
          counterexample: r.counterexample,
          error: r.error,
        })),
      },
      failures: c.failures,
      notes: [`replay with RELIABILITY_SEED=${seed}`],
    };
  },
};
