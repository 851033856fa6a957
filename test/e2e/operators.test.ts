// End to end: KICK, INVITE, OPER, KILL, WALLOPS over real HTTP against the chatd process, with
// exact numerics and HTTP statuses (docs/api.md, docs/commands.md).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { call, HttpClient } from '../helpers/api.js';
import { startChatd, type Chatd } from '../helpers/chatd.js';

const OPER_PASSWORD = 'correct horse battery staple';
let chatd: Chatd;

before(async () => {
  chatd = await startChatd({ env: { OPER_NAME: 'admin', OPER_PASSWORD } });
});
after(async () => chatd.cleanup());

const cmds = (envs: { command: string }[]) => envs.map((e) => e.command);
type Envelope = { command: string; from: string; to: string; params: string[]; body: unknown };
const replies = (r: { body: Record<string, unknown> }) => r.body.replies as Envelope[];

/** a fresh session with a unique nick (the suite shares one server) */
let n = 0;
const user = (base: string) => HttpClient.create(chatd.url, `${base}${++n}`);

async function oper(c: HttpClient) {
  const r = await c.send({ command: 'OPER', params: ['admin', OPER_PASSWORD] });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r;
}

async function refused(
  c: HttpClient,
  input: Record<string, unknown>,
  status: number,
  numeric: string,
) {
  const r = await c.send(input);
  assert.deepEqual([r.status, r.body.numeric], [status, numeric], JSON.stringify(input));
  // the refusal is also queued to the caller (docs/commands.md)
  assert.deepEqual(cmds(replies(r)), [numeric]);
  return r;
}

test('every refusal answers its numeric with the status of docs/api.md', async () => {
  const op = await user('op');
  const member = await user('member');
  const outsider = await user('outsider');
  const ch = `#refuse${n}`;
  await op.send({ command: 'JOIN', to: ch });
  await member.send({ command: 'JOIN', to: ch });
  const cases: [HttpClient, Record<string, unknown>, number, string][] = [
    // KICK
    [op, { command: 'KICK', to: ch }, 400, '461'],
    [op, { command: 'KICK', to: '#nowhere', params: [member.nick] }, 404, '403'],
    [outsider, { command: 'KICK', to: ch, params: [member.nick] }, 403, '442'],
    [member, { command: 'KICK', to: ch, params: [op.nick] }, 403, '482'],
    [op, { command: 'KICK', to: ch, params: ['ghost'] }, 404, '401'],
    [op, { command: 'KICK', to: ch, params: [outsider.nick] }, 403, '441'],
    // INVITE
    [op, { command: 'INVITE', to: outsider.nick }, 400, '461'],
    [op, { command: 'INVITE', to: 'ghost', params: [ch] }, 404, '401'],
    [op, { command: 'INVITE', to: outsider.nick, params: ['#nowhere'] }, 404, '403'],
    [outsider, { command: 'INVITE', to: op.nick, params: [ch] }, 403, '442'],
    [op, { command: 'INVITE', to: member.nick, params: [ch] }, 409, '443'],
    // OPER
    [member, { command: 'OPER', params: ['admin'] }, 400, '461'],
    [member, { command: 'OPER', params: ['admin', 'wrong'] }, 403, '464'],
    // KILL and WALLOPS by a non-operator
    [member, { command: 'KILL', body: ['x'] }, 400, '461'],
    [member, { command: 'KILL', to: op.nick, body: ['x'] }, 403, '481'],
    [member, { command: 'WALLOPS' }, 400, '461'],
    [member, { command: 'WALLOPS', body: ['x'] }, 403, '481'],
  ];
  for (const [who, input, status, numeric] of cases) await refused(who, input, status, numeric);
  await oper(op);
  await refused(op, { command: 'KILL', to: 'ghost', body: ['x'] }, 404, '401');
  // nobody was kicked or killed along the way
  const members = await call<{ nick: string }[]>(
    chatd.url,
    'GET',
    `/api/v1/channels/${encodeURIComponent(ch.slice(1))}/members`,
    { token: member.token },
  );
  assert.deepEqual(members.body.map((m) => m.nick).sort(), [member.nick, op.nick].sort());
});

test('OPER without configured credentials answers 491 (403)', async () => {
  const bare = await startChatd();
  try {
    const c = await HttpClient.create(bare.url, 'someone');
    const r = await c.send({ command: 'OPER', params: ['admin', OPER_PASSWORD] });
    assert.deepEqual([r.status, r.body.numeric, r.body.error], [403, '491', 'no_oper_host']);
  } finally {
    await bare.cleanup();
  }
});

test('OPER: 381, MODE +o to the session, WHOIS 313, LUSERS 252, GET /state modes', async () => {
  const o = await user('oper');
  const watcher = await user('watcher');
  await o.drain();
  const before = await watcher.send({ command: 'LUSERS' });
  const opersBefore = Number(replies(before)[1]!.params[0]);
  const r = await oper(o);
  assert.deepEqual(cmds(replies(r)), ['381']);
  assert.deepEqual(replies(r)[0]!.body, ['You are now an IRC operator']);
  const queued = await o.drain();
  assert.deepEqual(cmds(queued), ['MODE', '381']);
  assert.deepEqual([queued[0]!.from, queued[0]!.to, queued[0]!.body], [o.nick, o.nick, ['+o']]);
  const state = await call<{ modes: string }>(chatd.url, 'GET', '/api/v1/state', {
    token: o.token,
  });
  assert.equal(state.body.modes, '+io');
  const whois = await watcher.send({ command: 'WHOIS', to: o.nick });
  assert.ok(cmds(replies(whois)).includes('313'));
  const lusers = await watcher.send({ command: 'LUSERS' });
  assert.deepEqual(
    [replies(lusers)[1]!.command, replies(lusers)[1]!.params],
    ['252', [String(opersBefore + 1)]],
  );
  // MODE -o gives it up
  await o.send({ command: 'MODE', to: o.nick, params: ['-o'] });
  assert.ok(!cmds(replies(await watcher.send({ command: 'WHOIS', to: o.nick }))).includes('313'));
  await refused(o, { command: 'WALLOPS', body: ['x'] }, 403, '481');
});

test('KICK: seen by the kicked and the others; the kicked gets no more, and may rejoin', async () => {
  const op = await user('kop');
  const victim = await user('kicked');
  const other = await user('other');
  const ch = `#kick${n}`;
  for (const c of [op, victim, other]) await c.send({ command: 'JOIN', to: ch });
  for (const c of [op, victim, other]) await c.drain();
  const r = await op.send({ command: 'KICK', to: ch, params: [victim.nick], body: ['bye now'] });
  assert.equal(r.status, 200);
  assert.equal(typeof r.body.seq, 'number');
  for (const c of [op, victim, other]) {
    const got = (await c.drain()) as unknown as Envelope[];
    assert.deepEqual(cmds(got), ['KICK']);
    assert.deepEqual(
      [got[0]!.from, got[0]!.to, got[0]!.params, got[0]!.body],
      [op.nick, ch, [victim.nick], ['bye now']],
    );
  }
  await op.send({ command: 'PRIVMSG', to: ch, body: ['without you'] });
  assert.deepEqual(await victim.drain(), []);
  assert.deepEqual(cmds(await other.drain()), ['PRIVMSG']);
  const hist = await call(chatd.url, 'GET', `/api/v1/history?target=${encodeURIComponent(ch)}`, {
    token: victim.token,
  });
  assert.deepEqual([hist.status, hist.body.numeric], [403, '442']);
  const back = await victim.send({ command: 'JOIN', to: ch });
  assert.equal(back.status, 200);
  await op.send({ command: 'PRIVMSG', to: ch, body: ['welcome back'] });
  const got = (await victim.drain()) as unknown as Envelope[];
  assert.deepEqual(
    got.filter((e) => e.command === 'PRIVMSG').map((e) => e.body),
    [['welcome back']],
  );
});

test('KICK of a nick list answers 200 when any succeeded, refusals among the replies', async () => {
  const op = await user('lop');
  const a = await user('la');
  const b = await user('lb');
  const ch = `#list${n}`;
  for (const c of [op, a, b]) await c.send({ command: 'JOIN', to: ch });
  const r = await op.send({ command: 'KICK', to: ch, params: [`${a.nick},ghost,${b.nick}`] });
  assert.equal(r.status, 200);
  assert.deepEqual(cmds(replies(r)), ['401']);
  const members = await call<{ nick: string }[]>(
    chatd.url,
    'GET',
    `/api/v1/channels/${encodeURIComponent(ch.slice(1))}/members`,
    { token: op.token },
  );
  assert.deepEqual(
    members.body.map((m) => m.nick),
    [op.nick],
  );
});

test('INVITE: 341 to the inviter, INVITE to the invitee, 301 when away', async () => {
  const inviter = await user('inviter');
  const invitee = await user('invitee');
  const ch = `#inv${n}`;
  await inviter.send({ command: 'JOIN', to: ch });
  await invitee.drain();
  await invitee.send({ command: 'AWAY', body: ['out'] });
  await invitee.drain();
  const r = await inviter.send({ command: 'INVITE', to: invitee.nick, params: [ch] });
  assert.equal(r.status, 200);
  assert.deepEqual(cmds(replies(r)), ['341', '301']);
  assert.deepEqual([replies(r)[0]!.params, replies(r)[0]!.body], [[invitee.nick], [ch]]);
  const got = (await invitee.drain()) as unknown as Envelope[];
  assert.deepEqual(cmds(got), ['INVITE']);
  assert.deepEqual([got[0]!.from, got[0]!.to, got[0]!.params], [inviter.nick, invitee.nick, [ch]]);
});

test('KILL: the victim token answers 401 (held poll too), its peers get QUIT', async () => {
  const o = await user('killer');
  const victim = await user('victim');
  const peer = await user('peer');
  const ch = `#kill${n}`;
  await oper(o);
  await victim.send({ command: 'JOIN', to: ch });
  await peer.send({ command: 'JOIN', to: ch });
  await victim.drain();
  await peer.drain();
  const held = call(chatd.url, 'GET', `/api/v1/messages?after=${victim.cursor}&timeout=10`, {
    token: victim.token,
  });
  await new Promise((r) => setTimeout(r, 100));
  const r = await o.send({ command: 'KILL', to: victim.nick, body: ['flooding'] });
  assert.equal(r.status, 200);
  assert.equal((await held).status, 401);
  const got = (await peer.drain()) as unknown as Envelope[];
  assert.deepEqual(cmds(got), ['QUIT']);
  assert.deepEqual([got[0]!.from, got[0]!.body], [victim.nick, [`Killed (${o.nick} (flooding))`]]);
  const next = await victim.send({ command: 'PING' });
  assert.equal(next.status, 401);
  assert.equal(
    (await call(chatd.url, 'GET', '/api/v1/state', { token: victim.token })).status,
    401,
  );
  await HttpClient.create(chatd.url, victim.nick); // the nick is free again
});

test('WALLOPS reaches only sessions with +w', async () => {
  const o = await user('wop');
  const w = await user('wlistener');
  const quiet = await user('wquiet');
  await oper(o);
  await w.send({ command: 'MODE', to: w.nick, params: ['+w'] });
  for (const c of [o, w, quiet]) await c.drain();
  const r = await o.send({ command: 'WALLOPS', body: ['server restart at 12:00'] });
  assert.equal(r.status, 200);
  const got = (await w.drain()) as unknown as Envelope[];
  assert.deepEqual(cmds(got), ['WALLOPS']);
  assert.deepEqual(
    [got[0]!.from, got[0]!.to, got[0]!.body],
    [o.nick, w.nick, ['server restart at 12:00']],
  );
  assert.deepEqual(await quiet.drain(), []);
  assert.deepEqual(await o.drain(), []);
});

test('INVITE lets the invitee pass +i once; on +i only ops may invite (482)', async () => {
  const op = await user('iop');
  const member = await user('imember');
  const guest = await user('iguest');
  const ch = `#inviteonly${n}`;
  await op.send({ command: 'JOIN', to: ch });
  await member.send({ command: 'JOIN', to: ch });
  const mode = await op.send({ command: 'MODE', to: ch, params: ['+i'] });
  assert.equal(mode.status, 200, JSON.stringify(mode.body));
  await refused(guest, { command: 'JOIN', to: ch }, 403, '473');
  await refused(member, { command: 'INVITE', to: guest.nick, params: [ch] }, 403, '482');
  await refused(guest, { command: 'JOIN', to: ch }, 403, '473');
  const inv = await op.send({ command: 'INVITE', to: guest.nick, params: [ch] });
  assert.deepEqual([inv.status, cmds(replies(inv))], [200, ['341']]);
  const joined = await guest.send({ command: 'JOIN', to: ch });
  assert.equal(joined.status, 200, JSON.stringify(joined.body));
  // the invite is used up: after leaving, +i stops the guest again
  await guest.send({ command: 'PART', to: ch });
  await refused(guest, { command: 'JOIN', to: ch }, 403, '473');
});
