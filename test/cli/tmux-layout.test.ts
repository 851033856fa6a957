// The full-screen chat-cli in a real terminal (tmux) against the real chatd: a channel's backlog
// appears when it is joined, `/join name` joins #name, a reply shows in the buffer where the
// command was typed, and after a restart the buffers keep their order and chat-cli starts on the
// buffer that was active when it quit. Skipped without tmux locally; tmux-e2e.test.ts fails CI
// when tmux is missing.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ChatClient } from '../../src/shared/client.js';
import { mintStampSync } from '../../src/shared/hashcash.js';
import { startChatd, type Chatd } from '../helpers/chatd.js';
import { Tmux, tmuxAvailable } from './tmux.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const CLI = path.join(ROOT, 'bin/chat-cli.js');

describe(
  'chat-cli buffers in tmux',
  { skip: tmuxAvailable() ? false : 'tmux not installed', concurrency: 1 },
  () => {
    let chatd: Chatd;
    let tmux: Tmux;
    let home: string;
    let carol: ChatClient;
    const env = () => ({
      XDG_STATE_HOME: path.join(home, 'state'),
      XDG_CONFIG_HOME: path.join(home, 'config'),
      HOME: home,
      LANG: 'C.UTF-8',
    });
    const command = () => `exec node ${CLI} --server ${chatd.url} --nick alice`;

    before(async () => {
      chatd = await startChatd({ env: { HASHCASH_BITS: '4' } });
      home = fs.mkdtempSync(path.join(os.tmpdir(), 'chat-cli-layout-'));
      carol = new ChatClient({ baseUrl: chatd.url });
      await carol.createSession(
        'carol',
        mintStampSync({ bits: 4, resource: 'chat', now: new Date() }),
      );
      for (const chan of ['#zeta', '#alpha']) await carol.send({ command: 'JOIN', to: chan });
      await carol.send({ command: 'PRIVMSG', to: '#zeta', body: ['said before alice came'] });
      tmux = new Tmux();
      tmux.start('alice', command(), env());
    });

    after(async () => {
      tmux?.kill();
      await chatd?.cleanup();
      if (home) fs.rmSync(home, { recursive: true, force: true });
    });

    test('backlog on join, /join without #, replies where typed; order and active buffer survive a restart', async () => {
      await tmux.waitFor('alice', /\[online\]/);
      await tmux.type('alice', '/join #zeta');
      // the last page of #zeta's history shows above the join
      await tmux.waitFor(
        'alice',
        (s) => /said before alice came/.test(s) && /alice has joined #zeta/.test(s),
      );
      await tmux.type('alice', '/join alpha');
      await tmux.waitFor('alice', /\[3:#alpha\]/);
      await tmux.type('alice', '/query carol');
      await tmux.waitFor('alice', /\[4:carol\]/);
      await tmux.type('alice', '/buffer 2');
      await tmux.waitFor('alice', /\[2:#zeta\]/);
      // typed in #zeta, answered in #zeta (not in #alpha's buffer)
      await tmux.type('alice', '/names #alpha');
      const screen = await tmux.waitFor('alice', /Users on #alpha: /);
      assert.match(screen, /\[2:#zeta\]/);
      tmux.key('alice', 'C-c');
      await tmux.waitDead('alice');
      tmux.respawn('alice', command());
      const again = await tmux.waitFor(
        'alice',
        (s) => /\[online\]/.test(s) && /4\.carol/.test(s) && /\[2:#zeta\]/.test(s),
      );
      // the server lists #alpha before #zeta; the order alice had is kept
      assert.match(again, /2\.#zeta[\s\S]*3\.#alpha[\s\S]*4\.carol/);
      assert.doesNotMatch(again, /\d\.alpha\b/); // no query buffer "alpha"
    });
  },
);
