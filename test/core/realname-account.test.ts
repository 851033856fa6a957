// Real names and accounts (docs/irc.md, docs/commands.md): USER's real name at creation, SETNAME
// and its event, the account a password makes (stable across NICK), ACCOUNT on PASS, WHOIS 330,
// and `account` / `realname` on envelopes — against the real core and a real SQLite file.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import type { SessionCreated } from '../../src/model/api.js';
import type { Envelope } from '../../src/model/envelope.js';
import { makeHarness, TestClient, type Harness } from '../helpers/core-harness.js';

let h: Harness;
beforeEach(async () => (h = await makeHarness()));
afterEach(async () => h.close());

const PW = 'correct horse battery';

function client(created: SessionCreated): TestClient {
  return new TestClient(
    h.core,
    h.delivery,
    { sessionId: created.id, clientId: created.client_id },
    created.token,
  );
}

const find = (envs: Envelope[], command: string) => envs.find((e) => e.command === command);
const textOf = (e: Envelope | undefined) => (e?.body as string[] | undefined)?.[0];

async function whois(c: TestClient, nick: string): Promise<Envelope[]> {
  await c.drain();
  return (await c.send({ command: 'WHOIS', to: nick })).replies;
}

test('the real name: the nick by default, USER’s when given, sanitized rather than refused', async () => {
  const plain = await h.core.createSession('alice');
  assert.equal((await h.store.getSession(plain.id))?.realname, 'alice');
  const cases: [string, string, string][] = [
    ['bob', 'Bob Builder', 'Bob Builder'],
    ['carol', '  \x02Carol\x02 \x0304C.\t ', 'Carol 04C.'],
    ['dave', '', 'dave'],
    ['erin', '\x01\x07', 'erin'],
    ['frank', 'é'.repeat(70), 'é'.repeat(64)],
  ];
  for (const [nick, realname, expected] of cases) {
    const created = await h.core.createSession(nick, undefined, { realname });
    assert.equal((await h.store.getSession(created.id))?.realname, expected, nick);
  }
});

test('WHOIS 311 and WHO 352 show the real name', async () => {
  const bob = client(await h.core.createSession('bob', undefined, { realname: 'Bob Builder' }));
  const alice = await h.user('alice');
  await bob.send({ command: 'JOIN', to: '#a' });
  await alice.send({ command: 'JOIN', to: '#a' });
  const user = find(await whois(alice, 'bob'), '311');
  assert.equal(textOf(user), 'Bob Builder');
  const who = (await alice.send({ command: 'WHO', to: '#a' })).replies;
  assert.equal(textOf(find(who, '352')), '0 Bob Builder');
  const byNick = (await alice.send({ command: 'WHO', to: 'bob' })).replies;
  assert.equal(textOf(find(byNick, '352')), '0 Bob Builder');
});

test('SETNAME sets it and tells the own clients and those sharing a channel', async () => {
  const alice = await h.user('alice');
  const laptop = await h.device(alice);
  const bob = await h.user('bob');
  const carol = await h.user('carol');
  await alice.send({ command: 'JOIN', to: '#a' });
  await bob.send({ command: 'JOIN', to: '#a' });
  for (const c of [alice, laptop, bob, carol]) await c.drain();
  await alice.send({ command: 'SETNAME', body: ['Alice Liddell'] });
  assert.equal((await h.store.getSession(alice.caller.sessionId))?.realname, 'Alice Liddell');
  for (const c of [alice, laptop, bob]) {
    const got = await c.drain();
    assert.equal(got.length, 1);
    const ev = got[0]!;
    assert.equal(ev.command, 'SETNAME');
    assert.equal(ev.from, 'alice');
    assert.deepEqual(ev.body, ['Alice Liddell']);
    assert.match(ev.source ?? '', /^alice!~alice@s\d+\.test\.chat$/);
    assert.ok(!('account' in ev), 'no password, no account');
  }
  assert.deepEqual(await carol.drain(), [], 'no shared channel');
  assert.equal(textOf(find(await whois(bob, 'alice'), '311')), 'Alice Liddell');
  // a JOIN carries the joiner's real name (extended-join), nothing else does
  await alice.send({ command: 'JOIN', to: '#b' });
  const [join] = await alice.drain();
  assert.equal(join?.command, 'JOIN');
  assert.equal(join?.realname, 'Alice Liddell');
  await alice.send({ command: 'PRIVMSG', to: '#b', body: ['hi'] });
  assert.ok(!('realname' in (await alice.drain())[0]!));
});

test('SETNAME refuses an invalid real name whole (invalid_realname, 400) and 461 without one', async () => {
  const alice = await h.user('alice');
  for (const bad of ['', '   ', 'tab\there', '\x02bold', 'x'.repeat(65)]) {
    const r = await alice.refused({ command: 'SETNAME', body: [bad] });
    assert.equal(r.code, 'invalid_realname', JSON.stringify(bad));
    assert.equal(r.status, 400);
  }
  const none = await alice.refused({ command: 'SETNAME' });
  assert.equal(none.numeric, '461');
  // 64 code points is the limit, not 64 bytes
  await alice.send({ command: 'SETNAME', body: ['ü'.repeat(64)] });
  assert.equal((await h.store.getSession(alice.caller.sessionId))?.realname, 'ü'.repeat(64));
  const burst = await alice.drain();
  assert.deepEqual(
    burst.filter((e) => e.command === 'SETNAME').map((e) => e.body),
    [['ü'.repeat(64)]],
  );
});

test('a registered session is an account named after its first nick, kept across NICK', async () => {
  const alice = client(await h.core.register('alice', PW));
  const bob = await h.user('bob');
  await alice.send({ command: 'JOIN', to: '#a' });
  await bob.send({ command: 'JOIN', to: '#a' });
  assert.equal((await h.store.getSession(alice.caller.sessionId))?.account, 'alice');
  assert.equal((await h.store.getSession(bob.caller.sessionId))?.account, null);
  await alice.send({ command: 'NICK', body: ['alicia'] });
  assert.equal((await h.store.getSession(alice.caller.sessionId))?.account, 'alice');
  await bob.drain();
  await alice.send({ command: 'PRIVMSG', to: '#a', body: ['hi'] });
  const [msg] = await bob.drain();
  assert.equal(msg?.from, 'alicia');
  assert.equal(msg?.account, 'alice');
  // 330 for an account, none without
  const replies = await whois(bob, 'alicia');
  const acct = find(replies, '330');
  assert.deepEqual(acct?.params, ['alicia', 'alice']);
  assert.equal(textOf(acct), 'is logged in as');
  // before 318, after 312
  const order = replies.map((e) => e.command);
  assert.ok(
    order.indexOf('312') < order.indexOf('330') && order.indexOf('330') < order.indexOf('318'),
  );
  assert.equal(find(await whois(alice, 'bob'), '330'), undefined);
  // bob's own events carry no account
  await bob.send({ command: 'PRIVMSG', to: '#a', body: ['yo'] });
  assert.ok(!('account' in (await alice.drain()).find((e) => e.command === 'PRIVMSG')!));
});

test('PASS on a passwordless session makes it an account and announces ACCOUNT; a change does not', async () => {
  const alice = await h.user('alice');
  const laptop = await h.device(alice);
  const bob = await h.user('bob');
  const carol = await h.user('carol');
  await alice.send({ command: 'JOIN', to: '#a' });
  await bob.send({ command: 'JOIN', to: '#a' });
  await alice.send({ command: 'NICK', body: ['Alicia'] });
  for (const c of [alice, laptop, bob, carol]) await c.drain();
  await alice.send({ command: 'PASS', body: [PW] });
  assert.equal((await h.store.getSession(alice.caller.sessionId))?.account, 'Alicia');
  for (const c of [alice, laptop, bob]) {
    const ev = find(await c.drain(), 'ACCOUNT');
    assert.deepEqual(ev?.body, ['Alicia']);
    assert.equal(ev?.from, 'Alicia');
    assert.equal(ev?.account, 'Alicia');
  }
  assert.deepEqual(await carol.drain(), []);
  // changing the password keeps the account and announces nothing
  await alice.send({ command: 'NICK', body: ['al'] });
  await bob.drain();
  await alice.send({ command: 'PASS', body: [PW, PW + '!'] });
  assert.equal((await h.store.getSession(alice.caller.sessionId))?.account, 'Alicia');
  assert.equal(find(await bob.drain(), 'ACCOUNT'), undefined);
  // the QUIT of an account carries it too
  await alice.send({ command: 'QUIT', body: ['bye'] });
  assert.equal(find(await bob.drain(), 'QUIT')?.account, 'Alicia');
});
