// chat-cli's poll loop waits as long as the server's Retry-After says, on 503 as on 429 (the shared
// policy of src/shared/backoff.ts). A Connection talks to the real chatd through a small proxy in
// this test that stands in for the server's answer to the first polls: 503 or 429 with a
// Retry-After. What is tested is the client: when its next poll arrives.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Connection } from '../../src/cli/connection.js';
import { StateStore } from '../../src/cli/state-store.js';
import { startChatd, type Chatd } from '../helpers/chatd.js';

interface Refusal {
  status: number;
  retryAfter: string;
}

/** A proxy to chatd that answers the next polls with `refusals`, and notes when each poll came. */
class PollProxy {
  readonly polls: number[] = [];
  refusals: Refusal[] = [];
  private readonly server: http.Server;

  constructor(private readonly upstreamPort: number) {
    this.server = http.createServer((req, res) => this.handle(req, res));
  }

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    if (req.method === 'GET' && req.url?.startsWith('/api/v1/messages')) {
      this.polls.push(performance.now());
      const refusal = this.refusals.shift();
      if (refusal) {
        const body = JSON.stringify({ error: 'unavailable', message: 'try later' });
        res.writeHead(refusal.status, {
          'content-type': 'application/json',
          'retry-after': refusal.retryAfter,
        });
        res.end(body);
        return;
      }
    }
    const upstream = http.request(
      {
        host: '127.0.0.1',
        port: this.upstreamPort,
        path: req.url,
        method: req.method,
        headers: req.headers,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  }
}

void describe('chat-cli poll loop and Retry-After', () => {
  let chatd: Chatd;
  let home: string;
  let proxy: PollProxy;
  let url: string;

  before(async () => {
    chatd = await startChatd();
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'chat-cli-backoff-'));
    proxy = new PollProxy(chatd.port);
    url = await proxy.listen();
  });

  after(async () => {
    await proxy?.close();
    await chatd?.cleanup();
    if (home) fs.rmSync(home, { recursive: true, force: true });
  });

  /** Polls through the proxy until `polls` polls arrived; returns the gaps between them (ms). */
  async function pollGaps(nick: string, refusals: Refusal[], polls: number) {
    const statuses: string[] = [];
    const conn = new Connection({
      server: url,
      nick,
      password: null,
      store: new StateStore(home, url, nick),
      pollTimeout: 1,
      random: () => 0, // no jitter: the wait is exactly the policy's floor
      hooks: { onStatus: (state, detail) => statuses.push(`${state} ${detail}`) },
    });
    await conn.open();
    proxy.polls.length = 0;
    proxy.refusals = refusals;
    conn.startPolling(() => undefined);
    const deadline = Date.now() + 15_000;
    while (proxy.polls.length < polls && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 25));
    }
    await conn.close();
    const gaps = proxy.polls.slice(1, polls).map((t, i) => t - proxy.polls[i]!);
    return { gaps, statuses };
  }

  test("plain mode's last look at end of input (drain) asks again after a 429 too_many_polls", async () => {
    const conn = new Connection({
      server: url,
      nick: 'drainer',
      password: null,
      store: new StateStore(home, url, 'drainer'),
      random: () => 0,
    });
    await conn.open();
    proxy.polls.length = 0;
    proxy.refusals = [{ status: 429, retryAfter: '1' }];
    const got: string[] = [];
    await conn.drain((batch) => got.push(...batch.map((m) => m.env.command)));
    await conn.close();
    assert.equal(proxy.polls.length, 3, 'refused, then the welcome burst, then an empty look');
    assert.ok(proxy.polls[1]! - proxy.polls[0]! >= 990, 'it waited for Retry-After');
    assert.equal(got[0], '001');
  });

  test('a 503 with Retry-After: 2 delays the next poll by 2 s (not the 1 s first backoff)', async () => {
    const { gaps, statuses } = await pollGaps('waiter503', [{ status: 503, retryAfter: '2' }], 2);
    assert.equal(gaps.length, 1, 'the poll after the 503 came');
    assert.ok(gaps[0]! >= 1990, `next poll after ${Math.round(gaps[0]!)} ms`);
    assert.ok(gaps[0]! < 3500, `next poll after ${Math.round(gaps[0]!)} ms`);
    assert.ok(
      statuses.some((s) => s.startsWith('reconnecting 503 try later; retrying in 2 s')),
      statuses.join('\n'),
    );
  });

  test('a 429 with Retry-After waits that long; without a header the backoff grows from 1 s', async () => {
    const { gaps } = await pollGaps(
      'waiter429',
      [
        { status: 429, retryAfter: '2' },
        { status: 503, retryAfter: '' },
      ],
      3,
    );
    assert.equal(gaps.length, 2);
    assert.ok(gaps[0]! >= 1990 && gaps[0]! < 3500, `after the 429: ${Math.round(gaps[0]!)} ms`);
    // second failure in a row, no Retry-After: 2 s × 0.75 (random pinned to 0)
    assert.ok(
      gaps[1]! >= 1490 && gaps[1]! < 3000,
      `after the bare 503: ${Math.round(gaps[1]!)} ms`,
    );
  });
});
