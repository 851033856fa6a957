// End to end over IRC: the bot mode (BOT=B, WHOIS 335, WHO's B flag, the `bot` tag), AWAYLEN and
// KICKLEN refused rather than cut, the full ISUPPORT, and no password or SASL blob in the logs at
// the most verbose level.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { call, HttpClient } from '../helpers/api.js';
import { startChatd, type Chatd } from '../helpers/chatd.js';
import { connectIrc, registerIrc } from '../helpers/irc-socket.js';

let chatd: Chatd;
before(async () => {
  chatd = await startChatd({
    irc: true,
    env: { IRC_SESSIONS_PER_ADDRESS: '0', LOG_LEVEL: 'trace' },
  });
});
after(async () => chatd.cleanup());

test('005 announces AWAYLEN, KICKLEN, BOT and UTF8ONLY; 004 lists the B user mode', async () => {
  const c = await registerIrc(chatd.ircPort!, 'isup');
  const tokens = c.lines.filter((l) => / 005 /.test(l)).join(' ');
  for (const t of ['AWAYLEN=390', 'KICKLEN=390', 'BOT=B', 'UTF8ONLY', 'NAMELEN=64']) {
    assert.ok(tokens.includes(t), `${t} in ${tokens}`);
  }
  assert.match(
    c.lines.find((l) => / 004 /.test(l))!,
    / Biow /,
  );
  c.end();
});

test('+B makes a bot: WHOIS 335, WHO flag B, and the bot tag on its messages', async () => {
  const bot = await registerIrc(chatd.ircPort!, 'robo');
  const watcher = await connectIrc(chatd.ircPort!);
  watcher.send('CAP LS 302', 'CAP REQ :message-tags', 'NICK watch', 'USER w 0 * :w', 'CAP END');
  await watcher.waitFor(/ 001 /);
  bot.send('MODE robo +B', 'JOIN #bots');
  await bot.waitFor(/ 366 /);
  watcher.send('JOIN #bots', 'WHOIS robo', 'WHO #bots');
  await watcher.waitFor(/ 335 watch robo :is a bot$/);
  await watcher.waitFor(/ 352 watch #bots \S+ \S+ \S+ robo H?B?\S*/);
  assert.match(
    watcher.lines.find((l) => / 352 watch #bots .* robo /.test(l))!,
    / robo HB@? :/,
  );
  bot.send('PRIVMSG #bots :beep');
  const beep = await watcher.waitFor(/:beep$/);
  assert.match(beep, /^@\S*\bbot\b/);
  const http = await HttpClient.create(chatd.url, 'botwatch');
  await http.send({ command: 'JOIN', to: '#bots' });
  bot.send('PRIVMSG #bots :boop');
  for (let i = 0; i < 50 && !http.received.some((e) => e.command === 'PRIVMSG'); i++) {
    await http.poll(1);
  }
  const boop = http.received.find((e) => e.command === 'PRIVMSG');
  assert.equal(boop?.bot, true);
  for (const c of [bot, watcher]) c.end();
});

test('an away message or kick reason over 390 characters is refused, not cut', async () => {
  const http = await HttpClient.create(chatd.url, 'longish');
  const away = await http.send({ command: 'AWAY', body: ['a'.repeat(391)] });
  assert.equal(away.status, 400);
  assert.equal(away.body.error, 'away_too_long');
  assert.equal((await http.send({ command: 'AWAY', body: ['a'.repeat(390)] })).status, 200);
  await http.send({ command: 'JOIN', to: '#kicks' });
  await HttpClient.create(chatd.url, 'kickee').then((k) =>
    k.send({ command: 'JOIN', to: '#kicks' }),
  );
  const kick = await http.send({
    command: 'KICK',
    to: '#kicks',
    params: ['kickee'],
    body: ['r'.repeat(391)],
  });
  assert.equal(kick.status, 400);
  assert.equal(kick.body.error, 'reason_too_long');
  const irc = await registerIrc(chatd.ircPort!, 'awayirc');
  irc.send(`AWAY :${'x'.repeat(391)}`);
  await irc.waitFor(/NOTICE awayirc :Refused \(away_too_long\)/);
  irc.end();
});

test('no password or SASL blob in the logs, even at trace level', async () => {
  const password = 'Sup3r-secret-pw';
  const reg = await call(chatd.url, 'POST', '/api/v1/register', {
    json: { nick: 'logme', password },
  });
  assert.equal(reg.status, 201);
  const blob = Buffer.from(`\0logme@phone\0${password}`).toString('base64');
  const c = await connectIrc(chatd.ircPort!);
  c.send('CAP LS 302', 'NICK logme', 'USER l 0 * :l', 'CAP REQ :sasl', 'AUTHENTICATE PLAIN');
  await c.waitFor(/^AUTHENTICATE \+$/);
  c.send(`AUTHENTICATE ${blob}`, 'CAP END');
  await c.waitFor(/ 001 logme /);
  c.end();
  const viaPass = await registerIrc(chatd.ircPort!, 'logme', [`PASS logme:${password}`]);
  viaPass.end();
  const bad = await connectIrc(chatd.ircPort!);
  bad.send(`PASS logme:wrong-${password}`, 'NICK logme', 'USER l 0 * :l');
  await bad.closed();
  await new Promise((r) => setTimeout(r, 200));
  const log = chatd.output();
  assert.ok(log.length > 0, 'trace logging wrote something');
  for (const secret of [password, blob]) assert.ok(!log.includes(secret), 'secret in the log');
});
