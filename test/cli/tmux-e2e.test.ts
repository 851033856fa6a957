// chat-cli end to end in real terminals (tmux) against the real chatd: two chat-cli users and one
// HTTP user converse; a restart resumes without loss; escape sequences from the network leave
// the terminal (screen and title) untouched; plain mode in a pipeline on a terminal. Without
// tmux these tests are skipped locally and FAIL in CI (CI=true), never silently pass.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ApiError, ChatClient } from '../../src/shared/client.js';
import { mintStampSync } from '../../src/shared/hashcash.js';
import { verifyDelivered } from '../../src/shared/signing.js';
import { startChatd, type Chatd } from '../helpers/chatd.js';
import { Tmux, tmuxAvailable } from './tmux.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const CLI = path.join(ROOT, 'bin/chat-cli.js');
const BITS = 4;
const inCi = !!process.env.CI && process.env.CI !== 'false' && process.env.CI !== '0';
const haveTmux = tmuxAvailable();

test(
  'tmux is installed (required in CI)',
  { skip: !haveTmux && !inCi ? 'tmux not installed' : false },
  () => {
    assert.ok(haveTmux, 'tmux is missing: .ci/run installs it; chat-cli e2e tests need it in CI');
  },
);

describe(
  'chat-cli in tmux',
  { skip: haveTmux ? false : 'tmux not installed', concurrency: 1 },
  () => {
    let chatd: Chatd;
    let tmux: Tmux;
    let home: string;
    let carol: ChatClient;
    const stamp = () => mintStampSync({ bits: BITS, resource: 'chat', now: new Date() });

    const envFor = (nick: string) => {
      const dir = path.join(home, nick);
      return {
        XDG_STATE_HOME: path.join(dir, 'state'),
        XDG_CONFIG_HOME: path.join(dir, 'config'),
        HOME: dir,
        LANG: 'C.UTF-8',
      };
    };
    const cliCommand = (nick: string) => `exec node ${CLI} --server ${chatd.url} --nick ${nick}`;

    before(async () => {
      chatd = await startChatd({ env: { HASHCASH_BITS: String(BITS) } });
      home = fs.mkdtempSync(path.join(os.tmpdir(), 'chat-cli-tmux-'));
      tmux = new Tmux();
      for (const nick of ['alice', 'bob']) {
        tmux.start(nick, cliCommand(nick), envFor(nick));
      }
      carol = new ChatClient({ baseUrl: chatd.url });
      await carol.createSession('carol', stamp());
    });

    after(async () => {
      tmux?.kill();
      await chatd?.cleanup();
      if (home) fs.rmSync(home, { recursive: true, force: true });
    });

    test('two chat-cli users and one HTTP user converse in a channel, with signature marks', async () => {
      await tmux.waitFor('alice', /\[alice[^\]]*\] \[1:chat\].*\[online\]/);
      await tmux.waitFor('bob', /\[online\]/);
      await tmux.type('alice', '/join #e2e');
      await tmux.waitFor('alice', /alice has joined #e2e/);
      await tmux.type('bob', '/join #e2e');
      await tmux.waitFor('bob', /\[2:#e2e\]/);
      await carol.send({ command: 'JOIN', to: '#e2e' });
      await tmux.waitFor('alice', /carol has joined #e2e/);

      await tmux.type('alice', 'hello from alice');
      await tmux.type('bob', 'hi alice, bob here');
      await carol.send({ command: 'PRIVMSG', to: '#e2e', body: ['hello from http'] });
      // chat-cli signs its messages; the other chat-cli verifies them (✓), carol's are unsigned
      await tmux.waitFor(
        'bob',
        (s) => /✓ <alice> hello from alice/.test(s) && /<carol> hello from http/.test(s),
      );
      await tmux.waitFor(
        'alice',
        (s) => /✓ <bob> hi alice, bob here/.test(s) && /<carol> hello from http/.test(s),
      );
      await tmux.waitFor('bob', /✓ <bob> hi alice, bob here/);

      // what the HTTP user received, with the signatures checked against the members' keys
      const members = await carol.members('#e2e');
      const keys = new Map(members.map((m) => [m.nick, m.pubkey]));
      const seen = await pollUntil(
        carol,
        (msgs) => msgs.filter((m) => m.command === 'PRIVMSG').length >= 3,
      );
      const said = seen.filter((m) => m.command === 'PRIVMSG' && m.from !== 'carol');
      assert.deepEqual(said.map((m) => `${m.from}: ${(m.body as string[])[0]}`).sort(), [
        'alice: hello from alice',
        'bob: hi alice, bob here',
      ]);
      for (const m of said)
        assert.ok(verifyDelivered(m, keys.get(m.from)!), `signature of ${m.from}`);

      // a private message opens a query buffer with an unread marker
      await carol.send({ command: 'PRIVMSG', to: 'alice', body: ['psst alice'] });
      await tmux.waitFor('alice', /3\.carol \(1\)/);
    });

    test('Ctrl+C leaves without QUIT; a restart resumes where it stopped, nothing lost or doubled', async () => {
      await tmux.waitFor('alice', /\[2:#e2e\]/);
      tmux.key('alice', 'C-c');
      await tmux.waitDead('alice');
      // alice's session is still there (no QUIT): carol talks to her channel meanwhile
      const names = await carol.members('#e2e');
      assert.ok(names.some((m) => m.nick === 'alice'));
      for (let i = 1; i <= 3; i++) {
        await carol.send({ command: 'PRIVMSG', to: '#e2e', body: [`while you were away ${i}`] });
      }
      tmux.respawn('alice', cliCommand('alice'));
      // the new messages come from the queue (saved cursor), the earlier ones from history
      const screen = await tmux.waitFor(
        'alice',
        (s) =>
          /while you were away 3/.test(s) && /hello from alice/.test(s) && /\[online\]/.test(s),
      );
      for (let i = 1; i <= 3; i++) {
        assert.equal(
          screen.split(`while you were away ${i}`).length - 1,
          1,
          `message ${i} once:\n${screen}`,
        );
      }
      // the same session and nick (resumed, not a new session with alice_)
      assert.match(screen, /\[alice[(\]]/);
      assert.match(screen, /\[2:#e2e\]/);
      assert.doesNotMatch(screen, /alice_/);
      assert.equal(screen.split('hello from alice').length - 1, 1, screen);
    });

    test('escape sequences in topic, message, reasons and nick leave the terminal untouched', async () => {
      await tmux.waitFor('alice', /\[2:#e2e\]/);
      const titleBefore = tmux.display('alice', '#{pane_title}');
      const evil =
        '\x1b]0;PWNED\x07\x1b]2;PWNED2\x1b\\\x1b[2J\x1b[H\x1bc\x9b2J\x9d0;C1TITLE\x9c\x07';
      const shown = '^[]0;PWNED^G^[]2;PWNED2^[\\^[[2J^[[H^[c\\x9b2J\\x9d0;C1TITLE\\x9c^G';
      // carol's own channel, with her topic, for alice to join
      await carol.send({ command: 'JOIN', to: '#evil' });
      await carol.send({ command: 'TOPIC', to: '#evil', body: [`topic ${evil} end`] });
      await carol.send({ command: 'PRIVMSG', to: '#e2e', body: [`msg ${evil} end`] });
      await carol.send({ command: 'NOTICE', to: '#e2e', body: [`notice ${evil} end`] });
      await carol.send({ command: 'AWAY', body: [`away ${evil}`] });
      // a nick cannot carry them (432): the refusal is all there is
      await assert.rejects(
        carol.send({ command: 'NICK', body: [`c${evil}`] }),
        (e: ApiError) => e.status === 400,
      );
      await carol.send({ command: 'PART', to: '#e2e', body: [`part ${evil} end`] });
      let screen = await tmux.waitFor('alice', /carol has left #e2e/);
      // shown as text…
      assert.ok(shows(screen, `<carol> msg ${shown} end`), screen);
      assert.ok(shows(screen, `-carol- notice ${shown} end`), screen);
      assert.ok(shows(screen, `carol has left #e2e (part ${shown} end)`), screen);
      // …the screen was not cleared (earlier lines, the buffer list and the status line are there)…
      assert.match(screen, /while you were away 3/);
      assert.match(screen, /^1\.chat/m);
      assert.match(screen, /\[alice[^\]]*\] \[2:#e2e\]/);
      await tmux.type('alice', '/join #evil');
      screen = await tmux.waitFor('alice', /Topic for #evil/);
      assert.ok(screen.split('\n')[0]!.startsWith(`#evil: topic ^[]0;PWNED^G`), screen);
      assert.ok(shows(screen, `Topic for #evil: topic ${shown} end`), screen);
      await tmux.type('alice', '/whois carol');
      screen = await tmux.waitFor('alice', /End of WHOIS/);
      assert.ok(shows(screen, `carol is away: away ${shown}`), screen);
      // …and the title is what it was
      const title = tmux.display('alice', '#{pane_title}');
      assert.equal(title, titleBefore);
      assert.doesNotMatch(title, /PWNED|C1TITLE/);
      await tmux.type('alice', '/buffer 2');
    });

    test('plain mode in a pipeline on a terminal: stdin is a pipe, so chat-cli prints lines', async () => {
      tmux.start(
        'dave',
        `printf '/join #e2e\\nhello from a pipe\\n' | node ${CLI} --server ${chatd.url} --nick dave; echo "exit=$?"`,
        envFor('dave'),
      );
      const screen = await tmux.waitFor('dave', /exit=\d/);
      assert.match(screen, /^\[\d\d:\d\d:\d\d\] #e2e \*\*\* dave has joined #e2e$/m);
      assert.match(screen, /^\[\d\d:\d\d:\d\d\] #e2e dave hello from a pipe$/m);
      assert.match(screen, /exit=0/);
      await tmux.waitFor('alice', /<dave> hello from a pipe/);
    });
  },
);

/** The screen with wrapped scrollback lines joined again (continuations start at the column bar). */
function flat(screen: string): string {
  return screen.replace(/\n {2,}│(?!\d\d:\d\d:\d\d)/g, '');
}

/** Whether `screen` shows `text`; spaces are ignored, as wrapping drops the one at a break. */
function shows(screen: string, text: string): boolean {
  return flat(screen).replace(/ /g, '').includes(text.replace(/ /g, ''));
}

async function pollUntil(
  client: ChatClient,
  done: (msgs: import('../../src/model/api.js').QueuedEnvelope[]) => boolean,
) {
  const all: import('../../src/model/api.js').QueuedEnvelope[] = [];
  let cursor: number | null = null;
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    const res = await client.poll(cursor, 2);
    all.push(...res.messages);
    cursor = res.last_id;
    if (done(all)) return all;
  }
  throw new Error('poll: timed out');
}
