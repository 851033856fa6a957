// End to end: what the core now adds for other transports reaches HTTP clients as documented —
// `source` on events a session originates, none on the server's own envelopes — while the answer
// to POST /api/v1/messages keeps its three fields (`stored` is the core's, not the API's).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { call, HttpClient } from '../helpers/api.js';
import { startChatd, type Chatd } from '../helpers/chatd.js';

let chatd: Chatd;
before(async () => (chatd = await startChatd()));
after(async () => chatd.cleanup());

test('events carry source over HTTP (poll and history); numerics do not; the answer is unchanged', async () => {
  const tag = Math.random().toString(36).slice(2, 7);
  const a = await HttpClient.create(chatd.url, `a${tag}`);
  const b = await HttpClient.create(chatd.url, `b${tag}`);
  const channel = `#s${tag}`;
  await a.send({ command: 'JOIN', to: channel });
  await b.send({ command: 'JOIN', to: channel });
  await b.drain();
  const sent = await a.send({ command: 'PRIVMSG', to: `${channel},b${tag}`, body: ['hi'] });
  assert.equal(sent.status, 200);
  assert.deepEqual(Object.keys(sent.body).sort(), ['id', 'replies', 'seq']);

  const got = await b.drain();
  assert.equal(got.length, 2);
  for (const e of got) {
    assert.equal(e.command, 'PRIVMSG');
    assert.match(String(e.source), new RegExp(`^a${tag}!~a${tag}@s${a.sessionId}\\.`));
  }
  const numerics = (await a.drain()).filter((e) => /^\d{3}$/.test(e.command));
  assert.ok(numerics.length > 5);
  for (const e of numerics) assert.ok(!('source' in e), e.command);

  const hist = await call<{ messages: { source?: string }[] }>(
    chatd.url,
    'GET',
    `/api/v1/history?target=${encodeURIComponent(channel)}`,
    { token: b.token },
  );
  assert.equal(hist.status, 200);
  assert.equal(hist.body.messages[0]?.source, got[0]?.source);
});
