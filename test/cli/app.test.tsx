// The ink UI with ink-testing-library: the model fed with envelopes, a fake link recording what
// would be sent, keys written to stdin, frames checked as text.
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { cleanup, render } from 'ink-testing-library';
import type { SendOutcome } from '../../src/cli/connection.js';
import { Controller, type Link } from '../../src/cli/controller.js';
import { ChatModel } from '../../src/cli/model.js';
import { App } from '../../src/cli/ui/app.js';
import type { CommandInput, Envelope } from '../../src/model/api.js';
import { ApiError } from '../../src/shared/client.js';

afterEach(() => cleanup());

const KEY = {
  enter: '\r',
  up: '\x1b[A',
  tab: '\t',
  shiftTab: '\x1b[Z',
  pageUp: '\x1b[5~',
  pageDown: '\x1b[6~',
  altRight: '\x1b[1;3C',
};

let seq = 0;
function env(
  command: string,
  from: string,
  to: string,
  body: string[] = [],
  params: string[] = [],
  meta = {},
): Envelope {
  seq++;
  return {
    id: `e${seq}`,
    seq,
    command,
    from,
    to,
    params,
    body,
    ts: new Date(Date.UTC(2026, 0, 1, 12, 0, seq % 60)).toISOString(),
    meta,
  };
}

class FakeLink implements Link {
  sent: CommandInput[] = [];
  target: string | null = null;
  trusted: string[] = [];
  ended = false;
  refuse: ApiError | null = null;
  async send(command: CommandInput): Promise<SendOutcome> {
    this.sent.push(command);
    if (this.refuse) return { ok: false, error: this.refuse };
    return { ok: true, result: { id: null, seq: null, replies: [] } };
  }
  async history() {
    return { batch: [], more: false };
  }
  setTarget(t: string | null) {
    this.target = t;
  }
  trust(nick: string) {
    this.trusted.push(nick);
  }
  endSession() {
    this.ended = true;
  }
}

const settle = () => new Promise((r) => setTimeout(r, 60));
// eslint-disable-next-line no-control-regex
const plainText = (frame: string | undefined) => (frame ?? '').replace(/\x1b\[[0-9;]*m/g, '');

function setup(rows = 20) {
  const model = new ChatModel({ nick: 'alice', serverName: 'chat' });
  const link = new FakeLink();
  let exited: number | null = null;
  const controller = new Controller(model, link, { exit: (c) => (exited = c) });
  model.connection = 'online';
  const ui = render(<App model={model} controller={controller} size={{ columns: 100, rows }} />);
  const type = async (...chunks: string[]) => {
    for (const c of chunks) {
      ui.stdin.write(c);
      await settle();
    }
  };
  return {
    model,
    link,
    controller,
    ui,
    type,
    frame: () => plainText(ui.lastFrame()),
    exited: () => exited,
  };
}

test('layout: topic bar, buffer list, scrollback with marks, nick list, status line, input', async () => {
  const { model, frame } = setup();
  model.ingest(env('JOIN', 'alice', '#c'));
  model.ingest(env('332', 'chat', 'alice', ['weekend plans'], ['#c']));
  model.ingest(env('353', 'chat', 'alice', ['@alice bob'], ['=', '#c']));
  model.ingest(env('366', 'chat', 'alice', ['End of /NAMES list'], ['#c']));
  model.ingest(env('PRIVMSG', 'bob', '#c', ['hello alice']), 'verified');
  model.ingest(env('PRIVMSG', 'bob', '#c', ['forged']), 'bad');
  model.ingest(env('PRIVMSG', 'bob', '#c', ['waves'], [], { action: true }));
  model.activate(model.find('#c')!);
  await settle();
  const f = frame();
  assert.match(f, /^#c: weekend plans/);
  assert.match(f, /1\.chat/);
  assert.match(f, /2\.#c/);
  assert.match(f, /✓ <bob> hello alice/);
  assert.match(f, /✗ <bob> forged/);
  assert.match(f, /\* bob waves/);
  assert.match(f, /@alice/);
  assert.match(f, /2 users/);
  assert.match(f, /\[alice\] \[2:#c\] \[online\]/);
  assert.match(f, /> /);
});

test('escape sequences from the network are drawn as visible text', async () => {
  const { model, ui, frame } = setup();
  model.ingest(env('JOIN', 'alice', '#c'));
  model.ingest(env('TOPIC', 'bob', '#c', ['\x1b]0;PWNED\x07 topic']));
  model.ingest(env('PRIVMSG', 'bob', '#c', ['\x1b[2J\x1b[H wiped? \x9b31m \u202eevil']));
  model.activate(model.find('#c')!);
  await settle();
  const raw = ui.lastFrame() ?? '';
  // only ink's own colour codes (SGR, ESC [ … m) may be in the frame
  /* eslint-disable no-control-regex */
  assert.ok(!/\x1b(?!\[[0-9;]*m)/.test(raw), JSON.stringify(raw));
  assert.ok(!/[\x07\x9b\u202e]/.test(raw));
  /* eslint-enable no-control-regex */
  assert.match(frame(), /#c: \^\[\]0;PWNED\^G topic/);
  assert.match(frame(), /<bob> \^\[\[2J\^\[\[H wiped\? \\x9b31m \\u202eevil/);
});

test('typing sends to the current buffer; /join opens and focuses a buffer', async () => {
  const { model, link, type, frame } = setup();
  model.ingest(env('JOIN', 'alice', '#c'));
  model.activate(model.find('#c')!);
  await type('hi all', KEY.enter);
  assert.deepEqual(link.sent.at(-1), { command: 'PRIVMSG', to: '#c', body: ['hi all'] });
  assert.match(frame(), /\n>\s*$/);
  await type('/me dances', KEY.enter);
  assert.deepEqual(link.sent.at(-1), {
    command: 'PRIVMSG',
    to: '#c',
    body: ['dances'],
    meta: { action: true },
  });
  await type('/join #new', KEY.enter);
  assert.deepEqual(link.sent.at(-1), { command: 'JOIN', to: '#new' });
  assert.equal(model.active.name, '#new');
  assert.equal(link.target, '#new');
  assert.match(frame(), /3\.#new/);
  assert.match(frame(), /\[3:#new\]/);
});

test('input history with Up; Tab completes a nick; errors show in the buffer', async () => {
  const { model, link, type, frame } = setup();
  model.ingest(env('JOIN', 'alice', '#c'));
  model.ingest(env('JOIN', 'bobby', '#c'));
  model.activate(model.find('#c')!);
  await type('first', KEY.enter, KEY.up);
  assert.match(frame(), /> first/);
  await type(KEY.enter);
  assert.equal(link.sent.length, 2);
  await type('bo', KEY.tab);
  assert.match(frame(), /> bobby:/);
  await type(KEY.enter, '/frob', KEY.enter);
  assert.match(frame(), /\*\*\* Unknown command \/frob/);
  link.refuse = new ApiError(
    400,
    { error: 'message_too_long', message: 'text over 4096 bytes' },
    null,
  );
  await type('x', KEY.enter);
  assert.match(frame(), /\*\*\* PRIVMSG: text over 4096 bytes/);
  // a refusal with an IRC numeric is shown when its queued numeric arrives, not twice
  link.refuse = new ApiError(
    403,
    { error: 'cannot_send_to_channel', message: 'Cannot send', numeric: '404' },
    null,
  );
  await type('y', KEY.enter);
  assert.doesNotMatch(frame(), /PRIVMSG: Cannot send/);
});

test('unread markers, Tab / Shift+Tab / Alt+Right buffer switching, /buffer', async () => {
  const { model, type, frame } = setup();
  model.ingest(env('JOIN', 'alice', '#a'));
  model.ingest(env('JOIN', 'alice', '#b'));
  model.activate(model.find('#a')!);
  model.ingest(env('PRIVMSG', 'bob', '#b', ['one']));
  model.ingest(env('PRIVMSG', 'bob', '#b', ['two']));
  await settle();
  assert.match(frame(), /3\.#b \(2\)/);
  assert.match(frame(), /\[Act: 3\]/);
  await type(KEY.tab);
  assert.equal(model.active.name, '#b');
  assert.doesNotMatch(frame(), /#b \(2\)/);
  await type(KEY.shiftTab);
  assert.equal(model.active.name, '#a');
  await type(KEY.altRight);
  assert.equal(model.active.name, '#b');
  await type('/buffer 1', KEY.enter);
  assert.equal(model.active.kind, 'server');
  await type('/help', KEY.enter);
  assert.match(frame(), /Ctrl\+U\/K cut before\/after the cursor/);
});

test('PageUp scrolls back and PageDown returns; /clear empties the buffer', async () => {
  const { model, type, frame } = setup(14);
  model.ingest(env('JOIN', 'alice', '#c'));
  model.activate(model.find('#c')!);
  for (let i = 0; i < 40; i++) model.ingest(env('PRIVMSG', 'bob', '#c', [`line ${i}`]));
  await settle();
  assert.match(frame(), /line 39/);
  await type(KEY.pageUp);
  assert.doesNotMatch(frame(), /line 39/);
  assert.match(frame(), /-- more: \d+ below --/);
  await type(KEY.pageDown, KEY.pageDown);
  assert.match(frame(), /line 39/);
  // far past the top: a full page, its first line in view even when lines wrap
  model.prependHistory(
    model.active,
    [
      {
        env: env('PRIVMSG', 'bob', '#c', [`the very first ${'long '.repeat(30)}`]),
        verdict: 'unsigned',
      },
    ],
    false,
  );
  await type(...Array<string>(8).fill(KEY.pageUp));
  assert.match(frame(), /the very first/);
  assert.match(frame(), /line 5\b/);
  await type(...Array<string>(8).fill(KEY.pageDown));
  assert.match(frame(), /line 39/);
  await type('/clear', KEY.enter);
  assert.doesNotMatch(frame(), /line 3\d/);
});

test('keys that arrive together are all applied in order; several lines in one read are a paste', async () => {
  const { model, link, ui, type, frame } = setup();
  model.ingest(env('JOIN', 'alice', '#c'));
  model.activate(model.find('#c')!);
  // typing, a burst of Backspace and Enter, in one read
  await type('helloo\x7f\x7f\x7fp me\r');
  assert.deepEqual(link.sent.at(-1)?.body, ['help me']);
  // text and Enter written back to back, before any re-render
  ui.stdin.write('thr');
  ui.stdin.write('ee');
  ui.stdin.write('\r');
  await type();
  assert.deepEqual(link.sent.at(-1)?.body, ['three']);
  // lines arriving together without bracketed paste marks: one multi-line message
  await type('one\rtwo\rthr');
  assert.deepEqual(link.sent.at(-1), { command: 'PRIVMSG', to: '#c', body: ['one', 'two', 'thr'] });
  assert.match(frame(), /\n>\s*$/);
});

test('/quit sends QUIT, forgets the session and exits', async () => {
  const { link, type, exited } = setup();
  await type('/quit gone', KEY.enter);
  assert.deepEqual(link.sent.at(-1), { command: 'QUIT', body: ['gone'] });
  assert.equal(link.ended, true);
  assert.equal(exited(), 0);
});
