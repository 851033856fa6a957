// Core scenarios for channel modes (docs/commands.md): MODE set/query/ban list, JOIN refusals, who may
// speak, secret channels, NICK while banned — through the real core and SQLite store.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import { fold } from '../../src/model/casefold.js';
import type { Envelope } from '../../src/model/envelope.js';
import { commands, makeHarness, type Harness, type TestClient } from '../helpers/core-harness.js';

let h: Harness;
beforeEach(async () => (h = await makeHarness()));
afterEach(async () => h.close());

/** alice (op) and bob (member) in #c, queues drained */
async function channel(): Promise<{ alice: TestClient; bob: TestClient; carol: TestClient }> {
  const alice = await h.user('alice');
  const bob = await h.user('bob');
  const carol = await h.user('carol');
  await alice.send({ command: 'JOIN', to: '#c' });
  await bob.send({ command: 'JOIN', to: '#c' });
  for (const u of [alice, bob, carol]) await u.drain();
  return { alice, bob, carol };
}

const modeEvents = (envs: Envelope[]) => envs.filter((e) => e.command === 'MODE');

async function channelId(name: string): Promise<number> {
  return (await h.store.getChannelByName(fold(name)))!.id;
}

async function makeOper(u: TestClient): Promise<void> {
  await h.store.transaction((tx) => tx.updateSession(u.caller.sessionId, { modes: 'io' }));
}

async function modeQuery(u: TestClient, name = '#c'): Promise<string[]> {
  const r = await u.send({ command: 'MODE', to: name });
  assert.deepEqual(commands(r.replies), ['324', '329']);
  const rpl = r.replies[0]!;
  return [...rpl.params.slice(1), ...(rpl.body as string[])];
}

test('every letter set and unset: one MODE event to all members with the applied changes', async () => {
  const { alice, bob } = await channel();
  const steps: [string[], string[], string[]][] = [
    // [request params, event params, 324 afterwards as seen by a member]
    [['+i'], ['+i'], ['+int']],
    [['+m'], ['+m'], ['+imnt']],
    [['+s'], ['+s'], ['+imnst']],
    [['-n'], ['-n'], ['+imst']],
    [['-t'], ['-t'], ['+ims']],
    [
      ['+k', 'sesame'],
      ['+k', 'sesame'],
      ['+ikms', 'sesame'],
    ],
    [
      ['+l', '10'],
      ['+l', '10'],
      ['+iklms', 'sesame', '10'],
    ],
    [
      ['+b', 'troll'],
      ['+b', 'troll!*@*'],
      ['+iklms', 'sesame', '10'],
    ],
    [
      ['+v', 'BOB'],
      ['+v', 'bob'],
      ['+iklms', 'sesame', '10'],
    ],
    [
      ['+o', 'bob'],
      ['+o', 'bob'],
      ['+iklms', 'sesame', '10'],
    ],
    [
      ['-o', 'bob'],
      ['-o', 'bob'],
      ['+iklms', 'sesame', '10'],
    ],
    [
      ['-v', 'bob'],
      ['-v', 'bob'],
      ['+iklms', 'sesame', '10'],
    ],
    [
      ['-b', 'TROLL!*@*'],
      ['-b', 'troll!*@*'],
      ['+iklms', 'sesame', '10'],
    ],
    [['-l'], ['-l'], ['+ikms', 'sesame']],
    [['-k', 'whatever'], ['-k', '*'], ['+ims']],
    [['-ims+nt'], ['-ims+nt'], ['+nt']],
  ];
  for (const [params, event, after] of steps) {
    const r = await alice.send({ command: 'MODE', to: '#c', params });
    assert.equal(typeof r.seq, 'number', params.join(' '));
    assert.deepEqual(r.replies, []);
    for (const u of [alice, bob]) {
      const got = modeEvents(await u.drain());
      assert.equal(got.length, 1, params.join(' '));
      assert.equal(got[0]!.from, 'alice');
      assert.equal(got[0]!.to, '#c');
      assert.deepEqual(got[0]!.params, event, params.join(' '));
      assert.deepEqual(got[0]!.body, []);
    }
    assert.deepEqual(await modeQuery(bob), after, params.join(' '));
  }
});

test('several changes in one MODE: applied only, one event, no-ops dropped, nothing → no event', async () => {
  const { alice, bob } = await channel();
  await alice.send({ command: 'MODE', to: '#c', params: ['+k', 'pw'] });
  await bob.drain();
  const r = await alice.send({
    command: 'MODE',
    to: '#c',
    params: ['+nov-k+o', 'alice', 'bob', 'pw', 'alice'],
  });
  assert.deepEqual(r.replies, []);
  const [ev] = modeEvents(await bob.drain());
  assert.deepEqual(ev!.params, ['+v-k', 'bob', '*']);
  const none = await alice.send({ command: 'MODE', to: '#c', params: ['+nt-ik'] });
  assert.deepEqual([none.id, none.seq, none.replies], [null, null, []]);
  assert.deepEqual(modeEvents(await bob.drain()), []);
});

test('MODE=4: parameterised changes past the fourth are ignored', async () => {
  const { alice, bob } = await channel();
  const r = await alice.send({
    command: 'MODE',
    to: '#c',
    params: ['+bbbbbm', 'a', 'b', 'c', 'd', 'e'],
  });
  assert.deepEqual(r.replies, []);
  const [ev] = modeEvents(await bob.drain());
  assert.deepEqual(ev!.params, ['+bbbbm', 'a!*@*', 'b!*@*', 'c!*@*', 'd!*@*']);
});

test('prefixes: +o/+v change the membership (NAMES, who may set modes)', async () => {
  const { alice, bob } = await channel();
  assert.equal((await bob.refused({ command: 'MODE', to: '#c', params: ['+m'] })).numeric, '482');
  await alice.send({ command: 'MODE', to: '#c', params: ['+o', 'bob'] });
  const names = await bob.send({ command: 'NAMES', to: '#c' });
  assert.deepEqual(names.replies[0]!.body, ['@alice @bob']);
  await bob.send({ command: 'MODE', to: '#c', params: ['-o+v', 'alice', 'alice'] });
  const again = await bob.send({ command: 'NAMES', to: '#c' });
  assert.deepEqual(again.replies[0]!.body, ['+alice @bob']);
  assert.equal((await alice.refused({ command: 'MODE', to: '#c', params: ['+m'] })).numeric, '482');
});

test('324 shows the key to members only; the limit to everyone; 329 the creation time', async () => {
  const { alice, carol } = await channel();
  await alice.send({ command: 'MODE', to: '#c', params: ['+kl', 'pw', '5'] });
  assert.deepEqual(await modeQuery(alice), ['+klnt', 'pw', '5']);
  assert.deepEqual(await modeQuery(carol), ['+klnt', '5']);
  await alice.send({ command: 'MODE', to: '#c', params: ['-l'] });
  const r = await carol.send({ command: 'MODE', to: '#c' });
  assert.deepEqual(r.replies[0]!.params, ['#c']);
  assert.deepEqual(r.replies[0]!.body, ['+knt']);
  assert.deepEqual(r.replies[1]!.body, [String(Math.floor(Date.parse('2026-01-01') / 1000))]);
});

test('ban list: 367 per ban (mask, setter, unix time) and 368; b, +b and -b alike', async () => {
  const { alice, carol } = await channel();
  const empty = await carol.send({ command: 'MODE', to: '#c', params: ['b'] });
  assert.deepEqual(commands(empty.replies), ['368']);
  assert.deepEqual(empty.replies[0]!.params, ['#c']);
  assert.deepEqual(empty.replies[0]!.body, ['End of channel ban list']);
  await alice.send({ command: 'MODE', to: '#c', params: ['+bb', 'x', '*@evil'] });
  h.advance(5000);
  await alice.send({ command: 'MODE', to: '#c', params: ['+b', 'y!z'] });
  for (const form of ['b', '+b', '-b']) {
    const r = await carol.send({ command: 'MODE', to: '#c', params: [form] });
    assert.deepEqual(commands(r.replies), ['367', '367', '367', '368']);
    const setter = `alice!~alice@s${alice.caller.sessionId}.test.chat`;
    assert.deepEqual(
      r.replies.slice(0, 3).map((e) => [...e.params, ...(e.body as string[])]),
      [
        ['#c', '*!*@evil', setter, String(Date.parse('2026-01-01') / 1000)],
        ['#c', 'x!*@*', setter, String(Date.parse('2026-01-01') / 1000)],
        ['#c', 'y!z@*', setter, String(Date.parse('2026-01-01') / 1000 + 5)],
      ],
    );
  }
});

test('refusals: 482, 442, 472 (each), 441, 401, 461, 696, 478; partial success answers 200', async () => {
  const { alice, bob, carol } = await channel();
  const e482 = await bob.refused({ command: 'MODE', to: '#c', params: ['+m'] });
  assert.deepEqual([e482.numeric, e482.status, e482.params], ['482', 403, ['#c']]);
  const e442 = await carol.refused({ command: 'MODE', to: '#c', params: ['+m'] });
  assert.deepEqual([e442.numeric, e442.status, e442.params], ['442', 403, ['#c']]);
  const e472 = await alice.refused({ command: 'MODE', to: '#c', params: ['+xy'] });
  assert.deepEqual([e472.numeric, e472.status, e472.params], ['472', 400, ['x']]);
  assert.equal(e472.message, 'is unknown mode char to me for #c');
  assert.deepEqual(
    e472.replies.map((r) => [r.command, r.params, r.body]),
    [
      ['472', ['x'], ['is unknown mode char to me for #c']],
      ['472', ['y'], ['is unknown mode char to me for #c']],
    ],
  );
  const e441 = await alice.refused({ command: 'MODE', to: '#c', params: ['+o', 'carol'] });
  assert.deepEqual([e441.numeric, e441.status, e441.params], ['441', 403, ['carol', '#c']]);
  const e401 = await alice.refused({ command: 'MODE', to: '#c', params: ['+v', 'ghost'] });
  assert.deepEqual([e401.numeric, e401.status, e401.params], ['401', 404, ['ghost']]);
  const e461 = await alice.refused({ command: 'MODE', to: '#c', params: ['+k'] });
  assert.deepEqual([e461.numeric, e461.status, e461.params], ['461', 400, ['MODE']]);
  const e696 = await alice.refused({ command: 'MODE', to: '#c', params: ['+l', '0'] });
  assert.deepEqual([e696.numeric, e696.status, e696.params], ['696', 400, ['#c', 'l', '0']]);
  const badKey = await alice.refused({ command: 'MODE', to: '#c', params: ['+k', 'a b'] });
  assert.deepEqual([badKey.numeric, badKey.message], ['696', 'Invalid key']);
  // one change goes through: 200, the refusals among the replies
  await bob.drain();
  const mixed = await alice.send({ command: 'MODE', to: '#c', params: ['+mxo', 'ghost'] });
  assert.deepEqual(commands(mixed.replies), ['472', '401']);
  assert.deepEqual(modeEvents(await bob.drain())[0]!.params, ['+m']);
  assert.equal((await bob.refused({ command: 'MODE', to: '#nowhere' })).numeric, '403');
});

test('ban list full: 478 past MAXLIST=b:50', async () => {
  const { alice } = await channel();
  for (let i = 0; i < 50; i += 4) {
    const masks = [i, i + 1, i + 2, i + 3].filter((n) => n < 50).map((n) => `m${n}`);
    await alice.send({
      command: 'MODE',
      to: '#c',
      params: ['+' + 'b'.repeat(masks.length), ...masks],
    });
  }
  const full = await alice.refused({ command: 'MODE', to: '#c', params: ['+b', 'one-more'] });
  assert.deepEqual([full.numeric, full.status, full.params], ['478', 403, ['#c', 'b']]);
  const list = await alice.send({ command: 'MODE', to: '#c', params: ['b'] });
  assert.equal(list.replies.length, 51);
});

test('a server operator acts as channel op, also from outside', async () => {
  const { alice, bob, carol } = await channel();
  await makeOper(carol);
  await carol.send({ command: 'MODE', to: '#c', params: ['+m-o', 'alice'] });
  const [ev] = modeEvents(await bob.drain());
  assert.deepEqual([ev!.from, ev!.params], ['carol', ['+m-o', 'alice']]);
  assert.equal((await alice.refused({ command: 'MODE', to: '#c', params: ['-m'] })).numeric, '482');
});

test('a secret channel does not exist for outsiders: MODE and PRIVMSG answer 403', async () => {
  const { alice, carol } = await channel();
  await alice.send({ command: 'MODE', to: '#c', params: ['+s'] });
  for (const params of [[], ['+m'], ['b']]) {
    const e = await carol.refused({ command: 'MODE', to: '#C', params });
    assert.deepEqual([e.numeric, e.status, e.params], ['403', 404, ['#C']], params.join());
  }
  const msg = await carol.refused({ command: 'PRIVMSG', to: '#C', body: ['hi'] });
  assert.deepEqual([msg.numeric, msg.status, msg.params], ['403', 404, ['#C']]);
  // a public channel answers the real reason
  await alice.send({ command: 'MODE', to: '#c', params: ['-s'] });
  const pub = await carol.refused({ command: 'PRIVMSG', to: '#c', body: ['hi'] });
  assert.deepEqual([pub.numeric, pub.message], ['404', 'Cannot send to channel (+n)']);
  assert.deepEqual(await modeQuery(carol), ['+nt']);
});

test('JOIN: +k needs the key (475), keys pair with channels in order', async () => {
  const { alice, carol } = await channel();
  await alice.send({ command: 'JOIN', to: '#d' });
  await alice.send({ command: 'MODE', to: '#c', params: ['+k', 'kc'] });
  await alice.send({ command: 'MODE', to: '#d', params: ['+k', 'kd'] });
  const e = await carol.refused({ command: 'JOIN', to: '#c' });
  assert.deepEqual(
    [e.numeric, e.status, e.params, e.message],
    ['475', 403, ['#c'], 'Cannot join channel (+k)'],
  );
  assert.equal((await carol.refused({ command: 'JOIN', to: '#c', params: ['KC'] })).numeric, '475');
  const both = await carol.send({ command: 'JOIN', to: '#c,#d', params: ['kc', 'wrong'] });
  assert.deepEqual(commands(both.replies), ['353', '366', '475']);
  const listed = await carol.send({ command: 'JOIN', to: '#d', params: ['kd,extra'] });
  assert.deepEqual(commands(listed.replies), ['353', '366']);
});

test('JOIN: +l counts members (471); +i needs an invite (473), which one JOIN uses up', async () => {
  const { alice, bob, carol } = await channel();
  await alice.send({ command: 'MODE', to: '#c', params: ['+l', '2'] });
  const full = await carol.refused({ command: 'JOIN', to: '#c' });
  assert.deepEqual(
    [full.numeric, full.status, full.message],
    ['471', 403, 'Cannot join channel (+l)'],
  );
  await alice.send({ command: 'MODE', to: '#c', params: ['-l+i'] });
  const closed = await carol.refused({ command: 'JOIN', to: '#c' });
  assert.deepEqual(
    [closed.numeric, closed.status, closed.message],
    ['473', 403, 'Cannot join channel (+i)'],
  );
  const id = await channelId('#c');
  await h.store.transaction((tx) => tx.addInvite(id, carol.caller.sessionId, h.env.now()));
  assert.equal(await h.store.hasInvite(id, carol.caller.sessionId), true);
  assert.deepEqual(commands((await carol.send({ command: 'JOIN', to: '#c' })).replies), [
    '353',
    '366',
  ]);
  assert.equal(await h.store.hasInvite(id, carol.caller.sessionId), false, 'used up');
  await carol.send({ command: 'PART', to: '#c' });
  assert.equal((await carol.refused({ command: 'JOIN', to: '#c' })).numeric, '473');
  // an invite passes +i, not +k or +l
  await alice.send({ command: 'MODE', to: '#c', params: ['+k', 'pw'] });
  await h.store.transaction((tx) => tx.addInvite(id, carol.caller.sessionId, h.env.now()));
  assert.equal((await carol.refused({ command: 'JOIN', to: '#c' })).numeric, '475');
  assert.equal(await h.store.hasInvite(id, carol.caller.sessionId), true, 'kept after a refusal');
  await bob.drain();
});

test('JOIN: a ban refuses (474) before +i and +k, also with an invite; order 474 473 475 471', async () => {
  const { alice, carol } = await channel();
  await alice.send({ command: 'MODE', to: '#c', params: ['+iklb', 'pw', '1', 'CAROL'] });
  const id = await channelId('#c');
  await h.store.transaction((tx) => tx.addInvite(id, carol.caller.sessionId, h.env.now()));
  const banned = await carol.refused({ command: 'JOIN', to: '#c', params: ['pw'] });
  assert.deepEqual(
    [banned.numeric, banned.status, banned.message],
    ['474', 403, 'Cannot join channel (+b)'],
  );
  await alice.send({ command: 'MODE', to: '#c', params: ['-b', 'carol'] });
  await h.store.transaction((tx) => tx.deleteInvite(id, carol.caller.sessionId));
  assert.equal((await carol.refused({ command: 'JOIN', to: '#c', params: ['pw'] })).numeric, '473');
  await h.store.transaction((tx) => tx.addInvite(id, carol.caller.sessionId, h.env.now()));
  assert.equal((await carol.refused({ command: 'JOIN', to: '#c' })).numeric, '475');
  assert.equal((await carol.refused({ command: 'JOIN', to: '#c', params: ['pw'] })).numeric, '471');
  // bans match nick!user@host: by user and by host too (-k takes an argument, ignored)
  await alice.send({ command: 'MODE', to: '#c', params: ['-ikl+b', '*', '*!~car*@*'] });
  assert.equal((await carol.refused({ command: 'JOIN', to: '#c' })).numeric, '474');
  await alice.send({
    command: 'MODE',
    to: '#c',
    params: ['-b+b', '*!~car*@*', `*@s${carol.caller.sessionId}.test.chat`],
  });
  assert.equal((await carol.refused({ command: 'JOIN', to: '#c' })).numeric, '474');
});

test('JOIN: server operators get no bypass of +i/+k/+l/+b', async () => {
  const { alice, carol } = await channel();
  await makeOper(carol);
  await alice.send({ command: 'MODE', to: '#c', params: ['+i'] });
  assert.equal((await carol.refused({ command: 'JOIN', to: '#c' })).numeric, '473');
  // the explicit override: an operator acts as op, so it may lift the mode
  await carol.send({ command: 'MODE', to: '#c', params: ['-i'] });
  assert.deepEqual(commands((await carol.send({ command: 'JOIN', to: '#c' })).replies), [
    '353',
    '366',
  ]);
});

test('+m: only ops and voiced members speak (404); +b: banned members are muted unless voiced', async () => {
  const { alice, bob } = await channel();
  await alice.send({ command: 'MODE', to: '#c', params: ['+m'] });
  const muted = await bob.refused({ command: 'PRIVMSG', to: '#c', body: ['hi'] });
  assert.deepEqual(
    [muted.numeric, muted.status, muted.params, muted.message],
    ['404', 403, ['#c'], 'Cannot send to channel (+m)'],
  );
  assert.ok((await alice.send({ command: 'PRIVMSG', to: '#c', body: ['op'] })).id);
  await alice.send({ command: 'MODE', to: '#c', params: ['+v', 'bob'] });
  assert.ok((await bob.send({ command: 'PRIVMSG', to: '#c', body: ['voiced'] })).id);
  await alice.send({ command: 'MODE', to: '#c', params: ['-mv+b', 'bob', 'bob'] });
  const banned = await bob.refused({ command: 'PRIVMSG', to: '#c', body: ['hi'] });
  assert.deepEqual([banned.numeric, banned.message], ['404', 'Cannot send to channel (+b)']);
  const notice = await bob.refused({ command: 'NOTICE', to: '#c', body: ['n'] });
  assert.deepEqual([notice.numeric, notice.replies], ['404', []], 'NOTICE queues no numeric');
  await alice.send({ command: 'MODE', to: '#c', params: ['+v', 'bob'] });
  assert.ok((await bob.send({ command: 'PRIVMSG', to: '#c', body: ['voiced again'] })).id);
});

test('-n: outsiders may speak, unless banned; +n refuses them with 404', async () => {
  const { alice, bob, carol } = await channel();
  assert.equal((await carol.refused({ command: 'PRIVMSG', to: '#c', body: ['x'] })).numeric, '404');
  await alice.send({ command: 'MODE', to: '#c', params: ['-n'] });
  await bob.drain();
  assert.ok((await carol.send({ command: 'PRIVMSG', to: '#c', body: ['from outside'] })).id);
  assert.equal((await bob.drain()).at(-1)!.from, 'carol');
  await alice.send({ command: 'MODE', to: '#c', params: ['+b', 'carol'] });
  const e = await carol.refused({ command: 'PRIVMSG', to: '#c', body: ['x'] });
  assert.deepEqual([e.numeric, e.message], ['404', 'Cannot send to channel (+b)']);
});

test('NICK: 435 while banned in a channel, or into a banned nick; ops and voiced are free', async () => {
  const { alice, bob } = await channel();
  await alice.send({ command: 'MODE', to: '#c', params: ['+b', 'bob'] });
  const e = await bob.refused({ command: 'NICK', body: ['bobby'] });
  assert.deepEqual(
    [e.numeric, e.status, e.params, e.message],
    ['435', 403, ['bobby', '#c'], 'Cannot change nickname while banned on channel'],
  );
  await alice.send({ command: 'MODE', to: '#c', params: ['-b+b', 'bob', 'evil*'] });
  assert.ok((await bob.send({ command: 'NICK', body: ['bobby'] })).id);
  assert.equal((await bob.refused({ command: 'NICK', body: ['evil1'] })).numeric, '435');
  assert.ok((await alice.send({ command: 'NICK', body: ['evil2'] })).id, 'an op is not held');
});
