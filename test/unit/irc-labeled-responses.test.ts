// labeled-response: one line tagged, several in a batch, none as ACK (labeled-responses.ts).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LabeledResponses } from '../../src/transports/irc/labeled-responses.js';
import { serializeLine, type OutgoingMessage } from '../../src/transports/irc/line-codec.js';

const line = (text: string): OutgoingMessage => ({
  source: 'chat',
  command: 'NOTICE',
  params: ['me', text],
  trailing: true,
});
const wire = (ms: OutgoingMessage[]) => ms.map(serializeLine);

test('no answer: ACK with the label at once', () => {
  const l = new LabeledResponses('chat');
  assert.equal(serializeLine(l.expect('a1', [])!), '@label=a1 :chat ACK');
});

test('one line: that line carries the label; other entries pass untouched', () => {
  const l = new LabeledResponses('chat');
  assert.equal(l.expect('x', [7]), null);
  assert.deepEqual(wire(l.wrap(6, [line('other')])), [':chat NOTICE me :other']);
  assert.deepEqual(wire(l.wrap(7, [line('mine')])), ['@label=x :chat NOTICE me :mine']);
  assert.equal(l.waiting, 0);
});

test('several entries, or one entry of several lines: a labeled-response batch', () => {
  const l = new LabeledResponses('chat');
  l.expect('j', [10, 11, 12]);
  const out = [
    ...l.wrap(10, [line('a')]),
    ...l.wrap(9, [line('interleaved')]),
    ...l.wrap(11, []),
    ...l.wrap(12, [line('b'), line('c')]),
  ];
  assert.deepEqual(wire(out), [
    '@label=j :chat BATCH +L1 labeled-response',
    '@batch=L1 :chat NOTICE me :a',
    ':chat NOTICE me :interleaved',
    '@batch=L1 :chat NOTICE me :b',
    '@batch=L1 :chat NOTICE me :c',
    ':chat BATCH -L1',
  ]);
  l.expect('s', [20]);
  assert.deepEqual(wire(l.wrap(20, [line('1'), line('2')])), [
    '@label=s :chat BATCH +L2 labeled-response',
    '@batch=L2 :chat NOTICE me :1',
    '@batch=L2 :chat NOTICE me :2',
    ':chat BATCH -L2',
  ]);
  l.expect('e', [30]);
  assert.deepEqual(wire(l.wrap(30, [])), ['@label=e :chat ACK'], 'an entry that renders nothing');
});
