// End to end: channel modes over the real HTTP API (docs/api.md, docs/commands.md) — every letter set and unset
// with the MODE event members poll, the ban list, each refusal with its HTTP status, JOIN against
// +k/+l/+i/+b (and the INVITE pass), who may speak under +m/+b/+n, and +s not leaking.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { HttpClient } from '../helpers/api.js';
import { startChatd, type Chatd } from '../helpers/chatd.js';

let chatd: Chatd;
let alice: HttpClient & { sessionId: number };
let bob: HttpClient & { sessionId: number };
let carol: HttpClient & { sessionId: number };

before(async () => {
  chatd = await startChatd();
  alice = await HttpClient.create(chatd.url, 'alice');
  bob = await HttpClient.create(chatd.url, 'bob');
  carol = await HttpClient.create(chatd.url, 'carol');
});
after(async () => chatd.cleanup());

type Reply = { command: string; params: string[]; body: string[] };
const replies = (r: { body: Record<string, unknown> }) => r.body.replies as Reply[];
const commandsOf = (r: { body: Record<string, unknown> }) => replies(r).map((e) => e.command);

/** a fresh channel with alice as op and bob as member; every queue drained */
async function room(name: string): Promise<void> {
  assert.equal((await alice.send({ command: 'JOIN', to: name })).status, 200);
  assert.equal((await bob.send({ command: 'JOIN', to: name })).status, 200);
  for (const u of [alice, bob, carol]) await u.drain();
}

async function mode(u: HttpClient, to: string, params: string[]) {
  return u.send({ command: 'MODE', to, params });
}

/** [status, error, numeric, params] of an answer, for one-line refusal checks */
const refusal = (r: { status: number; body: Record<string, unknown> }) => [
  r.status,
  r.body.error,
  r.body.numeric,
  r.body.params,
];

test('every mode letter set and unset: 200, and members poll one MODE event each time', async () => {
  await room('#letters');
  const steps: [string[], string[], string][] = [
    [['+i'], ['+i'], '+int'],
    [['+m'], ['+m'], '+imnt'],
    [['+s'], ['+s'], '+imnst'],
    [['-n'], ['-n'], '+imst'],
    [['-t'], ['-t'], '+ims'],
    [['+k', 'sesame'], ['+k', 'sesame'], '+ikms sesame'],
    [['+l', '7'], ['+l', '7'], '+iklms sesame 7'],
    [['+b', 'troll'], ['+b', 'troll!*@*'], '+iklms sesame 7'],
    [['+o', 'bob'], ['+o', 'bob'], '+iklms sesame 7'],
    [['+v', 'Bob'], ['+v', 'bob'], '+iklms sesame 7'],
    [['-ov', 'bob', 'bob'], ['-ov', 'bob', 'bob'], '+iklms sesame 7'],
    [['-b', 'troll!*@*'], ['-b', 'troll!*@*'], '+iklms sesame 7'],
    [['-l'], ['-l'], '+ikms sesame'],
    [['-k', 'sesame'], ['-k', '*'], '+ims'],
    [['-ims+nt'], ['-ims+nt'], '+nt'],
  ];
  for (const [params, event, shown] of steps) {
    const r = await mode(alice, '#letters', params);
    assert.equal(r.status, 200, params.join(' '));
    assert.equal(typeof r.body.seq, 'number');
    for (const u of [alice, bob]) {
      const got = (await u.drain()).filter((e) => e.command === 'MODE');
      assert.equal(got.length, 1, `${u.nick}: ${params.join(' ')}`);
      assert.deepEqual(
        [got[0]!.from, got[0]!.to, got[0]!.params, got[0]!.body],
        ['alice', '#letters', event, []],
      );
      assert.equal(got[0]!.id, u === alice ? r.body.id : got[0]!.id);
    }
    const q = await bob.send({ command: 'MODE', to: '#letters' });
    assert.deepEqual(commandsOf(q), ['324', '329']);
    const rpl = replies(q)[0]!;
    assert.equal([...rpl.params.slice(1), ...rpl.body].join(' '), shown, params.join(' '));
  }
  await bob.drain();
  const noop = await mode(alice, '#letters', ['+nt']);
  assert.deepEqual([noop.status, noop.body.id, noop.body.replies], [200, null, []]);
  assert.deepEqual(await bob.drain(), [], 'nothing applied: no event');
});

test('324: the key only for members; MODE #c b lists bans with 367 and 368', async () => {
  await room('#bans');
  await mode(alice, '#bans', ['+kbb', 'pw', 'spam*', '*@*.example']);
  const outside = await carol.send({ command: 'MODE', to: '#bans' });
  assert.deepEqual(replies(outside)[0]!.params, ['#bans']);
  assert.deepEqual(replies(outside)[0]!.body, ['+knt']);
  const inside = await bob.send({ command: 'MODE', to: '#bans' });
  assert.deepEqual(replies(inside)[0]!.params, ['#bans', '+knt']);
  assert.deepEqual(replies(inside)[0]!.body, ['pw']);
  for (const form of ['b', '+b']) {
    const r = await mode(carol, '#bans', [form]);
    assert.equal(r.status, 200);
    assert.deepEqual(commandsOf(r), ['367', '367', '368']);
    const [first, second, end] = replies(r);
    const setter = `alice!~alice@s${alice.sessionId}`;
    assert.deepEqual(first!.params.slice(0, 2), ['#bans', '*!*@*.example']);
    assert.deepEqual(second!.params.slice(0, 2), ['#bans', 'spam*!*@*']);
    assert.ok(first!.params[2]!.startsWith(setter), first!.params[2]);
    assert.match(first!.body[0]!, /^\d{10}$/);
    assert.deepEqual([end!.params, end!.body], [['#bans'], ['End of channel ban list']]);
  }
});

test('MODE refusals carry the docs/api.md statuses', async () => {
  await room('#refuse');
  const cases: [HttpClient, string, string[], [number, string, string, string[]]][] = [
    [alice, '#refuse', ['+x'], [400, 'unknown_mode', '472', ['x']]],
    [bob, '#refuse', ['+m'], [403, 'chanop_privs_needed', '482', ['#refuse']]],
    [carol, '#refuse', ['+m'], [403, 'not_on_channel', '442', ['#refuse']]],
    [alice, '#refuse', ['+o', 'carol'], [403, 'user_not_in_channel', '441', ['carol', '#refuse']]],
    [alice, '#refuse', ['+v', 'ghost'], [404, 'no_such_nick', '401', ['ghost']]],
    [alice, '#nowhere', ['+m'], [404, 'no_such_channel', '403', ['#nowhere']]],
    [alice, '#refuse', ['+l'], [400, 'need_more_params', '461', ['MODE']]],
    [
      alice,
      '#refuse',
      ['+l', 'many'],
      [400, 'invalid_mode_param', '696', ['#refuse', 'l', 'many']],
    ],
  ];
  for (const [who, to, params, expected] of cases) {
    const r = await mode(who, to, params);
    assert.deepEqual(refusal(r), expected, `${who.nick} MODE ${to} ${params.join(' ')}`);
    const queued = await who.drain();
    assert.deepEqual(
      queued.map((e) => e.command),
      [expected[2]],
      'the refusal is queued to the caller too',
    );
  }
  const unknown = await mode(alice, '#refuse', ['+xy']);
  assert.deepEqual(
    replies(unknown).map((e) => [e.command, e.params, e.body]),
    [
      ['472', ['x'], ['is unknown mode char to me for #refuse']],
      ['472', ['y'], ['is unknown mode char to me for #refuse']],
    ],
  );
  // one change applies: 200 with the refusals among the replies
  const mixed = await mode(alice, '#refuse', ['+mxv', 'ghost']);
  assert.deepEqual([mixed.status, commandsOf(mixed)], [200, ['472', '401']]);
});

test('JOIN refusals: 475 bad key, 471 full, 473 invite-only, 474 banned (all 403)', async () => {
  await room('#door');
  const join = (params?: string[]) => carol.send({ command: 'JOIN', to: '#door', params });
  const reason = (r: { body: Record<string, unknown> }) => r.body.message;
  await mode(alice, '#door', ['+k', 'pw']);
  let r = await join();
  assert.deepEqual(refusal(r), [403, 'bad_channel_key', '475', ['#door']]);
  assert.equal(reason(r), 'Cannot join channel (+k)');
  assert.equal((await join(['nope'])).body.numeric, '475');
  await mode(alice, '#door', ['+l', '2']);
  r = await join(['pw']);
  assert.deepEqual(refusal(r), [403, 'channel_is_full', '471', ['#door']]);
  assert.equal(reason(r), 'Cannot join channel (+l)');
  await mode(alice, '#door', ['-l+i']);
  r = await join(['pw']);
  assert.deepEqual(refusal(r), [403, 'invite_only_chan', '473', ['#door']]);
  assert.equal(reason(r), 'Cannot join channel (+i)');
  await mode(alice, '#door', ['+b', 'carol']);
  r = await join(['pw']);
  assert.deepEqual(refusal(r), [403, 'banned_from_chan', '474', ['#door']]);
  assert.equal(reason(r), 'Cannot join channel (+b)');
  // several channels: 200 if any joined, the refusal among the replies
  const multi = await carol.send({ command: 'JOIN', to: '#open,#door', params: ['', 'pw'] });
  assert.deepEqual([multi.status, commandsOf(multi)], [200, ['353', '366', '474']]);
});

test('INVITE lets the invitee pass +i once, but not a ban; the right key still needed', async () => {
  await room('#club');
  await mode(alice, '#club', ['+ik', 'pw']);
  assert.equal((await carol.send({ command: 'JOIN', to: '#club', params: ['pw'] })).status, 403);
  assert.equal(
    (await alice.send({ command: 'INVITE', to: 'carol', params: ['#club'] })).status,
    200,
  );
  assert.equal((await carol.send({ command: 'JOIN', to: '#club' })).body.numeric, '475');
  const ok = await carol.send({ command: 'JOIN', to: '#club', params: ['pw'] });
  assert.deepEqual([ok.status, commandsOf(ok)], [200, ['353', '366']]);
  assert.equal((await carol.send({ command: 'PART', to: '#club' })).status, 200);
  const again = await carol.send({ command: 'JOIN', to: '#club', params: ['pw'] });
  assert.equal(again.body.numeric, '473', 'the invite was used up');
  await mode(alice, '#club', ['+b', '*!~carol@*']);
  await alice.send({ command: 'INVITE', to: 'carol', params: ['#club'] });
  const banned = await carol.send({ command: 'JOIN', to: '#club', params: ['pw'] });
  assert.deepEqual(refusal(banned), [403, 'banned_from_chan', '474', ['#club']]);
});

test('+m: only @ and + speak; +b mutes a member unless voiced; -n lets outsiders in (404 → 403)', async () => {
  await room('#talk');
  const say = (u: HttpClient, text: string) =>
    u.send({ command: 'PRIVMSG', to: '#talk', body: [text] });
  await mode(alice, '#talk', ['+m']);
  let r = await say(bob, 'hi');
  assert.deepEqual(refusal(r), [403, 'cannot_send_to_channel', '404', ['#talk']]);
  assert.equal(r.body.message, 'Cannot send to channel (+m)');
  assert.equal((await say(alice, 'op speaks')).status, 200);
  await mode(alice, '#talk', ['+v', 'bob']);
  assert.equal((await say(bob, 'voiced')).status, 200);
  await mode(alice, '#talk', ['-mv+b', 'bob', 'bob']);
  r = await say(bob, 'banned');
  assert.deepEqual(refusal(r), [403, 'cannot_send_to_channel', '404', ['#talk']]);
  assert.equal(r.body.message, 'Cannot send to channel (+b)');
  const notice = await bob.send({ command: 'NOTICE', to: '#talk', body: ['n'] });
  assert.deepEqual([notice.status, notice.body.replies], [403, []]);
  r = await say(carol, 'outside');
  assert.equal(r.body.message, 'Cannot send to channel (+n)');
  await mode(alice, '#talk', ['-n-b', 'bob']);
  await bob.drain();
  assert.equal((await say(carol, 'outside')).status, 200);
  assert.equal((await say(bob, 'unbanned')).status, 200);
  const texts = (await bob.drain()).filter((e) => e.command === 'PRIVMSG').map((e) => e.body);
  assert.deepEqual(texts, [['outside'], ['unbanned']]);
});

test('NICK while banned in a channel is 435 (403)', async () => {
  await room('#nicks');
  await mode(alice, '#nicks', ['+b', 'bob']);
  const r = await bob.send({ command: 'NICK', body: ['bobby'] });
  assert.deepEqual(refusal(r), [403, 'ban_nick_change', '435', ['bobby', '#nicks']]);
  await mode(alice, '#nicks', ['-b', 'bob']);
  assert.equal((await bob.send({ command: 'PART', to: '#nicks' })).status, 200);
});

test('a secret channel does not leak: outsiders get 403 (HTTP 404) from MODE and PRIVMSG', async () => {
  await room('#hidden');
  await mode(alice, '#hidden', ['+s']);
  for (const params of [[], ['b'], ['+m']]) {
    const r = await mode(carol, '#hidden', params);
    assert.deepEqual(refusal(r), [404, 'no_such_channel', '403', ['#hidden']], params.join());
  }
  const msg = await carol.send({ command: 'PRIVMSG', to: '#hidden', body: ['knock'] });
  assert.deepEqual(refusal(msg), [404, 'no_such_channel', '403', ['#hidden']]);
  const ghost = await carol.send({ command: 'PRIVMSG', to: '#ghost-town', body: ['knock'] });
  assert.deepEqual(refusal(ghost), [404, 'no_such_channel', '403', ['#ghost-town']], 'the same');
  const member = await mode(bob, '#hidden', []);
  assert.deepEqual(replies(member)[0]!.body, ['+nst']);
});
