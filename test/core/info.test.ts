// Core scenarios: VERSION, TIME, ADMIN, INFO (with a server target: ours or 402), USERHOST and
// ISON, with the exact numerics, params and texts.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import type { Envelope } from '../../src/model/envelope.js';
import { commands, makeHarness, type Harness } from '../helpers/core-harness.js';

let h: Harness;
beforeEach(async () => (h = await makeHarness()));
afterEach(async () => h.close());

const shape = (envs: Envelope[]) => envs.map((e) => [e.command, e.params, e.body]);
const T0_TEXT = 'Thu, 01 Jan 2026 00:00:00 GMT';

test('VERSION answers 351 then 005, and queues both to the caller', async () => {
  const alice = await h.user('alice');
  await alice.drain();
  const res = await alice.send({ command: 'version' });
  assert.deepEqual(commands(res.replies), ['351', '005']);
  assert.deepEqual(shape(res.replies.slice(0, 1)), [
    ['351', ['chat-0.0.0-test.', 'test.chat'], ['IRC semantics over HTTP+JSON']],
  ]);
  const isupport = res.replies[1]!;
  assert.ok(isupport.params.includes('CASEMAPPING=rfc1459'));
  assert.ok(isupport.params.includes('NETWORK=TestNet'));
  assert.deepEqual(isupport.body, ['are supported by this server']);
  for (const r of res.replies) assert.deepEqual([r.from, r.to], ['test.chat', 'alice']);
  assert.deepEqual(
    (await alice.drain()).map((e) => e.id),
    res.replies.map((e) => e.id),
  );
});

test('TIME answers 391 with the server and a readable UTC time', async () => {
  const alice = await h.user('alice');
  h.advance(61_000);
  const res = await alice.send({ command: 'TIME' });
  assert.deepEqual(shape(res.replies), [['391', ['test.chat'], ['Thu, 01 Jan 2026 00:01:01 GMT']]]);
});

test('ADMIN answers 256–259 from the server and network names', async () => {
  const alice = await h.user('alice');
  const res = await alice.send({ command: 'ADMIN' });
  assert.deepEqual(shape(res.replies), [
    ['256', ['test.chat'], ['Administrative info']],
    ['257', [], ['Server test.chat of the TestNet network']],
    ['258', [], ['Running chat 0.0.0-test; ask a server operator for help']],
    ['259', [], ['No administrator e-mail address is configured']],
  ]);
});

test('INFO answers 371 lines and 374, with the start time', async () => {
  const alice = await h.user('alice');
  h.advance(3_600_000);
  const res = await alice.send({ command: 'INFO' });
  assert.deepEqual(commands(res.replies), ['371', '371', '371', '371', '371', '371', '374']);
  assert.deepEqual(res.replies[0]!.body, ['chat 0.0.0-test']);
  assert.deepEqual(res.replies[5]!.body, [`On-line since ${T0_TEXT}`]);
  assert.ok(res.replies.every((r) => r.params.length === 0));
  assert.deepEqual(res.replies[6]!.body, ['End of INFO list']);
});

test('a server target: our name (any case, or a mask), or a nick, is us; anything else is 402', async () => {
  const alice = await h.user('alice');
  for (const command of ['VERSION', 'TIME', 'ADMIN', 'INFO']) {
    for (const target of ['test.chat', 'TEST.Chat', '*.chat', 'Alice']) {
      await alice.send({ command, to: target });
      await alice.send({ command, params: [target] });
    }
    await alice.drain();
    const err = await alice.refused({ command, to: 'irc.example.org' });
    assert.deepEqual(
      [err.status, err.code, err.numeric, err.params, err.message],
      [404, 'no_such_server', '402', ['irc.example.org'], 'No such server'],
    );
    assert.deepEqual(shape(await alice.drain()), [
      ['402', ['irc.example.org'], ['No such server']],
    ]);
  }
});

test('USERHOST: nick[*]=[+|-]user@host for up to 5 known nicks, unknown ones skipped', async () => {
  const alice = await h.user('alice');
  const bob = await h.user('bob');
  await h.user('carol');
  await bob.send({ command: 'AWAY', body: ['lunch'] });
  await h.store.transaction((tx) => tx.updateSession(alice.caller.sessionId, { modes: 'io' }));
  const host = (c: { caller: { sessionId: number } }) => `s${c.caller.sessionId}.test.chat`;
  const res = await bob.send({ command: 'USERHOST', params: ['ALICE', 'ghost', 'Bob'] });
  assert.deepEqual(shape(res.replies), [
    ['302', [], [`alice*=+~alice@${host(alice)} bob=-~bob@${host(bob)}`]],
  ]);
  // `to` works as the first nick; RFC 2812 allows up to 5 (TARGMAX USERHOST:5): a sixth is 407
  const five = await bob.send({ command: 'USERHOST', to: 'x1', params: ['x2', 'x3', 'x4', 'x5'] });
  assert.deepEqual(five.replies[0]!.body, ['']);
  const six = await bob.refused({
    command: 'USERHOST',
    to: 'x1',
    params: ['x2', 'x3', 'x4', 'x5', 'carol'],
  });
  assert.deepEqual([six.status, six.numeric, six.params], [400, '407', ['carol']]);
  const viaTo = await bob.send({ command: 'USERHOST', to: 'carol' });
  assert.match((viaTo.replies[0]!.body as string[])[0]!, /^carol=\+~carol@s\d+\.test\.chat$/);
  const err = await bob.refused({ command: 'USERHOST' });
  assert.deepEqual([err.status, err.numeric, err.params], [400, '461', ['USERHOST']]);
});

test('ISON: the online nicks in display form, from params, `to` or text words; 461 without', async () => {
  const alice = await h.user('Alice');
  await h.user('bob');
  const res = await alice.send({ command: 'ISON', params: ['ghost', 'BOB', 'alice', 'bob'] });
  assert.deepEqual(shape(res.replies), [['303', [], ['bob Alice']]]);
  const words = await alice.send({ command: 'ISON', body: ['nobody bob'] });
  assert.deepEqual(words.replies[0]!.body, ['bob']);
  const viaTo = await alice.send({ command: 'ISON', to: 'nobody' });
  assert.deepEqual(viaTo.replies[0]!.body, ['']);
  const err = await alice.refused({ command: 'ISON', body: [''] });
  assert.deepEqual([err.status, err.numeric, err.params], [400, '461', ['ISON']]);
});
