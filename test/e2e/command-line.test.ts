// End to end: the binaries' --help and --version answer and exit 0 without starting anything;
// chatd refuses any other argument with exit status 2. chatd's --help lists every configuration
// variable of the schema with a default that the schema reads back to the same value.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { infoRequest } from '../../src/cli/options.js';
import { configVariables } from '../../src/server/command-line.js';
import { loadConfig, schema } from '../../src/server/config.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const CHATD = path.join(ROOT, 'bin/chatd.js');
const CHAT_CLI = path.join(ROOT, 'bin/chat-cli.js');
const VERSION = (
  JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
    version: string;
  }
).version;

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chat-command-line-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

/**
 * Runs a binary in an empty directory. Were it to start serving, it would not exit and the
 * timeout would end it (status null); `created` shows whether it opened a database there.
 */
function run(bin: string, args: string[], env: Record<string, string> = {}) {
  const cwd = fs.mkdtempSync(path.join(dir, 'run-'));
  const r = spawnSync(process.execPath, [bin, ...args], {
    cwd,
    env: {
      PATH: process.env.PATH,
      HOME: cwd,
      XDG_CONFIG_HOME: path.join(cwd, 'config'),
      XDG_STATE_HOME: path.join(cwd, 'state'),
      PORT: '0',
      IRC_PORT: '0',
      DBURL: `file:${path.join(cwd, 'chat.db')}`,
      ...env,
    },
    encoding: 'utf8',
    timeout: 15_000,
  });
  return { ...r, created: fs.readdirSync(cwd) };
}

test('chatd --version prints the package version and starts nothing', () => {
  for (const flag of ['--version', '-v']) {
    const r = run(CHATD, [flag]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, `chatd ${VERSION}\n`);
    assert.equal(r.stderr, '');
    assert.deepEqual(r.created, [], 'no database was opened');
  }
});

test('chatd --help explains the environment configuration and lists every variable', () => {
  for (const flag of ['--help', '-h']) {
    const r = run(CHATD, [flag]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr, '');
    assert.deepEqual(r.created, []);
    assert.match(r.stdout, /^usage: chatd \[--help \| --version\]/);
    assert.match(r.stdout, /environment variables/);
    assert.match(r.stdout, /\.env/);
    for (const name of Object.keys(schema.shape)) {
      assert.match(r.stdout, new RegExp(`^  ${name} +\\S`, 'm'), `${name} is listed`);
    }
    assert.match(r.stdout, /^ {2}PORT +8080$/m);
    assert.match(r.stdout, /^ {2}DBURL +file:\.\/data\/chat\.db$/m);
    assert.match(r.stdout, /^ {2}SESSION_IDLE_TIMEOUT +24h$/m);
    assert.match(r.stdout, /^ {2}OPER_PASSWORD +\(unset\)$/m);
    assert.match(r.stdout, /^ {2}DB_SYNCHRONOUS +normal +\[normal, full\]$/m);
  }
});

test('--help and --version answer even when the configuration is invalid', () => {
  const r = run(CHATD, ['--help'], { PORT: 'eighty' });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(run(CHATD, ['--version'], { PORT: 'eighty' }).status, 0);
});

test('each default that --help shows reads back as the default chatd uses', () => {
  const defaults = loadConfig({}, path.join(dir, 'no.env')) as unknown as Record<string, unknown>;
  const vars = configVariables();
  assert.deepEqual(
    vars.map((v) => v.name),
    Object.keys(schema.shape),
  );
  for (const v of vars) {
    if (v.default === null) {
      assert.equal(defaults[v.name], undefined, `${v.name} has no default`);
      continue;
    }
    const parsed = loadConfig(
      { [v.name]: v.default },
      path.join(dir, 'no.env'),
    ) as unknown as Record<string, unknown>;
    assert.deepEqual(parsed[v.name], defaults[v.name], `${v.name}=${v.default}`);
  }
});

test('chatd refuses an unknown argument with exit status 2 and starts nothing', () => {
  for (const args of [['--port', '80'], ['serve'], ['--help', '--bogus']]) {
    const r = run(CHATD, args);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^chatd: unknown argument "[^"]+": .*environment variables.*--help/);
    assert.deepEqual(r.created, []);
  }
});

test('chat-cli --help and --version exit 0 without connecting, whatever the settings', () => {
  for (const flag of ['--version', '-v']) {
    const r = run(CHAT_CLI, [flag]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, `chat-cli ${VERSION}\n`);
  }
  for (const flag of ['--help', '-h']) {
    const r = run(CHAT_CLI, [flag]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^usage: chat-cli /);
    assert.match(r.stdout, /chat-cli --help \| --version/);
  }
  // a bad server in the environment, a broken config file: still answered
  const config = path.join(dir, 'broken-config');
  fs.mkdirSync(path.join(config, 'chat-cli'), { recursive: true });
  fs.writeFileSync(path.join(config, 'chat-cli', 'config.json'), '{oops');
  const bad = { CHAT_SERVER: 'ftp://nowhere', XDG_CONFIG_HOME: config };
  assert.equal(run(CHAT_CLI, [], bad).status, 2, 'these settings are refused');
  const r = run(CHAT_CLI, ['--plain', '--help'], bad);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(run(CHAT_CLI, ['stamp', '--version']).stdout, `chat-cli ${VERSION}\n`);
  assert.equal(run(CHAT_CLI, ['--bogus']).status, 2, 'unknown options are still usage errors');
});

test('chat-cli looks for --help/--version outside the values of other flags', () => {
  assert.equal(infoRequest([]), null);
  assert.equal(infoRequest(['--plain']), null);
  assert.equal(infoRequest(['--version', '--help']), 'help');
  assert.equal(infoRequest(['--server', 'http://x', '-v']), 'version');
  assert.equal(infoRequest(['--nick', '--help']), null, '--help is the nick here');
  assert.equal(infoRequest(['--bits', '8', '-h']), 'help');
});
