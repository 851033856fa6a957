// End to end: the IRCv3 real-name and account capabilities over raw IRC sockets to the real
// chatd — setname, extended-join, account-tag and account-notify, each with the capability
// negotiated and without it, and what HTTP clients see of the same changes (docs/irc.md).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { QueuedEnvelope } from '../../src/model/api.js';
import { call, HttpClient } from '../helpers/api.js';
import { startChatd, type Chatd } from '../helpers/chatd.js';
import { connectIrc, type IrcSocket } from '../helpers/irc-socket.js';

let chatd: Chatd;
let port: number;
before(async () => {
  chatd = await startChatd({ irc: true, env: { IRC_SESSIONS_PER_ADDRESS: '0' } });
  port = chatd.ircPort!;
});
after(async () => chatd.cleanup());

const tag = () => Math.random().toString(36).slice(2, 7);

/** Registers with NICK/USER (real name `realname`) after requesting `caps` (none: no CAP). */
async function connect(nick: string, caps: string, realname = `${nick} here`): Promise<IrcSocket> {
  const c = await connectIrc(port);
  if (caps) c.send('CAP LS 302', `CAP REQ :${caps}`);
  c.send(`NICK ${nick}`, `USER ${nick} 0 * :${realname}`);
  if (caps) {
    await c.waitFor(/ CAP \S+ ACK /);
    c.send('CAP END');
  }
  await c.waitFor(/ 001 /);
  return c;
}

async function joined(c: IrcSocket, channel: string): Promise<void> {
  const from = c.lines.length;
  c.send(`JOIN ${channel}`);
  await c.waitFor(/ 366 /, 5000, from);
}

/** Waits until `c` has sent and been answered `PING token`: everything before it has arrived. */
async function settle(c: IrcSocket): Promise<void> {
  const token = tag();
  c.send(`PING ${token}`);
  await c.waitFor(new RegExp(`PONG \\S+ :?${token}$`));
}

async function until(c: HttpClient, pred: (e: QueuedEnvelope) => boolean): Promise<QueuedEnvelope> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const found = c.received.find(pred);
    if (found) return found;
    if (Date.now() > deadline) {
      throw new Error(`not received; got ${JSON.stringify(c.received.map((e) => e.command))}`);
    }
    await c.poll(1);
  }
}

async function register(nick: string, password: string): Promise<void> {
  const r = await call(chatd.url, 'POST', '/api/v1/register', { json: { nick, password } });
  assert.equal(r.status, 201, JSON.stringify(r.body));
}

describe('the capabilities are offered', () => {
  test('CAP LS lists setname, account-tag, account-notify and extended-join', async () => {
    const c = await connectIrc(port);
    c.send('CAP LS 302');
    const ls = await c.waitFor(/ CAP \* LS /);
    for (const cap of ['setname', 'account-tag', 'account-notify', 'extended-join']) {
      assert.match(ls, new RegExp(`[ :]${cap}( |$)`), cap);
    }
    c.end();
  });
});

describe('real names', () => {
  test('USER’s real name shows in WHOIS 311 and WHO 352 over IRC and HTTP; NAMELEN in 005', async () => {
    const t = tag();
    const bob = await connect(`rb${t}`, '', 'Bob \x02the\x02 Builder');
    assert.match(await bob.waitFor(/ 005 /), / NAMELEN=64 /);
    await joined(bob, `#rn${t}`);
    bob.send(`WHOIS rb${t}`);
    assert.match(
      await bob.waitFor(/ 311 /),
      new RegExp(` 311 rb${t} rb${t} \\S+ \\S+ \\* :Bob the Builder$`),
    );
    bob.send(`WHO #rn${t}`);
    assert.match(await bob.waitFor(/ 352 /), / :0 Bob the Builder$/);
    const http = await HttpClient.create(chatd.url, `rh${t}`);
    await http.send({ command: 'JOIN', to: `#rn${t}` });
    const whois = await http.send({ command: 'WHOIS', to: `rb${t}` });
    const replies = whois.body.replies as QueuedEnvelope[];
    assert.deepEqual(replies.find((e) => e.command === '311')?.body, ['Bob the Builder']);
    bob.end();
  });

  test('SETNAME: confirmed to the sender and shown to peers with setname; silent without', async () => {
    const t = tag();
    const alice = await connect(`sa${t}`, 'setname');
    const withCap = await connect(`sw${t}`, 'setname');
    const without = await connect(`so${t}`, '');
    const http = await HttpClient.create(chatd.url, `sh${t}`);
    for (const c of [alice, withCap, without]) await joined(c, `#sn${t}`);
    await http.send({ command: 'JOIN', to: `#sn${t}` });
    alice.send('SETNAME :Alice Liddell');
    const line = new RegExp(`^:sa${t}!\\S+ SETNAME :Alice Liddell$`);
    await alice.waitFor(line);
    await withCap.waitFor(line);
    const event = await until(http, (e) => e.command === 'SETNAME');
    assert.deepEqual(event.body, ['Alice Liddell']);
    await settle(without);
    assert.ok(!without.lines.some((l) => / SETNAME /.test(l)), 'nothing without setname');
    without.send(`WHOIS sa${t}`);
    assert.match(await without.waitFor(/ 311 /), / :Alice Liddell$/);
    // an invalid one: FAIL, and nothing changes
    alice.send(`SETNAME :${'x'.repeat(65)}`);
    assert.match(await alice.waitFor(/ FAIL /), /^:\S+ FAIL SETNAME INVALID_REALNAME :/);
    alice.send('SETNAME');
    await alice.waitFor(/ 461 /);
    // over HTTP: 400 invalid_realname
    const bad = await http.send({ command: 'SETNAME', body: [''] });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error, 'invalid_realname');
    for (const c of [alice, withCap, without]) c.end();
  });
});

describe('accounts', () => {
  test('extended-join: the account and real name of a joiner; `*` without an account; plain JOIN without the cap', async () => {
    const t = tag();
    await register(`ea${t}`, 'password-1');
    const ext = await connect(`ex${t}`, 'extended-join');
    const plain = await connect(`ep${t}`, '');
    for (const c of [ext, plain]) await joined(c, `#ej${t}`);
    // an account logging in over IRC (PASS), with its session's real name (its nick)
    const acct = await connectIrc(port);
    acct.send(`PASS ea${t}:password-1`, `NICK ea${t}`, `USER ea 0 * :ignored`);
    await acct.waitFor(/ 001 /);
    acct.send(`SETNAME :Ada Account`);
    await joined(acct, `#ej${t}`);
    const anon = await connect(`en${t}`, '', 'No Account');
    await joined(anon, `#ej${t}`);
    await ext.waitFor(new RegExp(`^:ea${t}!\\S+ JOIN #ej${t} ea${t} :Ada Account$`));
    await ext.waitFor(new RegExp(`^:en${t}!\\S+ JOIN #ej${t} \\* :No Account$`));
    await plain.waitFor(new RegExp(`^:ea${t}!\\S+ JOIN #ej${t}$`));
    await plain.waitFor(new RegExp(`^:en${t}!\\S+ JOIN #ej${t}$`));
    for (const c of [ext, plain, acct, anon]) c.end();
  });

  test('account-tag: account=<name> on an account’s messages, kept across NICK; none without the cap', async () => {
    const t = tag();
    const tagged = await connect(`tt${t}`, 'account-tag');
    const plain = await connect(`tp${t}`, '');
    for (const c of [tagged, plain]) await joined(c, `#at${t}`);
    const http = await HttpClient.create(chatd.url, `ta${t}`);
    await http.send({ command: 'JOIN', to: `#at${t}` });
    // PASS over HTTP makes the session an account named after its nick now
    await http.send({ command: 'PASS', body: ['password-1'] });
    await http.send({ command: 'NICK', body: [`tb${t}`] });
    await http.send({ command: 'PRIVMSG', to: `#at${t}`, body: ['hello'] });
    await tagged.waitFor(new RegExp(`^@account=ta${t} :tb${t}!\\S+ PRIVMSG #at${t} :hello$`));
    await plain.waitFor(new RegExp(`^:tb${t}!\\S+ PRIVMSG #at${t} :hello$`));
    // a sender without an account gets no tag
    plain.send(`PRIVMSG #at${t} :anon`);
    await tagged.waitFor(new RegExp(`^:tp${t}!\\S+ PRIVMSG #at${t} :anon$`));
    // WHOIS 330 names the account under the new nick
    tagged.send(`WHOIS tb${t}`);
    assert.match(
      await tagged.waitFor(/ 330 /),
      new RegExp(` 330 tt${t} tb${t} ta${t} :is logged in as$`),
    );
    tagged.send(`WHOIS tp${t}`);
    await tagged.waitFor(/ 318 \S+ tp/);
    assert.ok(!tagged.lines.some((l) => new RegExp(` 330 tt${t} tp${t} `).test(l)));
    for (const c of [tagged, plain]) c.end();
  });

  test('account-notify: ACCOUNT when a passwordless session sets its password; nothing without the cap', async () => {
    const t = tag();
    const notified = await connect(`an${t}`, 'account-notify');
    const plain = await connect(`ap${t}`, '');
    for (const c of [notified, plain]) await joined(c, `#an${t}`);
    // PASS after registration is 462 over IRC (docs/irc.md): the password is set over HTTP
    const subject = await HttpClient.create(chatd.url, `as${t}`);
    await subject.send({ command: 'JOIN', to: `#an${t}` });
    await subject.send({ command: 'PASS', body: ['password-1'] });
    await notified.waitFor(new RegExp(`^:as${t}!\\S+ ACCOUNT as${t}$`));
    const event = await until(subject, (e) => e.command === 'ACCOUNT');
    assert.deepEqual(event.body, [`as${t}`]);
    assert.equal(event.account, `as${t}`);
    await settle(plain);
    assert.ok(!plain.lines.some((l) => / ACCOUNT /.test(l)), 'nothing without account-notify');
    for (const c of [notified, plain]) c.end();
  });
});
