// Where chat-cli shows things (model.ts, controller.ts, bootstrap.ts), with a fake link whose
// answers carry the replies the real chatd sends (docs/commands.md: a command's replies come in
// its answer and again through the queue, with the same ids): replies in the buffer where the
// command was typed, a JOIN's topic and names in its channel after "has joined", each line once;
// the buffer order and the active buffer kept across restarts; a channel's backlog on join.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bootstrap } from '../../src/cli/bootstrap.js';
import type { Connection, SendOutcome } from '../../src/cli/connection.js';
import { Controller, type Link } from '../../src/cli/controller.js';
import { ChatModel } from '../../src/cli/model.js';
import type { CommandInput, Envelope, StateView } from '../../src/model/api.js';
import { ApiError } from '../../src/shared/client.js';

let seq = 100;
function env(
  command: string,
  from: string,
  to: string,
  body: string[] = [],
  params: string[] = [],
) {
  seq++;
  const e: Envelope = {
    id: `id-${seq}`,
    seq,
    command,
    from,
    to,
    params,
    body,
    ts: '2026-01-02T03:04:05.000Z',
    meta: {},
  };
  return e;
}

/** A link that answers each command with what `answer` gives; the queue is the test's to play. */
class FakeLink implements Link {
  sent: CommandInput[] = [];
  target: string | null = null;
  layouts: string[][] = [];
  histories: [string, number | null][] = [];
  history_: Envelope[] = [];
  cursor: number | null = null;
  answer: (c: CommandInput) => SendOutcome = () => ({
    ok: true,
    result: { id: null, seq: null, replies: [] },
  });
  /** runs before the answer is handed back (the queue may be faster than the answer) */
  beforeAnswer: () => void = () => undefined;
  async send(command: CommandInput): Promise<SendOutcome> {
    this.sent.push(command);
    const out = this.answer(command);
    this.beforeAnswer();
    return out;
  }
  async history(target: string, before: number | null) {
    this.histories.push([target, before]);
    const batch = this.history_
      .filter((e) => before === null || e.seq < before)
      .map((e) => ({ env: e, verdict: 'unsigned' as const }));
    return { batch, more: false };
  }
  setTarget(t: string | null) {
    this.target = t;
  }
  setLayout(names: string[]) {
    this.layouts.push(names);
  }
  trust() {}
  endSession() {}
}

const replies = (...r: Envelope[]): SendOutcome => ({
  ok: true,
  result: { id: null, seq: null, replies: r },
});

function setup() {
  const model = new ChatModel({ nick: 'alice', serverName: 'chat' });
  const link = new FakeLink();
  const controller = new Controller(model, link, { exit: () => undefined });
  model.ingest(env('JOIN', 'alice', '#c'));
  model.ingest(env('JOIN', 'alice', '#other'));
  model.activate(model.find('#c')!);
  return { model, link, controller };
}

const texts = (model: ChatModel, name: string) => model.find(name)!.lines.map((l) => l.text);

test('query replies (NAMES, MODE, bans, TOPIC, LIST, WHO, WHOIS) answer where typed, not in the channel they name', async () => {
  const { model, link, controller } = setup();
  const cases: [string, Envelope[]][] = [
    ['/names #other', [env('353', 'chat', 'alice', ['@alice bob'], ['=', '#other']), env('366', 'chat', 'alice', ['End of /NAMES list'], ['#other'])]],
    ['/mode #other', [env('324', 'chat', 'alice', ['+nt'], ['#other']), env('329', 'chat', 'alice', ['1767322800'], ['#other'])]],
    ['/mode #other +b', [env('367', 'chat', 'alice', ['1767322800'], ['#other', 'x!*@*', 'bob']), env('368', 'chat', 'alice', ['End of channel ban list'], ['#other'])]],
    ['/topic #other', [env('332', 'chat', 'alice', ['plans'], ['#other']), env('333', 'chat', 'alice', ['1767322800'], ['#other', 'bob'])]],
    ['/list', [env('321', 'chat', 'alice', ['Users Name'], ['Channel']), env('322', 'chat', 'alice', ['plans'], ['#other', '2']), env('323', 'chat', 'alice', ['End of /LIST'])]],
    ['/who #other', [env('352', 'chat', 'alice', ['0 Bob'], ['#other', '~bob', 's2.chat', 'chat', 'bob', 'H']), env('315', 'chat', 'alice', ['End of WHO list'], ['#other'])]],
    ['/whois bob', [env('311', 'chat', 'alice', ['Bob'], ['bob', '~bob', 's2.chat', '*']), env('319', 'chat', 'alice', ['#other'], ['bob']), env('318', 'chat', 'alice', ['End of WHOIS list'], ['bob'])]],
  ]; // prettier-ignore
  const before = texts(model, '#other').length;
  for (const [line, reply] of cases) {
    link.answer = () => replies(...reply);
    assert.equal(await controller.submit(line), true, line);
    // the same replies come through the queue too: shown once
    for (const e of reply) assert.deepEqual(model.ingest(e), [], line);
  }
  assert.equal(texts(model, '#other').length, before, texts(model, '#other').join('\n'));
  const shown = texts(model, '#c').slice(1);
  const expected = [
    /^Users on #other: @alice bob$/,
    /^Modes of #other: \+nt$/,
    /^#other was created on /,
    /^Ban on #other: x!\*@\* set by bob on /,
    /^#other End of channel ban list$/,
    /^Topic for #other: plans$/,
    /^Topic set by bob on /,
    /^#other \(2 users\): plans$/,
    /^End of \/LIST$/,
    /^#other bob H ~bob@s2\.chat \(Bob\)$/,
    /^End of WHO for #other$/,
    /^bob is ~bob@s2\.chat \(Bob\)$/,
    /^bob is on #other$/,
    /^End of WHOIS for bob$/,
  ];
  assert.equal(shown.length, expected.length, shown.join('\n'));
  expected.forEach((re, i) => assert.match(shown[i]!, re));
  // NAMES still updated the member list of the channel it names
  assert.ok(model.find('#other')!.members.has('bob' as never));
});

test('replies that the queue brings before the answer wait for it, and still show once where typed', async () => {
  const { model, link, controller } = setup();
  const reply = [
    env('353', 'chat', 'alice', ['@alice carol'], ['=', '#other']),
    env('366', 'chat', 'alice', ['End of /NAMES list'], ['#other']),
  ];
  link.answer = () => replies(...reply);
  link.beforeAnswer = () => {
    for (const e of reply) model.ingest(e);
  };
  await controller.submit('/names #other');
  assert.deepEqual(texts(model, '#c').slice(1), ['Users on #other: @alice carol']);
  assert.equal(texts(model, '#other').length, 1); // alice has joined #other
});

test("a JOIN's topic and names go to the channel, after its 'has joined', whichever comes first", async () => {
  for (const queueFirst of [false, true]) {
    const { model, link, controller } = setup();
    const join = env('JOIN', 'alice', '#new');
    const burst = [
      env('332', 'chat', 'alice', ['the topic'], ['#new']),
      env('353', 'chat', 'alice', ['alice @bob'], ['=', '#new']),
      env('366', 'chat', 'alice', ['End of /NAMES list'], ['#new']),
    ];
    link.answer = () => ({ ok: true, result: { id: join.id, seq: join.seq, replies: burst } });
    if (queueFirst) link.beforeAnswer = () => [join, ...burst].forEach((e) => model.ingest(e));
    await controller.submit('/join new');
    assert.deepEqual(link.sent.at(-1), { command: 'JOIN', to: '#new' });
    if (!queueFirst) [join, ...burst].forEach((e) => model.ingest(e));
    assert.deepEqual(texts(model, '#new'), [
      'alice has joined #new',
      'Topic for #new: the topic',
      'Users on #new: alice @bob',
    ]);
    assert.equal(model.find('#new')!.kind, 'channel');
    assert.equal(model.find('new'), undefined); // no query buffer "new"
  }
});

test('a refusal shows once, where typed, and submit() reports it', async () => {
  const { model, link, controller } = setup();
  const refusal = env('403', 'chat', 'alice', ['No such channel'], ['#nope']);
  link.answer = () => ({
    ok: false,
    error: new ApiError(
      404,
      { error: 'no_such_channel', message: 'No such channel', numeric: '403', replies: [refusal] },
      null,
    ),
  });
  assert.equal(await controller.submit('/part #nope'), false);
  model.ingest(refusal);
  assert.deepEqual(texts(model, '#c').slice(1), ['#nope: No such channel']);
  assert.equal(model.find('#c')!.lines.at(-1)!.kind, 'error');
  assert.equal(await controller.submit('/me'), false); // a usage error is a refused line too
});

function fakeConnection(o: { target: string | null; layout: string[]; state: Partial<StateView> }) {
  const state: StateView = {
    id: 1,
    client_id: 1,
    nick: 'alice',
    away: null,
    modes: '',
    channels: [],
    dms: [],
    ...o.state,
  };
  return {
    target: o.target,
    layout: o.layout,
    cursor: 200,
    state: async () => state,
    learnKeys: async () => [],
  } as unknown as Connection;
}

const channel = (name: string) => ({ id: 1, name, topic: null, modes: '+nt' });

test('the buffer order and the active buffer are kept across restarts', async () => {
  // the first run: buffers opened in some order, the user switches around, then leaves
  const first = new ChatModel({ nick: 'alice', serverName: 'chat' });
  const link1 = new FakeLink();
  const c1 = new Controller(first, link1, { exit: () => undefined });
  const conn1 = fakeConnection({ target: null, layout: [], state: {} });
  await bootstrap(first, conn1, { members: false, history: false, controller: c1 });
  first.ingest(env('JOIN', 'alice', '#zeta'));
  first.ingest(env('PRIVMSG', 'bob', 'alice', ['hi']));
  first.ingest(env('JOIN', 'alice', '#alpha'));
  await c1.submit('/buffer bob');
  assert.equal(link1.target, 'bob'); // switching buffers is remembered, not only /join and /query
  const layout = link1.layouts.at(-1)!;
  assert.deepEqual(layout, ['#zeta', 'bob', '#alpha']);
  // the next start: the server lists channels and conversations in its own order
  const second = new ChatModel({ nick: 'alice', serverName: 'chat' });
  const link2 = new FakeLink();
  const c2 = new Controller(second, link2, { exit: () => undefined });
  const conn2 = fakeConnection({
    target: link1.target,
    layout,
    state: { channels: [channel('#alpha'), channel('#new'), channel('#zeta')], dms: ['bob'] },
  });
  await bootstrap(second, conn2, { members: false, history: false, controller: c2 });
  assert.deepEqual(
    second.buffers.map((b) => b.name),
    ['chat', '#zeta', 'bob', '#alpha', '#new'],
  );
  assert.equal(second.active.name, 'bob');
  await c2.submit('/buffer 2');
  assert.equal(link2.target, '#zeta');
});

test("a channel's last page of history shows when it is joined, above the join, without duplicates", async () => {
  const { model, link, controller } = setup();
  const older = env('PRIVMSG', 'bob', '#new', ['said before you came']);
  const join = env('JOIN', 'alice', '#new');
  const after = env('PRIVMSG', 'bob', '#new', ['said after']);
  link.history_ = [older, after]; // the server's history holds both; only what precedes the join is asked for
  model.ingest(join);
  model.ingest(after); // (the queue can be faster than the history)
  await new Promise((r) => setImmediate(r));
  const asked = () => link.histories.filter(([t]) => t === '#new');
  assert.deepEqual(asked(), [['#new', join.seq]]);
  assert.deepEqual(texts(model, '#new'), [
    'said before you came',
    'alice has joined #new',
    'said after',
  ]);
  // loading the same page again (PageUp) adds nothing already shown
  await controller.loadOlder(model.find('#new')!, null);
  assert.equal(texts(model, '#new').length, 3);
  // rejoining later does not load it again (the buffer already has its history)
  model.ingest(env('PART', 'alice', '#new'));
  model.ingest(env('JOIN', 'alice', '#new'));
  await new Promise((r) => setImmediate(r));
  assert.equal(asked().length, 1);
});
