// End to end over real HTTP: VERSION, TIME, ADMIN, INFO, USERHOST and ISON answer with the exact
// numerics of RFC 2812, queued to the caller too; a foreign server target is 404 with 402, a
// missing nick list 400 with 461.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { HttpClient } from '../helpers/api.js';
import { startChatd, type Chatd } from '../helpers/chatd.js';

let chatd: Chatd;
let alice: HttpClient & { sessionId: number };
let bob: HttpClient & { sessionId: number };

before(async () => {
  chatd = await startChatd({ env: { SERVER_NAME: 'irc.test', NETWORK_NAME: 'E2ENet' } });
  alice = await HttpClient.create(chatd.url, 'alice');
  bob = await HttpClient.create(chatd.url, 'Bob');
  await bob.send({ command: 'AWAY', body: ['gone'] });
});
after(async () => chatd.cleanup());

interface Reply {
  id: string;
  command: string;
  from: string;
  to: string;
  params: string[];
  body: string[];
}

/** sends, checks 200, and that the replies are exactly what was queued to the caller */
async function ok(input: Record<string, unknown>): Promise<Reply[]> {
  await alice.drain();
  const r = await alice.send(input);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const replies = r.body.replies as Reply[];
  assert.deepEqual(
    (await alice.drain()).map((e) => e.id),
    replies.map((e) => e.id),
  );
  for (const e of replies) assert.deepEqual([e.from, e.to], ['irc.test', 'alice']);
  return replies;
}

const shape = (rs: Reply[]) => rs.map((e) => [e.command, e.params, e.body]);

test('VERSION: 351 with version and server, then 005', async () => {
  const version = (await (await fetch(`${chatd.url}/api/v1/server`)).json()) as { version: string };
  const rs = await ok({ command: 'VERSION' });
  assert.deepEqual(
    rs.map((e) => e.command),
    ['351', '005'],
  );
  assert.deepEqual(shape(rs.slice(0, 1)), [
    ['351', [`chat-${version.version}.`, 'irc.test'], ['IRC semantics over HTTP+JSON']],
  ]);
  assert.ok(rs[1]!.params.includes('NETWORK=E2ENet'));
  assert.ok(rs[1]!.params.includes('CHANMODES=b,k,l,imnst'));
});

test('TIME: 391 with the server and a readable UTC time', async () => {
  const rs = await ok({ command: 'TIME' });
  assert.deepEqual(
    rs.map((e) => [e.command, e.params]),
    [['391', ['irc.test']]],
  );
  const when = Date.parse(rs[0]!.body[0]!);
  assert.match(rs[0]!.body[0]!, / GMT$/);
  assert.ok(Math.abs(when - Date.now()) < 60_000, rs[0]!.body[0]);
});

test('ADMIN: 256, 257, 258, 259', async () => {
  const rs = await ok({ command: 'ADMIN', to: 'irc.test' });
  assert.deepEqual(
    rs.map((e) => e.command),
    ['256', '257', '258', '259'],
  );
  assert.deepEqual(shape(rs)[0], ['256', ['irc.test'], ['Administrative info']]);
  assert.deepEqual(rs[1]!.body, ['Server irc.test of the E2ENet network']);
});

test('INFO: 371 lines, then 374', async () => {
  const rs = await ok({ command: 'INFO' });
  assert.deepEqual(
    rs.map((e) => e.command),
    ['371', '371', '371', '371', '371', '371', '374'],
  );
  assert.match(rs[5]!.body[0]!, /^On-line since .+ GMT$/);
  assert.deepEqual(rs[6]!.body, ['End of INFO list']);
});

test('USERHOST: 302 with nick[*]=[+|-]user@host, unknown nicks skipped', async () => {
  const rs = await ok({ command: 'USERHOST', params: ['bob', 'nobody', 'alice'] });
  assert.deepEqual(shape(rs), [
    [
      '302',
      [],
      [`Bob=-~Bob@s${bob.sessionId}.irc.test alice=+~alice@s${alice.sessionId}.irc.test`],
    ],
  ]);
});

test('ISON: 303 with the online nicks in display form', async () => {
  const rs = await ok({ command: 'ISON', params: ['BOB', 'nobody', 'alice'] });
  assert.deepEqual(shape(rs), [['303', [], ['Bob alice']]]);
  const none = await ok({ command: 'ISON', body: ['ghost1 ghost2'] });
  assert.deepEqual(shape(none), [['303', [], ['']]]);
});

test('refusals: another server is 404 with 402; no nicks is 400 with 461; queued too', async () => {
  const cases: [Record<string, unknown>, number, string, string, string[]][] = [
    [{ command: 'VERSION', to: 'other.example' }, 404, 'no_such_server', '402', ['other.example']],
    [
      { command: 'TIME', params: ['other.example'] },
      404,
      'no_such_server',
      '402',
      ['other.example'],
    ],
    [{ command: 'ADMIN', to: 'x.*' }, 404, 'no_such_server', '402', ['x.*']],
    [{ command: 'INFO', to: 'nobody' }, 404, 'no_such_server', '402', ['nobody']],
    [{ command: 'USERHOST' }, 400, 'need_more_params', '461', ['USERHOST']],
    [{ command: 'ISON', params: [] }, 400, 'need_more_params', '461', ['ISON']],
  ];
  for (const [input, status, code, numeric, params] of cases) {
    await alice.drain();
    const r = await alice.send(input);
    assert.deepEqual(
      [r.status, r.body.error, r.body.numeric, r.body.params],
      [status, code, numeric, params],
      JSON.stringify(input),
    );
    const queued = await alice.drain();
    assert.deepEqual(
      queued.map((e) => [e.command, e.params]),
      [[numeric, params]],
    );
  }
});
