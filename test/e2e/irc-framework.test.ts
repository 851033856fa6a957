// End to end with a real IRC client library: irc-framework (Kiwi IRC's) against the real chatd,
// beside HTTP users in the same channels. What irc-framework makes of chatd's lines is what is
// checked — its own parser, its events, its CAP and SASL negotiation — so a line a real client
// reads differently from what the core meant fails here. Both directions throughout: messages
// (several lines, NOTICE, ACTION, DMs), NICK, TOPIC, MODE, INVITE, KICK, AWAY; the capabilities
// acknowledged; SASL onto a password session; a named device that misses lines and comes back;
// what a passwordless user's departure looks like over HTTP.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { HttpClient } from '../helpers/api.js';
import { startChatd, type Chatd } from '../helpers/chatd.js';
import { IrcUsers, type IrcUser } from '../helpers/irc-framework-client.js';
import {
  loginHttp,
  METRICS_ENV,
  metricSum,
  pollUntil,
  registerHttp,
  sendOk,
  waitMetric,
} from '../helpers/irc-http.js';

let chatd: Chatd;
let port: number;
const users = new IrcUsers();

before(async () => {
  chatd = await startChatd({ irc: true, env: { IRC_SESSIONS_PER_ADDRESS: '0', ...METRICS_ENV } });
  port = chatd.ircPort!;
});
after(async () => {
  users.closeAll();
  await chatd?.cleanup();
});

/** docs/irc.md, Capabilities: what chatd offers today (it may offer more) */
const DOCUMENTED_CAPS = ['cap-notify', 'server-time', 'echo-message', 'sasl'];

/** The capabilities a client asked for (CAP REQ) and the server acknowledged (CAP ACK), sorted. */
function negotiated(u: IrcUser): { requested: string[]; acked: string[] } {
  const words = (fromServer: boolean, re: RegExp) =>
    u.raw
      .filter((r) => r.fromServer === fromServer && re.test(r.line))
      .flatMap((r) => r.line.replace(re, '').split(' '))
      .filter(Boolean)
      .sort();
  return {
    requested: words(false, /^CAP REQ :?/),
    acked: words(true, /^(?:@\S+ )?:\S+ CAP \S+ ACK :?/),
  };
}

const tag = () => Math.random().toString(36).slice(2, 7);
const PASSWORD = 'correct horse battery';

/** An IRC user and an HTTP user, both in `chan` (the HTTP user created it: op). */
async function pair(
  t: string,
  chan: string,
): Promise<{ irc: IrcUser; bob: HttpClient & { sessionId: number } }> {
  const bob = await HttpClient.create(chatd.url, `b${t}`);
  await sendOk(bob, { command: 'JOIN', to: chan });
  const irc = await users.connect(port, { nick: `i${t}` });
  irc.lib.join(chan);
  await irc.waitFor('join', (e) => e.nick === irc.nick && e.channel === chan);
  await pollUntil(bob, (e) => e.command === 'JOIN' && e.from === irc.nick && e.to === chan);
  return { irc, bob };
}

describe('an irc-framework user and an HTTP user in one channel', () => {
  test('messages both ways: several lines, long lines, NOTICE, ACTION and DMs', async () => {
    const t = tag();
    const chan = `#m${t}`;
    const { irc, bob } = await pair(t, chan);

    // HTTP → IRC: a two-line body is two PRIVMSG events, with bob's full identity
    await sendOk(bob, { command: 'PRIVMSG', to: chan, body: ['first line', 'second line'] });
    await irc.waitFor('privmsg', (e) => e.message === 'second line');
    const fromBob = irc.all('privmsg').filter((e) => e.nick === bob.nick);
    assert.deepEqual(
      fromBob.map((e) => [e.target, e.message]),
      [
        [chan, 'first line'],
        [chan, 'second line'],
      ],
    );
    assert.equal(fromBob[0]!.ident, `~${bob.nick}`);
    assert.equal(fromBob[0]!.hostname, `s${bob.sessionId}.chat`);

    // a line too long for one IRC line arrives as several, nothing lost
    const long = Array.from({ length: 120 }, (_, i) => `word${i}`).join(' ');
    const before = irc.events.length;
    await sendOk(bob, { command: 'PRIVMSG', to: chan, body: [long] });
    await irc.waitFor('privmsg', (e) => e.message.endsWith('word119'), undefined, before);
    const parts = irc.all('privmsg', before).map((e) => e.message);
    assert.ok(parts.length >= 2, `split into several messages: ${parts.length}`);
    assert.equal(parts.join(''), long);

    // IRC → HTTP: say(), and say() of two lines (irc-framework sends two PRIVMSGs)
    irc.lib.say(chan, 'hello from irc-framework');
    const said = await pollUntil(bob, (e) => e.command === 'PRIVMSG' && e.from === irc.nick);
    assert.equal(said.to, chan);
    assert.deepEqual(said.body, ['hello from irc-framework']);
    assert.notEqual(said.meta.action, true);
    assert.match(said.source ?? '', new RegExp(`^${irc.nick}!~${irc.nick}@s\\d+\\.chat$`));
    irc.lib.say(chan, 'line one\nline two');
    await pollUntil(
      bob,
      (e) =>
        e.command === 'PRIVMSG' && e.from === irc.nick && (e.body as string[])[0] === 'line two',
    );
    assert.deepEqual(
      bob.received.filter((e) => e.command === 'PRIVMSG' && e.from === irc.nick).map((e) => e.body),
      [['hello from irc-framework'], ['line one'], ['line two']],
    );

    // NOTICE both ways
    await sendOk(bob, { command: 'NOTICE', to: chan, body: ['heads up'] });
    const notice = await irc.waitFor('notice', (e) => e.message === 'heads up');
    assert.equal(notice.nick, bob.nick);
    assert.equal(notice.target, chan);
    assert.equal(notice.from_server, false);
    irc.lib.notice(chan, 'noted, from irc');
    const n = await pollUntil(bob, (e) => e.command === 'NOTICE' && e.from === irc.nick);
    assert.equal(n.to, chan);
    assert.deepEqual(n.body, ['noted, from irc']);

    // ACTION both ways: meta.action ↔ CTCP ACTION
    await sendOk(bob, { command: 'PRIVMSG', to: chan, body: ['waves'], meta: { action: true } });
    const action = await irc.waitFor('action', (e) => e.nick === bob.nick);
    assert.equal(action.message, 'waves');
    assert.equal(action.target, chan);
    assert.ok(!irc.all('privmsg').some((e) => e.message.includes('waves')), 'not a plain PRIVMSG');
    irc.lib.action(chan, 'dances');
    const danced = await pollUntil(
      bob,
      (e) => e.command === 'PRIVMSG' && e.from === irc.nick && e.meta.action === true,
    );
    assert.equal(danced.to, chan);
    assert.deepEqual(danced.body, ['dances']);

    // DMs both ways
    await sendOk(bob, { command: 'PRIVMSG', to: irc.nick, body: ['psst, just you'] });
    const dm = await irc.waitFor('privmsg', (e) => e.message === 'psst, just you');
    assert.equal(dm.nick, bob.nick);
    assert.equal(dm.target, irc.nick);
    irc.lib.say(bob.nick, 'back at you');
    const reply = await pollUntil(bob, (e) => e.command === 'PRIVMSG' && e.to === bob.nick);
    assert.equal(reply.from, irc.nick);
    assert.deepEqual(reply.body, ['back at you']);

    // without echo-message the sender never got its own lines back (they were stored before
    // bob's DM, which did arrive, and a queue is in order)
    const own = [...irc.all('privmsg'), ...irc.all('notice'), ...irc.all('action')].filter(
      (e) => e.nick === irc.nick,
    );
    assert.deepEqual(own, []);
  });

  test('NICK both ways: the IRC user renames, then the HTTP user does', async () => {
    const t = tag();
    const chan = `#n${t}`;
    const { irc, bob } = await pair(t, chan);
    const old = irc.nick;

    irc.lib.changeNick(`r${t}`);
    const own = await irc.waitFor('nick', (e) => e.nick === old);
    assert.equal(own.new_nick, `r${t}`);
    assert.equal(irc.nick, `r${t}`, 'irc-framework follows its own NICK');
    const seen = await pollUntil(bob, (e) => e.command === 'NICK' && e.from === old);
    assert.equal(seen.to, `r${t}`);
    assert.deepEqual(seen.body, [`r${t}`]);

    await sendOk(bob, { command: 'NICK', body: [`c${t}`] });
    const theirs = await irc.waitFor('nick', (e) => e.nick === bob.nick);
    assert.equal(theirs.new_nick, `c${t}`);

    // both go on under the new nicks
    await sendOk(bob, { command: 'PRIVMSG', to: chan, body: ['renamed'] });
    const msg = await irc.waitFor('privmsg', (e) => e.message === 'renamed');
    assert.equal(msg.nick, `c${t}`);
    irc.lib.say(chan, 'me too');
    const back = await pollUntil(
      bob,
      (e) => e.command === 'PRIVMSG' && e.to === chan && (e.body as string[])[0] === 'me too',
    );
    assert.equal(back.from, `r${t}`);
    assert.match(back.source ?? '', new RegExp(`^r${t}!`));
  });

  test('TOPIC, MODE +o/+v from the HTTP op, INVITE both ways, +i and KICK', async () => {
    const t = tag();
    const chan = `#o${t}`;
    const { irc, bob } = await pair(t, chan);
    const names = await irc.waitFor('userlist', (e) => e.channel === chan);
    assert.deepEqual(
      names.users.map((u) => [u.nick, u.modes]).sort(),
      [
        [bob.nick, ['o']],
        [irc.nick, []],
      ].sort(),
    );

    await sendOk(bob, { command: 'TOPIC', to: chan, body: ['set over HTTP'] });
    const topic = await irc.waitFor('topic', (e) => e.topic === 'set over HTTP');
    assert.equal(topic.channel, chan);
    assert.equal(topic.nick, bob.nick);

    await sendOk(bob, { command: 'MODE', to: chan, params: ['+o', irc.nick] });
    const op = await irc.waitFor('mode', (e) => e.modes.some((m) => m.mode === '+o'));
    assert.equal(op.target, chan);
    assert.equal(op.nick, bob.nick);
    assert.deepEqual(op.modes, [{ mode: '+o', param: irc.nick }]);
    await sendOk(bob, { command: 'MODE', to: chan, params: ['+v', irc.nick] });
    const voice = await irc.waitFor('mode', (e) => e.modes.some((m) => m.mode === '+v'));
    assert.deepEqual(voice.modes, [{ mode: '+v', param: irc.nick }]);

    // now an op, the IRC user sets the topic and invites someone
    irc.lib.setTopic(chan, 'set over IRC');
    const changed = await pollUntil(bob, (e) => e.command === 'TOPIC' && e.from === irc.nick);
    assert.equal(changed.to, chan);
    assert.deepEqual(changed.body, ['set over IRC']);
    const carol = await HttpClient.create(chatd.url, `k${t}`);
    irc.lib.invite(chan, carol.nick);
    const inviting = await irc.waitFor('invited', (e) => e.nick === carol.nick);
    assert.equal(inviting.channel, chan);
    const invite = await pollUntil(carol, (e) => e.command === 'INVITE');
    assert.equal(invite.from, irc.nick);
    assert.equal(invite.to, carol.nick);
    assert.deepEqual(invite.params, [chan]);

    // +i, then a KICK: the way back in is an invitation
    await sendOk(bob, { command: 'MODE', to: chan, params: ['+i'] });
    await irc.waitFor('mode', (e) => e.modes.some((m) => m.mode === '+i'));
    await sendOk(bob, { command: 'KICK', to: chan, params: [irc.nick], body: ['out you go'] });
    const kick = await irc.waitFor('kick', (e) => e.kicked === irc.nick);
    assert.equal(kick.nick, bob.nick);
    assert.equal(kick.channel, chan);
    assert.equal(kick.message, 'out you go');
    irc.lib.join(chan);
    const refused = await irc.waitFor('irc error', (e) => e.error === 'invite_only_channel');
    assert.equal(refused.channel, chan);
    await sendOk(bob, { command: 'INVITE', to: irc.nick, params: [chan] });
    // (with invite-notify, the IRC user also saw its own invite of carol earlier: not this one)
    const invited = await irc.waitFor(
      'invite',
      (e) => e.channel === chan && e.invited === irc.nick,
    );
    assert.equal(invited.nick, bob.nick);
    assert.equal(invited.invited, irc.nick);
    const mark = bob.received.length;
    const rejoinFrom = irc.events.length;
    irc.lib.join(chan);
    await irc.waitFor(
      'join',
      (e) => e.nick === irc.nick && e.channel === chan,
      undefined,
      rejoinFrom,
    );
    await pollUntil(bob, (e) => e.command === 'JOIN' && e.from === irc.nick, undefined, mark);

    // carol's invitation from the IRC user lets her in too
    await sendOk(carol, { command: 'JOIN', to: chan });
    await irc.waitFor('join', (e) => e.nick === carol.nick && e.channel === chan);
  });

  test('AWAY: the IRC user away is 301 to an HTTP WHOIS and PRIVMSG; back is 305', async () => {
    const t = tag();
    const bob = await HttpClient.create(chatd.url, `b${t}`);
    const irc = await users.connect(port, { nick: `a${t}` });

    irc.lib.raw('AWAY', 'out to lunch');
    const away = await irc.waitFor('away', (e) => e.self);
    assert.equal(away.nick, irc.nick);

    await sendOk(bob, { command: 'WHOIS', to: irc.nick });
    const whois = await pollUntil(bob, (e) => e.command === '301');
    assert.deepEqual(whois.params, [irc.nick]);
    assert.deepEqual(whois.body, ['out to lunch']);
    await pollUntil(bob, (e) => e.command === '318');

    let mark = bob.received.length;
    await sendOk(bob, { command: 'PRIVMSG', to: irc.nick, body: ['lunch where?'] });
    const auto = await pollUntil(bob, (e) => e.command === '301', undefined, mark);
    assert.deepEqual(auto.params, [irc.nick]);
    assert.deepEqual(auto.body, ['out to lunch']);
    await irc.waitFor('privmsg', (e) => e.message === 'lunch where?' && e.nick === bob.nick);

    irc.lib.raw('AWAY');
    await irc.waitFor('back', (e) => e.self);
    mark = bob.received.length;
    await sendOk(bob, { command: 'WHOIS', to: irc.nick });
    await pollUntil(bob, (e) => e.command === '318', undefined, mark);
    assert.ok(!bob.received.slice(mark).some((e) => e.command === '301'), 'no 301 once back');
  });
});

describe('capabilities, SASL and devices', () => {
  test('CAP: irc-framework requests what it knows of the offer, and all of it is ACKed', async () => {
    const t = tag();
    await registerHttp(chatd.url, `p${t}`, PASSWORD);
    const full = await users.connect(port, {
      nick: `p${t}`,
      enable_echomessage: true,
      account: { account: `p${t}`, password: PASSWORD },
    });
    const offered = [...full.offeredCaps.keys()];
    // docs/irc.md: offered at least cap-notify, server-time, echo-message and sasl (PLAIN)
    for (const cap of DOCUMENTED_CAPS) assert.ok(offered.includes(cap), `${cap} in CAP LS`);
    assert.equal(full.offeredCaps.get('sasl'), 'PLAIN');
    // irc-framework asks for what it knows of the offer; all of it is acknowledged, none refused
    const { requested, acked } = negotiated(full);
    for (const cap of requested) assert.ok(offered.includes(cap), `${cap} requested, offered`);
    for (const cap of DOCUMENTED_CAPS) assert.ok(requested.includes(cap), `${cap} requested`);
    assert.deepEqual(acked, requested, 'every capability requested is acknowledged');
    assert.deepEqual(full.enabledCaps, requested);
    assert.deepEqual(full.all('cap nak'), []);
    await full.waitFor('loggedin');

    // echo-message and server-time at work: its own line comes back, with a time tag
    const chan = `#cap${t}`;
    full.lib.join(chan);
    await full.waitFor('join', (e) => e.channel === chan);
    const sent = Date.now();
    full.lib.say(chan, 'echo me');
    const echo = await full.waitFor('privmsg', (e) => e.message === 'echo me');
    assert.equal(echo.nick, full.nick);
    assert.equal(typeof echo.time, 'number');
    assert.ok(Math.abs(echo.time! - sent) < 60_000, `server-time ${echo.time} near ${sent}`);

    // a client with neither an account nor echo-message asks for neither, and gets the rest
    const plain = await users.connect(port, { nick: `q${t}` });
    const asked = negotiated(plain);
    assert.ok(!asked.requested.includes('sasl') && !asked.requested.includes('echo-message'));
    assert.ok(asked.requested.includes('cap-notify') && asked.requested.includes('server-time'));
    assert.deepEqual(asked.acked, asked.requested);
    assert.deepEqual(plain.enabledCaps, asked.requested);
    assert.deepEqual(plain.all('cap nak'), []);
  });

  test('SASL (the account option) attaches to a password session registered over HTTP', async () => {
    const t = tag();
    const nick = `s${t}`;
    await registerHttp(chatd.url, nick, PASSWORD);
    // the nick irc-framework asks for is not the account's: the session's nick wins from 001 on
    const irc = await users.connect(port, {
      nick: `other${t}`,
      account: { account: nick, password: PASSWORD },
    });
    const loggedIn = await irc.waitFor('loggedin');
    assert.equal(loggedIn.account, nick);
    assert.equal((await irc.waitFor('registered')).nick, nick);
    assert.equal(irc.nick, nick);
    assert.deepEqual(irc.all('sasl failed'), []);

    // one more client of the same session: what the laptop does, the IRC connection sees
    const laptop = await loginHttp(chatd.url, nick, PASSWORD);
    const chan = `#s${t}`;
    await sendOk(laptop, { command: 'JOIN', to: chan });
    await irc.waitFor('join', (e) => e.nick === nick && e.channel === chan);
    await sendOk(laptop, { command: 'PRIVMSG', to: chan, body: ['typed on the laptop'] });
    const mine = await irc.waitFor('privmsg', (e) => e.message === 'typed on the laptop');
    assert.equal(mine.nick, nick);
    irc.lib.say(chan, 'typed on irc');
    const there = await pollUntil(
      laptop,
      (e) =>
        e.command === 'PRIVMSG' && e.from === nick && (e.body as string[])[0] === 'typed on irc',
    );
    assert.equal(there.to, chan);
  });

  test('a device (nick@phone) that reattaches gets exactly what it missed, once, in order', async () => {
    const t = tag();
    const nick = `d${t}`;
    const chan = `#d${t}`;
    await registerHttp(chatd.url, nick, PASSWORD);
    const bob = await HttpClient.create(chatd.url, `x${t}`);
    await sendOk(bob, { command: 'JOIN', to: chan });
    const device = { nick, account: { account: `${nick}@phone`, password: PASSWORD } };

    const phone = await users.connect(port, device);
    assert.equal(phone.nick, nick);
    phone.lib.join(chan);
    await phone.waitFor('join', (e) => e.nick === nick && e.channel === chan);
    await sendOk(bob, { command: 'PRIVMSG', to: chan, body: ['seen live'] });
    await phone.waitFor('privmsg', (e) => e.message === 'seen live');

    // the phone goes away without QUIT; wait until chatd has seen the connection end
    const ended = await metricSum(chatd.url, 'chatd_irc_disconnects_total');
    await phone.drop();
    await waitMetric(chatd.url, 'chatd_irc_disconnects_total', (v) => v > ended);

    const awayFrom = Date.now();
    await sendOk(bob, { command: 'PRIVMSG', to: chan, body: ['missed 1'] });
    await sendOk(bob, { command: 'PRIVMSG', to: chan, body: ['missed 2', 'missed 2b'] });
    await sendOk(bob, { command: 'PRIVMSG', to: chan, body: ['shrugs'], meta: { action: true } });
    await sendOk(bob, { command: 'PRIVMSG', to: nick, body: ['missed dm'] });
    await sendOk(bob, { command: 'PRIVMSG', to: chan, body: ['missed 3'] });
    const awayUntil = Date.now();

    const again = await users.connect(port, device);
    await again.waitFor('privmsg', (e) => e.message === 'missed 3');
    await sendOk(bob, { command: 'PRIVMSG', to: chan, body: ['live again'] });
    await again.waitFor('privmsg', (e) => e.message === 'live again');

    // the burst and the channel state first, then the backlog in order, nothing twice
    const fromBob = again.events
      .filter((e) => e.name === 'privmsg' || e.name === 'action')
      .map((e) => e.data as { nick: string; target: string; message: string; time?: number })
      .filter((e) => e.nick === bob.nick);
    assert.deepEqual(
      fromBob.map((e) => `${e.target} ${e.message}`),
      [
        `${chan} missed 1`,
        `${chan} missed 2`,
        `${chan} missed 2b`,
        `${chan} shrugs`,
        `${nick} missed dm`,
        `${chan} missed 3`,
        `${chan} live again`,
      ],
    );
    assert.equal(again.all('action').length, 1);
    const lines = again.raw.filter((r) => r.fromServer).map((r) => r.line);
    const welcome = lines.findIndex((l) => / 001 /.test(l));
    // irc-framework asks for extended-join: `JOIN #c <account> :<realname>`
    const join = lines.findIndex((l) => new RegExp(` JOIN :?${chan}( |$)`).test(l));
    const missed = lines.findIndex((l) => l.endsWith(' :missed 1'));
    assert.ok(
      welcome >= 0 && welcome < join && join < missed,
      `001 < JOIN < backlog:\n${again.transcript()}`,
    );
    // server-time carries when they were said, not when they were replayed
    for (const e of fromBob.slice(0, -1)) {
      assert.ok(
        e.time !== undefined && e.time >= awayFrom - 1000 && e.time <= awayUntil + 1000,
        `original time for ${e.message}: ${e.time} in [${awayFrom}, ${awayUntil}]`,
      );
    }

    // a second reattach with nothing missed gets nothing old
    const ended2 = await metricSum(chatd.url, 'chatd_irc_disconnects_total');
    await again.drop();
    await waitMetric(chatd.url, 'chatd_irc_disconnects_total', (v) => v > ended2);
    const third = await users.connect(port, device);
    await third.waitFor('join', (e) => e.nick === nick && e.channel === chan);
    await sendOk(bob, { command: 'PRIVMSG', to: chan, body: ['only this'] });
    await third.waitFor('privmsg', (e) => e.message === 'only this');
    assert.deepEqual(
      third.all('privmsg').map((e) => e.message),
      ['only this'],
    );
  });
});

describe('when a passwordless IRC user leaves', () => {
  test('client.quit(message) reaches the channel over HTTP as Quit: message', async () => {
    const t = tag();
    const chan = `#q${t}`;
    const { irc, bob } = await pair(t, chan);
    const nick = irc.nick;
    await irc.quit('gone fishing');
    await irc.waitRaw(/^ERROR :/);
    const quit = await pollUntil(bob, (e) => e.command === 'QUIT' && e.from === nick);
    assert.deepEqual(quit.body, ['Quit: gone fishing']);
  });

  test('a socket closed without QUIT is Connection closed over HTTP, and frees the nick', async () => {
    const t = tag();
    const chan = `#z${t}`;
    const { irc, bob } = await pair(t, chan);
    const nick = irc.nick;
    await irc.drop();
    const quit = await pollUntil(bob, (e) => e.command === 'QUIT' && e.from === nick);
    assert.deepEqual(quit.body, ['Connection closed']);
    const again = await users.connect(port, { nick });
    assert.equal(again.nick, nick);
    assert.deepEqual(again.all('nick in use'), []);
  });
});
