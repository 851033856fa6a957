// End to end: requests pipelined on one connection are capped (src/transports/http/pipelining.ts):
// a client that pipelines many requests and does not read cannot make the server buffer their
// answers; the first few are answered, the rest refused with 429 and the connection closed.
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, test } from 'node:test';
import { startChatd, type Chatd } from '../helpers/chatd.js';

let chatd: Chatd;
before(async () => (chatd = await startChatd()));
after(async () => chatd?.cleanup());

function pipelined(port: number, count: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let text = '';
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => (text += d));
    socket.on('error', reject);
    socket.on('close', () => resolve(text));
    const one = 'GET /api/v1/server HTTP/1.1\r\nHost: x\r\n\r\n';
    socket.write(one.repeat(count));
    // keep-alive: a connection that is not closed by the server is ended after a moment
    setTimeout(() => socket.destroy(), 1_500).unref();
  });
}

test('more than 4 pipelined requests on one connection: 429 and the connection closes', async () => {
  const text = await pipelined(chatd.port, 12);
  const statuses = [...text.matchAll(/HTTP\/1\.1 (\d{3}) /g)].map((m) => Number(m[1]));
  assert.deepEqual(statuses.slice(0, 4), [200, 200, 200, 200]);
  assert.ok(statuses.length >= 5, `answers: ${statuses.join(',')}`);
  assert.equal(statuses[4], 429);
  assert.ok(text.includes('too_many_pipelined_requests'));
  // the server keeps serving
  const ok = await fetch(`${chatd.url}/api/v1/server`);
  assert.equal(ok.status, 200);
});

test('a few pipelined requests are all answered', async () => {
  const text = await pipelined(chatd.port, 3);
  const statuses = [...text.matchAll(/HTTP\/1\.1 (\d{3}) /g)].map((m) => Number(m[1]));
  assert.deepEqual(statuses, [200, 200, 200]);
});
