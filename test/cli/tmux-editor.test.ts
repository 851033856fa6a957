// chat-cli's input line and window keys in a real terminal (tmux) against the real chatd, typed
// key by key as a person does: the line editor (cursor after Tab completion and history, readline
// keys, Home/End, a burst of Backspace, a line wider than the pane), bracketed paste of several
// lines as one message (with a confirmation for long ones), PageUp at the top of the history,
// Alt+digit and /win, /help's keys, and the pending mark on a line typed while chatd is down.
// What alice sent is read back by carol over HTTP, so the test checks what the server stored.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, beforeEach, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { QueuedEnvelope } from '../../src/model/api.js';
import { ChatClient } from '../../src/shared/client.js';
import { startChatd, type Chatd } from '../helpers/chatd.js';
import { Tmux, tmuxAvailable } from './tmux.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const CLI = path.join(ROOT, 'bin/chat-cli.js');
const inCi = !!process.env.CI && process.env.CI !== 'false' && process.env.CI !== '0';
const haveTmux = tmuxAvailable();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const ROWS = 30;

describe(
  'chat-cli line editor and keys in tmux',
  { skip: haveTmux ? false : inCi ? false : 'tmux not installed', concurrency: 1 },
  () => {
    let chatd: Chatd;
    let tmux: Tmux;
    let home: string;
    let carol: ChatClient;
    let carolCursor: number | null = null;
    const carolGot: QueuedEnvelope[] = [];
    const chatdDirs: string[] = [];
    const A = 'alice';

    const cliCommand = () => `exec node ${CLI} --server ${chatd.url} --nick alice`;

    /** Types `text` one character at a time, as a person does. */
    const typeSlowly = async (text: string) => {
      for (const ch of text) {
        tmux.run('send-keys', '-t', A, '-l', ch);
        await sleep(15);
      }
    };
    /** Presses keys (tmux key names) one after another. */
    const press = async (...keys: string[]) => {
      for (const k of keys) {
        tmux.key(A, k);
        await sleep(60);
      }
    };
    /** The input line: the last line of the screen that starts with the prompt. */
    const inputLine = (screen: string) =>
      screen
        .split('\n')
        .filter((l) => l.startsWith('> ') || l === '>')
        .at(-1) ?? '';

    /** The bodies of alice's PRIVMSGs to `to` that carol received. */
    const saidTo = (to: string) =>
      carolGot
        .filter((m) => m.command === 'PRIVMSG' && m.from === 'alice' && m.to === to)
        .map((m) => (m.body as string[]).join('\n'));
    /** Polls carol's queue until alice's messages to `to` satisfy `check`. */
    const waitSaid = async (to: string, check: (bodies: string[]) => boolean, ms = 15_000) => {
      const deadline = Date.now() + ms;
      while (Date.now() < deadline) {
        if (check(saidTo(to))) return saidTo(to);
        try {
          const res = await carol.poll(carolCursor, 1);
          carolGot.push(...res.messages);
          carolCursor = res.last_id;
        } catch {
          await sleep(200); // chatd restarting
        }
      }
      throw new Error(`timed out; alice said to ${to}: ${JSON.stringify(saidTo(to))}`);
    };
    /** Waits until alice's message `body` to #ed reached carol (a wrong one never does). */
    const said = async (body: string) => {
      await waitSaid('#ed', (b) => b.includes(body));
    };

    before(async () => {
      chatd = await startChatd();
      chatdDirs.push(chatd.dir);
      home = fs.mkdtempSync(path.join(os.tmpdir(), 'chat-cli-editor-'));
      carol = new ChatClient({ baseUrl: chatd.url });
      await carol.createSession('carol');
      await carol.send({ command: 'JOIN', to: '#ed' });
      tmux = new Tmux();
      tmux.start(
        A,
        cliCommand(),
        {
          XDG_STATE_HOME: path.join(home, 'state'),
          XDG_CONFIG_HOME: path.join(home, 'config'),
          HOME: home,
          LANG: 'C.UTF-8',
        },
        { columns: 100, rows: ROWS },
      );
      await tmux.waitFor(A, /\[online\]/);
      await tmux.type(A, '/join #ed');
      await tmux.waitFor(A, /\[2:#ed\]/);
      await tmux.waitFor(A, /carol/);
    });

    // each test starts on an empty line: whatever an earlier failure left there is sent away
    beforeEach(async () => {
      if (tmux) await press('Enter');
    });

    after(async () => {
      tmux?.kill();
      await chatd?.stop();
      for (const dir of chatdDirs) fs.rmSync(dir, { recursive: true, force: true });
      if (home) fs.rmSync(home, { recursive: true, force: true });
    });

    test('Tab completion puts the cursor after the nick; typing goes on from there', async () => {
      await typeSlowly('ca');
      await press('Tab');
      await tmux.waitFor(A, (s) => inputLine(s).startsWith('> carol:'));
      await typeSlowly('hi');
      await press('Enter');
      await said('carol: hi');
    });

    test('Up recalls a line with the cursor at its end', async () => {
      await typeSlowly('first line');
      await press('Enter');
      await said('first line');
      await press('Up');
      await tmux.waitFor(A, (s) => inputLine(s).startsWith('> first line'));
      await typeSlowly(' again');
      await press('Enter');
      await said('first line again');
    });

    test('Ctrl+A/E, Ctrl+U, Ctrl+W, Ctrl+Y, Home/End, Alt+B/F and Delete edit, never insert letters', async () => {
      await typeSlowly('world');
      await press('C-a');
      await typeSlowly('hello ');
      await press('C-e');
      await typeSlowly('!');
      await press('Enter');
      await said('hello world!');

      await typeSlowly('garbage');
      await press('C-u');
      await typeSlowly('one two three');
      await press('C-w');
      await typeSlowly('four');
      await press('Enter');
      await said('one two four');

      await typeSlowly('bc');
      await press('Home');
      await typeSlowly('a');
      await press('End');
      await typeSlowly('d ef');
      await press('M-b', 'M-b');
      await typeSlowly('X');
      await press('M-f', 'Delete');
      await typeSlowly('-');
      await press('Enter');
      await said('Xabcd-ef');

      // Ctrl+W keeps what it cut; Ctrl+Y puts it back at the cursor
      await typeSlowly('two one');
      await press('C-w', 'C-a', 'C-y', 'C-e');
      await typeSlowly('!');
      await press('Enter');
      await said('onetwo !');
    });

    test('a burst of Backspace removes exactly as many characters', async () => {
      await typeSlowly('abcdefgh');
      // one tmux command: the keys reach chat-cli together, in one read
      tmux.run('send-keys', '-t', A, 'BSpace', 'BSpace', 'BSpace', 'BSpace', 'BSpace');
      await sleep(100);
      await typeSlowly('XYZ');
      await press('Enter');
      await said('abcXYZ');
    });

    test('a line longer than the pane scrolls sideways, the cursor and the end in view', async () => {
      const long = Array.from({ length: 14 }, (_, i) => `word${String(i).padStart(2, '0')}`).join(
        ' ',
      );
      const text = `${long} END42`;
      assert.ok(text.length > 100);
      await typeSlowly(text);
      let screen = await tmux.waitFor(A, (s) => /END42/.test(inputLine(s)));
      // the input is one row: the start scrolled out to the left
      assert.doesNotMatch(inputLine(screen), /word00/);
      await press('Home');
      screen = await tmux.waitFor(A, (s) => /^> word00 word01/.test(inputLine(s)));
      assert.doesNotMatch(inputLine(screen), /END42/);
      await press('End');
      await tmux.waitFor(A, (s) => /END42/.test(inputLine(s)));
      await press('Enter');
      await said(text);
    });

    test('a bracketed paste of lines is one multi-line message; a long one asks first', async () => {
      const short = path.join(home, 'short.txt');
      fs.writeFileSync(short, 'pasted one\npasted two\npasted three\n');
      tmux.run('load-buffer', short);
      tmux.run('paste-buffer', '-p', '-t', A);
      await said('pasted one\npasted two\npasted three');

      const long = path.join(home, 'long.txt');
      const lines = Array.from({ length: 7 }, (_, i) => `long paste ${i + 1}`);
      fs.writeFileSync(long, `${lines.join('\n')}\n`);
      tmux.run('load-buffer', long);
      tmux.run('paste-buffer', '-p', '-t', A);
      await tmux.waitFor(A, /Paste of 7 lines to #ed: Enter sends/);
      await press('Escape');
      await tmux.waitFor(A, (s) => !/Paste of 7 lines/.test(s) && /\[2:#ed\]/.test(s));
      tmux.run('paste-buffer', '-p', '-t', A);
      await tmux.waitFor(A, /Paste of 7 lines to #ed/);
      await press('Enter');
      await said(lines.join('\n'));
      // the cancelled paste sent nothing: the long text reached carol once
      assert.equal(saidTo('#ed').filter((b) => b === lines.join('\n')).length, 1);
    });

    test('lines pasted without bracketed paste marks arrive together and are one message too', async () => {
      const file = path.join(home, 'plain.txt');
      fs.writeFileSync(file, 'unbracketed one\nunbracketed two\n');
      tmux.run('load-buffer', file);
      // without -p tmux sends the text as typed keys (line breaks as CR), in one write
      tmux.run('paste-buffer', '-t', A);
      await said('unbracketed one\nunbracketed two');
    });

    test('wide and astral characters are edited whole', async () => {
      await typeSlowly('漢字 😀👍x');
      await press('BSpace', 'BSpace', 'Left');
      await typeSlowly('é');
      await press('Enter');
      await said('漢字 é😀');
    });

    test('PageUp stops at the top of the history with a full page on screen', async () => {
      for (let i = 1; i <= 60; i++) {
        await carol.send({ command: 'PRIVMSG', to: '#ed', body: [`scroll line ${i}`] });
      }
      await tmux.waitFor(A, /scroll line 60/);
      const rowsWithTime = (s: string) =>
        s.split('\n').filter((l) => /│\d\d:\d\d:\d\d /.test(l)).length;
      // far more PageUps than pages: the screen must stay full, never shrink to the first line
      for (let i = 0; i < 12; i++) await press('PPage');
      // keys are handled in order: once this letter shows, every PageUp before it was handled
      await typeSlowly('z');
      const settled = await tmux.waitFor(A, (s) => /^> z/.test(inputLine(s)));
      assert.match(settled, /-- more: \d+ below --/);
      assert.ok(rowsWithTime(settled) >= ROWS - 8, `a page of lines at the top:\n${settled}`);
      await press('BSpace');
      for (let i = 0; i < 12; i++) await press('NPage');
      await tmux.waitFor(A, (s) => /scroll line 60/.test(s) && !/-- more/.test(s));
    });

    test('Alt+1…9 and /win N switch buffers; /help lists the keys', async () => {
      await tmux.type(A, '/join #other');
      await tmux.waitFor(A, /\[3:#other\]/);
      await press('M-1');
      await tmux.waitFor(A, /\] \[1:[^\]#]*\]/);
      await press('M-2');
      await tmux.waitFor(A, /\[2:#ed\]/);
      await press('M-3');
      await tmux.waitFor(A, /\[3:#other\]/);
      await typeSlowly('/win 2');
      await press('Enter');
      await tmux.waitFor(A, /\[2:#ed\]/);
      await typeSlowly('/help');
      await press('Enter');
      await tmux.waitFor(A, /Ctrl\+U\/K cut before\/after the cursor/);
      await tmux.waitFor(A, /Alt\+1…9\/Alt\+0 buffer 1–10/);
    });

    test('a line typed while chatd is down shows a pending mark until the server stores it', async () => {
      const dir = chatd.dir;
      const port = chatd.port;
      await tmux.type(A, '/clear');
      await chatd.stop();
      await tmux.waitFor(A, /\[(reconnecting|connecting)[^\]]*\]/, 30_000);
      await typeSlowly('typed while offline');
      await press('Enter');
      await tmux.waitFor(A, /<alice> typed while offline \(pending\)/);
      chatd = await startChatd({ dir, port });
      await tmux.waitFor(
        A,
        (s) =>
          /<alice> typed while offline/.test(s) &&
          !/<alice> typed while offline \(pending\)/.test(s),
        60_000,
      );
      await said('typed while offline');
      // shown once: the server's echo took the place of the local copy
      await sleep(500);
      const screen = tmux.capture(A);
      assert.equal(screen.split('<alice> typed while offline').length - 1, 1, screen);
    });
  },
);
