// Settings precedence (flags > CHAT_* > config.json > defaults), the saved session files (0600,
// atomic, one running chat-cli per identity), and the input line helpers.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { cleanInput, complete, InputHistory } from '../../src/cli/input-helpers.js';
import { configDir, resolveOptions, stateDir, UsageError } from '../../src/cli/options.js';
import { parseStampArgs } from '../../src/cli/stamp.js';
import { serverKey, StateLockedError, StateStore } from '../../src/cli/state-store.js';

const noFile = () => null;

test('flags win over the environment, which wins over config.json', () => {
  const env = { CHAT_SERVER: 'http://env:1', CHAT_NICK: 'envnick', USER: 'root' };
  const file = () =>
    JSON.stringify({ server: 'http://file:2', nick: 'filenick', password: 'filepass1' });
  assert.deepEqual(resolveOptions(['--nick', 'flagnick', '--plain'], env, file), {
    server: 'http://env:1',
    nick: 'flagnick',
    password: 'filepass1',
    plain: true,
    to: null,
    verbose: false,
    help: false,
  });
  const o = resolveOptions(['--server=http://flag:3/'], {}, file);
  assert.equal(o.server, 'http://flag:3');
  assert.equal(o.nick, 'filenick');
  const d = resolveOptions([], { USER: '9lives.user' }, noFile);
  assert.equal(d.server, 'http://127.0.0.1:8080');
  assert.equal(d.nick, 'livesuser');
  assert.equal(d.password, null);
});

test('bad flags and config files are usage errors', () => {
  assert.throws(() => resolveOptions(['--nick'], {}, noFile), UsageError);
  assert.throws(() => resolveOptions(['--bogus'], {}, noFile), UsageError);
  assert.throws(() => resolveOptions(['--server', 'ftp://x'], {}, noFile), UsageError);
  assert.throws(() => resolveOptions([], {}, () => '{oops'), /not JSON/);
  assert.throws(() => resolveOptions([], {}, () => '{"nik":"x"}'), /unknown setting/);
  assert.throws(() => resolveOptions([], {}, () => '{"nick":5}'), /must be a string/);
});

test('--to and --verbose; `chat-cli stamp` knows its options before asking for a value', () => {
  const o = resolveOptions(['--to', '#ops', '--verbose'], {}, noFile);
  assert.equal(o.to, '#ops');
  assert.equal(o.verbose, true);
  assert.throws(() => resolveOptions(['--to'], {}, noFile), /--to needs a value/);
  assert.throws(() => resolveOptions(['--to', '#a,#b'], {}, noFile), UsageError);
  assert.deepEqual(parseStampArgs(['--bits=3', '--resource', 'r'], {}), {
    server: 'http://127.0.0.1:8080',
    bits: 3,
    resource: 'r',
  });
  assert.throws(() => parseStampArgs(['--frob'], {}), /unknown option --frob/);
  assert.throws(() => parseStampArgs(['--frob'], {}), UsageError);
  assert.throws(() => parseStampArgs(['--bits'], {}), /--bits needs a value/);
  assert.throws(() => parseStampArgs(['--server', 'ftp://x'], {}), UsageError);
});

test('XDG directories with their defaults', () => {
  assert.equal(configDir({ XDG_CONFIG_HOME: '/c' }), '/c/chat-cli');
  assert.equal(stateDir({ XDG_STATE_HOME: '/s' }), '/s/chat-cli');
  assert.equal(stateDir({ HOME: '/h' }), '/h/.local/state/chat-cli');
  assert.equal(serverKey('http://127.0.0.1:8080'), 'http_127.0.0.1_8080');
  assert.equal(serverKey('https://chat.example.org/'), 'https_chat.example.org_443');
});

test('the saved session: per server and nick, private, and locked while in use', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chat-cli-state-'));
  try {
    const store = new StateStore(dir, 'http://127.0.0.1:8080', 'Alice[1]');
    assert.equal(store.load(), null);
    store.lock();
    const saved = {
      version: 1 as const,
      server: store.server,
      nick: 'Alice[1]',
      sessionNick: 'alice',
      token: 'secret',
      cursor: 42,
      target: '#c',
      buffers: ['#c', 'bob'],
      signingKey: null,
      pubkeyAnnounced: false,
    };
    store.save(saved);
    assert.deepEqual(store.load(), saved);
    const file = fs.readdirSync(store.dir).find((f) => f.endsWith('.json'))!;
    assert.equal(fs.statSync(path.join(store.dir, file)).mode & 0o777, 0o600);
    assert.equal(fs.statSync(store.dir).mode & 0o777, 0o700);
    // the same identity, differently cased, is the same file and the same lock
    const twin = new StateStore(dir, 'http://127.0.0.1:8080', 'alice{1}');
    assert.deepEqual(twin.load(), saved);
    fs.writeFileSync(path.join(store.dir, file.replace('.json', '.lock')), String(process.ppid));
    assert.throws(() => twin.lock(), StateLockedError);
    // a lock left by a process that is gone is taken over
    fs.writeFileSync(path.join(store.dir, file.replace('.json', '.lock')), '999999999');
    twin.lock();
    twin.unlock();
    store.clear();
    assert.equal(store.load(), null);
    const keys = store.keyPersistence();
    keys.save({ bob: 'k' });
    assert.deepEqual(keys.load(), { bob: 'k' });
    // the nick "keys" has its own session file: pinning keys does not overwrite it
    const nickKeys = new StateStore(dir, 'http://127.0.0.1:8080', 'Keys');
    nickKeys.save({ ...saved, nick: 'Keys', sessionNick: 'Keys' });
    nickKeys.keyPersistence().save({ carol: 'c' });
    assert.equal(nickKeys.load()?.token, 'secret');
    assert.deepEqual(nickKeys.keyPersistence().load(), { carol: 'c' });
    // keys pinned by an older chat-cli in keys.json (a key map, not a session) are still read
    const older = new StateStore(dir, 'http://127.0.0.1:9', 'alice');
    fs.mkdirSync(older.dir, { recursive: true });
    fs.writeFileSync(path.join(older.dir, 'keys.json'), JSON.stringify({ dan: 'd' }));
    assert.deepEqual(older.keyPersistence().load(), { dan: 'd' });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('input history walks back and returns to the draft', () => {
  const h = new InputHistory();
  h.push('one');
  h.push('two');
  assert.equal(h.up('draft'), 'two');
  assert.equal(h.up('two'), 'one');
  assert.equal(h.up('one'), 'one');
  assert.equal(h.down('one'), 'two');
  assert.equal(h.down('two'), 'draft');
  assert.equal(h.down('draft'), 'draft');
});

test('completion of nicks and commands; control characters never enter the input', () => {
  assert.equal(complete('bo', ['carol', 'bob', 'Boris']), 'bob: ');
  assert.equal(complete('hi car', ['carol']), 'hi carol ');
  assert.equal(complete('/jo', []), '/join ');
  assert.equal(complete('zz', ['bob']), null);
  assert.equal(complete('', ['bob']), null);
  assert.equal(cleanInput('a\x1b[2Jb\tc\x9bd'), 'a[2Jb cd');
});
