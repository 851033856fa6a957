// End to end: hashcash on session creation (docs/hashcash.md) against the real chatd, and `chat-cli stamp`.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import {
  formatStamp,
  leadingZeroBits,
  mintStampSync,
  stampDate,
} from '../../src/shared/hashcash.js';
import { call } from '../helpers/api.js';
import { CHATD_BIN, startChatd, type Chatd } from '../helpers/chatd.js';

const BITS = 10;
const CLI_BIN = path.join(path.dirname(CHATD_BIN), 'chat-cli.js');
let chatd: Chatd;

before(
  async () =>
    (chatd = await startChatd({ env: { HASHCASH_BITS: String(BITS), SERVER_NAME: 'hc.test' } })),
);
after(async () => chatd.cleanup());

const mint = (opts: { bits?: number; resource?: string; now?: Date } = {}) =>
  mintStampSync({
    bits: opts.bits ?? BITS,
    resource: opts.resource ?? 'hc.test',
    now: opts.now ?? new Date(),
  });

function createSession(nick: string, stamp?: string, where: 'header' | 'body' = 'header') {
  return call<Record<string, unknown>>(chatd.url, 'POST', '/api/v1/session', {
    json: where === 'body' && stamp ? { nick, hashcash: stamp } : { nick },
    headers: where === 'header' && stamp ? { 'x-hashcash': stamp } : {},
  });
}

test('the server announces the required bits', async () => {
  const info = await call<Record<string, unknown>>(chatd.url, 'GET', '/api/v1/server');
  assert.equal(info.body.hashcash_bits, BITS);
});

test('missing, malformed, short, stale and wrong-resource stamps answer 402 with the bits', async () => {
  const day = 86_400_000;
  const bad: [string, string | undefined][] = [
    ['missing', undefined],
    ['malformed', 'not a stamp'],
    ['too few bits claimed', mint({ bits: BITS - 2 })],
    [
      'no work done',
      formatStamp({
        bits: BITS,
        date: stampDate(new Date()),
        resource: 'hc.test',
        rand: 'abc',
        counter: '0',
      }),
    ],
    ['three days old', mint({ now: new Date(Date.now() - 3 * day) })],
    ['three days ahead', mint({ now: new Date(Date.now() + 3 * day) })],
    ['another server', mint({ resource: 'other.server' })],
  ];
  for (const [name, stamp] of bad) {
    const r = await createSession(`u${Math.floor(Math.random() * 1e6)}`, stamp);
    assert.equal(r.status, 402, name);
    assert.equal(r.body.error, 'hashcash_required', name);
    assert.equal(r.body.bits, BITS, name);
    assert.equal(typeof r.body.message, 'string', name);
  }
});

const zeroBits = (stamp: string) => leadingZeroBits(createHash('sha256').update(stamp).digest());

/**
 * A stamp claiming `claim` bits whose hash has exactly `exact` leading zero bits: counters are
 * tried until one lands on exactly that many (about 2^(exact+1) tries).
 */
function stampWithWork(claim: number, exact: number): string {
  const prefix = `1:${claim}:${stampDate(new Date())}:hc.test::${Math.random().toString(36).slice(2, 14)}:`;
  for (let counter = 0; counter < 1 << 24; counter++) {
    const stamp = prefix + counter;
    if (zeroBits(stamp) === exact) return stamp;
  }
  throw new Error(`no stamp with exactly ${exact} zero bits in 2^24 tries`);
}

test('one bit of work too few is refused with 402 naming the bits; exactly the bits is accepted', async () => {
  const refusedAs = async (name: string, stamp: string, message: RegExp) => {
    const r = await createSession(`short${Math.floor(Math.random() * 1e6)}`, stamp);
    assert.equal(r.status, 402, `${name}: ${JSON.stringify(r.body)}`);
    assert.equal(r.body.error, 'hashcash_required', name);
    assert.equal(r.body.bits, BITS, name);
    assert.match(String(r.body.message), message, name);
  };
  // minted at BITS - 1, retried until the hash has exactly BITS - 1 zero bits: honest, one short
  let honestShort: string;
  do honestShort = mint({ bits: BITS - 1 });
  while (zeroBits(honestShort) !== BITS - 1);
  await refusedAs('claims and has BITS - 1', honestShort, /claims fewer bits/);
  // claims BITS, but the hash has exactly BITS - 1 zero bits: the work itself is one bit short
  const overclaimed = stampWithWork(BITS, BITS - 1);
  assert.equal(zeroBits(overclaimed), BITS - 1);
  await refusedAs('claims BITS, has BITS - 1', overclaimed, /zero bits/);
  // the boundary from the other side: exactly BITS zero bits is enough
  const exact = stampWithWork(BITS, BITS);
  assert.equal((await createSession('exactbits', exact)).status, 201);
});

test('an honest stamp works once, in the header or the body; a replay is 402, also after a restart', async () => {
  const s1 = mint();
  assert.equal((await createSession('honest1', s1)).status, 201);
  assert.equal((await createSession('honest2', s1)).status, 402, 'replayed');
  const s2 = mint();
  assert.equal((await createSession('honest3', s2, 'body')).status, 201);
  chatd = await chatd.restart();
  assert.equal((await createSession('honest4', s1)).status, 402, 'replayed after a restart');
  assert.equal(
    (await createSession('honest5', mint({ now: new Date(Date.now() - 86_400_000) }))).status,
    201,
    'a day old is fine',
  );
});

test('a refused nick does not spend the stamp', async () => {
  const s = mint();
  assert.equal((await createSession('taken', mint())).status, 201);
  assert.equal((await createSession('taken', s)).status, 409);
  assert.equal((await createSession('nottaken', s)).status, 201);
});

test('chat-cli stamp prints a stamp the server accepts (bits and resource from the server)', async () => {
  const { stdout } = await promisify(execFile)(process.execPath, [
    CLI_BIN,
    'stamp',
    '--server',
    chatd.url,
  ]);
  const stamp = stdout.trim();
  assert.match(stamp, new RegExp(`^1:${BITS}:\\d{6}:hc\\.test::`));
  assert.equal((await createSession('fromcli', stamp)).status, 201);
  const { stdout: explicit } = await promisify(execFile)(process.execPath, [
    CLI_BIN,
    'stamp',
    '--bits',
    '4',
    '--resource',
    'elsewhere',
  ]);
  assert.match(explicit.trim(), /^1:4:\d{6}:elsewhere::/);
});
