// End to end: acknowledged means stored (reliability/README.md). chatd is killed with SIGKILL in the middle
// of a burst; after a restart every acknowledged message is in history exactly once, the
// database passes integrity_check, and new ids are larger than every earlier one.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { call, HttpClient } from '../helpers/api.js';
import { startChatd } from '../helpers/chatd.js';

test('kill -9 mid-burst loses no acknowledged message', async () => {
  let chatd = await startChatd();
  try {
    const senders = await Promise.all(
      ['k1', 'k2', 'k3'].map((n) => HttpClient.create(chatd.url, n)),
    );
    for (const s of senders) await s.send({ command: 'JOIN', to: '#crash' });
    const acked = new Map<string, number>(); // text → seq
    let killed = false;
    const loops = senders.map(async (s) => {
      for (let i = 0; !killed; i++) {
        const text = `${s.nick}-${i}`;
        try {
          const r = await s.send({ command: 'PRIVMSG', to: '#crash', body: [text], txn: text });
          if (r.status === 200) acked.set(text, r.body.seq as number);
        } catch {
          return; // the connection died with the server: this one was never acknowledged
        }
      }
    });
    await new Promise((r) => setTimeout(r, 300 + Math.random() * 700));
    killed = true;
    await chatd.kill();
    await Promise.all(loops);
    assert.ok(acked.size > 10, `only ${acked.size} messages were acknowledged before the kill`);

    const db = new Database(chatd.dbPath, { readonly: true });
    try {
      assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
      assert.deepEqual(db.pragma('foreign_key_check'), []);
    } finally {
      db.close();
    }

    chatd = await chatd.restart();
    const reader = senders[0]!;
    const seen = new Map<string, number>();
    let before = '';
    for (;;) {
      const page = await call<{ messages: { seq: number; body: string[] }[]; has_more: boolean }>(
        chatd.url,
        'GET',
        `/api/v1/history?target=%23crash&limit=500${before}`,
        { token: reader.token },
      );
      assert.equal(page.status, 200);
      for (const m of page.body.messages) seen.set(m.body[0]!, (seen.get(m.body[0]!) ?? 0) + 1);
      if (!page.body.has_more) break;
      before = `&before=${page.body.messages[0]!.seq}`;
    }
    const lost = [...acked.keys()].filter((t) => !seen.has(t));
    const twice = [...seen].filter(([, n]) => n > 1).map(([t]) => t);
    assert.deepEqual(lost, [], 'every acknowledged message survived');
    assert.deepEqual(twice, [], 'nothing is stored twice');
    // A retry of an acknowledged txn after the restart answers the first answer.
    const [text, seq] = [...acked][0]!;
    const sender = senders.find((s) => text.startsWith(s.nick + '-'))!;
    const retry = await sender.send({ command: 'PRIVMSG', to: '#crash', body: [text], txn: text });
    assert.equal(retry.body.seq, seq);
    const after = await reader.send({ command: 'PRIVMSG', to: '#crash', body: ['after'] });
    assert.ok((after.body.seq as number) > Math.max(...acked.values()));
  } finally {
    await chatd.cleanup();
  }
});
