// Core scenarios: KICK, INVITE, OPER, KILL, WALLOPS through the real core and SQLite store.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import { fold } from '../../src/model/casefold.js';
import type { HttpRefusal } from '../helpers/http-view.js';
import type { Envelope } from '../../src/model/envelope.js';
import { loadConfig } from '../../src/server/config.js';
import {
  commands,
  makeHarness,
  texts,
  type Harness,
  type TestClient,
} from '../helpers/core-harness.js';
import { viaHttp } from '../helpers/http-view.js';

let h: Harness;
beforeEach(async () => (h = await makeHarness()));
afterEach(async () => h.close());

const OPER = { command: 'OPER', params: ['admin', 'oper-secret'] };

/** refused with this numeric and params */
async function refusedWith(
  who: TestClient,
  input: Parameters<TestClient['send']>[0],
  numeric: string,
  params?: string[],
): Promise<HttpRefusal> {
  const err = await who.refused(input);
  assert.equal(err.numeric, numeric, `${JSON.stringify(input)}: ${err.message}`);
  if (params) assert.deepEqual(err.params, params);
  return err;
}

/** sets channel modes directly (MODE +i/+s setting is another command's business) */
async function setChannelModes(name: string, modes: string): Promise<number> {
  const channel = await h.store.getChannelByName(fold(name));
  assert.ok(channel);
  await h.store.transaction((tx) => tx.updateChannel(channel.id, { modes }));
  return channel.id;
}

async function users(...nicks: string[]): Promise<TestClient[]> {
  const out: TestClient[] = [];
  for (const n of nicks) out.push(await h.user(n));
  return out;
}

async function drainAll(...clients: TestClient[]): Promise<void> {
  for (const c of clients) await c.drain();
}

const only = (envs: Envelope[], command: string) => envs.filter((e) => e.command === command);

// ---- KICK

test('KICK: the op removes a member; everyone, the target included, sees the KICK', async () => {
  const [alice, bob, carol] = await users('alice', 'bob', 'carol');
  for (const c of [alice!, bob!, carol!]) await c.send({ command: 'JOIN', to: '#c' });
  await drainAll(alice!, bob!, carol!);
  const res = await alice!.send({ command: 'KICK', to: '#C', params: ['BOB'], body: ['spam'] });
  assert.equal(typeof res.seq, 'number');
  assert.deepEqual(res.replies, []);
  for (const c of [alice!, bob!, carol!]) {
    const got = await c.drain();
    assert.deepEqual(commands(got), ['KICK']);
    const k = got[0]!;
    assert.deepEqual(
      [k.from, k.to, k.params, k.body, k.seq],
      ['alice', '#c', ['bob'], ['spam'], res.seq],
    );
  }
  // bob is out: no more channel traffic, not in the member list, cannot speak (+n)
  await alice!.send({ command: 'PRIVMSG', to: '#c', body: ['after'] });
  assert.deepEqual(await bob!.drain(), []);
  assert.deepEqual(texts(await carol!.drain()), ['after']);
  const members = await h.core.listMembers(alice!.caller, '#c', null).then((p) => p.items);
  assert.deepEqual(
    members.map((m) => m.nick),
    ['alice', 'carol'],
  );
  await refusedWith(bob!, { command: 'PRIVMSG', to: '#c', body: ['x'] }, '404');
  // and may come back
  await bob!.send({ command: 'JOIN', to: '#c' });
  await alice!.send({ command: 'PRIVMSG', to: '#c', body: ['welcome back'] });
  assert.deepEqual(texts(await bob!.drain()), ['welcome back']);
});

test('KICK without a reason uses the kicker nick; a list of nicks kicks each', async () => {
  const [alice, bob, carol, dave] = await users('alice', 'bob', 'carol', 'dave');
  for (const c of [alice!, bob!, carol!]) await c.send({ command: 'JOIN', to: '#c' });
  await drainAll(alice!, bob!, carol!, dave!);
  const res = await alice!.send({ command: 'KICK', to: '#c', params: ['bob,ghost,dave,carol'] });
  // 200 since some succeeded; the refusals are among the replies
  assert.deepEqual(commands(res.replies), ['401', '441']);
  assert.deepEqual(res.replies[0]!.params, ['ghost']);
  assert.deepEqual(res.replies[1]!.params, ['dave', '#c']);
  const kicks = only(await alice!.drain(), 'KICK');
  assert.deepEqual(
    kicks.map((k) => [k.params[0], k.body]),
    [
      ['bob', ['alice']],
      ['carol', ['alice']],
    ],
  );
  assert.deepEqual(
    (await h.core.listMembers(alice!.caller, '#c', null).then((p) => p.items)).map((m) => m.nick),
    ['alice'],
  );
});

test('KICK pairs channels and nicks one to one (RFC 2812)', async () => {
  const [alice, bob] = await users('alice', 'bob');
  await alice!.send({ command: 'JOIN', to: '#a,#b' });
  await bob!.send({ command: 'JOIN', to: '#a,#b' });
  await alice!.send({ command: 'KICK', to: '#a,#b', params: ['bob,bob'] });
  assert.deepEqual(await h.store.listSessionChannels(bob!.caller.sessionId), []);
  await refusedWith(alice!, { command: 'KICK', to: '#a,#b', params: ['bob,bob,bob'] }, '461', [
    'KICK',
  ]);
});

test('KICK refusals: 461, 403, 442, 482, 401, 441', async () => {
  const [alice, bob, carol, dave] = await users('alice', 'bob', 'carol', 'dave');
  for (const c of [alice!, bob!, carol!]) await c.send({ command: 'JOIN', to: '#c' });
  await refusedWith(alice!, { command: 'KICK', to: '#c' }, '461', ['KICK']);
  await refusedWith(alice!, { command: 'KICK', params: ['bob'] }, '461', ['KICK']);
  await refusedWith(alice!, { command: 'KICK', to: '#nope', params: ['bob'] }, '403', ['#nope']);
  await refusedWith(dave!, { command: 'KICK', to: '#c', params: ['bob'] }, '442', ['#c']);
  const e = await refusedWith(bob!, { command: 'KICK', to: '#c', params: ['carol'] }, '482', [
    '#c',
  ]);
  assert.equal(e.status, 403);
  assert.equal(e.message, "You're not channel operator");
  await refusedWith(alice!, { command: 'KICK', to: '#c', params: ['ghost'] }, '401', ['ghost']);
  const notIn = await refusedWith(alice!, { command: 'KICK', to: '#c', params: ['dave'] }, '441', [
    'dave',
    '#c',
  ]);
  assert.equal(notIn.status, 403);
  // a secret channel the kicker is not in does not exist for it
  await setChannelModes('#c', 'nst');
  await refusedWith(dave!, { command: 'KICK', to: '#c', params: ['bob'] }, '403', ['#c']);
  // nothing was kicked along the way
  assert.equal(
    (await h.core.listMembers(alice!.caller, '#c', null).then((p) => p.items)).length,
    3,
  );
});

test('KICK: a server operator counts as op, but must be on the channel (as ngIRCd)', async () => {
  const [alice, bob, oper] = await users('alice', 'bob', 'oper');
  await alice!.send({ command: 'JOIN', to: '#c' });
  await bob!.send({ command: 'JOIN', to: '#c' });
  await oper!.send(OPER);
  await refusedWith(oper!, { command: 'KICK', to: '#c', params: ['bob'] }, '442');
  await oper!.send({ command: 'JOIN', to: '#c' });
  await oper!.send({ command: 'KICK', to: '#c', params: ['alice'], body: ['op override'] });
  assert.deepEqual(
    (await h.core.listMembers(bob!.caller, '#c', null).then((p) => p.items)).map((m) => m.nick),
    ['bob', 'oper'],
  );
});

test('KICK of the last member (oneself) removes the channel', async () => {
  const [alice] = await users('alice');
  await alice!.send({ command: 'JOIN', to: '#solo' });
  await alice!.drain();
  await alice!.send({ command: 'KICK', to: '#solo', params: ['alice'] });
  assert.deepEqual(commands(await alice!.drain()), ['KICK']);
  assert.equal(await h.store.getChannelByName(fold('#solo')), null);
});

// ---- INVITE

test('INVITE: 341 to the inviter, INVITE to every client of the invitee, invite stored', async () => {
  const [alice, bob] = await users('alice', 'bob');
  await alice!.send({ command: 'JOIN', to: '#c' });
  await drainAll(alice!, bob!);
  const res = await alice!.send({ command: 'INVITE', to: 'BOB', params: ['#C'] });
  assert.deepEqual(commands(res.replies), ['341']);
  // `341 alice bob #c`: the last IRC parameter is body[0] (docs/envelope-and-delivery.md)
  assert.deepEqual([res.replies[0]!.params, res.replies[0]!.body], [['bob'], ['#c']]);
  const got = await bob!.drain();
  assert.deepEqual(commands(got), ['INVITE']);
  assert.deepEqual(
    [got[0]!.from, got[0]!.to, got[0]!.params, got[0]!.body, got[0]!.id],
    ['alice', 'bob', ['#c'], [], res.id],
  );
  // the inviter is a channel member: it gets the INVITE (invite-notify) and its 341
  assert.deepEqual(commands(await alice!.drain()), ['INVITE', '341']);
  const channel = await h.store.getChannelByName(fold('#c'));
  assert.equal(await h.store.hasInvite(channel!.id, bob!.caller.sessionId), true);
});

test('INVITE answers 301 too when the invitee is away', async () => {
  const [alice, bob] = await users('alice', 'bob');
  await alice!.send({ command: 'JOIN', to: '#c' });
  await bob!.send({ command: 'AWAY', body: ['lunch'] });
  const res = await alice!.send({ command: 'INVITE', to: 'bob', params: ['#c'] });
  assert.deepEqual(commands(res.replies), ['341', '301']);
  assert.deepEqual([res.replies[1]!.params, res.replies[1]!.body], [['bob'], ['lunch']]);
});

test('INVITE refusals: 461, 401, 403, 442, 443, 482 on +i for non-ops', async () => {
  const [alice, bob, carol, dave] = await users('alice', 'bob', 'carol', 'dave');
  await alice!.send({ command: 'JOIN', to: '#c' });
  await bob!.send({ command: 'JOIN', to: '#c' });
  await refusedWith(alice!, { command: 'INVITE', to: 'carol' }, '461', ['INVITE']);
  await refusedWith(alice!, { command: 'INVITE', params: ['#c'] }, '461', ['INVITE']);
  await refusedWith(alice!, { command: 'INVITE', to: 'ghost', params: ['#c'] }, '401', ['ghost']);
  // RFC 2812 allows a channel that does not exist; invites are kept per channel: 403
  await refusedWith(alice!, { command: 'INVITE', to: 'carol', params: ['#new'] }, '403', ['#new']);
  await refusedWith(dave!, { command: 'INVITE', to: 'carol', params: ['#c'] }, '442', ['#c']);
  const on = await refusedWith(alice!, { command: 'INVITE', to: 'Bob', params: ['#c'] }, '443', [
    'bob',
    '#c',
  ]);
  assert.equal(on.status, 409);
  assert.equal(on.message, 'is already on channel');
  // without +i any member may invite; with +i only ops
  await bob!.send({ command: 'INVITE', to: 'carol', params: ['#c'] });
  const id = await setChannelModes('#c', 'int');
  await refusedWith(bob!, { command: 'INVITE', to: 'dave', params: ['#c'] }, '482', ['#c']);
  assert.equal(await h.store.hasInvite(id, dave!.caller.sessionId), false);
  await alice!.send({ command: 'INVITE', to: 'dave', params: ['#c'] });
  assert.equal(await h.store.hasInvite(id, dave!.caller.sessionId), true);
  // a secret channel the inviter is not in does not exist for it
  await setChannelModes('#c', 'inst');
  await refusedWith(carol!, { command: 'INVITE', to: 'dave', params: ['#c'] }, '403', ['#c']);
});

test('INVITE on +i: a server operator on the channel counts as op', async () => {
  const [alice, oper] = await users('alice', 'oper', 'bob');
  await alice!.send({ command: 'JOIN', to: '#c' });
  await oper!.send({ command: 'JOIN', to: '#c' });
  await setChannelModes('#c', 'int');
  await refusedWith(oper!, { command: 'INVITE', to: 'bob', params: ['#c'] }, '482');
  await oper!.send(OPER);
  const res = await oper!.send({ command: 'INVITE', to: 'bob', params: ['#c'] });
  assert.deepEqual(commands(res.replies), ['341']);
});

// ---- OPER

test('OPER: 381, user mode +o with a MODE to the session, WHOIS 313, LUSERS 252', async () => {
  const [alice, bob] = await users('alice', 'bob');
  await drainAll(alice!, bob!);
  const before = await bob!.send({ command: 'LUSERS' });
  assert.deepEqual(before.replies[1]!.params, ['0']);
  const res = await alice!.send(OPER);
  assert.deepEqual(commands(res.replies), ['381']);
  assert.deepEqual(res.replies[0]!.body, ['You are now an IRC operator']);
  const queued = await alice!.drain();
  assert.deepEqual(commands(queued), ['MODE', '381']);
  assert.deepEqual([queued[0]!.from, queued[0]!.to, queued[0]!.body], ['alice', 'alice', ['+o']]);
  assert.equal((await h.store.getSession(alice!.caller.sessionId))!.modes, 'io');
  const umode = await alice!.send({ command: 'MODE', to: 'alice' });
  assert.deepEqual(umode.replies[0]!.body, ['+io']);
  const whois = await bob!.send({ command: 'WHOIS', to: 'alice' });
  const op = whois.replies.find((r) => r.command === '313');
  assert.ok(op, 'WHOIS shows 313 for an operator');
  assert.deepEqual([op.params, op.body], [['alice'], ['is an IRC operator']]);
  const lusers = await bob!.send({ command: 'LUSERS' });
  assert.deepEqual([lusers.replies[1]!.command, lusers.replies[1]!.params], ['252', ['1']]);
  // again: 381 once more, no second MODE
  await alice!.drain();
  const again = await alice!.send(OPER);
  assert.deepEqual(commands(again.replies), ['381']);
  assert.deepEqual(commands(await alice!.drain()), ['381']);
});

test('MODE nick -o drops operator status', async () => {
  const [alice, bob] = await users('alice', 'bob');
  await alice!.send(OPER);
  await alice!.send({ command: 'MODE', to: 'alice', params: ['-o'] });
  const whois = await bob!.send({ command: 'WHOIS', to: 'alice' });
  assert.ok(!commands(whois.replies).includes('313'));
  const lusers = await bob!.send({ command: 'LUSERS' });
  assert.deepEqual(lusers.replies[1]!.params, ['0']);
  await refusedWith(alice!, { command: 'WALLOPS', body: ['x'] }, '481');
  // +o cannot be set by MODE, only by OPER
  await alice!.send({ command: 'MODE', to: 'alice', params: ['+o'] });
  assert.ok(!(await h.store.getSession(alice!.caller.sessionId))!.modes.includes('o'));
});

test('OPER refusals: 461, 464 for a wrong name or password', async () => {
  const [alice] = await users('alice');
  await refusedWith(alice!, { command: 'OPER' }, '461', ['OPER']);
  await refusedWith(alice!, { command: 'OPER', params: ['admin'] }, '461', ['OPER']);
  await refusedWith(alice!, { command: 'OPER', params: ['admin', ''] }, '461', ['OPER']);
  const bad = await refusedWith(alice!, { command: 'OPER', params: ['admin', 'wrong'] }, '464');
  assert.equal(bad.status, 403);
  assert.equal(bad.message, 'Password incorrect');
  await refusedWith(alice!, { command: 'OPER', params: ['root', 'oper-secret'] }, '464');
  assert.equal((await h.store.getSession(alice!.caller.sessionId))!.modes, 'i');
  // two failures do not lock: the right credentials still work
  await alice!.send(OPER);
});

test('OPER after 3 failures refuses even the right password for a minute, per session', async () => {
  const [alice, bob] = await users('alice', 'bob');
  for (let i = 0; i < 3; i++) {
    await refusedWith(alice!, { command: 'OPER', params: ['admin', `guess${i}`] }, '464');
  }
  const locked = await refusedWith(alice!, OPER, '464');
  assert.match(locked.message, /Too many failed OPER attempts/);
  // another session is not affected
  await bob!.send(OPER);
  h.advance(59_000);
  await refusedWith(alice!, OPER, '464');
  h.advance(1_000);
  const res = await alice!.send(OPER);
  assert.deepEqual(commands(res.replies), ['381']);
});

test('OPER without configured credentials answers 491', async () => {
  const bare = await makeHarness({ operName: undefined, operPassword: undefined });
  try {
    const alice = await bare.user('alice');
    const err = await alice.refused(OPER);
    assert.deepEqual(
      [err.numeric, err.status, err.message],
      ['491', 403, 'No O-lines for your host'],
    );
  } finally {
    await bare.close();
  }
});

test('OPER_NAME and OPER_PASSWORD must be configured together', () => {
  const noFile = '/nonexistent/.env';
  assert.throws(() => loadConfig({ OPER_NAME: 'admin' }, noFile), /OPER_PASSWORD/);
  assert.throws(() => loadConfig({ OPER_PASSWORD: 'x' }, noFile), /OPER_PASSWORD/);
  const c = loadConfig({ OPER_NAME: 'admin', OPER_PASSWORD: 'pw' }, noFile);
  assert.deepEqual([c.OPER_NAME, c.OPER_PASSWORD], ['admin', 'pw']);
});

// ---- KILL

test('KILL ends the victim like QUIT: peers see QUIT "Killed (…)", tokens revoked', async () => {
  const [oper, bob, carol, dave] = await users('oper', 'bob', 'carol', 'dave');
  await oper!.send(OPER);
  await bob!.send({ command: 'JOIN', to: '#a,#b' });
  await carol!.send({ command: 'JOIN', to: '#a,#b' });
  await drainAll(oper!, bob!, carol!, dave!);
  const held = bob!.poll(10_000);
  await h.waiting(1);
  const res = await oper!.send({ command: 'KILL', to: 'Bob', body: ['spamming'] });
  assert.deepEqual(res.replies, []);
  await assert.rejects(viaHttp(held), { status: 401 });
  const got = await carol!.drain();
  assert.deepEqual(commands(got), ['QUIT'], 'once, though they share two channels');
  assert.deepEqual([got[0]!.from, got[0]!.body], ['bob', ['Killed (oper (spamming))']]);
  assert.deepEqual(await dave!.drain(), [], 'no shared channel, no QUIT');
  assert.equal(await h.core.authenticate(bob!.token), null);
  assert.equal(await h.store.getSessionByNick(fold('bob')), null);
  await h.user('bob'); // the nick is free again
  assert.deepEqual(
    (await h.core.listMembers(carol!.caller, '#a', null).then((p) => p.items)).map((m) => m.nick),
    ['carol'],
  );
});

test('KILL refusals: 461, 481 for non-operators, 401', async () => {
  const [alice, bob, oper] = await users('alice', 'bob', 'oper');
  await refusedWith(alice!, { command: 'KILL', body: ['x'] }, '461', ['KILL']);
  await refusedWith(alice!, { command: 'KILL', to: 'bob' }, '461', ['KILL']);
  const e = await refusedWith(alice!, { command: 'KILL', to: 'bob', body: ['x'] }, '481', []);
  assert.equal(e.status, 403);
  assert.equal(e.message, "Permission Denied- You're not an IRC operator");
  assert.ok(await h.core.authenticate(bob!.token));
  await oper!.send(OPER);
  await refusedWith(oper!, { command: 'KILL', to: 'ghost', body: ['x'] }, '401', ['ghost']);
});

test('KILL of oneself is allowed and ends the session', async () => {
  const [oper, bob] = await users('oper', 'bob');
  await oper!.send(OPER);
  await oper!.send({ command: 'JOIN', to: '#c' });
  await bob!.send({ command: 'JOIN', to: '#c' });
  await bob!.drain();
  await oper!.send({ command: 'KILL', to: 'oper', body: ['bye'] });
  assert.equal(await h.core.authenticate(oper!.token), null);
  const got = await bob!.drain();
  assert.deepEqual([commands(got), got[0]!.body], [['QUIT'], ['Killed (oper (bye))']]);
});

// ---- WALLOPS

test('WALLOPS reaches every session with +w, the operator too when +w, nobody else', async () => {
  const [oper, bob, carol] = await users('oper', 'bob', 'carol');
  await oper!.send(OPER);
  await bob!.send({ command: 'MODE', to: 'bob', params: ['+w'] });
  await drainAll(oper!, bob!, carol!);
  const res = await oper!.send({ command: 'WALLOPS', body: ['maintenance at noon'] });
  assert.deepEqual(res.replies, []);
  const got = await bob!.drain();
  assert.deepEqual(commands(got), ['WALLOPS']);
  assert.deepEqual(
    [got[0]!.from, got[0]!.to, got[0]!.body, got[0]!.id],
    ['oper', 'bob', ['maintenance at noon'], res.id],
  );
  assert.deepEqual(await carol!.drain(), []);
  assert.deepEqual(await oper!.drain(), [], 'the sender without +w gets none');
  await oper!.send({ command: 'MODE', to: 'oper', params: ['+w'] });
  await oper!.drain();
  await oper!.send({ command: 'WALLOPS', body: ['again'] });
  assert.deepEqual(
    only(await oper!.drain(), 'WALLOPS').map((e) => [e.to, e.body]),
    [['oper', ['again']]],
  );
  assert.deepEqual(commands(await bob!.drain()), ['WALLOPS']);
});

test('WALLOPS refusals: 461 without text, 481 for non-operators', async () => {
  const [alice, oper] = await users('alice', 'oper');
  await oper!.send(OPER);
  await refusedWith(oper!, { command: 'WALLOPS' }, '461', ['WALLOPS']);
  await refusedWith(oper!, { command: 'WALLOPS', body: [''] }, '461', ['WALLOPS']);
  await refusedWith(alice!, { command: 'WALLOPS', body: ['hi'] }, '481');
});
