// chat-cli's signatures (docs/signing.md): what it signs and how (signer.ts), how it marks what it receives
// (verify.ts: a PUBKEY counts only with its proof, a signature passed on under another nick or
// delivered late is `invalid`), how plain mode shows it, and a Connection against the real chatd:
// its PUBKEY is accepted as proof of possession, the same text sent twice gets two signatures, and
// a nick change it has not seen yet is recovered from (bad_signer → ask the server → sign again).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Connection } from '../../src/cli/connection.js';
import { plainLine, type Line } from '../../src/cli/format.js';
import { OutgoingSigner } from '../../src/cli/signer.js';
import { StateStore } from '../../src/cli/state-store.js';
import { Verifier } from '../../src/cli/verify.js';
import { makeEnvelope } from '../../src/protocol/envelope.js';
import type { Body, Envelope } from '../../src/model/envelope.js';
import { ChatClient } from '../../src/shared/client.js';
import { generateSigningKey, signAs, verifyDelivered } from '../../src/shared/signing.js';
import { TofuStore } from '../../src/shared/tofu.js';
import { startChatd, type Chatd } from '../helpers/chatd.js';
import { signedPubkey } from '../helpers/signing.js';

const T = Date.UTC(2026, 0, 1, 12);
const key = generateSigningKey();

function delivered(
  sent: { command: string; to?: string; body?: unknown; meta?: Record<string, unknown> },
  from: string,
  at = T,
): Envelope {
  const env = makeEnvelope(
    {
      command: sent.command,
      from,
      to: sent.to ?? '#c',
      body: sent.body as Body | undefined,
      meta: sent.meta,
    },
    crypto.randomUUID(),
    at,
  );
  return { ...env, seq: 1 };
}

void describe('OutgoingSigner', () => {
  test('signs PRIVMSG, NOTICE and our own PUBKEY as the current nick, ts strictly rising', () => {
    let nick = 'alice';
    const signer = new OutgoingSigner({ nick: () => nick, refreshNick: async () => undefined });
    const hi = { command: 'privmsg', to: '#c', body: ['hi'] };
    assert.equal(signer.sign(hi), hi, 'no key: as is');
    signer.key = key.privateKey;
    const a = signer.sign(hi);
    const b = signer.sign(hi);
    assert.equal(a.command, 'PRIVMSG', 'signed as delivered: upper case');
    assert.equal(a.meta!.signer, 'alice');
    assert.ok((b.meta!.ts as number) > (a.meta!.ts as number), 'the same text, two signatures');
    assert.notEqual(a.meta!.sig, b.meta!.sig);
    assert.ok(Math.abs((a.meta!.ts as number) - Date.now()) < 5000);
    assert.ok(verifyDelivered(delivered(a, 'alice'), key.publicKey));
    nick = 'alicia';
    assert.equal(signer.sign({ command: 'NOTICE', to: 'bob', body: ['n'] }).meta!.signer, 'alicia');
    const announce = { command: 'PUBKEY', body: { alg: 'ed25519', key: key.publicKey } };
    const proof = signer.sign(announce);
    assert.ok(verifyDelivered(delivered(proof, 'alicia'), key.publicKey), 'proof of possession');
    const other = {
      command: 'PUBKEY',
      body: { alg: 'ed25519', key: generateSigningKey().publicKey },
    };
    assert.equal(signer.sign(other), other, 'not our key: not ours to sign');
    for (const asIs of [
      { command: 'JOIN', to: '#c' },
      { ...hi, to: '#a,#b' },
    ]) {
      assert.equal(signer.sign(asIs), asIs);
    }
  });

  test('after a refusal: refresh the nick, or stop signing (key gone, clock off)', async () => {
    let refreshed = 0;
    const notes: string[] = [];
    const signer = new OutgoingSigner({
      nick: () => 'alice',
      refreshNick: async () => void refreshed++,
      onNote: (t) => notes.push(t),
    });
    signer.key = key.privateKey;
    await signer.refused('bad_signer');
    await signer.refused('replayed_signature');
    assert.deepEqual([refreshed, signer.key !== null, notes], [1, true, []]);
    await signer.refused('stale_signature');
    assert.equal(signer.key, null);
    assert.match(notes[0]!, /clock/);
    signer.key = key.privateKey;
    await signer.refused('no_key');
    assert.equal(signer.key, null);
  });
});

void describe('Verifier', () => {
  const client = { members: async () => [] } as unknown as ChatClient;
  const verifier = () => new Verifier(client, new TofuStore(), () => undefined);

  test('a PUBKEY is remembered only with its proof; invalid marks replayed or late signatures', async () => {
    const v = verifier();
    const mallory = generateSigningKey();
    const borrowed = signAs(
      { command: 'PUBKEY', body: { alg: 'ed25519', key: key.publicKey } },
      mallory.privateKey,
      'mallory',
      T,
    );
    await v.verifyAll([delivered(borrowed, 'mallory')]);
    assert.equal(v.tofu.currentKey('mallory'), undefined, 'a borrowed key is not taken');
    const proof = signedPubkey(key, 'alice', T);
    await v.verifyAll([delivered(proof, 'alice')]);
    assert.equal(v.tofu.currentKey('alice'), key.publicKey);

    const said = signAs({ command: 'PRIVMSG', to: '#c', body: ['hi'] }, key.privateKey, 'alice', T);
    const verdicts = await v.verifyAll([
      delivered(said, 'alice'),
      delivered(said, 'mallory'),
      delivered(said, 'alice', T + 6 * 60_000),
      delivered({ ...said, body: ['edited'] }, 'alice'),
      delivered({ command: 'PRIVMSG', to: '#c', body: ['plain'] }, 'alice'),
    ]);
    assert.deepEqual(
      verdicts.map((i) => i.verdict),
      ['verified', 'invalid', 'invalid', 'bad', 'unsigned'],
    );
  });

  test('plain lines name a bad, invalid or changed-key signature; others read as before', () => {
    const line = (mark: Line['mark']): Line => ({
      id: 'x',
      seq: 1,
      time: new Date(T).toISOString(),
      kind: 'message',
      nick: 'alice',
      text: 'hi',
      self: false,
      mention: false,
      mark,
    });
    assert.match(plainLine('#c', line('verified')), /alice hi$/);
    assert.match(plainLine('#c', line('unsigned')), /alice hi$/);
    assert.match(plainLine('#c', line('bad')), /alice hi \[bad signature\]$/);
    assert.match(plainLine('#c', line('invalid')), /alice hi \[invalid signature: .*replayed/);
    assert.match(plainLine('#c', line('key-changed')), /\[signed with a changed key\]$/);
  });
});

void describe('Connection against chatd', () => {
  let chatd: Chatd;
  let home: string;
  before(async () => {
    chatd = await startChatd();
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'chat-cli-signing-'));
  });
  after(async () => {
    await chatd?.cleanup();
    if (home) fs.rmSync(home, { recursive: true, force: true });
  });

  test('announces with a proof, signs each send afresh, recovers from a nick it missed', async () => {
    const notes: string[] = [];
    const conn = new Connection({
      server: chatd.url,
      nick: 'cliuser',
      password: null,
      store: new StateStore(home, chatd.url, 'cliuser'),
      hooks: { onNote: (t) => notes.push(t) },
    });
    await conn.open();
    const reader = new ChatClient({ baseUrl: chatd.url });
    await reader.createSession('reader');
    await reader.send({ command: 'JOIN', to: '#cli' });
    assert.ok((await conn.send({ command: 'JOIN', to: '#cli' })).ok);
    const members = await reader.members('#cli');
    const pubkey = members.find((m) => m.nick === 'cliuser')?.pubkey;
    assert.ok(pubkey, 'the PUBKEY was accepted (its proof held)');
    for (let i = 0; i < 2; i++) {
      const out = await conn.send({ command: 'PRIVMSG', to: '#cli', body: ['same text'] });
      assert.ok(out.ok, String(!out.ok && out.error));
    }
    // the nick changes behind the connection's back (as from another device): the next signed
    // message names the old nick, is refused bad_signer, and goes again as the new one
    await conn.client.send({ command: 'NICK', body: ['renamed'] });
    const again = await conn.send({ command: 'PRIVMSG', to: '#cli', body: ['after rename'] });
    assert.ok(again.ok, String(!again.ok && again.error));
    assert.equal(conn.nick, 'renamed');
    const got = (await reader.poll(null, 0)).messages.filter((m) => m.command === 'PRIVMSG');
    assert.deepEqual(
      got.map((m) => [m.from, m.meta.signer, (m.body as string[])[0]]),
      [
        ['cliuser', 'cliuser', 'same text'],
        ['cliuser', 'cliuser', 'same text'],
        ['renamed', 'renamed', 'after rename'],
      ],
    );
    const tofu = new TofuStore();
    tofu.remember('cliuser', pubkey);
    tofu.remember('renamed', pubkey);
    for (const m of got) assert.equal(tofu.classify(m.from, m, verifyDelivered), 'verified');
    assert.deepEqual(notes, [], 'never fell back to unsigned');
    await conn.close();
  });
});
