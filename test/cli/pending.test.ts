// Lines said while the connection is not online: shown at once with a pending mark, which goes
// when the server stores the line; its echo from the queue takes the copy's place (or, when the
// echo came first, the copy goes), and a refusal removes it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SendOutcome } from '../../src/cli/connection.js';
import { Controller, type Link } from '../../src/cli/controller.js';
import { ChatModel } from '../../src/cli/model.js';
import type { CommandInput, Envelope } from '../../src/model/api.js';

function echo(id: string, text: string[]): Envelope {
  return {
    id,
    seq: 7,
    command: 'PRIVMSG',
    from: 'alice',
    to: '#c',
    params: [],
    body: text,
    ts: new Date().toISOString(),
    meta: {},
  };
}

/** A link whose answers the test releases one by one. */
class HeldLink implements Link {
  sent: CommandInput[] = [];
  private answers: ((o: SendOutcome) => void)[] = [];
  send(command: CommandInput): Promise<SendOutcome> {
    this.sent.push(command);
    return new Promise((r) => this.answers.push(r));
  }
  answer(o: SendOutcome) {
    this.answers.shift()!(o);
  }
  async history() {
    return { batch: [], more: false };
  }
  setTarget() {}
  trust() {}
  endSession() {}
}

function setup(connection: ChatModel['connection']) {
  const model = new ChatModel({ nick: 'alice', serverName: 'chat' });
  model.open('#c', true);
  model.connection = connection;
  const link = new HeldLink();
  const controller = new Controller(model, link, { exit: () => undefined });
  const texts = () =>
    model.find('#c')!.lines.map((l) => `${l.text}${l.pending ? ' (pending)' : ''}`);
  return { model, link, controller, texts };
}

const stored = (id: string): SendOutcome => ({ ok: true, result: { id, seq: 7, replies: [] } });

test('offline: the line shows pending; stored, the mark goes and the echo takes its place', async () => {
  const { model, link, controller, texts } = setup('reconnecting');
  const done = controller.submit('hello');
  assert.deepEqual(texts(), ['hello (pending)']);
  model.ingest(echo('x0', ['someone else']));
  link.answer(stored('e1'));
  await done;
  assert.deepEqual(texts(), ['hello', 'someone else']);
  model.ingest(echo('e1', ['hello']));
  assert.deepEqual(texts(), ['hello', 'someone else']);
  assert.equal(model.find('#c')!.lines[0]!.id, 'e1');
});

test('offline: when the echo came before the answer, the copy goes', async () => {
  const { model, link, controller, texts } = setup('connecting');
  const done = controller.sayLines(['one', 'two']);
  assert.deepEqual(link.sent[0]?.body, ['one', 'two']);
  assert.deepEqual(texts(), ['one ⏎ two (pending)']);
  model.ingest(echo('e2', ['one', 'two']));
  link.answer(stored('e2'));
  await done;
  assert.deepEqual(texts(), ['one ⏎ two']);
});

test('offline: a refused line goes, and the refusal is shown', async () => {
  const { link, controller, texts } = setup('reconnecting');
  const done = controller.submit('nope');
  link.answer({ ok: false, error: new Error('signed out') });
  await done;
  assert.deepEqual(texts(), ['PRIVMSG: signed out']);
});

test('online: nothing is shown before the echo', async () => {
  const { link, controller, texts } = setup('online');
  const done = controller.submit('hi');
  assert.deepEqual(texts(), []);
  link.answer(stored('e3'));
  await done;
  assert.deepEqual(texts(), []);
});
