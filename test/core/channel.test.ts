// Core scenarios: JOIN, PART, PRIVMSG, NOTICE, TOPIC through the real core and SQLite store.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import { commands, makeHarness, texts, type Harness } from '../helpers/core-harness.js';

let h: Harness;
beforeEach(async () => (h = await makeHarness()));
afterEach(async () => h.close());

test('the welcome burst starts every new queue', async () => {
  const alice = await h.user('alice');
  const burst = await alice.drain();
  assert.deepEqual(commands(burst), [
    '001',
    '002',
    '003',
    '004',
    '005',
    '251',
    '252',
    '254',
    '255',
    '265',
    '266',
    '375',
    '372',
    '372',
    '376',
  ]);
  const welcome = burst[0]!;
  assert.equal(welcome.from, 'test.chat');
  assert.equal(welcome.to, 'alice');
  assert.deepEqual(welcome.params, []);
  assert.match(
    (welcome.body as string[])[0]!,
    /^Welcome to the TestNet Network, alice!~alice@s\d+\.test\.chat$/,
  );
  const isupport = burst[4]!;
  assert.ok(isupport.params.includes('CASEMAPPING=rfc1459'));
  assert.ok(isupport.params.includes('PREFIX=(ov)@+'));
  assert.ok(isupport.params.includes('NETWORK=TestNet'));
});

test('JOIN creates a +nt channel, the creator is op, the joiner gets names', async () => {
  const alice = await h.user('alice');
  await alice.drain();
  const res = await alice.send({ command: 'JOIN', to: '#Chat' });
  assert.equal(typeof res.seq, 'number');
  assert.deepEqual(commands(res.replies), ['353', '366']);
  assert.deepEqual(res.replies[0]!.params, ['=', '#Chat']);
  assert.deepEqual(res.replies[0]!.body, ['@alice']);
  const queued = await alice.drain();
  assert.deepEqual(commands(queued), ['JOIN', '353', '366']);
  assert.equal(queued[0]!.id, res.id);
  assert.equal(queued[1]!.id, res.replies[0]!.id, 'replies carry the queued ids');
  const mode = await alice.send({ command: 'MODE', to: '#chat' });
  assert.deepEqual(mode.replies[0]!.body, ['+nt']);
  assert.equal(mode.replies[1]!.command, '329');
});

test('a second member sees JOIN, messages reach every member once, in order', async () => {
  const alice = await h.user('alice');
  const bob = await h.user('bob');
  const carol = await h.user('carol');
  await alice.send({ command: 'JOIN', to: '#c' });
  await bob.send({ command: 'JOIN', to: '#C' });
  await alice.drain();
  await bob.drain();
  await carol.drain();
  for (let i = 0; i < 5; i++) await alice.send({ command: 'PRIVMSG', to: '#c', body: [`a${i}`] });
  await bob.send({ command: 'PRIVMSG', to: '#c', body: ['b0'] });
  assert.deepEqual(texts(await alice.drain()), ['a0', 'a1', 'a2', 'a3', 'a4', 'b0']);
  assert.deepEqual(texts(await bob.drain()), ['a0', 'a1', 'a2', 'a3', 'a4', 'b0']);
  assert.deepEqual(await carol.drain(), [], 'a non-member receives nothing');
});

test('JOIN with several targets answers 200 if any succeeded, refusals among the replies', async () => {
  const alice = await h.user('alice');
  const res = await alice.send({ command: 'JOIN', to: '#ok,#bad\u0007name,nohash' });
  assert.deepEqual(commands(res.replies), ['353', '366', '479', '403']);
  const err = await alice.refused({ command: 'JOIN', to: 'nohash,#a b' });
  assert.equal(err.numeric, '403');
  assert.equal(err.status, 404);
  assert.deepEqual(commands(err.replies), ['403', '479']);
});

test('JOIN refuses more than MAX_CHANNELS with 405', async () => {
  const alice = await h.user('alice');
  for (let i = 0; i < 5; i++) await alice.send({ command: 'JOIN', to: `#c${i}` });
  const err = await alice.refused({ command: 'JOIN', to: '#c5' });
  assert.equal(err.numeric, '405');
  assert.equal(err.status, 403);
});

test('PRIVMSG from outside a +n channel is 404 (HTTP 403), queued to the caller only', async () => {
  const alice = await h.user('alice');
  const bob = await h.user('bob');
  await alice.send({ command: 'JOIN', to: '#c' });
  await alice.drain();
  await bob.drain();
  const err = await bob.refused({ command: 'PRIVMSG', to: '#c', body: ['hi'] });
  assert.equal(err.numeric, '404');
  assert.equal(err.status, 403);
  assert.equal(err.code, 'cannot_send_to_channel');
  assert.deepEqual(commands(await bob.drain()), ['404']);
  assert.deepEqual(await alice.drain(), []);
});

test('PRIVMSG refusals: 411, 412, 401, 403, 421; NOTICE queues nothing', async () => {
  const alice = await h.user('alice');
  await alice.drain();
  assert.equal((await alice.refused({ command: 'PRIVMSG', body: ['x'] })).numeric, '411');
  assert.equal((await alice.refused({ command: 'PRIVMSG', to: 'bob', body: [] })).numeric, '412');
  assert.equal(
    (await alice.refused({ command: 'PRIVMSG', to: 'bob', body: ['x'] })).numeric,
    '401',
  );
  assert.equal(
    (await alice.refused({ command: 'PRIVMSG', to: '#none', body: ['x'] })).numeric,
    '403',
  );
  const unknown = await alice.refused({ command: 'FROB' });
  assert.equal(unknown.numeric, '421');
  assert.deepEqual(unknown.params, ['FROB']);
  assert.deepEqual(commands(await alice.drain()), ['411', '412', '401', '403', '421']);
  const n = await alice.refused({ command: 'NOTICE', to: 'bob', body: ['x'] });
  assert.equal(n.numeric, '401');
  assert.deepEqual(n.replies, []);
  assert.deepEqual(await alice.drain(), [], 'NOTICE never produces replies');
});

test('text with CR, LF or NUL, too many bytes or lines is refused and stores nothing', async () => {
  const alice = await h.user('alice');
  await alice.send({ command: 'JOIN', to: '#c' });
  await alice.drain();
  for (const body of [['a\rb'], ['a\nb'], ['a\u0000b'], ['x'.repeat(4097)], Array(101).fill('x')]) {
    const err = await alice.refused({ command: 'PRIVMSG', to: '#c', body });
    assert.equal(err.status, 400);
  }
  assert.equal(
    (await alice.refused({ command: 'PRIVMSG', to: '#c\r', body: ['x'] })).code,
    'invalid_characters',
  );
  assert.deepEqual(await alice.drain(), []);
  const page = await h.core.history(alice.caller, { target: '#c', before: null, limit: 50 });
  assert.deepEqual(page.messages, []);
});

test('PART reaches all members including the leaver; nothing after; empty channel removed', async () => {
  const alice = await h.user('alice');
  const bob = await h.user('bob');
  await alice.send({ command: 'JOIN', to: '#c' });
  await bob.send({ command: 'JOIN', to: '#c' });
  await bob.send({ command: 'PRIVMSG', to: '#c', body: ['before'] });
  await alice.drain();
  await bob.drain();
  await bob.send({ command: 'PART', to: '#c', body: ['bye'] });
  await alice.send({ command: 'PRIVMSG', to: '#c', body: ['after'] });
  const b = await bob.drain();
  assert.deepEqual(commands(b), ['PART']);
  assert.deepEqual(b[0]!.body, ['bye']);
  assert.deepEqual(commands(await alice.drain()), ['PART', 'PRIVMSG']);
  assert.equal((await bob.refused({ command: 'PART', to: '#c' })).numeric, '442');
  await alice.send({ command: 'PART', to: '#c' });
  assert.equal((await alice.refused({ command: 'PART', to: '#c' })).numeric, '403');
  // Re-created: a new channel, with none of the old history.
  await bob.send({ command: 'JOIN', to: '#c' });
  const page = await h.core.history(bob.caller, { target: '#c', before: null, limit: 50 });
  assert.deepEqual(page.messages, []);
});

test('TOPIC: 331 when unset, set by op, 332/333, +t refuses non-ops (482), non-members 442', async () => {
  const alice = await h.user('alice');
  const bob = await h.user('bob');
  const carol = await h.user('carol');
  await alice.send({ command: 'JOIN', to: '#c' });
  await bob.send({ command: 'JOIN', to: '#c' });
  assert.deepEqual(commands((await bob.send({ command: 'TOPIC', to: '#c' })).replies), ['331']);
  assert.equal((await bob.refused({ command: 'TOPIC', to: '#c', body: ['mine'] })).numeric, '482');
  assert.equal((await carol.refused({ command: 'TOPIC', to: '#c', body: ['x'] })).numeric, '442');
  await alice.drain();
  await bob.drain();
  h.advance(1000);
  await alice.send({ command: 'TOPIC', to: '#c', body: ['Hello world'] });
  const ev = (await bob.drain()).find((e) => e.command === 'TOPIC')!;
  assert.deepEqual(ev.body, ['Hello world']);
  assert.equal(ev.from, 'alice');
  const q = await carol.send({ command: 'TOPIC', to: '#c' });
  assert.deepEqual(commands(q.replies), ['332', '333']);
  assert.deepEqual(q.replies[1]!.params, ['#c', 'alice']);
  assert.deepEqual(q.replies[1]!.body, [String(Date.parse('2026-01-01T00:00:01Z') / 1000)]);
  // JOIN shows the topic
  const join = await carol.send({ command: 'JOIN', to: '#c' });
  assert.deepEqual(commands(join.replies), ['332', '333', '353', '366']);
  assert.deepEqual(join.replies[2]!.body, ['@alice bob carol']);
  await alice.send({ command: 'TOPIC', to: '#c', body: [''] });
  assert.deepEqual(commands((await carol.send({ command: 'TOPIC', to: '#c' })).replies), ['331']);
});
