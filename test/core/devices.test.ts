// Named device clients (docs/sessions.md#named-devices, core-contract.ts loginDevice): created on
// first login, reused on the next with a new token, the arrival burst again and where to resume;
// MAX_CLIENTS and the login limits; the server-kept cursor; idle expiry after
// ACCOUNT_IDLE_TIMEOUT only.
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { Jobs } from '../../src/jobs/jobs.js';
import type { SessionCreated } from '../../src/model/api.js';
import type { CoreSettings } from '../../src/protocol/environment.js';
import type { ClientRow } from '../../src/store/store.js';
import {
  commands,
  makeHarness,
  refusal,
  TestClient,
  texts,
  type Harness,
} from '../helpers/core-harness.js';

let h: Harness;
afterEach(async () => h.close());

const PW = 'correct horse battery';
const HOUR = 3_600_000;

async function setUp(settings: Partial<CoreSettings> = {}): Promise<TestClient> {
  h = await makeHarness(settings);
  return client(await h.core.register('alice', PW));
}

function client(created: SessionCreated): TestClient {
  return new TestClient(
    h.core,
    h.delivery,
    { sessionId: created.id, clientId: created.client_id },
    created.token,
  );
}

const asDevice = (device: string, password = PW, nick = 'alice', address = '10.0.0.1') =>
  h.core.loginDevice(nick, password, address, device);

async function row(clientId: number): Promise<ClientRow> {
  const found = await h.store.getClient(clientId);
  assert.ok(found, `client ${clientId}`);
  return found;
}

/** The client's queue after `after`, as a transport resuming from it reads it. */
async function readFrom(c: TestClient, after: number) {
  c.cursor = after;
  return c.drain();
}

const BURST_START = ['001', '002', '003', '004', '005'];

test('the first login as a device creates its client: the burst, no resume, a cursor before it', async () => {
  const alice = await setUp();
  await alice.send({ command: 'JOIN', to: '#a' });
  await alice.send({ command: 'TOPIC', to: '#a', body: ['hello'] });
  const created = await asDevice('phone');
  assert.equal(created.resume, undefined);
  assert.equal(created.id, alice.caller.sessionId);
  assert.equal(created.nick, 'alice');
  const phone = client(created);
  const saved = await row(created.client_id);
  assert.equal(saved.device, 'phone');
  assert.equal(saved.cursor, saved.startSeq, 'the cursor starts just before the burst');
  const burst = await readFrom(phone, saved.cursor);
  assert.deepEqual(commands(burst).slice(0, 5), BURST_START);
  assert.deepEqual(commands(burst).slice(-5), ['JOIN', '332', '333', '353', '366']);
  assert.deepEqual(await h.core.authenticate(created.token), phone.caller);
  // other clients have no device and no server-kept cursor
  const laptop = await row(alice.caller.clientId);
  assert.equal(laptop.device, null);
  assert.equal(laptop.cursor, null);
});

test('logging in as the device again reuses its client: a new token, the burst, where to resume', async () => {
  const alice = await setUp();
  const bob = await h.user('bob');
  await alice.send({ command: 'JOIN', to: '#a' });
  await bob.send({ command: 'JOIN', to: '#a' });
  const first = await asDevice('phone');
  const phone = client(first);
  const burst1 = await phone.drain();
  const seen = burst1[burst1.length - 1]!.seq;
  await h.core.saveCursor(phone.caller, seen);
  await h.core.disconnect(phone.caller, 'Connection closed');
  // while the phone is away
  await bob.send({ command: 'PRIVMSG', to: '#a', body: ['one'] });
  await bob.send({ command: 'PRIVMSG', to: 'alice', body: ['two'] });
  await alice.send({ command: 'AWAY', body: ['out'] });

  const again = await asDevice('phone');
  assert.equal(again.client_id, first.client_id, 'the same client');
  assert.notEqual(again.token, first.token);
  assert.equal(await h.core.authenticate(first.token), null, 'the old token stops working');
  assert.deepEqual(await h.core.authenticate(again.token), phone.caller);
  assert.equal((await h.core.listClients(alice.caller)).length, 2, 'no new client');
  const resume = again.resume;
  assert.ok(resume);
  assert.equal(resume.after, seen);
  assert.ok(resume.burstFirst > seen && resume.burstLast > resume.burstFirst);

  const queued = await readFrom(phone, resume.after);
  const missed = queued.filter((e) => e.seq < resume.burstFirst);
  assert.deepEqual(texts(missed), ['one', 'two']);
  const burst = queued.filter((e) => e.seq >= resume.burstFirst && e.seq <= resume.burstLast);
  assert.equal(queued[queued.length - 1]!.seq, resume.burstLast, 'nothing after the burst');
  assert.equal(burst[0]!.seq, resume.burstFirst);
  const cmds = commands(burst);
  assert.deepEqual(cmds.slice(0, 5), BURST_START);
  // the channel-state replay and the away status, as a new client gets them
  assert.deepEqual(cmds.slice(cmds.indexOf('376')), ['376', 'JOIN', '353', '366', '306']);
});

test('a device never delivered to resumes from its first burst', async () => {
  await setUp();
  const first = await asDevice('tablet');
  const again = await asDevice('tablet');
  const start = (await row(first.client_id)).startSeq;
  assert.equal(again.resume?.after, start);
  const all = await readFrom(client(again), start);
  // two bursts, back to back: the first one's 001 right after the saved cursor
  assert.equal(all[0]!.command, '001');
  assert.equal(commands(all).filter((c) => c === '001').length, 2);
  assert.equal(all.find((e) => e.seq === again.resume?.burstFirst)?.command, '001');
});

test('MAX_CLIENTS: a known device logs in at the cap; a new device or client is refused', async () => {
  const alice = await setUp(); // harness: MAX_CLIENTS 3
  await asDevice('phone');
  await h.core.login('alice', PW, '10.0.0.1');
  assert.equal((await h.core.listClients(alice.caller)).length, 3);
  const again = await asDevice('phone');
  assert.ok(again.resume, 'reused at the cap');
  const tablet = await refusal(asDevice('tablet'));
  assert.equal(tablet.code, 'too_many_clients');
  assert.equal(tablet.status, 403);
  assert.equal((await refusal(h.core.login('alice', PW, '10.0.0.1'))).code, 'too_many_clients');
  assert.equal((await h.core.listClients(alice.caller)).length, 3);
});

test('the allowance of successful logins counts a device logging in again', async () => {
  await setUp({ loginLimits: { perNick: 3, perAddress: 5, windowMs: 60_000, perAccount: 2 } });
  await asDevice('phone');
  await asDevice('phone');
  const third = await refusal(asDevice('phone'));
  assert.equal(third.code, 'too_many_logins');
  assert.equal(third.status, 429);
});

test('wrong password, unknown nick, anonymous session: invalid_credentials, the device untouched', async () => {
  await setUp();
  const created = await asDevice('phone');
  await h.user('anon');
  for (const attempt of [
    () => asDevice('phone', 'wrong password'),
    () => asDevice('phone', PW, 'nobody'),
    () => asDevice('phone', PW, 'anon'),
  ]) {
    const refused = await refusal(attempt());
    assert.equal(refused.code, 'invalid_credentials');
    assert.equal(refused.status, 401);
  }
  assert.ok(await h.core.authenticate(created.token), 'still logged in');
  // failures count as for /login: the per-nick limit (3 in the harness) is reached
  await refusal(asDevice('phone', 'wrong again'));
  await refusal(asDevice('phone', 'and again'));
  assert.equal((await refusal(asDevice('phone'))).code, 'too_many_failed_logins');
});

test('device names: 1–32 of A-Z a-z 0-9 _ - . else 400 invalid_device, counted as no attempt', async () => {
  await setUp();
  for (const bad of ['', 'my phone', 'x'.repeat(33), 'ph@ne', 'téléphone', 'a/b', 'a\n']) {
    const refused = await refusal(asDevice(bad));
    assert.equal(refused.code, 'invalid_device', JSON.stringify(bad));
    assert.equal(refused.status, 400);
  }
  // seven refusals, yet the per-nick failure limit (3) was not touched
  for (const good of ['x'.repeat(32), 'A-z_0.9']) assert.ok((await asDevice(good)).token, good);
});

test('device names are per session', async () => {
  await setUp();
  await h.core.register('bob', PW);
  const alicePhone = await asDevice('phone');
  const bobPhone = await asDevice('phone', PW, 'bob');
  assert.notEqual(alicePhone.client_id, bobPhone.client_id);
  assert.equal(bobPhone.resume, undefined);
  assert.ok((await asDevice('PHONE')).resume === undefined, 'names are case-sensitive');
});

test('saveCursor: only forward, only for device clients; a gone client is fine', async () => {
  const alice = await setUp();
  const phone = client(await asDevice('phone'));
  const start = (await row(phone.caller.clientId)).cursor!;
  await h.core.saveCursor(phone.caller, start + 5);
  assert.equal((await row(phone.caller.clientId)).cursor, start + 5);
  await h.core.saveCursor(phone.caller, start + 2);
  assert.equal((await row(phone.caller.clientId)).cursor, start + 5, 'never back');
  await h.core.saveCursor(phone.caller, start + 5);
  await h.core.saveCursor(phone.caller, start + 9);
  assert.equal((await row(phone.caller.clientId)).cursor, start + 9);

  await h.core.saveCursor(alice.caller, start + 9);
  assert.equal((await row(alice.caller.clientId)).cursor, null, 'not a device: nothing kept');

  await h.core.revokeClient(alice.caller, phone.caller.clientId);
  await h.core.saveCursor(phone.caller, start + 20);
  await assert.rejects(h.core.saveCursor(alice.caller, 1.5), TypeError);
});

test('idle expiry: a device outlives SESSION_IDLE_TIMEOUT and goes after ACCOUNT_IDLE_TIMEOUT', async () => {
  const laptop = await setUp();
  const bob = await h.user('bob');
  await laptop.send({ command: 'JOIN', to: '#a' });
  await bob.send({ command: 'JOIN', to: '#a' });
  const phone = client(await asDevice('phone'));
  const jobs = new Jobs(
    h.core,
    h.store,
    {
      intervalMs: 60_000,
      sessionIdleMs: 24 * HOUR,
      accountIdleMs: 720 * HOUR,
      queueMaxAgeMs: 48 * HOUR,
      maxHistory: 100,
    },
    (err) => assert.fail(String(err)),
    () => h.env.now(),
  );
  const run = async (hours: number) => {
    h.advance(hours * HOUR);
    await h.core.keepAlive(bob.caller); // bob stays
    return jobs.runOnce();
  };
  let report = await run(25);
  assert.equal(report.clientsExpired, 1, 'the laptop');
  assert.equal(await h.store.getClient(laptop.caller.clientId), null);
  assert.ok(await h.store.getClient(phone.caller.clientId), 'the phone waits');
  report = await run(24 * 7);
  assert.equal(report.clientsExpired, 0);
  // a week later the phone resumes, and counts as seen from then on
  const back = await asDevice('phone');
  assert.equal(back.client_id, phone.caller.clientId);
  report = await run(719);
  assert.equal(report.clientsExpired, 0);
  assert.ok(await h.store.getSession(laptop.caller.sessionId));
  await bob.drain();

  report = await run(2);
  assert.equal(report.clientsExpired, 1, 'the phone, unseen for ACCOUNT_IDLE_TIMEOUT');
  assert.equal(report.sessionsEnded, 1, 'and with it the always-on session');
  assert.equal(await h.store.getClient(phone.caller.clientId), null);
  assert.equal(await h.store.getSession(laptop.caller.sessionId), null);
  assert.deepEqual(commands(await bob.drain()), ['QUIT']);
});
