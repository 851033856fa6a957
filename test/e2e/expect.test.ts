// End to end: `Expect` headers (src/transports/http/expect.ts): an unknown expectation is a JSON
// 417; `100-continue` over the body limit is refused 413 before any body is invited; a normal
// `100-continue` gets 100 Continue and then its answer.
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, test } from 'node:test';
import { startChatd, type Chatd } from '../helpers/chatd.js';

let chatd: Chatd;
before(async () => (chatd = await startChatd()));
after(async () => chatd?.cleanup());

/** writes `head`, then `body` once 100 Continue arrived (if ever); answers all text read */
function exchange(head: string, body = ''): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(chatd.port, '127.0.0.1');
    let text = '';
    let sentBody = false;
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => {
      text += d;
      if (!sentBody && body && text.includes('100 Continue')) {
        sentBody = true;
        socket.write(body);
      }
      if (/\r\n\r\n\{.*\}$/s.test(text)) socket.end();
    });
    socket.on('error', reject);
    socket.on('close', () => resolve(text));
    socket.write(head);
    setTimeout(() => socket.destroy(), 3_000).unref();
  });
}

const post = (headers: string[]) =>
  ['POST /api/v1/session HTTP/1.1', 'Host: x', 'Content-Type: application/json', ...headers]
    .join('\r\n')
    .concat('\r\n\r\n');

test('an unknown Expect: JSON 417 with nosniff', async () => {
  const text = await exchange(post(['Expect: teapot', 'Content-Length: 15']));
  assert.match(text, /^HTTP\/1\.1 417 /);
  assert.match(text, /x-content-type-options: nosniff/i);
  assert.match(text, /"error":"expectation_failed"/);
});

test('100-continue over the body limit: 413 at once, no 100 Continue', async () => {
  const text = await exchange(post(['Expect: 100-continue', 'Content-Length: 1000000000']));
  assert.match(text, /^HTTP\/1\.1 413 /);
  assert.doesNotMatch(text, /100 Continue/);
  assert.match(text, /"error":"body_too_large"/);
});

test('100-continue within the limit: 100 Continue, then the answer', async () => {
  const body = '{"nick":"expecto"}';
  const text = await exchange(
    post(['Expect: 100-continue', `Content-Length: ${Buffer.byteLength(body)}`]),
    body,
  );
  assert.match(text, /^HTTP\/1\.1 100 Continue/);
  assert.match(text, /HTTP\/1\.1 201 /);
  assert.match(text, /"nick":"expecto"/);
});
