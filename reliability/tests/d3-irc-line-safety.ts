// D3 (CI): IRC line safety. Two halves.
// 1. fast-check over the renderer (src/transports/irc/render.ts renderEnvelope) and the codec:
//    envelopes the core could store, with hostile strings (CR, LF, NUL, U+2028, lone surrogates,
//    long multi-byte text, emoji ZWJ sequences, 4 KiB lines) in every field the senders control,
//    rendered for random capability sets. Every line must serialize without CR/LF/NUL, fit 512
//    bytes without its tags and 4,094 bytes of tag data, and parse back to itself (one line, one
//    message: nothing injected). Text is never lost: for PRIVMSG/NOTICE/WALLOPS the texts of the
//    lines, joined, equal the body lines joined (minus empty lines; CR/LF/NUL as the spaces and
//    lone surrogates as the U+FFFD the serializer documents); every other verb is at most one
//    line. A second property puts unbounded hostile strings everywhere, the server's own id and
//    ts included: the lines must still be safe (the text may then not fit: documented). A third
//    checks splitText: chunks join to the text, fit, and never cut a code point or a grapheme
//    that would fit.
// 2. Through the real listener: an HTTP user sends such messages (PRIVMSG, NOTICE, actions,
//    TOPIC) to a channel with two IRC members on raw sockets (one plain, one with server-time):
//    each IRC side receives exactly the expected lines, in order, with the expected texts, each
//    within 512 bytes, and nothing else (no injected command). Refusals by HTTP (CR/LF/NUL, lone
//    surrogates, too long) are counted.
// CI: 1,000 runs per property and 300 live messages; soak: 100,000 and 3,000.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Envelope } from '../../src/model/envelope.js';
import {
  IRC_MESSAGE_MAX_BYTES,
  IRC_TAG_DATA_MAX_BYTES,
  lineBytesWithoutTags,
  parseLine,
  serializeLine,
  splitText,
  tagDataBytes,
  textOverheadBytes,
  type OutgoingMessage,
} from '../../src/transports/irc/line-codec.js';
import { renderEnvelope, type RenderContext } from '../../src/transports/irc/render.js';
import { agent, call, createSession, send, sleep } from '../lib/http.js';
import {
  capSet,
  envelopeArb,
  expectedRoundTrip,
  hostileString,
  TEXT_COMMANDS,
} from '../lib/irc-arbitraries.js';
import { registerIrc, splitLine, type IrcClient } from '../lib/irc-client.js';
import { budgetFor, checkSync, propertyFailures, seedFor, type PropertyRun } from '../lib/props.js';
import { startServer, stopAndClean, type Proc } from '../lib/server.js';
import { Criteria, type ReliabilityTest, type TestContext } from '../lib/types.js';

const ACTION_OPEN = '\x01ACTION ';
const ACTION_BYTES = Buffer.byteLength(`${ACTION_OPEN}\x01`, 'utf8');
const CHANNEL = '#d3';
const MAX_MESSAGE_SIZE = 4096;

/** What the serializer does to free text (line-codec.ts `trailing`). */
const asSent = (s: string) => s.toWellFormed().replace(/[\r\n\0]/g, ' ');

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

interface PureStats {
  envelopes: number;
  lines: number;
  maxLineBytes: number;
  maxTagBytes: number;
  /** text envelopes whose text could not fit at all (only with unbounded names) */
  textDropped: number;
  /** lines over the tag budget (only with the server's id/ts replaced by hostile strings) */
  tagBudgetExceeded: number;
  /** first offending line of each kind, for the report */
  examples: Record<string, string>;
}

const newStats = (): PureStats => ({
  envelopes: 0,
  lines: 0,
  maxLineBytes: 0,
  maxTagBytes: 0,
  textDropped: 0,
  tagBudgetExceeded: 0,
  examples: {},
});

const rcArb: fc.Arbitrary<RenderContext> = fc.record({
  nick: fc.oneof(fc.constantFrom('me', 'alice', '*'), hostileString({ maxPieces: 4 })),
  serverName: fc.constantFrom('chat', 'irc.example.net'),
  caps: capSet,
});

/**
 * Checks one envelope's lines. `strict`: the envelope is one the core could store (bounded names,
 * the server's own id and ts), so the tag budget and "text never lost" are criteria too.
 */
function checkRendered(
  env: Envelope & { source?: string },
  rc: RenderContext,
  strict: boolean,
  stats: PureStats,
): void {
  const lines = renderEnvelope(env, rc);
  stats.envelopes++;
  stats.lines += lines.length;
  const texts: string[] = [];
  for (const m of lines) {
    const line = serializeLine(m);
    assert.ok(!/[\r\n\0]/.test(line), `CR, LF or NUL in ${JSON.stringify(line.slice(0, 200))}`);
    assert.ok(line.isWellFormed(), 'a lone surrogate in the line');
    const bytes = lineBytesWithoutTags(m);
    const tagBytes = tagDataBytes(m);
    stats.maxLineBytes = Math.max(stats.maxLineBytes, bytes);
    stats.maxTagBytes = Math.max(stats.maxTagBytes, tagBytes);
    if (bytes > IRC_MESSAGE_MAX_BYTES) {
      stats.examples.over512 ??= `${env.command} meta=${JSON.stringify(env.meta)}: ${bytes} bytes`;
    }
    assert.ok(
      bytes <= IRC_MESSAGE_MAX_BYTES,
      `${bytes} bytes without tags (> 512): ${JSON.stringify(line.slice(0, 120))}…`,
    );
    let checked: OutgoingMessage = m;
    if (tagBytes > IRC_TAG_DATA_MAX_BYTES) {
      stats.tagBudgetExceeded++;
      assert.ok(!strict, `${tagBytes} bytes of tags (> 4094)`);
      // a receiver would refuse the tags (417): check the rest of the line on its own
      checked = { ...m, tags: new Map<string, string>() };
    }
    const r = parseLine(Buffer.from(serializeLine(checked), 'utf8'));
    assert.ok(r.ok, `the line does not parse back: ${r.ok ? '' : r.reason}`);
    // one line is exactly one message, the one rendered: no injected command or parameter
    assert.deepStrictEqual(r.message, expectedRoundTrip(checked));
    if (TEXT_COMMANDS.has(r.message.command)) texts.push(r.message.params.at(-1) ?? '');
  }
  const command = env.command.toUpperCase();
  if (!TEXT_COMMANDS.has(command) || !Array.isArray(env.body)) {
    assert.ok(lines.length <= 1, `${command}: ${lines.length} lines for a one-line verb`);
    return;
  }
  const bodyLines = env.body.filter((l): l is string => typeof l === 'string' && l !== '');
  if (bodyLines.length > 0 && lines.length === 0) {
    stats.textDropped++;
    assert.ok(!strict, `${command}: the text was dropped (no line rendered)`);
    return;
  }
  // WALLOPS has no CTCP form: only PRIVMSG and NOTICE render actions
  const action = env.meta.action === true && command !== 'WALLOPS';
  const got = texts
    .map((t) => {
      if (!action) return t;
      assert.ok(t.startsWith(ACTION_OPEN) && t.endsWith('\x01'), 'an action chunk not in CTCP');
      return t.slice(ACTION_OPEN.length, -1);
    })
    .join('');
  assert.equal(got, bodyLines.map(asSent).join(''), 'the texts do not add up to the body');
  assert.ok(lines.length >= bodyLines.length, 'fewer lines than non-empty body lines');
}

/** splitText: the chunks join to the text, fit, and cut no code point or grapheme that fits. */
function checkSplit(prefix: number, text: string): void {
  const chunks = splitText(prefix, text);
  assert.equal(chunks.join(''), text);
  const budget = IRC_MESSAGE_MAX_BYTES - prefix;
  let at = 0;
  const starts = new Map<number, string>();
  for (const { index, segment } of graphemes.segment(text)) starts.set(index, segment);
  const boundaries = new Set([...starts.keys(), text.length]);
  for (const [i, chunk] of chunks.entries()) {
    assert.ok(chunk !== '' || chunks.length === 1, 'an empty chunk');
    const bytes = Buffer.byteLength(chunk.toWellFormed(), 'utf8');
    assert.ok(bytes <= budget, `chunk ${i}: ${bytes} bytes > ${budget}`);
    at += chunk.length;
    if (i === chunks.length - 1) break;
    const hi = text.charCodeAt(at - 1);
    const lo = text.charCodeAt(at);
    const pairCut = hi >= 0xd800 && hi <= 0xdbff && lo >= 0xdc00 && lo <= 0xdfff;
    assert.ok(!pairCut, `chunk ${i} cuts a surrogate pair`);
    if (!boundaries.has(at)) {
      // allowed only inside a grapheme larger than the whole budget
      let start = at;
      while (!starts.has(start)) start--;
      const g = starts.get(start)!;
      assert.ok(Buffer.byteLength(g, 'utf8') > budget, `chunk ${i} cuts a grapheme that fits`);
    }
  }
}

/** One hostile message an HTTP user sends in the live half. */
interface LiveMessage {
  command: 'PRIVMSG' | 'NOTICE' | 'TOPIC';
  body: string[];
  action: boolean;
}

/** Hostile, and most of the time cleaned of what HTTP refuses (so most reach the listener). */
const liveMessageArb: fc.Arbitrary<LiveMessage> = fc
  .record({
    command: fc.constantFrom('PRIVMSG', 'PRIVMSG', 'NOTICE', 'TOPIC'),
    body: fc.array(hostileString({ long: true }), { minLength: 1, maxLength: 6 }),
    action: fc.boolean(),
    clean: fc.nat({ max: 9 }),
  })
  .map(({ command, body, action, clean }) => {
    let lines = body;
    if (clean < 7) lines = lines.map((l) => l.toWellFormed().replace(/[\r\n\0\ufffd]/g, ''));
    if (command === 'TOPIC') lines = lines.slice(0, 1);
    // keep most within MAX_MESSAGE_SIZE: drop lines from the end while too long
    if (clean < 8) {
      while (
        lines.length > 1 &&
        lines.reduce((n, l) => n + Buffer.byteLength(l, 'utf8') + 1, 0) > MAX_MESSAGE_SIZE
      ) {
        lines = lines.slice(0, -1);
      }
    }
    return { command, body: lines, action: action && command !== 'TOPIC' };
  });

interface Expected {
  command: string;
  /** the text of the line; for TOPIC the whole topic, which the line may cut */
  text: string;
}

function expectedLines(m: LiveMessage, source: string): Expected[] {
  if (m.command === 'TOPIC') return [{ command: 'TOPIC', text: asSent(m.body.join(' ')) }];
  const base: OutgoingMessage = { source, command: m.command, params: [CHANNEL] };
  // an action's chunks are wrapped in CTCP, which must fit in the line too
  const overhead = textOverheadBytes(base) + (m.action ? ACTION_BYTES : 0);
  const out: Expected[] = [];
  for (const line of m.body) {
    if (line === '') continue;
    for (const chunk of splitText(overhead, line)) {
      out.push({
        command: m.command,
        text: asSent(m.action ? `${ACTION_OPEN}${chunk}\x01` : chunk),
      });
    }
  }
  return out;
}

interface SideReport {
  nick: string;
  received: number;
  expected: number;
  mismatched: number;
  unexpected: number;
  over512: number;
  tagsOver: number;
  malformed: number;
  maxLineBytes: number;
  firstMismatch: string | null;
}

function judgeSide(
  client: IrcClient,
  nick: string,
  from: number,
  endMarker: string,
  source: string,
  expected: Expected[],
): SideReport {
  const report: SideReport = {
    nick,
    received: 0,
    expected: expected.length,
    mismatched: 0,
    unexpected: 0,
    over512: 0,
    tagsOver: 0,
    malformed: client.malformed,
    maxLineBytes: 0,
    firstMismatch: null,
  };
  let k = 0;
  for (const { text } of client.lines.slice(from)) {
    const p = splitLine(text);
    const tagLen = p?.tags === null || p?.tags === undefined ? 0 : Buffer.byteLength(p.tags) + 2;
    const bytes = Buffer.byteLength(text, 'utf8') - tagLen + 2;
    report.maxLineBytes = Math.max(report.maxLineBytes, bytes);
    if (bytes > IRC_MESSAGE_MAX_BYTES) report.over512++;
    if (tagLen - 2 > IRC_TAG_DATA_MAX_BYTES) report.tagsOver++;
    if (p && p.command === 'PING') continue;
    if (p?.command === 'PRIVMSG' && p.params[1] === endMarker) break;
    const ours =
      p !== null &&
      p.source === source &&
      ['PRIVMSG', 'NOTICE', 'TOPIC'].includes(p.command) &&
      p.params[0] === CHANNEL &&
      p.params.length === 2;
    if (!ours) {
      report.unexpected++;
      report.firstMismatch ??= `unexpected line: ${text.slice(0, 200)}`;
      continue;
    }
    report.received++;
    const want = expected[k++];
    const got = p.params[1]!;
    const ok =
      want !== undefined &&
      want.command === p.command &&
      (want.command === 'TOPIC' ? want.text.startsWith(got) : want.text === got);
    if (!ok) {
      report.mismatched++;
      report.firstMismatch ??= `line ${k}: got ${p.command} ${JSON.stringify(got.slice(0, 80))}, want ${want ? `${want.command} ${JSON.stringify(want.text.slice(0, 80))}` : 'nothing'}`;
    }
  }
  return report;
}

async function live(ctx: TestContext, seed: number, count: number, c: Criteria) {
  const server: Proc = await startServer({ irc: true, env: { IRC_SESSIONS_PER_ADDRESS: '0' } });
  const clients: IrcClient[] = [];
  const a = agent(2);
  try {
    const ircPort = server.ircPort!;
    // the sender creates the channel (and so may set its TOPIC), then the IRC members join
    const sender = await createSession(server.port, 'd3sender', a);
    await send(server.port, sender.token, { command: 'JOIN', to: CHANNEL }, a);
    const plain = await registerIrc(ircPort, 'd3plain');
    const tagged = await registerIrc(ircPort, 'd3tagged', { caps: ['server-time'] });
    clients.push(plain, tagged);
    for (const cl of clients) {
      cl.send(`JOIN ${CHANNEL}`);
      await cl.waitFor(/ 366 /, 10_000);
    }
    // the sender's full mask as the IRC side sees it, from a first message
    const startMarker = `d3-start-${seed}`;
    await send(
      server.port,
      sender.token,
      { command: 'PRIVMSG', to: CHANNEL, body: [startMarker] },
      a,
    );
    const first = await plain.waitFor(new RegExp(` PRIVMSG ${CHANNEL} :?${startMarker}$`), 10_000);
    await tagged.waitFor(new RegExp(` PRIVMSG ${CHANNEL} :?${startMarker}$`), 10_000);
    const source = splitLine(first.text)!.source!;
    const starts = clients.map(
      (cl) =>
        cl.lines.findIndex(
          (l) => l.text.endsWith(` ${startMarker}`) || l.text.endsWith(`:${startMarker}`),
        ) + 1,
    );

    const messages = fc.sample(liveMessageArb, { numRuns: count, seed });
    const statuses: Record<string, number> = {};
    const expected: Expected[] = [];
    let accepted = 0;
    for (const m of messages) {
      if (Date.now() > ctx.deadline - 20_000) break;
      const r = await call<{ error?: string }>(server.port, 'POST', '/api/v1/messages', {
        token: sender.token,
        json: {
          command: m.command,
          to: CHANNEL,
          body: m.body,
          ...(m.action ? { meta: { action: true } } : {}),
        },
        agent: a,
      });
      const key = r.status === 200 ? '200' : `${r.status} ${r.body?.error ?? ''}`;
      statuses[key] = (statuses[key] ?? 0) + 1;
      if (r.status === 200) {
        accepted++;
        expected.push(...expectedLines(m, source));
      }
    }
    const endMarker = `d3-end-${seed}`;
    await send(server.port, sender.token, {
      command: 'PRIVMSG',
      to: CHANNEL,
      body: [endMarker],
    });
    for (const cl of clients) await cl.waitFor(new RegExp(` :?${endMarker}$`), 30_000);
    await sleep(100);
    const sides = clients.map((cl, i) =>
      judgeSide(cl, i === 0 ? 'd3plain' : 'd3tagged', starts[i]!, endMarker, source, expected),
    );
    for (const s of sides) {
      c.equal(`${s.nick}: lines received`, s.received, s.expected);
      c.equal(`${s.nick}: lines that differ from the expected text`, s.mismatched, 0);
      c.equal(`${s.nick}: unexpected lines (injected commands)`, s.unexpected, 0);
      c.equal(`${s.nick}: lines over 512 bytes without tags`, s.over512, 0);
      c.equal(`${s.nick}: tag data over 4094 bytes`, s.tagsOver, 0);
      c.equal(`${s.nick}: malformed lines (no CRLF, CR or NUL inside)`, s.malformed, 0);
      if (s.firstMismatch) ctx.log(`${s.nick}: ${s.firstMismatch}`);
    }
    c.check(!server.exited(), 'chatd still running');
    c.check(accepted >= messages.length / 3, `most live messages accepted (${accepted})`);
    return { sent: messages.length, accepted, statuses, sides };
  } finally {
    for (const cl of clients) cl.end();
    a.destroy();
    await stopAndClean(server);
  }
}

export const d3: ReliabilityTest = {
  id: 'D3',
  title: 'IRC line safety: rendered envelopes, hostile strings, real listener',
  tiers: ['ci', 'soak'],
  budgetSeconds: { ci: 120, soak: 1_500 },
  async run(ctx) {
    const c = new Criteria();
    const soak = ctx.tier === 'soak';
    const budget = budgetFor(ctx.tier, 1_000, 100_000, 300_000);
    const seed = seedFor();
    ctx.log(`seed ${seed} (replay with RELIABILITY_SEED=${seed})`);
    const runs: PropertyRun[] = [];
    const property = <T>(name: string, arb: fc.Arbitrary<T>, predicate: (v: T) => void) => {
      if (Date.now() > ctx.deadline - budget.timeLimitMs) {
        c.check(false, `${name}: not run, out of time`);
        return;
      }
      const r = checkSync(name, arb, predicate, budget, seed);
      runs.push(r);
      ctx.log(
        `${name}: ${r.runs} runs, slowest ${r.maxMs} ms` +
          (r.failed ? ` — FAILED: ${r.error}; counterexample ${r.counterexample}` : ''),
      );
    };
    const storable = newStats();
    const actions = newStats();
    const unbounded = newStats();
    property(
      'storable envelopes: safe lines, within 512 (+ tags), text never lost',
      fc.tuple(envelopeArb({ bounded: true, actions: false }), rcArb),
      ([env, rc]) => checkRendered(env, rc, true, storable),
    );
    property(
      'storable actions (PRIVMSG/NOTICE with meta.action): the same, each chunk in CTCP',
      fc.tuple(envelopeArb({ bounded: true, actions: true }), rcArb),
      ([env, rc]) => checkRendered(env, rc, true, actions),
    );
    property(
      'hostile strings everywhere (id and ts too): lines stay safe',
      fc.tuple(envelopeArb({ bounded: false, hostileIds: true, actions: false }), rcArb),
      ([env, rc]) => checkRendered(env, rc, false, unbounded),
    );
    property(
      'splitText: chunks join to the text, fit, cut no code point or grapheme that fits',
      fc.tuple(
        fc.integer({ min: 0, max: IRC_MESSAGE_MAX_BYTES - 4 }),
        hostileString({ long: true }),
      ),
      ([prefix, text]) => checkSplit(prefix, text),
    );
    for (const r of runs) for (const f of propertyFailures(r, ctx.tier === 'ci')) c.check(false, f);

    ctx.log('live: an HTTP sender, two IRC members on raw sockets');
    const liveFigures = await live(ctx, seed, soak ? 3_000 : 300, c);
    const totalRuns = runs.reduce((n, r) => n + r.runs, 0);
    return {
      figures: {
        runs: totalRuns,
        failures: runs.filter((r) => r.failed).length,
        seed,
        live_sent: liveFigures.sent,
        live_accepted: liveFigures.accepted,
        live_lines_expected: liveFigures.sides[0]?.expected,
        live_lines_received: liveFigures.sides.map((s) => s.received).join('/'),
        live_unexpected_lines: liveFigures.sides.reduce((n, s) => n + s.unexpected, 0),
        max_line_bytes_rendered: Math.max(storable.maxLineBytes, actions.maxLineBytes),
        storable,
        actions,
        unbounded,
        live: liveFigures,
        per_property: runs.map((r) => ({
          name: r.name,
          runs: r.runs,
          failed: r.failed,
          interrupted: r.interrupted,
          slowest_ms: r.maxMs,
          seconds: r.seconds,
          counterexample: r.counterexample,
          error: r.error,
        })),
      },
      failures: c.failures,
      notes: [
        `replay with RELIABILITY_SEED=${seed}`,
        'unbounded names can leave a PRIVMSG no room for its text (render.ts: "a line whose ' +
          'other parameters leave no room at all is not sent"); the core never stores such ' +
          `names (NICK_MAX 32, CHANNEL_MAX 64): ${unbounded.textDropped} such envelopes`,
        `a hostile id or ts (never the core's: a UUID and ISO-8601) took the tag data over 4094 ` +
          `bytes in ${unbounded.tagBudgetExceeded} lines`,
      ],
    };
  },
};
