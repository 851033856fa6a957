// createSession's options for transports other than HTTP (core-contract.ts SessionOptions): the
// ident of IRC's USER as the user part, and a hashcash stamp waived only when the transport says
// it charged its own allowance.
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { mintStampSync } from '../../src/shared/hashcash.js';
import { makeHarness, refusal, TestClient, type Harness } from '../helpers/core-harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function userOf(harness: Harness, sessionId: number): Promise<string | undefined> {
  return (await harness.store.getSession(sessionId))?.user;
}

test('an ident becomes the user part with one ~; the welcome and every event show it', async () => {
  h = await makeHarness();
  const created = await h.core.createSession('alice', undefined, { user: '~jdoe' });
  assert.equal(await userOf(h, created.id), '~jdoe');
  const alice = new TestClient(
    h.core,
    h.delivery,
    { sessionId: created.id, clientId: created.client_id },
    created.token,
  );
  const burst = await alice.drain();
  const welcome = burst.find((e) => e.command === '001');
  assert.match(String((welcome?.body as string[])[0]), /alice!~jdoe@s\d+\.test\.chat$/);
  await alice.send({ command: 'JOIN', to: '#a' });
  const [join] = await alice.drain();
  assert.equal(join?.source, `alice!~jdoe@s${created.id}.test.chat`);
});

test('a bad ident falls back to ~ and the nick, as before; no ident is the HTTP default', async () => {
  h = await makeHarness();
  const cases: [string, string | undefined, string][] = [
    ['bob', 'no spaces', '~bob'],
    ['carol', 'much-too-long-ident', '~carol'],
    ['dave', '', '~dave'],
    ['averyveryverylongnick', undefined, '~averyvery'],
  ];
  for (const [nick, user, expected] of cases) {
    const created = await h.core.createSession(nick, undefined, user === undefined ? {} : { user });
    assert.equal(await userOf(h, created.id), expected, `${nick} ${user}`);
  }
  const plain = await h.core.createSession('erin');
  assert.equal(await userOf(h, plain.id), '~erin');
});

test('hashcash: required unless waived; a waived creation neither checks nor spends a stamp', async () => {
  h = await makeHarness({ hashcashBits: 8 });
  const none = await refusal(h.core.createSession('alice'));
  assert.equal(none.code, 'hashcash_required');
  assert.equal(none.status, 402);
  const bad = await refusal(h.core.createSession('alice', 'not-a-stamp'));
  assert.equal(bad.code, 'hashcash_required');
  // the user option alone waives nothing
  assert.equal(
    (await refusal(h.core.createSession('alice', undefined, { user: 'a' }))).status,
    402,
  );
  // nor does an explicit false
  const no = h.core.createSession('alice', undefined, { hashcashWaived: false });
  assert.equal((await refusal(no)).status, 402);

  const waived = await h.core.createSession('alice', undefined, { hashcashWaived: true });
  assert.ok(waived.token);
  // a stamp handed in with the waiver is not looked at, and stays unspent
  const stamp = mintStampSync({ bits: 8, resource: 'test.chat', now: new Date(h.env.now()) });
  await h.core.createSession('bob', 'garbage', { hashcashWaived: true });
  await h.core.createSession('carol', stamp, { hashcashWaived: true });
  assert.ok((await h.core.createSession('dave', stamp)).token, 'the stamp was not spent');
  const replay = await refusal(h.core.createSession('erin', stamp));
  assert.match(replay.message, /already used/);
});
