// End to end: the typed API client of src/shared (used by the web client and chat-cli) against
// the real chatd: sessions, register/login, commands, polling, history, members, errors.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ApiError, ChatClient } from '../../src/shared/client.js';
import { mintStampSync } from '../../src/shared/hashcash.js';
import { startChatd, type Chatd } from '../helpers/chatd.js';

let chatd: Chatd;
before(async () => (chatd = await startChatd({ env: { HASHCASH_BITS: '4' } })));
after(async () => chatd?.cleanup());

const stamp = () => mintStampSync({ bits: 4, resource: 'chat', now: new Date() });

test('a session, a channel, a message, a poll, history and members through ChatClient', async () => {
  const alice = new ChatClient({ baseUrl: chatd.url + '/' });
  const bob = new ChatClient({ baseUrl: chatd.url });
  assert.equal((await alice.server()).hashcash_bits, 4);
  const a = await alice.createSession('cal', stamp());
  assert.equal(alice.token, a.token);
  const b = await bob.register('dee', 'dee-password', stamp());
  await alice.send({ command: 'JOIN', to: '#c' });
  await bob.send({ command: 'JOIN', to: '#c' });
  const first = await bob.poll(null, 0);
  assert.ok(first.messages.some((m) => m.command === '001'));
  const held = bob.poll(first.last_id, 10);
  const sent = await alice.send({ command: 'PRIVMSG', to: '#c', body: ['hello'] });
  const got = await held;
  assert.deepEqual(
    got.messages.map((m) => [m.id, m.body]),
    [[sent.id, ['hello']]],
  );
  const hist = await bob.history({ target: '#c', limit: 10 });
  assert.deepEqual(
    hist.messages.map((m) => m.body),
    [['hello']],
  );
  assert.deepEqual(
    (await bob.members('#c')).map((m) => m.nick),
    ['cal', 'dee'],
  );
  assert.deepEqual(
    (await alice.channels()).map((c) => c.name),
    ['#c'],
  );
  assert.equal((await alice.state()).nick, 'cal');
  // a second device of bob's session
  const phone = new ChatClient({ baseUrl: chatd.url });
  const p = await phone.login('DEE', 'dee-password');
  assert.equal(p.nick, 'dee');
  assert.equal((await phone.clients()).length, 2);
  await phone.revokeClient(b.client_id);
  await assert.rejects(bob.state(), (e: ApiError) => e.signedOut && e.code === 'invalid_token');
});

test('refusals become ApiError with the JSON body, status and Retry-After', async () => {
  const c = new ChatClient({ baseUrl: chatd.url });
  await assert.rejects(c.createSession('eve'), (e: ApiError) => {
    assert.ok(e instanceof ApiError);
    assert.equal(e.status, 402);
    assert.equal(e.code, 'hashcash_required');
    return true;
  });
  await c.createSession('eve', stamp());
  await assert.rejects(c.send({ command: 'PART', to: '#nowhere' }), (e: ApiError) => {
    assert.equal(e.status, 404);
    assert.equal(e.body.numeric, '403');
    return true;
  });
  await assert.rejects(c.login('nobody', 'whatever-pw'), (e: ApiError) => e.status === 401);
  await c.logout();
  assert.equal(c.token, null);
  await assert.rejects(c.state(), (e: ApiError) => e.status === 401 && e.code === 'missing_token');
});
