// End to end: the IRC listener over TLS (a certificate made for the test with openssl), and
// `PASS hashcash:<stamp>` paying for a session once the address allowance is spent.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import tls from 'node:tls';
import { test } from 'node:test';
import { mintStampSync } from '../../src/shared/hashcash.js';
import { freePort, makeTempDir, removeTempDir, startChatd } from '../helpers/chatd.js';
import { connectIrc, registerIrc } from '../helpers/irc-socket.js';

test('IRC over TLS: registration and the welcome burst on IRC_TLS_PORT', async () => {
  const dir = makeTempDir('chatd-tls-');
  const cert = path.join(dir, 'cert.pem');
  const key = path.join(dir, 'key.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-keyout',
      key,
      '-out',
      cert,
    ],
    { stdio: 'ignore' },
  );
  const tlsPort = await freePort();
  const chatd = await startChatd({
    irc: true,
    env: { IRC_TLS_CERT: cert, IRC_TLS_KEY: key, IRC_TLS_PORT: String(tlsPort) },
  });
  try {
    const socket = tls.connect({
      port: tlsPort,
      host: '127.0.0.1',
      ca: fs.readFileSync(cert),
      servername: undefined,
      checkServerIdentity: () => undefined,
    });
    await new Promise<void>((resolve, reject) => {
      socket.once('secureConnect', resolve);
      socket.once('error', reject);
    });
    let received = '';
    socket.setEncoding('utf8');
    const welcome = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no 001 over TLS: ${received}`)), 10_000);
      socket.on('data', (d: string) => {
        received += d;
        if (/ 001 tlsuser /.test(received)) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    socket.write('NICK tlsuser\r\nUSER t 0 * :t\r\n');
    await welcome;
    socket.end('QUIT :done\r\n');
  } finally {
    await chatd.cleanup();
    removeTempDir(dir);
  }
});

test('PASS hashcash:<stamp> pays for a session when the address allowance is spent', async () => {
  const chatd = await startChatd({
    irc: true,
    env: { IRC_SESSIONS_PER_ADDRESS: '1', HASHCASH_BITS: '8', SERVER_NAME: 'chat' },
  });
  try {
    const port = chatd.ircPort!;
    const first = await registerIrc(port, 'paid1');
    const refused = await connectIrc(port);
    refused.send('NICK paid2', 'USER p 0 * :p');
    await refused.waitFor(/^ERROR :.*too many new sessions/);
    const bad = await connectIrc(port);
    bad.send('PASS hashcash:1:8:991231:chat::AAAA:0', 'NICK paid3', 'USER p 0 * :p');
    await bad.waitFor(/^ERROR :/);
    const stamp = mintStampSync({ bits: 8, resource: 'chat' });
    const paid = await registerIrc(port, 'paid4', [`PASS hashcash:${stamp}`]);
    // a stamp is spent once
    const again = await connectIrc(port);
    again.send(`PASS hashcash:${stamp}`, 'NICK paid5', 'USER p 0 * :p');
    await again.waitFor(/^ERROR :/);
    for (const c of [first, paid]) c.end();
  } finally {
    await chatd.cleanup();
  }
});
