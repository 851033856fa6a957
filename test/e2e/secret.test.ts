// End to end over real HTTP: a channel made secret with `MODE +s` does not exist for non-members
// (LIST, NAMES, WHO, WHOIS, TOPIC, PART, the channel and member lists, history, state), while its
// members see everything. The channel is created as `#Secret` and outsiders only ever name it
// `#secret`, so the display form showing up anywhere they can read would be a leak.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { call, HttpClient } from '../helpers/api.js';
import { startChatd, type Chatd } from '../helpers/chatd.js';

let chatd: Chatd;
let alice: HttpClient; // op of #Secret and #pub
let bob: HttpClient; // in #Secret only (invisible, like every new session)
let carol: HttpClient; // in #pub only: the outsider
/** everything carol's requests answered, for the leak check */
const carolSaw: unknown[] = [];

interface Reply {
  command: string;
  params: string[];
  body: string[];
}

before(async () => {
  chatd = await startChatd();
  alice = await HttpClient.create(chatd.url, 'alice');
  bob = await HttpClient.create(chatd.url, 'bob');
  carol = await HttpClient.create(chatd.url, 'carol');
  await alice.send({ command: 'JOIN', to: '#Secret,#pub' });
  await bob.send({ command: 'JOIN', to: '#secret' });
  await carol.send({ command: 'JOIN', to: '#pub' });
  await alice.send({ command: 'TOPIC', to: '#secret', body: ['hush'] });
  await alice.send({ command: 'PRIVMSG', to: '#secret', body: ['inside'] });
  const mode = await alice.send({ command: 'MODE', to: '#secret', params: ['+s'] });
  assert.equal(mode.status, 200, `MODE +s: ${JSON.stringify(mode.body)}`);
});
after(async () => chatd.cleanup());

async function asCarol(input: Record<string, unknown>) {
  const r = await carol.send(input);
  carolSaw.push(r.body);
  return { status: r.status, body: r.body, replies: (r.body.replies ?? []) as Reply[] };
}

async function getAs(client: HttpClient, path: string) {
  const r = await call<Record<string, unknown>>(chatd.url, 'GET', path, { token: client.token });
  if (client === carol) carolSaw.push(r.body);
  return r;
}

const shape = (rs: Reply[]) => rs.map((e) => [e.command, e.params, e.body]);

test('the MODE +s and everything before it reached members only', async () => {
  const modes = (await bob.drain()).filter((e) => e.command === 'MODE');
  assert.equal(modes.length, 1);
  const queued = await carol.drain();
  assert.ok(!JSON.stringify(queued).toLowerCase().includes('secret'), JSON.stringify(queued));
});

test('LIST, NAMES and WHO leave it out for an outsider', async () => {
  const list = await asCarol({ command: 'LIST' });
  assert.deepEqual(
    list.replies.filter((e) => e.command === '322').map((e) => e.params[0]),
    ['#pub'],
  );
  const named = await asCarol({ command: 'LIST', params: ['#secret'] });
  assert.deepEqual(
    named.replies.map((e) => e.command),
    ['321', '323'],
  );
  const names = await asCarol({ command: 'NAMES', to: '#secret' });
  assert.deepEqual(shape(names.replies), [['366', ['#secret'], ['End of /NAMES list']]]);
  const all = await asCarol({ command: 'NAMES' });
  assert.deepEqual(shape(all.replies), [['366', ['*'], ['End of /NAMES list']]]);
  const who = await asCarol({ command: 'WHO', to: '#secret' });
  assert.deepEqual(shape(who.replies), [['315', ['#secret'], ['End of WHO list']]]);
  // bob (+i) shares only the secret channel with anyone: a mask does not find him
  const mask = await asCarol({ command: 'WHO', to: 'bob' });
  assert.deepEqual(shape(mask.replies), [['315', ['bob'], ['End of WHO list']]]);
  for (const r of [list, named, names, all, who, mask]) assert.equal(r.status, 200);
});

test('WHOIS shows an outsider only the public channels', async () => {
  const ofAlice = await asCarol({ command: 'WHOIS', to: 'alice' });
  assert.deepEqual(ofAlice.replies.find((e) => e.command === '319')?.body, ['@#pub']);
  const ofBob = await asCarol({ command: 'WHOIS', to: 'bob' });
  assert.equal(ofBob.status, 200);
  assert.ok(!ofBob.replies.some((e) => e.command === '319'));
});

test('TOPIC (query and set) and PART from outside: 404 with 403, as for no channel at all', async () => {
  for (const input of [
    { command: 'TOPIC', to: '#secret' },
    { command: 'TOPIC', to: '#secret', body: ['mine now'] },
    { command: 'PART', to: '#secret' },
  ]) {
    const r = await asCarol(input);
    assert.deepEqual(
      [r.status, r.body.error, r.body.numeric, r.body.params],
      [404, 'no_such_channel', '403', ['#secret']],
      JSON.stringify(input),
    );
  }
  const topic = await bob.send({ command: 'TOPIC', to: '#secret' });
  assert.deepEqual((topic.body.replies as Reply[])[0]?.body, ['hush'], 'unchanged');
});

test('GET channels, members, history and state hide it from an outsider', async () => {
  const channels = await getAs(carol, '/api/v1/channels');
  assert.equal(channels.status, 200);
  assert.deepEqual(
    (channels.body as unknown as { name: string }[]).map((c) => c.name),
    ['#pub'],
  );
  const members = await getAs(carol, '/api/v1/channels/secret/members');
  assert.deepEqual([members.status, members.body.error], [404, 'no_such_channel']);
  const history = await getAs(carol, '/api/v1/history?target=%23secret');
  assert.deepEqual(
    [history.status, history.body.error, history.body.numeric],
    [404, 'no_such_channel', '403'],
  );
  const state = await getAs(carol, '/api/v1/state');
  assert.deepEqual(
    (state.body.channels as { name: string }[]).map((c) => c.name),
    ['#pub'],
  );
  // a public channel carol is not in keeps the old answer: 403 with 442
  const bobHistory = await getAs(bob, '/api/v1/history?target=%23pub');
  assert.deepEqual([bobHistory.status, bobHistory.body.numeric], [403, '442']);
});

test('members see everything', async () => {
  const list = (await bob.send({ command: 'LIST' })).body.replies as Reply[];
  assert.deepEqual(
    list.filter((e) => e.command === '322').map((e) => [e.params, e.body]),
    [
      [['#pub', '2'], ['']],
      [['#Secret', '2'], ['hush']],
    ],
  );
  const names = (await bob.send({ command: 'NAMES', to: '#secret' })).body.replies as Reply[];
  assert.deepEqual(shape(names)[0], ['353', ['@', '#Secret'], ['@alice bob']]);
  const channels = await getAs(bob, '/api/v1/channels');
  assert.deepEqual(
    (channels.body as unknown as { name: string }[]).map((c) => c.name),
    ['#pub', '#Secret'],
  );
  const members = await getAs(bob, '/api/v1/channels/secret/members');
  assert.equal(members.status, 200);
  assert.deepEqual(
    (members.body as unknown as { nick: string; prefix: string }[]).map((m) => m.prefix + m.nick),
    ['@alice', 'bob'],
  );
  const history = await getAs(bob, '/api/v1/history?target=%23secret');
  assert.equal(history.status, 200);
  assert.deepEqual(
    (history.body.messages as { body: string[] }[]).map((m) => m.body),
    [['inside']],
  );
  const state = await getAs(bob, '/api/v1/state');
  const mine = (state.body.channels as { name: string; modes: string }[])[0]!;
  assert.equal(mine.name, '#Secret');
  assert.match(mine.modes, /s/);
});

test('nothing an outsider read named the channel in its display form', async () => {
  const everything = JSON.stringify([carolSaw, await carol.drain()]);
  assert.ok(!everything.includes('#Secret'), everything);
  assert.ok(!everything.includes('hush') && !everything.includes('inside'), everything);
});
