// chat-cli's plain line mode end to end against the real chatd (docs/clients.md): a shell pipeline, the
// automatic switch without a TTY, settings from config.json, resuming the saved session and
// cursor, waiting for every acknowledgement at end of input (through flood control), passwords
// and a second device, /quit, and hostile text printed inert.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ChatClient } from '../../src/shared/client.js';
import { startChatd, type Chatd } from '../helpers/chatd.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const CLI = path.join(ROOT, 'bin/chat-cli.js');
const LINE = /^\[\d\d:\d\d:\d\d\] /;

let chatd: Chatd;
let home: string;
let carol: ChatClient;

before(async () => {
  // flood control on (burst 4, then 8/s): a fast pipeline must still get every line through
  chatd = await startChatd({ env: { HASHCASH_BITS: '4', FLOOD_BURST: '4', FLOOD_RATE: '8' } });
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'chat-cli-plain-'));
  carol = new ChatClient({ baseUrl: chatd.url });
  const { mintStampSync } = await import('../../src/shared/hashcash.js');
  await carol.createSession('carol', mintStampSync({ bits: 4, resource: 'chat', now: new Date() }));
  await carol.send({ command: 'JOIN', to: '#c' });
});

after(async () => {
  await chatd?.cleanup(); // a restarted chatd removes the folder its first start made
  if (home) fs.rmSync(home, { recursive: true, force: true });
});

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  lines: string[];
}

/** Runs a shell command line with the user's XDG directories; bounded by a deadline. */
function sh(user: string, script: string, extraEnv: Record<string, string> = {}): Promise<Run> {
  const dir = path.join(home, user);
  const env = {
    PATH: process.env.PATH,
    HOME: dir,
    XDG_STATE_HOME: path.join(dir, 'state'),
    XDG_CONFIG_HOME: path.join(dir, 'config'),
    CLI,
    ...extraEnv,
  };
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', script], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`chat-cli did not finish in 30 s\n${stdout}\n${stderr}`));
    }, 30_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, lines: stdout.split('\n').filter(Boolean) });
    });
  });
}

async function carolSees(text: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const hist = await carol.history({ target: '#c', limit: 100 });
    if (hist.messages.some((m) => (m.body as string[])[0] === text)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`carol never saw ${text}`);
}

test('a pipeline: printf … | chat-cli --plain joins, says hello, prints the transcript, exits 0', async () => {
  const run = await sh(
    'dave',
    `printf '/join #c\\nhello from a pipe\\n' | node "$CLI" --plain --server ${chatd.url} --nick dave`,
  );
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stderr, /minting a hashcash stamp \(4 bits\)/);
  for (const line of run.lines) assert.match(line, LINE);
  const at = (re: RegExp) => run.lines.findIndex((l) => re.test(l.replace(LINE, '')));
  // quiet about the new session's welcome burst and MOTD: the transcript starts with the join
  assert.doesNotMatch(run.stdout, /Welcome to the chat Network|Message of the day|MOTD/);
  const joined = at(/^#c \*\*\* dave has joined #c$/);
  const names = at(/^#c \*\*\* Users on #c: @carol dave$/);
  const said = at(/^#c dave hello from a pipe$/);
  assert.ok(joined === 0 && names > joined && said > names, run.stdout);
  await carolSees('hello from a pipe');
  // exit without QUIT: dave is still in #c, and his token and cursor are saved
  assert.ok((await carol.members('#c')).some((m) => m.nick === 'dave'));
  const saved = JSON.parse(
    fs.readFileSync(
      path.join(home, 'dave/state/chat-cli', `http_127.0.0.1_${chatd.port}`, 'dave.json'),
      'utf8',
    ),
  ) as { token: string; cursor: number; target: string };
  assert.ok(saved.token.length > 20);
  assert.ok(saved.cursor > 0);
  assert.equal(saved.target, '#c');
});

test('without a TTY it is plain mode; config.json gives server and nick; the session resumes without loss', async () => {
  const configDir = path.join(home, 'dave/config/chat-cli');
  fs.mkdirSync(configDir, { recursive: true });
  fs.writeFileSync(
    path.join(configDir, 'config.json'),
    JSON.stringify({ server: chatd.url, nick: 'dave' }),
  );
  // said while dave's chat-cli was not running
  await carol.send({ command: 'PRIVMSG', to: '#c', body: ['missed 1'] });
  await carol.send({ command: 'PRIVMSG', to: 'dave', body: ['a private word'] });
  const run = await sh('dave', `echo 'back again' | node "$CLI"`);
  assert.equal(run.code, 0, run.stderr);
  assert.doesNotMatch(run.stderr, /minting/); // no new session
  assert.doesNotMatch(run.stdout, /Welcome to the chat Network/);
  const body = run.lines.map((l) => l.replace(LINE, ''));
  assert.deepEqual(body, ['#c carol missed 1', 'carol carol a private word', '#c dave back again']);
  await carolSees('back again');
});

test('at end of input every line is sent and acknowledged first, through flood control, in order', async () => {
  const lines = Array.from({ length: 14 }, (_, i) => `burst ${i + 1}`);
  const run = await sh(
    'dave',
    `printf '%s\\n' ${lines.map((l) => `'${l}'`).join(' ')} | node "$CLI" --plain`,
  );
  assert.equal(run.code, 0, run.stderr);
  const hist = await carol.history({ target: '#c', limit: 100 });
  const got = hist.messages
    .map((m) => (m.body as string[])[0])
    .filter((t) => t?.startsWith('burst '));
  assert.deepEqual(got, lines);
  // and the transcript shows them as the server ordered them
  assert.deepEqual(
    run.lines.map((l) => l.replace(LINE, '')).filter((l) => l.includes('burst')),
    lines.map((l) => `#c dave ${l}`),
  );
});

test('a line with no target is refused: the error on stderr, stdout empty, exit status 1', async () => {
  const run = await sh('fay', `echo hello | node "$CLI" --server ${chatd.url} --nick fay`);
  assert.equal(run.code, 1, run.stderr);
  assert.equal(run.stdout, '');
  assert.match(
    run.stderr,
    /^chat-cli: line 1: No target here: \/join a channel or \/query a nick first$/m,
  );
  assert.match(run.stderr, /^chat-cli: 1 line was refused$/m);
});

test('refused commands: errors on stderr in input order, the transcript goes on, exit status 1; /join without #', async () => {
  const run = await sh(
    'gus',
    `printf '/join c\\n/part #nope\\n/frobnicate now\\n/join\\nstill here\\n' | node "$CLI" --server ${chatd.url} --nick gus`,
  );
  assert.equal(run.code, 1, run.stderr);
  // `/join c` joined #c (not a query buffer "c"), and the line after the errors still went out
  assert.deepEqual(
    run.lines.map((l) => l.replace(LINE, '')),
    ['#c *** gus has joined #c', '#c *** Users on #c: @carol dave gus', '#c gus still here'],
  );
  await carolSees('still here');
  const errors = run.stderr.split('\n').filter((l) => /^chat-cli: (line|\d)/.test(l));
  assert.deepEqual(errors, [
    'chat-cli: line 2: #nope: No such channel',
    'chat-cli: line 3: Unknown command /frobnicate (see /help)',
    'chat-cli: line 4: Usage: /join #channel[,#channel…] [key]',
    'chat-cli: 3 lines were refused',
  ]);
});

test('--to TARGET sends one-shot lines there (joining a channel first) and leaves the saved target alone', async () => {
  const url = `--server ${chatd.url} --nick hal`;
  const toChannel = await sh('hal', `echo 'one shot' | node "$CLI" ${url} --to '#c'`);
  assert.equal(toChannel.code, 0, toChannel.stderr);
  assert.deepEqual(
    toChannel.lines.map((l) => l.replace(LINE, '')).filter((l) => !l.includes('Users on')),
    ['#c *** hal has joined #c', '#c hal one shot'],
  );
  await carolSees('one shot');
  const toNick = await sh('hal', `echo 'just for you' | node "$CLI" ${url} --to carol`);
  assert.equal(toNick.code, 0, toNick.stderr);
  assert.deepEqual(
    toNick.lines.map((l) => l.replace(LINE, '')),
    ['carol hal just for you'],
  );
  const dm = await carol.history({ target: 'hal', limit: 10 });
  assert.deepEqual(
    dm.messages.map((m) => (m.body as string[])[0]),
    ['just for you'],
  );
  // nothing was remembered as the target: a later line without --to has none
  const later = await sh('hal', `echo 'where to?' | node "$CLI" ${url}`);
  assert.equal(later.code, 1);
  assert.match(later.stderr, /line 1: No target here/);
  const bad = await sh('hal', `node "$CLI" ${url} --to '#a,#b' </dev/null`);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--to takes one #channel or nick/);
});

test('--verbose prints the welcome burst and MOTD of a new session', async () => {
  const run = await sh('ivy', `node "$CLI" --server ${chatd.url} --nick ivy --verbose </dev/null`);
  assert.equal(run.code, 0, run.stderr);
  assert.match(
    run.lines[0] ?? '',
    /^\[\d\d:\d\d:\d\d\] \* \*\*\* Welcome to the chat Network, ivy/,
  );
  assert.match(run.stdout, /\* \*\*\* End of \/MOTD command\./);
});

test('usage errors: exit status 2, the usage on stderr, nothing on stdout; stamp knows its options', async () => {
  for (const args of ['--frob', 'stamp --frob', 'stamp --bits', 'stamp --bits x', '--to']) {
    const run = await sh('usage', `node "$CLI" ${args} </dev/null`);
    assert.equal(run.code, 2, `${args}: ${run.stderr}`);
    assert.equal(run.stdout, '', args);
    assert.match(run.stderr, /^usage: chat-cli/m, args);
  }
  const frob = await sh('usage', `node "$CLI" stamp --frob </dev/null`);
  assert.match(frob.stderr, /unknown option --frob/);
  for (const args of ['stamp --help', '--help', '--version', 'stamp --version']) {
    const run = await sh('usage', `node "$CLI" ${args} </dev/null`);
    assert.equal(run.code, 0, args);
    assert.equal(run.stderr, '', args);
    assert.match(run.stdout, /^(usage: chat-cli|chat-cli \d)/, args);
  }
  const help = await sh('usage', `node "$CLI" --help </dev/null`);
  assert.match(help.stdout, /Its exit status: 0 every input line was accepted; 1 /);
});

test("a resumed run does not print the user's own JOIN again: the phone joined while the laptop was off", async () => {
  // one password session, two devices (state directories), the same script on both
  const script = `printf '/join #c\\nfrom %s\\n' "$WHERE" | node "$CLI" --server ${chatd.url} --nick jan --password 'jan secret pw'`;
  const laptop1 = await sh(
    'jan-laptop',
    `node "$CLI" --server ${chatd.url} --nick jan --password 'jan secret pw' </dev/null`,
  );
  assert.equal(laptop1.code, 0, laptop1.stderr);
  const phone = await sh('jan-phone', script, { WHERE: 'the phone' });
  assert.equal(phone.code, 0, phone.stderr);
  assert.match(phone.stdout, /#c \*\*\* jan has joined #c/);
  // the laptop, resumed: GET /state already lists #c when its queue brings the phone's JOIN
  const laptop2 = await sh('jan-laptop', script, { WHERE: 'the laptop' });
  assert.equal(laptop2.code, 0, laptop2.stderr);
  assert.doesNotMatch(laptop2.stderr, /minting|saved session/);
  assert.deepEqual(
    laptop2.lines.map((l) => l.replace(LINE, '')),
    ['#c jan from the phone', '#c jan from the laptop'],
  );
});

test('hostile text is printed inert: no control character reaches stdout', async () => {
  const evil = '\x1b]0;PWNED\x07\x1b[2J\x9b2J\x1bc';
  await carol.send({ command: 'PRIVMSG', to: '#c', body: [`evil ${evil} end`] });
  await carol.send({ command: 'PART', to: '#c', body: [`bye ${evil}`] });
  await carol.send({ command: 'JOIN', to: '#c' });
  const run = await sh('dave', `node "$CLI" --plain </dev/null`);
  assert.equal(run.code, 0, run.stderr);
  // eslint-disable-next-line no-control-regex
  assert.doesNotMatch(run.stdout, /[\x00-\x09\x0b-\x1f\x7f-\x9f]/);
  assert.match(run.stdout, /#c carol evil \^\[\]0;PWNED\^G\^\[\[2J\\x9b2J\^\[c end/);
  assert.match(run.stdout, /#c \*\*\* carol has left #c \(bye \^\[\]0;PWNED/);
});

test('a running chat-cli rides out a chatd restart: it reconnects and resumes from its cursor', async () => {
  const dir = path.join(home, 'dave');
  const env = {
    PATH: process.env.PATH,
    HOME: dir,
    XDG_STATE_HOME: path.join(dir, 'state'),
    XDG_CONFIG_HOME: path.join(dir, 'config'),
  };
  const child = spawn(process.execPath, [CLI, '--plain'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  const waitOut = async (re: RegExp) => {
    const deadline = Date.now() + 20_000;
    while (!re.test(stdout)) {
      if (Date.now() > deadline) throw new Error(`no ${String(re)} in:\n${stdout}\n${stderr}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  try {
    await carol.send({ command: 'PRIVMSG', to: '#c', body: ['before the restart'] });
    await waitOut(/#c carol before the restart/);
    chatd = await chatd.restart();
    await carol.send({ command: 'PRIVMSG', to: '#c', body: ['after the restart'] });
    child.stdin.write('still here\n');
    await waitOut(/#c carol after the restart/);
    child.stdin.end();
    assert.equal(await exited, 0, stderr);
    assert.match(stderr, /retrying in \d+ s/);
    assert.equal(stdout.split('after the restart').length - 1, 1);
    await carolSees('still here');
  } finally {
    child.kill('SIGKILL');
  }
});

test('--password registers, a second device logs in to the same session; /quit ends it', async () => {
  const first = await sh(
    'erin',
    `printf '/join #c\\nfrom the laptop\\n' | node "$CLI" --server ${chatd.url} --nick erin --password 'erin secret pw'`,
  );
  assert.equal(first.code, 0, first.stderr);
  assert.match(first.stderr, /minting/);
  await carolSees('from the laptop');
  // the "phone": another state directory, so a new client of the same session via /login
  const phone = await sh(
    'erin-phone',
    `printf 'from the phone\\n/quit bye now\\nnever sent\\n' | node "$CLI" --server ${chatd.url} --nick erin`,
    { CHAT_PASSWORD: 'erin secret pw' },
  );
  assert.equal(phone.code, 1, phone.stderr);
  assert.doesNotMatch(phone.stderr, /minting/); // logged in, not registered
  // a new device has no saved target, so its first line is refused locally (exit status 1);
  // the login's replay of the channel state is part of the arrival burst, quiet without
  // --verbose; /quit ends the session and stops reading
  assert.match(phone.stderr, /line 1: No target here/);
  assert.doesNotMatch(phone.stdout, /erin has joined #c/);
  assert.doesNotMatch(phone.stdout, /Welcome/);
  const hist = await carol.history({ target: '#c', limit: 100 });
  assert.ok(!hist.messages.some((m) => (m.body as string[])[0] === 'never sent'));
  assert.ok(!(await carol.members('#c')).some((m) => m.nick === 'erin'));
  // the session ended, so the laptop's saved token is dead: its next start makes a new session
  const again = await sh(
    'erin',
    `node "$CLI" --server ${chatd.url} --nick erin --password 'erin secret pw' </dev/null`,
  );
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stderr, /saved session has ended/);
  assert.match(again.stderr, /minting/);
});
