// Core scenarios: a secret (+s) channel does not exist for non-members — LIST, NAMES, WHO, WHOIS,
// TOPIC, PART, PUBKEY, the channel list, member list, history and state — while its members see
// everything. +s is set through the store here; test/e2e/secret.test.ts sets it with MODE.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import { fold } from '../../src/model/casefold.js';
import type { HttpRefusal } from '../helpers/http-view.js';
import type { Envelope } from '../../src/model/envelope.js';
import { generateSigningKey } from '../../src/shared/signing.js';
import {
  commands,
  makeHarness,
  type Harness,
  type TestClient,
  refusal,
} from '../helpers/core-harness.js';
import { signedPubkey } from '../helpers/signing.js';

let h: Harness;
let alice: TestClient; // op of #secret and of #pub
let bob: TestClient; // in #secret only, invisible (+i) like every new session
let carol: TestClient; // in #pub only: the outsider

beforeEach(async () => {
  h = await makeHarness();
  alice = await h.user('alice');
  bob = await h.user('bob');
  carol = await h.user('carol');
  await alice.send({ command: 'JOIN', to: '#Secret,#pub' });
  await bob.send({ command: 'JOIN', to: '#secret' });
  await carol.send({ command: 'JOIN', to: '#pub' });
  await alice.send({ command: 'TOPIC', to: '#secret', body: ['hush'] });
  await alice.send({ command: 'PRIVMSG', to: '#secret', body: ['inside'] });
  const channel = (await h.store.getChannelByName(fold('#secret')))!;
  await h.store.transaction((tx) => tx.updateChannel(channel.id, { modes: 'nst' }));
  for (const c of [alice, bob, carol]) await c.drain();
});
afterEach(async () => h.close());

const shape = (envs: Envelope[]) => envs.map((e) => [e.command, e.params, e.body]);

/** what an unknown channel answers: 404 with 403 and the name as given */
function assertNoSuchChannel(err: HttpRefusal, name: string): void {
  assert.deepEqual(
    [err.status, err.code, err.numeric, err.params],
    [404, 'no_such_channel', '403', [name]],
  );
}

test('LIST and NAMES without arguments leave the secret channel out for outsiders only', async () => {
  const list = await carol.send({ command: 'LIST' });
  assert.deepEqual(
    list.replies.filter((r) => r.command === '322').map((r) => r.params[0]),
    ['#pub'],
  );
  const masked = await carol.send({ command: 'LIST', params: ['#secret'] });
  assert.deepEqual(commands(masked.replies), ['321', '323']);
  // NAMES without a channel lists nothing (as InspIRCd and Ergo): no secret to leak either
  const names = await carol.send({ command: 'NAMES' });
  assert.deepEqual(shape(names.replies), [['366', ['*'], ['End of /NAMES list']]]);
  // members see it, marked secret (`@`) in NAMES
  const inList = await bob.send({ command: 'LIST' });
  assert.deepEqual(
    inList.replies.filter((r) => r.command === '322').map((r) => [r.params, r.body]),
    [
      [['#pub', '2'], ['']],
      [['#Secret', '2'], ['hush']],
    ],
  );
  const inNames = await bob.send({ command: 'NAMES', to: '#secret' });
  assert.deepEqual(commands(inNames.replies), ['353', '366']);
  assert.deepEqual(inNames.replies[0]!.params, ['@', '#Secret']);
});

test('NAMES #secret from outside is only 366, with the name as given', async () => {
  const res = await carol.send({ command: 'NAMES', to: '#SECRET' });
  assert.deepEqual(shape(res.replies), [['366', ['#SECRET'], ['End of /NAMES list']]]);
  const unknown = await carol.send({ command: 'NAMES', to: '#nothing' });
  assert.deepEqual(shape(unknown.replies), [['366', ['#nothing'], ['End of /NAMES list']]]);
  const inside = await bob.send({ command: 'NAMES', to: '#secret' });
  assert.deepEqual(shape(inside.replies), [
    ['353', ['@', '#Secret'], ['@alice bob']],
    ['366', ['#Secret'], ['End of /NAMES list']],
  ]);
});

test('WHO #secret from outside is only 315; WHO by mask does not find a user through it', async () => {
  assert.deepEqual(shape((await carol.send({ command: 'WHO', to: '#secret' })).replies), [
    ['315', ['#secret'], ['End of WHO list']],
  ]);
  assert.deepEqual(commands((await bob.send({ command: 'WHO', to: '#secret' })).replies), [
    '352',
    '352',
    '315',
  ]);
  // bob (+i) shares only #secret with alice: she finds him, carol does not
  assert.deepEqual(commands((await carol.send({ command: 'WHO', to: 'b*' })).replies), ['315']);
  const found = await alice.send({ command: 'WHO', to: 'b*' });
  assert.deepEqual(commands(found.replies), ['352', '315']);
  assert.equal(found.replies[0]!.params[0], '*', 'a mask reply names no channel');
});

test('WHOIS hides the secret channel from outsiders; members see it', async () => {
  const outside = await carol.send({ command: 'WHOIS', to: 'alice' });
  assert.deepEqual(outside.replies.find((r) => r.command === '319')!.body, ['@#pub']);
  const ofBob = await carol.send({ command: 'WHOIS', to: 'bob' });
  assert.ok(!commands(ofBob.replies).includes('319'), 'bob is only in #secret');
  const inside = await bob.send({ command: 'WHOIS', to: 'alice' });
  assert.deepEqual(inside.replies.find((r) => r.command === '319')!.body, ['@#pub @#Secret']);
});

test('TOPIC, PART and PUBKEY on #secret from outside answer 403 like an unknown channel', async () => {
  assertNoSuchChannel(await carol.refused({ command: 'TOPIC', to: '#secret' }), '#secret');
  assertNoSuchChannel(
    await carol.refused({ command: 'TOPIC', to: '#SECRET', body: ['x'] }),
    '#SECRET',
  );
  assertNoSuchChannel(await carol.refused({ command: 'PART', to: '#secret' }), '#secret');
  const key = generateSigningKey();
  assertNoSuchChannel(
    await carol.refused(signedPubkey(key, 'carol', h.env.now(), { to: '#secret' })),
    '#secret',
  );
  assert.deepEqual(shape(await carol.drain()), [
    ['403', ['#secret'], ['No such channel']],
    ['403', ['#SECRET'], ['No such channel']],
    ['403', ['#secret'], ['No such channel']],
    ['403', ['#secret'], ['No such channel']],
  ]);
  const channel = (await h.store.getChannelByName(fold('#secret')))!;
  assert.equal(channel.topic, 'hush', 'the topic did not change');
  // the same from a member works; a public channel still answers a non-member as before
  assert.deepEqual(commands((await bob.send({ command: 'TOPIC', to: '#secret' })).replies), [
    '332',
    '333',
  ]);
  assert.deepEqual(commands((await carol.send({ command: 'TOPIC', to: '#pub' })).replies), ['331']);
  const notOn = await bob.refused({ command: 'PART', to: '#pub' });
  assert.deepEqual([notOn.status, notOn.numeric], [403, '442']);
});

test('channel list, member list, history and state: absent or 404 for outsiders', async () => {
  const channels = await h.core.listChannels(carol.caller, null).then((p) => p.items);
  assert.deepEqual(
    channels.map((c) => c.name),
    ['#pub'],
  );
  assertNoSuchChannel(
    await refusal(h.core.listMembers(carol.caller, '#secret', null).then((p) => p.items)),
    '#secret',
  );
  const history = { target: '#secret', before: null, limit: 50 };
  assertNoSuchChannel(await refusal(h.core.history(carol.caller, history)), '#secret');
  const state = await h.core.state(carol.caller, false);
  assert.deepEqual(
    state.channels.map((c) => c.name),
    ['#pub'],
  );
  // members: everything
  assert.deepEqual(
    (await h.core.listChannels(bob.caller, null).then((p) => p.items)).map((c) => c.name),
    ['#pub', '#Secret'],
  );
  assert.deepEqual(
    (await h.core.listMembers(bob.caller, '#secret', null).then((p) => p.items)).map(
      (m) => m.prefix + m.nick,
    ),
    ['@alice', 'bob'],
  );
  const page = await h.core.history(bob.caller, history);
  assert.deepEqual(
    page.messages.map((m) => m.body),
    [['inside']],
  );
  const bobState = await h.core.state(bob.caller, false);
  assert.deepEqual(
    bobState.channels.map((c) => [c.name, c.modes]),
    [['#Secret', '+nst']],
  );
  // a public channel the caller is not in: history is 403 with 442, as before
  const notIn = await refusal(h.core.history(bob.caller, { ...history, target: '#pub' }));
  assert.deepEqual([notIn.status, notIn.numeric], [403, '442']);
});

test('a member who parts loses sight of the secret channel', async () => {
  await bob.send({ command: 'PART', to: '#secret' });
  assert.deepEqual(
    (await h.core.listChannels(bob.caller, null).then((p) => p.items)).map((c) => c.name),
    ['#pub'],
  );
  assertNoSuchChannel(await bob.refused({ command: 'TOPIC', to: '#secret' }), '#secret');
});
