// IRCv3 capability negotiation (src/transports/irc/capabilities.ts): table tests after the
// examples of the CAP spec (LS with and without 302, multi-line replies, LIST, REQ/ACK/NAK, END,
// 410, NEW/DEL), and fast-check properties (every line fits 512 bytes and holds no CR/LF/NUL,
// and any sequence of REQs leaves the enabled set a simple model predicts).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  CAP_NOTIFY,
  CapabilityTable,
  DEFAULT_CAPABILITIES,
  MAX_REQ_TOKENS,
  capDel,
  capNewReplies,
  handleCap,
  isEnabled,
  newCapState,
  type CapResult,
  type CapServer,
  type CapState,
} from '../../src/transports/irc/capabilities.js';
import {
  IRC_MESSAGE_MAX_BYTES,
  lineBytesWithoutTags,
  serializeLine,
  type OutgoingMessage,
} from '../../src/transports/irc/line-codec.js';

const SERVER: CapServer = { name: 'irc.test', offered: new CapabilityTable() };
const ALL_NAMES = DEFAULT_CAPABILITIES.map((c) => c.name).join(' ');

// The codec writes the ':' before a last parameter only when needed, so a one-token list has none
// (equivalent on the wire to the spec's examples, which always show it).
const lines = (replies: readonly OutgoingMessage[]) => replies.map(serializeLine);

/** Runs CAP commands in order (each a raw parameter string split on spaces, ':' = trailing). */
function run(commands: string[], nick: string | null = null, server = SERVER): CapResult[] {
  let state = newCapState();
  return commands.map((command) => {
    const colon = command.indexOf(' :');
    const head = colon < 0 ? command : command.slice(0, colon);
    const params = head.split(' ').filter((p) => p !== '');
    if (colon >= 0) params.push(command.slice(colon + 2));
    const result = handleCap(state, params, nick, server);
    state = result.state;
    return result;
  });
}

const last = (results: CapResult[]): CapResult => results[results.length - 1]!;
const enabled = (state: CapState) => [...state.enabled].sort();

function bigServer(count: number): CapServer {
  const caps = Array.from({ length: count }, (_, i) => ({
    name: `example.org/capability-${i}`,
    value: i % 3 === 0 ? `value-${i},more-${i}` : undefined,
  }));
  return { name: 'irc.example.org', offered: new CapabilityTable(caps) };
}

test('CAP LS without a version: names only, one line, suspends registration', () => {
  const [ls] = run(['LS']);
  assert.deepEqual(lines(ls!.replies), [`:irc.test CAP * LS :${ALL_NAMES}`]);
  assert.equal(ls!.state.suspended, true);
  assert.equal(ls!.state.version, 0);
  assert.equal(isEnabled(ls!.state, CAP_NOTIFY), false);
});

test('CAP LS 302: values, cap-notify implied; a later plain LS is names only, version kept', () => {
  const [v302, plain, v999] = run(['LS 302', 'LS', 'LS 999']);
  const withValues = ALL_NAMES.replace(/\bsasl$/, 'sasl=PLAIN');
  assert.deepEqual(lines(v302!.replies), [`:irc.test CAP * LS :${withValues}`]);
  assert.equal(v302!.state.version, 302);
  assert.equal(isEnabled(v302!.state, CAP_NOTIFY), true);
  assert.deepEqual(lines(plain!.replies), [`:irc.test CAP * LS :${ALL_NAMES}`]);
  assert.equal(plain!.state.version, 302);
  assert.equal(v999!.state.version, 999);
  assert.match(serializeLine(v999!.replies[0]!), /sasl=PLAIN$/);
  // A version that is not a number is ignored like a missing one.
  assert.equal(last(run(['LS 3.2'])).state.version, 0);
});

test('CAP LS with nothing offered sends an empty parameter', () => {
  const empty: CapServer = { name: 'irc.test', offered: new CapabilityTable([]) };
  assert.deepEqual(lines(run(['LS 302'], null, empty)[0]!.replies), [':irc.test CAP * LS :']);
  assert.deepEqual(lines(run(['LS'], null, empty)[0]!.replies), [':irc.test CAP * LS :']);
});

test('a large offer: 302 gets several lines with *, older clients one line that fits', () => {
  const server = bigServer(120);
  const all = server.offered.lsTokens(true);
  const [ls302] = run(['LS 302'], null, server);
  assert.ok(ls302!.replies.length > 2);
  ls302!.replies.forEach((reply, i) => {
    assert.ok(lineBytesWithoutTags(reply) <= IRC_MESSAGE_MAX_BYTES);
    const isLast = i === ls302!.replies.length - 1;
    assert.equal(reply.params.length, isLast ? 3 : 4);
    if (!isLast) assert.equal(reply.params[2], '*');
  });
  const tokens = ls302!.replies.flatMap((r) => r.params[r.params.length - 1]!.split(' '));
  assert.deepEqual(tokens, all);

  const [old] = run(['LS'], null, server);
  assert.equal(old!.replies.length, 1);
  const reply = old!.replies[0]!;
  assert.ok(lineBytesWithoutTags(reply) <= IRC_MESSAGE_MAX_BYTES);
  assert.ok(lineBytesWithoutTags(reply) > IRC_MESSAGE_MAX_BYTES - 30, 'the line is filled');
  assert.equal(reply.params.length, 3);
  const names = reply.params[2]!.split(' ');
  assert.deepEqual(names, server.offered.names.slice(0, names.length));
});

test('CAP LIST: empty, then the enabled set; multi-line only after 302', () => {
  const [empty, , list] = run(['LIST', 'REQ :multi-prefix sasl', 'LIST']);
  assert.deepEqual(lines(empty!.replies), [':irc.test CAP * LIST :']);
  assert.equal(empty!.state.suspended, false, 'LIST does not suspend registration');
  assert.deepEqual(lines(list!.replies), [':irc.test CAP * LIST :multi-prefix sasl']);
  const implicit = run(['LS 302', 'LIST'], 'dan');
  assert.deepEqual(lines(last(implicit).replies), [':irc.test CAP dan LIST cap-notify']);

  // Enabled 15 at a time, so that each ACK fits one line.
  const server = bigServer(60);
  const reqs = [0, 15, 30, 45].map(
    (i) => `REQ :${server.offered.names.slice(i, i + 15).join(' ')}`,
  );
  const modern = last(run(['LS 302', ...reqs, 'LIST'], null, server));
  assert.ok(modern.replies.length > 1);
  assert.ok(modern.replies.slice(0, -1).every((r) => r.params[2] === '*'));
  const listed = modern.replies.flatMap((r) => r.params[r.params.length - 1]!.split(' '));
  assert.deepEqual(listed.sort(), [...server.offered.names, CAP_NOTIFY].sort());
  const older = last(run([...reqs, 'LIST'], null, server));
  assert.equal(older.state.enabled.size, 60);
  assert.equal(older.replies.length, 1);
  assert.ok(lineBytesWithoutTags(older.replies[0]!) <= IRC_MESSAGE_MAX_BYTES);
});

test('CAP REQ: ACK echoes the list; NAK is atomic; - removes; left to right', () => {
  const [ack, nak] = run(['REQ :multi-prefix sasl', 'REQ :-multi-prefix sasl ex3']);
  assert.deepEqual(lines(ack!.replies), [':irc.test CAP * ACK :multi-prefix sasl']);
  assert.deepEqual(lines(nak!.replies), [':irc.test CAP * NAK :-multi-prefix sasl ex3']);
  assert.deepEqual(enabled(nak!.state), ['multi-prefix', 'sasl']);
  const [, removed, again] = run(['REQ :batch', 'REQ :-batch', 'REQ :-batch -sasl']);
  assert.deepEqual(lines(removed!.replies), [':irc.test CAP * ACK -batch']);
  assert.deepEqual(lines(again!.replies), [':irc.test CAP * ACK :-batch -sasl']);
  assert.deepEqual(enabled(again!.state), []);
  assert.deepEqual(enabled(run(['REQ :batch -batch'])[0]!.state), []);
  assert.deepEqual(enabled(run(['REQ :-batch batch'])[0]!.state), ['batch']);
  // Without the colon, the parameters after REQ are the list.
  assert.deepEqual(lines(run(['REQ batch setname'])[0]!.replies), [
    ':irc.test CAP * ACK :batch setname',
  ]);
});

test('CAP REQ refuses values, leading dashes, wrong case, and a cap outside the offer', () => {
  for (const list of ['sasl=PLAIN', '--batch', '-', 'BATCH', 'batch nope']) {
    const [result] = run([`REQ :${list}`]);
    assert.equal(result!.replies[0]!.params[1], 'NAK', list);
    assert.deepEqual(enabled(result!.state), []);
  }
  const noSasl: CapServer = { ...SERVER, offered: SERVER.offered.without('sasl') };
  assert.equal(run(['REQ :sasl'], null, noSasl)[0]!.replies[0]!.params[1], 'NAK');
  assert.ok(!noSasl.offered.lsTokens(true).some((t) => t.startsWith('sasl')));
});

test('cap-notify: a 302 client cannot disable it; an older client can', () => {
  const [, ackNotify, nak] = run(['LS 302', 'REQ :cap-notify', 'REQ :batch -cap-notify']);
  assert.equal(ackNotify!.replies[0]!.params[1], 'ACK');
  assert.deepEqual(enabled(ackNotify!.state), [CAP_NOTIFY]);
  assert.equal(nak!.replies[0]!.params[1], 'NAK');
  assert.deepEqual(enabled(nak!.state), [CAP_NOTIFY]);
  const [on, off] = run(['REQ :cap-notify', 'REQ :-cap-notify']);
  assert.deepEqual(enabled(on!.state), [CAP_NOTIFY]);
  assert.equal(off!.replies[0]!.params[1], 'ACK');
  assert.deepEqual(enabled(off!.state), []);
});

test(`CAP REQ over ${MAX_REQ_TOKENS} tokens is NAKed whole; at the bound it is ACKed`, () => {
  const at = Array.from({ length: MAX_REQ_TOKENS }, () => 'batch').join(' ');
  assert.equal(run([`REQ :${at}`])[0]!.replies[0]!.params[1], 'ACK');
  const [over] = run([`REQ :${at} batch`]);
  assert.equal(over!.replies[0]!.params[1], 'NAK');
  assert.deepEqual(enabled(over!.state), []);
  assert.equal(over!.replies.flatMap((r) => r.params[2]!.split(' ')).length, MAX_REQ_TOKENS + 1);
});

test('a REQ whose ACK would not fit one line is NAKed, over lines that fit', () => {
  const list = Array.from({ length: 28 }, () => 'labeled-response').join(' ');
  assert.equal(run([`REQ :${list}`])[0]!.replies[0]!.params[1], 'ACK', 'fits with nick *');
  const [result] = run([`REQ :${list}`], 'n'.repeat(30));
  assert.ok(result!.replies.length >= 2);
  for (const reply of result!.replies) {
    assert.equal(reply.params[1], 'NAK');
    assert.ok(lineBytesWithoutTags(reply) <= IRC_MESSAGE_MAX_BYTES);
  }
  assert.deepEqual(enabled(result!.state), []);
});

test('registration: LS or REQ suspends it until END; END after registration is ignored', () => {
  const [req, end, again] = run(['REQ :batch', 'END', 'END']);
  assert.equal(req!.state.suspended, true);
  assert.deepEqual(end!.replies, []);
  assert.equal(end!.resumeRegistration, true);
  assert.equal(end!.state.suspended, false);
  assert.equal(again!.resumeRegistration, false);
  assert.equal(run(['REQ :nope'])[0]!.state.suspended, true, 'even a NAKed REQ suspends');
  const [registered, ignored] = run(['LS 302', 'END'], 'dan');
  assert.equal(registered!.state.suspended, false);
  assert.equal(ignored!.resumeRegistration, false);
  assert.deepEqual(ignored!.replies, []);
  assert.equal(run(['END'])[0]!.resumeRegistration, false, 'END without negotiation');
});

test('nick is * before registration and the nick after; subcommands are case-insensitive', () => {
  assert.deepEqual(lines(run(['list'], 'jw')[0]!.replies), [':irc.test CAP jw LIST :']);
  assert.deepEqual(lines(run(['req :batch'])[0]!.replies), [':irc.test CAP * ACK batch']);
});

test('invalid commands: 410 for unknown or client-sent server subcommands, 461 for none', () => {
  assert.deepEqual(lines(run(['FOO'], 'jw')[0]!.replies), [
    ':irc.test 410 jw FOO :Invalid CAP command',
  ]);
  assert.deepEqual(lines(run(['FOO'])[0]!.replies), [':irc.test 410 * FOO :Invalid CAP command']);
  for (const sub of ['ACK', 'NAK', 'NEW', 'DEL', 'CLEAR']) {
    assert.equal(run([sub])[0]!.replies[0]!.command, '410', sub);
  }
  assert.deepEqual(lines(run(['REQ'])[0]!.replies), [':irc.test 410 * REQ :Invalid CAP command']);
  assert.deepEqual(lines(handleCap(newCapState(), [], null, SERVER).replies), [
    ':irc.test 461 * CAP :Not enough parameters',
  ]);
  const [long] = run(['X'.repeat(400)]);
  assert.equal(long!.replies[0]!.params[1], 'X'.repeat(32));
  assert.equal(long!.state.suspended, false);
});

test('CAP NEW and DEL go only to clients with cap-notify; DEL cancels the capability', () => {
  const server: CapServer = { ...SERVER, offered: SERVER.offered.without('sasl') };
  const old = run(['REQ :batch sasl']);
  assert.deepEqual(capNewReplies(last(old).state, null, SERVER, ['sasl']), []);
  const del = capDel(last(old).state, null, server, ['sasl']);
  assert.deepEqual(del.replies, []);
  assert.deepEqual(enabled(del.state), ['batch'], 'cancelled even without cap-notify');

  const modern = last(run(['LS 302', 'REQ :sasl'], 'dan')).state;
  assert.deepEqual(lines(capNewReplies(modern, 'dan', SERVER, ['sasl', 'batch'])), [
    ':irc.test CAP dan NEW :sasl=PLAIN batch',
  ]);
  const gone = capDel(modern, 'dan', server, ['sasl']);
  assert.deepEqual(lines(gone.replies), [':irc.test CAP dan DEL sasl']);
  assert.equal(isEnabled(gone.state, 'sasl'), false);
  const explicit = last(run(['REQ :cap-notify'])).state;
  assert.deepEqual(lines(capNewReplies(explicit, null, SERVER, ['sasl'])), [
    ':irc.test CAP * NEW sasl',
  ]);
  assert.throws(() => capDel(modern, 'dan', server, [CAP_NOTIFY]), RangeError);
  assert.throws(() => capNewReplies(modern, 'dan', server, ['sasl']), RangeError);
});

test('the table refuses names the wire could not carry, and repeats', () => {
  for (const name of ['', '-x', 'a b', 'a=b', 'caf\u00e9', 'x\r']) {
    assert.throws(() => new CapabilityTable([{ name }]), TypeError, JSON.stringify(name));
  }
  assert.throws(() => new CapabilityTable([{ name: 'a', value: 'b c' }]), TypeError);
  assert.throws(() => new CapabilityTable([{ name: 'a' }, { name: 'a' }]), TypeError);
});

// --- Properties ---

const offeredNames = DEFAULT_CAPABILITIES.map((c) => c.name);
const withDash = (names: string[]) =>
  fc.tuple(fc.boolean(), fc.constantFrom(...names)).map(([m, n]) => (m ? '-' : '') + n);
/** Mostly offered names, some that must be refused; long runs of offered names only. */
const reqTokens = fc.oneof(
  fc.array(withDash([...offeredNames, 'nope', 'BATCH', 'sasl=PLAIN', '']), { maxLength: 12 }),
  // 25 to 70 valid tokens: reach the 64-token bound and ACKs too long for one line.
  fc.array(withDash(offeredNames), { minLength: 25, maxLength: 70 }),
);
const hostileChar = fc.oneof(
  fc.constantFrom('\r', '\n', '\0', ' ', ':', '-', '=', '*', '\uD800', '\uDFFF', '\u{1F600}'),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
);
const hostileToken = fc.string({ unit: hostileChar, minLength: 1, maxLength: 40 });
const nick = fc.option(fc.stringMatching(/^[A-Za-z[\]\\`_^{|}][A-Za-z0-9[\]\\`_^{|}-]{0,29}$/));
const serverName = fc.constantFrom('irc.test', `${'a'.repeat(60)}.example.org`);

type Command = { kind: 'ls'; version: string | undefined } | { kind: 'req'; tokens: string[] };
const lsCommand = fc.record({
  kind: fc.constant('ls' as const),
  version: fc.option(fc.constantFrom('301', '302', '303', '0302', 'x'), { nil: undefined }),
});
const reqCommand = (tokens: fc.Arbitrary<string[]>) =>
  fc.record({ kind: fc.constant('req' as const), tokens });
const otherCommand = fc.constantFrom(['LIST'], ['END'], ['FOO'], ['ACK', 'batch'], []);

function paramsOf(command: Command | readonly string[]): readonly string[] {
  if (!('kind' in command)) return command;
  if (command.kind === 'ls')
    return command.version === undefined ? ['LS'] : ['LS', command.version];
  return ['REQ', command.tokens.join(' ')];
}

function assertSafe(replies: readonly OutgoingMessage[]): void {
  for (const reply of replies) {
    assert.ok(lineBytesWithoutTags(reply) <= IRC_MESSAGE_MAX_BYTES, serializeLine(reply));
    assert.doesNotMatch(serializeLine(reply), /[\r\n\0]/);
  }
}

const offers = fc.constantFrom(SERVER.offered, bigServer(80).offered, new CapabilityTable([]));

test('property: every reply line fits 512 bytes, whatever the commands, nick and offer', () => {
  const command = fc.oneof(
    lsCommand,
    reqCommand(fc.oneof(reqTokens, fc.array(hostileToken, { maxLength: 70 }))),
    otherCommand,
  );
  fc.assert(
    fc.property(fc.array(command, { maxLength: 8 }), nick, serverName, offers, (cmds, n, s, o) => {
      let state = newCapState();
      for (const cmd of cmds) {
        const result = handleCap(state, paramsOf(cmd), n, { name: s, offered: o });
        assertSafe(result.replies);
        state = result.state;
      }
      const names = o.names.filter((name) => name !== CAP_NOTIFY).slice(0, 40);
      assertSafe(capNewReplies(state, n, { name: s, offered: o }, names));
      assertSafe(capDel(state, n, { name: s, offered: o }, names).replies);
    }),
    { numRuns: 200 },
  );
});

test('property: hostile cap names in REQ never put CR, LF or NUL on the wire', () => {
  fc.assert(
    fc.property(fc.array(hostileToken, { minLength: 1, maxLength: 80 }), nick, (tokens, n) => {
      const result = handleCap(newCapState(), ['REQ', ...tokens.slice(0, 14)], n, SERVER);
      assertSafe(result.replies);
      const joined = handleCap(newCapState(), ['REQ', tokens.join(' ')], n, SERVER);
      assertSafe(joined.replies);
    }),
    { numRuns: 300 },
  );
});

/** The rules restated without the module: what a REQ sequence should leave enabled. */
function model(commands: Command[], nickName: string | null): Set<string> {
  const offered = new Set(DEFAULT_CAPABILITIES.map((c) => c.name));
  let v302 = false;
  let on = new Set<string>();
  for (const cmd of commands) {
    if (cmd.kind === 'ls') {
      if (cmd.version !== undefined && /^\d+$/.test(cmd.version) && +cmd.version >= 302) {
        v302 = true;
        on.add(CAP_NOTIFY);
      }
      continue;
    }
    const tokens = cmd.tokens.join(' ').split(' ').filter(Boolean);
    const ackLine = `:irc.test CAP ${nickName ?? '*'} ACK :${tokens.join(' ')}\r\n`;
    if (tokens.length === 0 || tokens.length > 64 || Buffer.byteLength(ackLine) > 512) continue;
    const next = new Set(on);
    const ok = tokens.every((token) => {
      const removal = token.startsWith('-');
      const name = removal ? token.slice(1) : token;
      if (v302 && name === CAP_NOTIFY) return !removal;
      if (!offered.has(name)) return false;
      if (removal) next.delete(name);
      else next.add(name);
      return true;
    });
    if (ok) on = next;
  }
  return on;
}

test('property: any sequence of REQs leaves the enabled set the model predicts', () => {
  const command = fc.oneof(
    { arbitrary: lsCommand, weight: 1 },
    { arbitrary: reqCommand(reqTokens), weight: 4 },
  );
  fc.assert(
    fc.property(fc.array(command, { maxLength: 12 }), nick, (commands, n) => {
      let state = newCapState();
      commands.forEach((cmd, i) => {
        const result = handleCap(state, paramsOf(cmd), n, SERVER);
        state = result.state;
        assert.deepEqual(enabled(state), [...model(commands.slice(0, i + 1), n)].sort());
        if (cmd.kind === 'req' && result.replies[0]?.params[1] === 'ACK') {
          assert.equal(result.replies.length, 1);
          assert.equal(result.replies[0].params[2], cmd.tokens.filter(Boolean).join(' '));
        }
      });
    }),
    { numRuns: 200 },
  );
});
