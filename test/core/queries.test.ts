// Core scenarios: the query commands (PING, MOTD, NAMES, LIST, WHO, WHOIS, LUSERS, MODE) and the
// state replay.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import { commands, makeHarness, type Harness } from '../helpers/core-harness.js';

let h: Harness;
beforeEach(async () => (h = await makeHarness()));
afterEach(async () => h.close());

test('PING answers PONG to the caller only', async () => {
  const alice = await h.user('alice');
  await alice.drain();
  const res = await alice.send({ command: 'ping', body: ['tok'] });
  assert.deepEqual(
    res.replies.map((r) => [r.command, r.params, r.body]),
    [['PONG', ['test.chat'], ['tok']]],
  );
  assert.deepEqual(commands(await alice.drain()), ['PONG']);
});

test('MOTD lists each line; an empty MOTD answers 422', async () => {
  const alice = await h.user('alice');
  const res = await alice.send({ command: 'MOTD' });
  assert.deepEqual(commands(res.replies), ['375', '372', '372', '376']);
  assert.deepEqual(res.replies[1]!.body, ['- line one']);
  const h2 = await (await import('../helpers/core-harness.js')).makeHarness({ motd: '' });
  try {
    const bob = await h2.user('bob');
    assert.deepEqual(commands((await bob.send({ command: 'MOTD' })).replies), ['422']);
  } finally {
    await h2.close();
  }
});

test('NAMES and LIST show public channels; LIST takes a mask', async () => {
  const alice = await h.user('alice');
  const bob = await h.user('bob');
  await alice.send({ command: 'JOIN', to: '#one,#two' });
  await bob.send({ command: 'JOIN', to: '#one' });
  await alice.send({ command: 'TOPIC', to: '#one', body: ['first'] });
  const names = await bob.send({ command: 'NAMES', to: '#one' });
  assert.deepEqual(
    names.replies.map((r) => [r.command, r.params, r.body]),
    [
      ['353', ['=', '#one'], ['@alice bob']],
      ['366', ['#one'], ['End of /NAMES list']],
    ],
  );
  // without a channel: only 366 (InspIRCd, Ergo); more than one channel: 407 (TARGMAX NAMES:1)
  const all = await bob.send({ command: 'NAMES' });
  assert.deepEqual(commands(all.replies), ['366']);
  const two = await bob.refused({ command: 'NAMES', to: '#one,#two' });
  assert.deepEqual([two.status, two.numeric], [400, '407']);
  const list = await bob.send({ command: 'LIST' });
  assert.deepEqual(
    list.replies.map((r) => [r.command, r.params, r.body]),
    [
      ['321', ['Channel'], ['Users  Name']],
      ['322', ['#one', '2'], ['first']],
      ['322', ['#two', '1'], ['']],
      ['323', [], ['End of /LIST']],
    ],
  );
  const masked = await bob.send({ command: 'LIST', params: ['#t*'] });
  assert.deepEqual(commands(masked.replies), ['321', '322', '323']);
});

test('WHO by channel and mask; invisible users hidden from strangers', async () => {
  const alice = await h.user('alice');
  const bob = await h.user('bob');
  const carol = await h.user('carol');
  await alice.send({ command: 'JOIN', to: '#c' });
  await bob.send({ command: 'JOIN', to: '#c' });
  await bob.send({ command: 'AWAY', body: ['brb'] });
  const who = await alice.send({ command: 'WHO', to: '#c' });
  assert.deepEqual(commands(who.replies), ['352', '352', '315']);
  const a = who.replies.find((r) => r.params[4] === 'alice')!;
  assert.deepEqual(a.params.slice(0, 1), ['#c']);
  assert.equal(a.params[1], '~alice');
  assert.match(a.params[2]!, /^s\d+\.test\.chat$/);
  assert.equal(a.params[5], 'H@');
  assert.equal(who.replies.find((r) => r.params[4] === 'bob')!.params[5], 'G');
  // carol shares no channel and everyone is +i by default
  assert.deepEqual(commands((await carol.send({ command: 'WHO', to: '#c' })).replies), ['315']);
  assert.deepEqual(commands((await carol.send({ command: 'WHO', to: 'a*' })).replies), ['315']);
  assert.deepEqual(commands((await bob.send({ command: 'WHO', to: 'a*' })).replies), [
    '352',
    '315',
  ]);
  await alice.send({ command: 'MODE', to: 'alice', params: ['-i'] });
  assert.deepEqual(commands((await carol.send({ command: 'WHO', to: 'A*' })).replies), [
    '352',
    '315',
  ]);
});

test('WHOIS: 311, 319, 312, 301, 317, 318; 401 for unknown nicks', async () => {
  const alice = await h.user('alice');
  const bob = await h.user('bob');
  await alice.send({ command: 'JOIN', to: '#c' });
  await alice.send({ command: 'AWAY', body: ['out'] });
  h.advance(5000);
  const res = await bob.send({ command: 'WHOIS', to: 'ALICE' });
  assert.deepEqual(commands(res.replies), ['311', '319', '312', '301', '317', '318']);
  assert.deepEqual(res.replies[1]!.body, ['@#c']);
  assert.equal(res.replies[4]!.params[1], '5');
  const err = await bob.refused({ command: 'WHOIS', to: 'nobody' });
  assert.equal(err.numeric, '401');
  assert.equal(err.status, 404);
});

test('LUSERS counts users, invisible and channels', async () => {
  const alice = await h.user('alice');
  await h.user('bob');
  await alice.send({ command: 'JOIN', to: '#c' });
  const res = await alice.send({ command: 'LUSERS' });
  assert.deepEqual(commands(res.replies), ['251', '252', '254', '255', '265', '266']);
  assert.deepEqual(res.replies[0]!.body, ['There are 0 users and 2 invisible on 1 servers']);
  assert.deepEqual(res.replies[2]!.params, ['1']);
});

test('MODE: user query and +w/-i; other users 502; channel: 482 for non-ops, 472 unknown', async () => {
  const alice = await h.user('alice');
  const bob = await h.user('bob');
  await alice.send({ command: 'JOIN', to: '#c' });
  await bob.send({ command: 'JOIN', to: '#c' });
  assert.deepEqual((await alice.send({ command: 'MODE', to: 'alice' })).replies[0]!.body, ['+i']);
  await alice.drain();
  const set = await alice.send({ command: 'MODE', to: 'alice', params: ['+w-i'] });
  assert.ok(set.id);
  const ev = (await alice.drain()).find((e) => e.command === 'MODE')!;
  assert.deepEqual(ev.body, ['+w-i']);
  assert.deepEqual((await alice.send({ command: 'MODE', to: 'alice' })).replies[0]!.body, ['+w']);
  assert.equal(
    (await alice.refused({ command: 'MODE', to: 'alice', params: ['+x'] })).numeric,
    '501',
  );
  assert.equal((await alice.refused({ command: 'MODE', to: 'bob' })).numeric, '502');
  assert.equal((await bob.refused({ command: 'MODE', to: '#c', params: ['+m'] })).numeric, '482');
  assert.equal((await alice.refused({ command: 'MODE', to: '#c', params: ['+x'] })).numeric, '472');
  assert.deepEqual(
    commands((await bob.send({ command: 'MODE', to: '#c', params: ['+b'] })).replies),
    ['368'],
  );
  assert.equal((await bob.refused({ command: 'MODE' })).numeric, '461');
});

test('state and ?replay=1 queue JOIN, topic and names per channel to this client only', async () => {
  const alice = await h.user('alice');
  await alice.send({ command: 'JOIN', to: '#a,#b' });
  await alice.send({ command: 'TOPIC', to: '#a', body: ['hello'] });
  await alice.drain();
  const state = await h.core.state(alice.caller, true);
  assert.equal(state.nick, 'alice');
  assert.equal(state.modes, '+i');
  assert.deepEqual(
    state.channels.map((c) => [c.name, c.topic, c.modes]),
    [
      ['#a', 'hello', '+nt'],
      ['#b', null, '+nt'],
    ],
  );
  assert.deepEqual(commands(await alice.drain()), [
    'JOIN',
    '332',
    '333',
    '353',
    '366',
    'JOIN',
    '353',
    '366',
  ]);
});
