// End to end: IRC connections to the real chatd over real sockets — registration, the welcome
// burst, conversation with HTTP users both ways, SASL and PASS logins, named devices that get
// exactly what they missed, what a closed connection means, and refusals of bad input.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { QueuedEnvelope } from '../../src/model/api.js';
import { call, HttpClient } from '../helpers/api.js';
import { startChatd, type Chatd } from '../helpers/chatd.js';
import { connectIrc, registerIrc } from '../helpers/irc-socket.js';

let chatd: Chatd;
let port: number;
before(async () => {
  chatd = await startChatd({ irc: true, env: { IRC_SESSIONS_PER_ADDRESS: '0' } });
  port = chatd.ircPort!;
});
after(async () => chatd.cleanup());

const CTCP = String.fromCharCode(1);
const tag = () => Math.random().toString(36).slice(2, 7);

/** Polls an HTTP client until an envelope matches (or fails after `ms`). */
async function until(
  c: HttpClient,
  pred: (e: QueuedEnvelope) => boolean,
  ms = 5000,
): Promise<QueuedEnvelope> {
  const deadline = Date.now() + ms;
  for (;;) {
    const found = c.received.find(pred);
    if (found) return found;
    if (Date.now() > deadline) {
      throw new Error(`not received; got ${JSON.stringify(c.received.map((e) => e.command))}`);
    }
    await c.poll(1);
  }
}

async function register(nick: string, password: string): Promise<number> {
  const r = await call<{ id: number }>(chatd.url, 'POST', '/api/v1/register', {
    json: { nick, password },
  });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body.id;
}

const sasl = (user: string, password: string) =>
  Buffer.from(`\0${user}\0${password}`).toString('base64');

async function saslConnect(nick: string, user: string, password: string, caps = 'sasl') {
  const c = await connectIrc(port);
  c.send('CAP LS 302', `NICK ${nick}`, `USER ${nick} 0 * :real`, `CAP REQ :${caps}`);
  await c.waitFor(/CAP \S+ ACK/);
  c.send('AUTHENTICATE PLAIN');
  await c.waitFor(/^AUTHENTICATE \+$/);
  c.send(`AUTHENTICATE ${sasl(user, password)}`);
  await c.waitFor(/ 903 /);
  c.send('CAP END');
  await c.waitFor(/ 001 /);
  return c;
}

describe('registration', () => {
  test('NICK and USER give the same welcome burst as HTTP: 001–005, LUSERS and MOTD', async () => {
    const nick = `w${tag()}`;
    const c = await registerIrc(port, nick);
    await c.waitFor(/ (376|422) /);
    const welcome = await c.waitFor(/ 001 /);
    assert.match(
      welcome,
      new RegExp(`^:chat 001 ${nick} :Welcome .* ${nick}!~${nick}@s\\d+\\.chat$`),
    );
    const isupport = await c.waitFor(/ 005 /);
    for (const token of [
      'CASEMAPPING=rfc1459',
      'CHANTYPES=#',
      'PREFIX=(ov)@+',
      'NICKLEN=',
      'NETWORK=',
    ]) {
      assert.ok(isupport.includes(token), `${token} in ${isupport}`);
    }
    await c.waitFor(/ 251 /);
    c.end();
  });

  test('commands before registration are 451; PING is answered', async () => {
    const c = await connectIrc(port);
    c.send('PRIVMSG #x :hi', 'PING :tok');
    await c.waitFor(/ 451 \* :You have not registered/);
    await c.waitFor(/PONG chat :?tok/);
    c.end();
  });

  test('a nick held by an HTTP session is 433, and another nick completes registration', async () => {
    const nick = `h${tag()}`;
    await HttpClient.create(chatd.url, nick);
    const c = await connectIrc(port);
    c.send(`NICK ${nick}`, 'USER u 0 * :r');
    await c.waitFor(new RegExp(` 433 \\* ${nick} `));
    c.send(`NICK ${nick}_`);
    await c.waitFor(new RegExp(` 001 ${nick}_ `));
    c.end();
  });
});

describe('conversation with HTTP users', () => {
  test('channel messages flow both ways with full prefixes, lines split, ACTION mapped', async () => {
    const t = tag();
    const irc = await registerIrc(port, `i${t}`);
    const bob = await HttpClient.create(chatd.url, `b${t}`);
    irc.send(`JOIN #c${t}`);
    await irc.waitFor(new RegExp(` 366 i${t} #c${t} `));
    assert.equal((await bob.send({ command: 'JOIN', to: `#c${t}` })).status, 200);
    await irc.waitFor(new RegExp(`^:b${t}!~b${t}@s${bob.sessionId}\\.chat JOIN #c${t}`));
    await bob.send({ command: 'PRIVMSG', to: `#c${t}`, body: ['first line', 'second line'] });
    const first = await irc.waitFor(/PRIVMSG .* :first line$/);
    assert.match(
      first,
      new RegExp(`^:b${t}!~b${t}@s${bob.sessionId}\\.chat PRIVMSG #c${t} :first line$`),
    );
    await irc.waitFor(/PRIVMSG .* :second line$/);
    await bob.send({ command: 'PRIVMSG', to: `#c${t}`, body: ['waves'], meta: { action: true } });
    await irc.waitFor(new RegExp(`PRIVMSG .* :${CTCP}ACTION waves${CTCP}$`));
    const long = Array.from({ length: 300 }, (_, i) => `w${i}`).join(' ');
    await bob.send({ command: 'PRIVMSG', to: `#c${t}`, body: [long] });
    await irc.waitFor(/PRIVMSG .* :.*w299$/);
    const parts = irc.lines.filter((l) => l.includes(` PRIVMSG #c${t} :`) && /w\d/.test(l));
    assert.ok(parts.length >= 2, 'a long line is split into several messages');
    assert.equal(parts.map((l) => l.slice(l.indexOf(' :') + 2)).join(''), long);
    for (const l of parts) assert.ok(Buffer.byteLength(l) + 2 <= 512);

    irc.send(`PRIVMSG #c${t} :hello from irc`, `PRIVMSG #c${t} :\x01ACTION dances\x01`);
    const said = await until(bob, (e) => e.command === 'PRIVMSG' && e.from === `i${t}`);
    assert.deepEqual(said.body, ['hello from irc']);
    const action = await until(
      bob,
      (e) => e.command === 'PRIVMSG' && e.meta.action === true && e.from === `i${t}`,
    );
    assert.deepEqual(action.body, ['dances']);
    // no echo without echo-message
    await new Promise((r) => setTimeout(r, 200));
    assert.ok(!irc.lines.some((l) => l.includes('hello from irc')));
    irc.end();
  });

  test('NOTICE, TOPIC, NICK, KICK and DMs reach the IRC user as IRC lines', async () => {
    const t = tag();
    const irc = await registerIrc(port, `k${t}`);
    const op = await HttpClient.create(chatd.url, `o${t}`);
    await op.send({ command: 'JOIN', to: `#k${t}` });
    irc.send(`JOIN #k${t}`);
    await irc.waitFor(new RegExp(` 366 k${t} #k${t} `));
    await op.send({ command: 'NOTICE', to: `#k${t}`, body: ['heads up'] });
    await irc.waitFor(new RegExp(`NOTICE #k${t} :heads up$`));
    await op.send({ command: 'TOPIC', to: `#k${t}`, body: ['a topic'] });
    await irc.waitFor(new RegExp(`TOPIC #k${t} :a topic$`));
    await op.send({ command: 'PRIVMSG', to: `k${t}`, body: ['psst'] });
    await irc.waitFor(new RegExp(`^:o${t}!\\S+ PRIVMSG k${t} :?psst$`));
    await op.send({ command: 'NICK', body: [`p${t}`] });
    await irc.waitFor(new RegExp(`^:o${t}!\\S+ NICK :?p${t}$`));
    await op.send({ command: 'KICK', to: `#k${t}`, params: [`k${t}`], body: ['bye'] });
    await irc.waitFor(new RegExp(`^:p${t}!\\S+ KICK #k${t} k${t} :bye$`));
    irc.send(`PRIVMSG p${t} :back at you`);
    const dm = await until(op, (e) => e.command === 'PRIVMSG' && e.to === `p${t}`);
    assert.deepEqual(dm.body, ['back at you']);
    irc.end();
  });

  test('echo-message: the sender gets its own message back once it asked for it', async () => {
    const t = tag();
    const c = await connectIrc(port);
    c.send(
      'CAP LS 302',
      `NICK e${t}`,
      'USER e 0 * :e',
      'CAP REQ :echo-message server-time',
      'CAP END',
    );
    await c.waitFor(/ 001 /);
    c.send(`JOIN #e${t}`, `PRIVMSG #e${t} :echo me`);
    const echoed = await c.waitFor(/PRIVMSG #e\S+ :echo me$/);
    assert.match(echoed, /^@time=\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z :e\S+ PRIVMSG/);
    c.end();
  });
});

describe('capabilities that change replies', () => {
  test('multi-prefix and userhost-in-names word NAMES and WHO as asked; without them, the plain form', async () => {
    const t = tag();
    const op = await HttpClient.create(chatd.url, `m${t}`);
    await op.send({ command: 'JOIN', to: `#m${t}` });
    await op.send({ command: 'MODE', to: `#m${t}`, params: ['+v', `m${t}`] });
    const rich = await connectIrc(port);
    rich.send(
      'CAP LS 302',
      `NICK r${t}`,
      'USER r 0 * :r',
      'CAP REQ :multi-prefix userhost-in-names',
      'CAP END',
    );
    await rich.waitFor(/ 001 /);
    rich.send(`JOIN #m${t}`);
    const names = await rich.waitFor(/ 353 /);
    assert.match(names, new RegExp(`:.*@\\+m${t}!~m${t}@s${op.sessionId}\\.chat`));
    rich.send(`WHO #m${t}`);
    const who = await rich.waitFor(new RegExp(` 352 r${t} #m${t} ~m${t} `));
    assert.match(who, / H@\+ :0 /);
    const plain = await registerIrc(port, `p${t}`);
    plain.send(`NAMES #m${t}`);
    const plainNames = await plain.waitFor(/ 353 /);
    assert.match(plainNames, new RegExp(`:@m${t}( |$)`));
    rich.end();
    plain.end();
  });
});

describe('message-tags', () => {
  test('client tags and TAGMSG reach clients that asked for message-tags, never server tags a client forged', async () => {
    const t = tag();
    const join = async (nick: string, caps: string | null) => {
      const c = await connectIrc(port);
      if (caps) c.send('CAP LS 302', `CAP REQ :${caps}`);
      c.send(`NICK ${nick}`, 'USER x 0 * :x');
      if (caps) c.send('CAP END');
      await c.waitFor(/ 001 /);
      c.send(`JOIN #t${t}`);
      await c.waitFor(/ 366 /);
      return c;
    };
    const a = await join(`ta${t}`, 'message-tags');
    const b = await join(`tb${t}`, 'message-tags');
    const plain = await join(`tc${t}`, null);
    const http = await HttpClient.create(chatd.url, `th${t}`);
    await http.send({ command: 'JOIN', to: `#t${t}` });
    a.send(`@+typing=active;time=2001-01-01T00:00:00.000Z;account=evil TAGMSG #t${t}`);
    const typing = await b.waitFor(/ TAGMSG #t/);
    assert.match(typing, /^@\S*\+typing=active/);
    assert.doesNotMatch(typing, /account=evil|2001-01-01/);
    a.send(`@+draft/react=\\:) PRIVMSG #t${t} :tagged`);
    const tagged = await b.waitFor(/:tagged$/);
    assert.match(tagged, /\+draft\/react=\\:\)/);
    const msgid = /msgid=([^; ]+)/.exec(tagged)?.[1];
    const seen = await until(http, (e) => e.command === 'PRIVMSG' && e.from === `ta${t}`);
    assert.equal(msgid, seen.id, 'msgid is the envelope id');
    assert.deepEqual(seen.meta.tags, { '+draft/react': ';)' }); // \: is an escaped ';'
    await plain.waitFor(/:tagged$/);
    assert.ok(!plain.lines.some((l) => / TAGMSG #/.test(l)), 'no TAGMSG without message-tags');
    assert.ok(!plain.lines.some((l) => l.startsWith('@')), 'no tags without message-tags');
    for (const c of [a, b, plain]) c.end();
  });
});

describe('away-notify', () => {
  test('an away change reaches channel peers that asked for away-notify, and HTTP members as an event', async () => {
    const t = tag();
    const watcher = await connectIrc(port);
    watcher.send('CAP LS 302', 'CAP REQ :away-notify', `NICK aw${t}`, 'USER a 0 * :a', 'CAP END');
    await watcher.waitFor(/ 001 /);
    watcher.send(`JOIN #aw${t}`);
    await watcher.waitFor(/ 366 /);
    const http = await HttpClient.create(chatd.url, `ah${t}`);
    await http.send({ command: 'JOIN', to: `#aw${t}` });
    const away = await registerIrc(port, `ax${t}`);
    away.send(`JOIN #aw${t}`);
    await away.waitFor(/ 366 /);
    away.send('AWAY :at lunch');
    await away.waitFor(/ 306 /);
    await watcher.waitFor(new RegExp(`^:ax${t}!\\S+ AWAY :at lunch$`));
    const event = await until(http, (e) => e.command === 'AWAY' && e.from === `ax${t}`);
    assert.deepEqual(event.body, ['at lunch']);
    away.send('AWAY');
    await away.waitFor(/ 305 /);
    await watcher.waitFor(new RegExp(`^:ax${t}!\\S+ AWAY$`));
    assert.ok(!away.lines.some((l) => / AWAY( |$)/.test(l)), "no echo of one's own AWAY");
    for (const c of [watcher, away]) c.end();
  });
});

describe('labeled-response', () => {
  test('a labelled command gets its answer labelled: one line, a batch, or ACK', async () => {
    const t = tag();
    const c = await connectIrc(port);
    c.send(
      'CAP LS 302',
      'CAP REQ :labeled-response batch echo-message',
      `NICK lr${t}`,
      'USER l 0 * :l',
      'CAP END',
    );
    await c.waitFor(/ 001 /);
    c.send('@label=p1 PING :tok');
    await c.waitFor(/^@label=p1 :chat PONG chat :tok$/);
    c.send(`@label=j1 JOIN #lr${t}`);
    const start = await c.waitFor(/^@label=j1 :chat BATCH \+(\S+) labeled-response$/);
    const ref = / BATCH \+(\S+) /.exec(start)![1]!;
    await c.waitFor(new RegExp(`^:chat BATCH -${ref}$`));
    const inside = c.lines.filter((l) => l.startsWith(`@batch=${ref} `));
    assert.ok(
      inside.some((l) => / JOIN #lr/.test(l)),
      'the JOIN is in the batch',
    );
    assert.ok(
      inside.some((l) => / 366 /.test(l)),
      '366 is in the batch',
    );
    c.send(`@label=m1 PRIVMSG #lr${t} :hello`);
    await c.waitFor(/^@label=m1 :lr\S+ PRIVMSG #lr\S+ :hello$/);
    c.send(`@label=n1 PART #nowhere${t}`);
    await c.waitFor(/^@label=n1 :chat 403 /);
    c.send('@label=a1 AWAY');
    await c.waitFor(/^@label=a1 :chat 305 /);
    c.end();
    const quiet = await connectIrc(port);
    quiet.send(
      'CAP LS 302',
      'CAP REQ :labeled-response batch',
      `NICK lq${t}`,
      'USER l 0 * :l',
      'CAP END',
    );
    await quiet.waitFor(/ 001 /);
    quiet.send(`JOIN #lr${t}`);
    await quiet.waitFor(/ 366 /);
    quiet.send(`@label=q1 PRIVMSG #lr${t} :no echo asked`);
    await quiet.waitFor(/^@label=q1 :chat ACK$/);
    quiet.end();
  });
});

describe('invite-notify', () => {
  test("channel members that asked see others' invites; the others and the invitee as before", async () => {
    const t = tag();
    const op = await registerIrc(port, `io${t}`);
    op.send(`JOIN #in${t}`);
    await op.waitFor(/ 366 /);
    const notified = await connectIrc(port);
    notified.send(
      'CAP LS 302',
      'CAP REQ :invite-notify',
      `NICK in${t}`,
      'USER n 0 * :n',
      'CAP END',
    );
    await notified.waitFor(/ 001 /);
    notified.send(`JOIN #in${t}`);
    await notified.waitFor(/ 366 /);
    const plain = await registerIrc(port, `ip${t}`);
    plain.send(`JOIN #in${t}`);
    await plain.waitFor(/ 366 /);
    const guest = await registerIrc(port, `ig${t}`);
    op.send(`INVITE ig${t} #in${t}`);
    await guest.waitFor(new RegExp(`^:io${t}!\\S+ INVITE ig${t} :?#in${t}$`));
    await notified.waitFor(new RegExp(`^:io${t}!\\S+ INVITE ig${t} :?#in${t}$`));
    await op.waitFor(/ 341 /);
    plain.send('PING :after');
    await plain.waitFor(/PONG .*after/);
    assert.ok(!plain.lines.some((l) => / INVITE /.test(l)), 'no invite-notify, no INVITE line');
    for (const c of [op, notified, plain, guest]) c.end();
  });
});

describe('logins and devices', () => {
  test('SASL PLAIN attaches to a password session registered over HTTP', async () => {
    const t = tag();
    await register(`s${t}`, 'password-1');
    const c = await saslConnect(`other${t}`, `s${t}`, 'password-1');
    assert.match(
      c.lines.find((l) => / 900 /.test(l))!,
      new RegExp(`s${t}`),
    );
    await c.waitFor(new RegExp(` 001 s${t} `));
    c.end();
  });

  test('a wrong SASL password is 904 and the client may retry', async () => {
    const t = tag();
    await register(`f${t}`, 'password-1');
    const c = await connectIrc(port);
    c.send('CAP LS 302', `NICK f${t}`, 'USER f 0 * :f', 'CAP REQ :sasl', 'AUTHENTICATE PLAIN');
    await c.waitFor(/^AUTHENTICATE \+$/);
    c.send(`AUTHENTICATE ${sasl(`f${t}`, 'wrong-password')}`);
    await c.waitFor(/ 904 /);
    c.send('AUTHENTICATE PLAIN');
    await c.waitFor(/^AUTHENTICATE \+$/, 5000, c.lines.length);
    c.send(`AUTHENTICATE ${sasl(`f${t}`, 'password-1')}`, 'CAP END');
    await c.waitFor(new RegExp(` 001 f${t} `));
    c.end();
  });

  test('PASS nick:password logs in for clients without SASL; a wrong one is 464 and ERROR', async () => {
    const t = tag();
    await register(`q${t}`, 'password-1');
    const ok = await registerIrc(port, `q${t}`, [`PASS q${t}:password-1`]);
    ok.end();
    const bad = await connectIrc(port);
    bad.send(`PASS q${t}:nope-nope`, `NICK q${t}`, 'USER q 0 * :q');
    await bad.waitFor(/ 464 /);
    await bad.waitFor(/^ERROR /);
    await bad.closed();
  });

  test('a named device gets exactly what it missed, in order, once, after its burst', async () => {
    const t = tag();
    await register(`d${t}`, 'password-1');
    const bob = await HttpClient.create(chatd.url, `x${t}`);
    await bob.send({ command: 'JOIN', to: `#d${t}` });
    const first = await saslConnect(`d${t}`, `d${t}@phone`, 'password-1');
    first.send(`JOIN #d${t}`);
    await first.waitFor(new RegExp(` 366 d${t} #d${t} `));
    await bob.send({ command: 'PRIVMSG', to: `#d${t}`, body: ['seen live'] });
    await first.waitFor(/:seen live$/);
    await new Promise((r) => setTimeout(r, 300)); // the cursor is saved once the line left
    first.end();
    await new Promise((r) => setTimeout(r, 300));
    for (const n of [1, 2, 3])
      await bob.send({ command: 'PRIVMSG', to: `#d${t}`, body: [`missed ${n}`] });
    const again = await saslConnect(`d${t}`, `d${t}@phone`, 'password-1', 'sasl server-time');
    await again.waitFor(/:missed 3$/);
    const texts = again.lines
      .filter((l) => l.includes(` PRIVMSG #d${t} :`))
      .map((l) => l.slice(l.lastIndexOf(' :') + 2));
    assert.deepEqual(texts, ['missed 1', 'missed 2', 'missed 3']);
    const welcome = again.lines.findIndex((l) => / 001 /.test(l));
    const missed = again.lines.findIndex((l) => l.endsWith(':missed 1'));
    assert.ok(welcome >= 0 && welcome < missed, '001 comes before the backlog');
    assert.match(again.lines[missed]!, /^@time=/);
    await bob.send({ command: 'PRIVMSG', to: `#d${t}`, body: ['live again'] });
    await again.waitFor(/:live again$/);
    again.end();
  });
});

describe('when the connection closes', () => {
  test('a passwordless IRC user who drops off quits to HTTP members with the reason', async () => {
    const t = tag();
    const irc = await registerIrc(port, `z${t}`);
    const bob = await HttpClient.create(chatd.url, `y${t}`);
    await bob.send({ command: 'JOIN', to: `#z${t}` });
    irc.send(`JOIN #z${t}`);
    await until(bob, (e) => e.command === 'JOIN' && e.from === `z${t}`);
    irc.end();
    const quit = await until(bob, (e) => e.command === 'QUIT' && e.from === `z${t}`);
    assert.deepEqual(quit.body, ['Connection closed']);
    // the nick is free again
    const again = await registerIrc(port, `z${t}`);
    again.send('QUIT :see you');
    await again.closed();
  });

  test('QUIT :reason reaches channel members as Quit: reason', async () => {
    const t = tag();
    const irc = await registerIrc(port, `r${t}`);
    const bob = await HttpClient.create(chatd.url, `v${t}`);
    await bob.send({ command: 'JOIN', to: `#r${t}` });
    irc.send(`JOIN #r${t}`);
    await until(bob, (e) => e.command === 'JOIN' && e.from === `r${t}`);
    irc.send('QUIT :gone fishing');
    await irc.waitFor(/^ERROR :/);
    const quit = await until(bob, (e) => e.command === 'QUIT' && e.from === `r${t}`);
    assert.deepEqual(quit.body, ['Quit: gone fishing']);
  });

  test('an always-on session stays when its IRC connection closes', async () => {
    const t = tag();
    await register(`a${t}`, 'password-1');
    const c = await saslConnect(`a${t}`, `a${t}`, 'password-1');
    c.end();
    await new Promise((r) => setTimeout(r, 300));
    const who = await call<{ nick: string }[]>(chatd.url, 'POST', '/api/v1/login', {
      json: { nick: `a${t}`, password: 'password-1' },
    });
    assert.equal(who.status, 200);
  });
});

describe('bad input', () => {
  test('an overlong line is 417, invalid UTF-8 is FAIL INVALID_UTF8, and the connection goes on', async () => {
    const c = await registerIrc(port, `u${tag()}`);
    c.send('PRIVMSG #x :' + 'a'.repeat(70_000));
    await c.waitFor(/ 417 /);
    c.write(
      Buffer.concat([Buffer.from('PRIVMSG #x :'), Buffer.from([0xff, 0xfe]), Buffer.from('\r\n')]),
    );
    await c.waitFor(/FAIL PRIVMSG INVALID_UTF8/);
    c.send('PING :still-here');
    await c.waitFor(/PONG chat :?still-here/);
    c.end();
  });

  test('an unknown command is 421 from the core', async () => {
    const c = await registerIrc(port, `n${tag()}`);
    c.send('FROBNICATE now');
    await c.waitFor(/ 421 \S+ FROBNICATE /);
    c.end();
  });
});

test('new sessions are limited per address; PASS hashcash is not needed with bits 0', async () => {
  const limited = await startChatd({ irc: true, env: { IRC_SESSIONS_PER_ADDRESS: '2' } });
  try {
    const p = limited.ircPort!;
    const a = await registerIrc(p, 'lim1');
    const b = await registerIrc(p, 'lim2');
    const c = await connectIrc(p);
    c.send('NICK lim3', 'USER l 0 * :l');
    await c.waitFor(/^ERROR :.*too many new sessions/);
    await c.closed();
    a.end();
    b.end();
  } finally {
    await limited.cleanup();
  }
});

test('graceful shutdown says ERROR :… Server shutting down to IRC clients', async () => {
  const own = await startChatd({ irc: true });
  const c = await registerIrc(own.ircPort!, 'stopper');
  const stopped = own.stop();
  await c.waitFor(/^ERROR :.*Server shutting down/);
  await c.closed();
  assert.equal(await stopped, 0);
  await own.cleanup();
});

test('a silent connection is pinged, then closed with Ping timeout; members see the QUIT', async () => {
  const own = await startChatd({
    irc: true,
    env: { IRC_PING_INTERVAL: '1s', IRC_PING_TIMEOUT: '1s' },
  });
  try {
    const bob = await HttpClient.create(own.url, 'pingbob');
    await bob.send({ command: 'JOIN', to: '#ping' });
    const c = await registerIrc(own.ircPort!, 'sleepy');
    c.send('JOIN #ping');
    await c.waitFor(/^PING /, 20_000);
    const quit = await until(bob, (e) => e.command === 'QUIT' && e.from === 'sleepy', 30_000);
    assert.match((quit.body as string[])[0]!, /^Ping timeout: \d+ seconds$/);
    await c.closed();
  } finally {
    await own.cleanup();
  }
});
