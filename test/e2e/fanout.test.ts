// End to end: NICK, TOPIC, PART and QUIT reach exactly the sessions they concern.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { HttpClient } from '../helpers/api.js';
import { startChatd, type Chatd } from '../helpers/chatd.js';

let chatd: Chatd;
before(async () => (chatd = await startChatd()));
after(async () => chatd.cleanup());

const cmds = (envs: { command: string }[]) => envs.map((e) => e.command);

async function crowd() {
  const tag = Math.random().toString(36).slice(2, 7);
  const [a, b, c, d] = await Promise.all(
    ['a', 'b', 'c', 'd'].map((p) => HttpClient.create(chatd.url, `${p}${tag}`)),
  );
  // a and b share #x and #y; c is only in #y; d is in #z alone.
  await a!.send({ command: 'JOIN', to: `#x${tag},#y${tag}` });
  await b!.send({ command: 'JOIN', to: `#x${tag},#y${tag}` });
  await c!.send({ command: 'JOIN', to: `#y${tag}` });
  await d!.send({ command: 'JOIN', to: `#z${tag}` });
  for (const u of [a, b, c, d]) await u!.drain();
  return { a: a!, b: b!, c: c!, d: d!, tag };
}

test('NICK reaches every session sharing a channel once, and nobody else', async () => {
  const { a, b, c, d, tag } = await crowd();
  assert.equal((await a.send({ command: 'NICK', body: [`n${tag}`] })).status, 200);
  for (const u of [a, b, c]) assert.deepEqual(cmds(await u.drain()), ['NICK']);
  assert.deepEqual(await d.drain(), []);
});

test('TOPIC reaches the channel members only', async () => {
  const { a, b, c, d, tag } = await crowd();
  assert.equal(
    (await a.send({ command: 'TOPIC', to: `#x${tag}`, body: ['new topic'] })).status,
    200,
  );
  assert.deepEqual(cmds(await a.drain()), ['TOPIC']);
  assert.deepEqual(cmds(await b.drain()), ['TOPIC']);
  assert.deepEqual(await c.drain(), []);
  assert.deepEqual(await d.drain(), []);
});

test('PART reaches the members including the leaver, not the other channels', async () => {
  const { a, b, c, d, tag } = await crowd();
  assert.equal((await b.send({ command: 'PART', to: `#y${tag}`, body: ['later'] })).status, 200);
  for (const u of [a, b, c]) assert.deepEqual(cmds(await u.drain()), ['PART']);
  assert.deepEqual(await d.drain(), []);
  await a.send({ command: 'PRIVMSG', to: `#y${tag}`, body: ['after part'] });
  assert.deepEqual(await b.drain(), [], 'nothing from #y after PART');
  assert.deepEqual(cmds(await c.drain()), ['PRIVMSG']);
});

test('QUIT reaches each session sharing a channel once; the nick and token are gone', async () => {
  const { a, b, c, d } = await crowd();
  assert.equal((await a.send({ command: 'QUIT', body: ['bye'] })).status, 200);
  const got = await b.drain();
  assert.deepEqual(cmds(got), ['QUIT'], 'one QUIT although two channels are shared');
  assert.deepEqual(got[0]!.body, ['Quit: bye']);
  assert.deepEqual(cmds(await c.drain()), ['QUIT']);
  assert.deepEqual(await d.drain(), []);
  assert.equal((await a.send({ command: 'PING' })).status, 401);
  await HttpClient.create(chatd.url, a.nick); // the nick is free
});
