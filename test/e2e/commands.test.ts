// End to end: the query and small commands over real HTTP (their rules are covered in depth by
// test/core; here the HTTP answer and the queued transcript are checked).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { HttpClient } from '../helpers/api.js';
import { startChatd, type Chatd } from '../helpers/chatd.js';

let chatd: Chatd;
let alice: HttpClient;
let bob: HttpClient;

before(async () => {
  chatd = await startChatd({ env: { MOTD: 'hello\nworld' } });
  alice = await HttpClient.create(chatd.url, 'alice');
  bob = await HttpClient.create(chatd.url, 'bob');
  await alice.send({ command: 'JOIN', to: '#q' });
  await bob.send({ command: 'JOIN', to: '#q' });
});
after(async () => chatd.cleanup());

const replyCommands = (r: { body: Record<string, unknown> }) =>
  (r.body.replies as { command: string }[]).map((e) => e.command);

const CASES: [string, Record<string, unknown>, string[]][] = [
  ['PING', { command: 'PING', body: ['x'] }, ['PONG']],
  ['MOTD', { command: 'MOTD' }, ['375', '372', '372', '376']],
  ['NAMES', { command: 'NAMES', to: '#q' }, ['353', '366']],
  ['LIST', { command: 'LIST' }, ['321', '322', '323']],
  ['WHO', { command: 'WHO', to: '#q' }, ['352', '352', '315']],
  ['WHOIS', { command: 'WHOIS', to: 'bob' }, ['311', '319', '312', '317', '318']],
  ['LUSERS', { command: 'LUSERS' }, ['251', '252', '254', '255', '265', '266']],
  ['AWAY on', { command: 'AWAY', body: ['away'] }, ['306']],
  ['AWAY off', { command: 'AWAY' }, ['305']],
  ['MODE #q', { command: 'MODE', to: '#q' }, ['324', '329']],
  ['MODE self', { command: 'MODE', to: 'alice' }, ['221']],
  ['TOPIC query', { command: 'TOPIC', to: '#q' }, ['331']],
];

for (const [name, input, expected] of CASES) {
  test(`${name} answers ${expected.join(' ')} and queues the same to the caller`, async () => {
    await alice.drain();
    const r = await alice.send(input);
    assert.equal(r.status, 200);
    assert.deepEqual(replyCommands(r), expected);
    // the replies, and nothing else but the events the command stored (AWAY's away-notify event)
    const queued = (await alice.drain()).filter((e) => e.id !== r.body.id);
    assert.deepEqual(
      queued.map((e) => e.id),
      (r.body.replies as { id: string }[]).map((e) => e.id),
    );
  });
}

test('refusals map to the statuses of docs/api.md', async () => {
  const expect: [Record<string, unknown>, number, string][] = [
    [{ command: 'MODE', to: '#q', params: ['+m'] }, 403, '482'], // bob is not op
    [{ command: 'MODE', to: 'alice' }, 403, '502'],
    [{ command: 'PART', to: '#nowhere' }, 404, '403'],
    [{ command: 'JOIN' }, 400, '461'],
    [{ command: 'NICK', body: ['alice'] }, 409, '433'],
    [{ command: 'PRIVMSG', to: 'ghost', body: ['x'] }, 404, '401'],
    [{ command: 'TOPIC', to: '#q', body: ['t'] }, 403, '482'],
  ];
  for (const [input, status, numeric] of expect) {
    const r = await bob.send(input);
    assert.deepEqual([r.status, r.body.numeric], [status, numeric], JSON.stringify(input));
  }
});

test('flood control: 429 with Retry-After past the burst, per client, polls exempt', async () => {
  const flood = await startChatd({ env: { FLOOD_BURST: '5', FLOOD_RATE: '0.5' } });
  try {
    const fast = await HttpClient.create(flood.url, 'fast');
    const calm = await HttpClient.create(flood.url, 'calm');
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) statuses.push((await fast.send({ command: 'PING' })).status);
    assert.deepEqual(statuses.slice(0, 5), [200, 200, 200, 200, 200]);
    assert.ok(
      statuses.slice(5).every((s) => s === 429),
      statuses.join(' '),
    );
    const r = await fast.send({ command: 'PING' });
    assert.equal(r.status, 429);
    assert.equal(r.body.error, 'flood');
    assert.ok(Number(r.headers.get('retry-after')) >= 1);
    assert.equal(
      (await calm.send({ command: 'PING' })).status,
      200,
      'other clients are not throttled',
    );
    for (let i = 0; i < 10; i++) await fast.poll(0); // polls never count
    assert.equal((await calm.send({ command: 'PING' })).status, 200);
  } finally {
    await flood.cleanup();
  }
});
