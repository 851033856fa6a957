// Client-only tags (message-tags): what passes from an IRC line into meta.tags, and back out.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  CLIENT_TAGS_MAX,
  clientTagsFromLine,
  clientTagsFromMeta,
} from '../../src/transports/irc/client-tags.js';
import {
  parseLine,
  serializeLine,
  IRC_TAG_DATA_MAX_BYTES,
} from '../../src/transports/irc/line-codec.js';
import { renderEnvelope } from '../../src/transports/irc/render.js';
import { toCommandInput } from '../../src/transports/irc/translate.js';

const parse = (line: string) => {
  const r = parseLine(Buffer.from(line));
  assert.ok(r.ok, `parses: ${line}`);
  return r.message;
};

test('only well-formed client tags leave a line; server tags a client wrote never do', () => {
  const tags = parse(
    '@+typing=active;time=2001-01-01T00:00:00Z;account=x;+a/b=1;+=bad TAGMSG #c',
  ).tags;
  assert.deepEqual(clientTagsFromLine(tags), { '+typing': 'active', '+a/b': '1' });
  assert.equal(clientTagsFromLine(parse('@time=x PRIVMSG #c :hi').tags), null);
});

test('at most CLIENT_TAGS_MAX client tags are kept', () => {
  const many = Array.from({ length: 40 }, (_, i) => `+t${i}=v`).join(';');
  const kept = clientTagsFromLine(parse(`@${many} TAGMSG #c`).tags)!;
  assert.equal(Object.keys(kept).length, CLIENT_TAGS_MAX);
});

test('TAGMSG and tagged PRIVMSG translate with meta.tags; plain lines carry no meta', () => {
  assert.deepEqual(toCommandInput(parse('@+typing=paused TAGMSG #c')), {
    command: 'TAGMSG',
    to: '#c',
    meta: { tags: { '+typing': 'paused' } },
  });
  assert.deepEqual(toCommandInput(parse('@+r=1 PRIVMSG #c :\x01ACTION waves\x01')), {
    command: 'PRIVMSG',
    to: '#c',
    body: ['waves'],
    meta: { action: true, tags: { '+r': '1' } },
  });
  assert.equal(toCommandInput(parse('PRIVMSG #c :hi')).meta, undefined);
});

test('stored client tags are written only for message-tags clients, within the tag budget', () => {
  const env = {
    id: 'id-1',
    seq: 1,
    command: 'TAGMSG',
    from: 'bob',
    to: '#c',
    params: [],
    body: [],
    ts: '2026-01-01T00:00:00.000Z',
    meta: { tags: { '+typing': 'active', account: 'forged', '+x': 42 } },
  };
  const rc = (caps: string[]) => ({ nick: 'alice', serverName: 'chat', caps: new Set(caps) });
  assert.deepEqual(renderEnvelope(env, rc([])), []);
  const [line] = renderEnvelope(env, rc(['message-tags'])).map(serializeLine);
  assert.equal(line, '@msgid=id-1;+typing=active :bob TAGMSG #c');
  const huge = {
    tags: Object.fromEntries(Array.from({ length: 16 }, (_, i) => [`+k${i}`, 'v'.repeat(1000)])),
  };
  const kept = clientTagsFromMeta(huge, 128);
  assert.ok(kept.length > 0 && kept.length < 16, 'cut to the budget');
  const [big] = renderEnvelope({ ...env, meta: huge }, rc(['message-tags', 'server-time']));
  const tagBytes = serializeLine(big!).indexOf(' ') - 1;
  assert.ok(tagBytes <= IRC_TAG_DATA_MAX_BYTES, `${tagBytes} bytes of tags`);
});
