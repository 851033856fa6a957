// Node-level protections of the listening server: timeouts configured, oversized or malformed
// requests answered in JSON by the client-error handler, and the connection closed.
import assert from 'node:assert/strict';
import net, { type AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { SERVER_TIMEOUTS } from '../../src/transports/http/app.js';
import { TOKEN, setup } from './fakes.js';

/** Sends raw bytes, returns everything the server wrote until it closed the connection. */
function exchange(port: number, data: string | Buffer, timeoutMs = 5000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let out = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no close within ${timeoutMs} ms; got: ${out.slice(0, 200)}`));
    }, timeoutMs);
    socket.setEncoding('utf8');
    socket.on('data', (c: string) => (out += c));
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(out);
    });
    socket.on('error', () => {});
    socket.write(data);
  });
}

void describe('the listening server', () => {
  const t = setup();
  let port = 0;
  before(async () => {
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    port = (t.app.server.address() as AddressInfo).port;
  });
  after(() => t.app.close());

  void it('has the tightened Node timeouts', () => {
    const s = t.app.server;
    assert.equal(s.headersTimeout, SERVER_TIMEOUTS.headersTimeout);
    assert.equal(s.requestTimeout, SERVER_TIMEOUTS.requestTimeout);
    assert.equal(s.keepAliveTimeout, SERVER_TIMEOUTS.keepAliveTimeout);
    assert.equal((s as { maxHeaderSize?: number }).maxHeaderSize, SERVER_TIMEOUTS.maxHeaderSize);
  });

  void it('answers a header block above 16 KiB with 431 in JSON and closes', async () => {
    const out = await exchange(
      port,
      `GET /api/v1/server HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
    );
    assert.match(out, /^HTTP\/1\.1 431 /);
    assert.match(out, /"error":"headers_too_large"/);
    assert.match(out, /X-Content-Type-Options: nosniff/);
  });

  void it('answers a malformed request (both Transfer-Encoding and Content-Length) with 400', async () => {
    const out = await exchange(
      port,
      'POST /api/v1/session HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n' +
        'Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
    );
    assert.match(out, /^HTTP\/1\.1 400 /);
    assert.match(out, /"error":"bad_request"/);
  });

  void it('answers a bad chunk size with 400', async () => {
    const out = await exchange(
      port,
      `POST /api/v1/messages HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${TOKEN}\r\n` +
        'Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n',
    );
    assert.match(out, /^HTTP\/1\.1 400 /);
  });

  void it('answers a streamed body above the cap with 413 and closes the connection', async () => {
    const head =
      `POST /api/v1/messages HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${TOKEN}\r\n` +
      'Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n';
    const chunk = 'a'.repeat(16_384);
    const chunks = Array.from({ length: 8 }, () => `${chunk.length.toString(16)}\r\n${chunk}\r\n`);
    const out = await exchange(port, head + chunks.join(''));
    assert.match(out, /^HTTP\/1\.1 413 /);
    assert.match(out, /"error":"body_too_large"/);
  });
});
