// `source` on envelopes (docs/envelope-and-delivery.md): the sender's nick!user@host when the
// event happened, on every event a session originates; never on the server's own envelopes.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import type { Envelope } from '../../src/model/envelope.js';
import { makeHarness, TestClient, type Harness } from '../helpers/core-harness.js';

let h: Harness;
beforeEach(async () => (h = await makeHarness()));
afterEach(async () => h.close());

const PW = 'correct horse battery';
const id = (c: TestClient, nick: string) => `${nick}!~${nick}@s${c.caller.sessionId}.test.chat`;
const fromServer = (e: Envelope) => e.from === 'test.chat';

test('PRIVMSG carries the sender’s identity; numerics and PONG carry none', async () => {
  const alice = await h.user('alice');
  const bob = await h.user('bob');
  const join = await alice.send({ command: 'JOIN', to: '#a' });
  assert.ok(join.replies.length > 0 && join.replies.every((e) => !('source' in e)));
  await bob.send({ command: 'JOIN', to: '#a' });
  await alice.send({ command: 'PRIVMSG', to: '#a', body: ['hi'] });
  await alice.send({ command: 'NOTICE', to: 'bob', body: ['psst'] });
  await bob.send({ command: 'PING', body: ['x'] });
  const got = await bob.drain();
  const msg = got.find((e) => e.command === 'PRIVMSG');
  assert.equal(msg?.source, id(alice, 'alice'));
  assert.equal(got.find((e) => e.command === 'NOTICE')?.source, id(alice, 'alice'));
  assert.equal(got.find((e) => e.command === 'JOIN' && e.from === 'bob')?.source, id(bob, 'bob'));
  const server = got.filter(fromServer);
  assert.ok(server.some((e) => e.command === '001') && server.some((e) => e.command === 'PONG'));
  for (const e of server) assert.ok(!('source' in e), `${e.command} has no source`);
  // stored inside the envelope: history has it too
  const hist = await h.core.history(bob.caller, { target: '#a', before: null, limit: 10 });
  assert.equal(hist.messages[0]?.source, id(alice, 'alice'));
});

test('NICK comes from the old identity; what follows from the new one', async () => {
  const alice = await h.user('alice');
  const bob = await h.user('bob');
  await alice.send({ command: 'JOIN', to: '#a' });
  await bob.send({ command: 'JOIN', to: '#a' });
  await bob.drain();
  await alice.send({ command: 'NICK', body: ['alicia'] });
  await alice.send({ command: 'PRIVMSG', to: '#a', body: ['renamed'] });
  const [nick, msg] = await bob.drain();
  assert.equal(nick?.command, 'NICK');
  assert.equal(nick?.from, 'alice');
  assert.equal(nick?.source, id(alice, 'alice'));
  // the user part keeps the nick the session was created with
  assert.equal(msg?.source, `alicia!~alice@s${alice.caller.sessionId}.test.chat`);
});

test('QUIT carries the quitter’s identity, also when it was killed by an operator', async () => {
  const alice = await h.user('alice');
  const bob = await h.user('bob');
  const oper = await h.user('oper');
  for (const c of [alice, bob, oper]) await c.send({ command: 'JOIN', to: '#a' });
  await oper.send({ command: 'OPER', params: ['admin', 'oper-secret'] });
  await oper.drain();
  await alice.send({ command: 'QUIT', body: ['bye'] });
  const [quit] = await oper.drain();
  assert.equal(quit?.command, 'QUIT');
  assert.equal(quit?.source, id(alice, 'alice'));
  await oper.send({ command: 'KILL', to: 'bob', body: ['spam'] });
  const killed = (await oper.drain()).find((e) => e.command === 'QUIT');
  assert.equal(killed?.source, id(bob, 'bob'));
});

test('user MODE, TOPIC, PART and the replayed JOINs of a login carry it; server NOTICEs do not', async () => {
  const alice = await h.user('alice');
  await alice.send({ command: 'JOIN', to: '#a,#b' });
  await alice.send({ command: 'TOPIC', to: '#a', body: ['t'] });
  await alice.send({ command: 'MODE', to: 'alice', params: ['+w'] });
  await alice.send({ command: 'PART', to: '#b' });
  const pass = await alice.send({ command: 'PASS', body: [PW] });
  assert.equal(pass.replies[0]?.command, 'NOTICE');
  assert.ok(!('source' in pass.replies[0]));
  const events = (await alice.drain()).filter((e) => !fromServer(e));
  assert.deepEqual(
    events.map((e) => e.command),
    // the first password makes an account: ACCOUNT (account-notify) comes from alice too
    ['JOIN', 'JOIN', 'TOPIC', 'MODE', 'PART', 'ACCOUNT'],
  );
  for (const e of events) assert.equal(e.source, id(alice, 'alice'), e.command);
  const created = await h.core.login('alice', PW, '10.0.0.1');
  const phone = new TestClient(
    h.core,
    h.delivery,
    { sessionId: created.id, clientId: created.client_id },
    created.token,
  );
  const replayed = (await phone.drain()).filter((e) => e.command === 'JOIN');
  assert.equal(replayed.length, 1);
  assert.equal(replayed[0]?.source, id(alice, 'alice'));
});
