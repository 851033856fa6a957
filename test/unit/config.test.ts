// Configuration: defaults, durations, .env under the real environment, errors naming the variable.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { ConfigError, loadConfig } from '../../src/server/config.js';
import { parseDuration } from '../../src/server/duration.js';

const NO_FILE = '/nonexistent/.env';

test('defaults need no configuration', () => {
  const c = loadConfig({}, NO_FILE);
  assert.equal(c.PORT, 8080);
  assert.equal(c.HOST, '127.0.0.1');
  assert.equal(c.sqlitePath, './data/chat.db');
  assert.equal(c.SESSION_IDLE_TIMEOUT, 24 * 3600_000);
  assert.equal(c.ACCOUNT_IDLE_TIMEOUT, 720 * 3600_000);
  assert.equal(c.QUEUE_MAX_AGE, 48 * 3600_000);
  assert.equal(c.LONG_POLL_TIMEOUT, 15);
  assert.equal(c.MAX_HISTORY, 10_000);
  assert.equal(c.metricsEnabled, false);
  assert.equal(c.LOGINS_PER_ACCOUNT, 10);
  assert.ok(Object.isFrozen(c));
});

test('durations', () => {
  assert.equal(parseDuration('90s'), 90_000);
  assert.equal(parseDuration('1h30m'), 5_400_000);
  assert.equal(parseDuration('250ms'), 250);
  assert.equal(parseDuration('7d'), 7 * 86_400_000);
  assert.equal(parseDuration('1500'), 1500);
  for (const bad of ['', 'h', '5x', '1h 2m', '-1s', '1.5h'])
    assert.equal(parseDuration(bad), null, bad);
});

test('an invalid value stops start-up with a message naming the variable', () => {
  const cases: Record<string, string> = {
    PORT: 'abc',
    LONG_POLL_TIMEOUT: '31',
    SESSION_IDLE_TIMEOUT: 'soon',
    DBURL: 'mysql://x',
    DEBUG: 'maybe',
    MAX_CHANNELS: '0',
    TRUST_PROXY: 'maybe',
    MAX_TARGETS: '0',
    LOGINS_PER_ACCOUNT: '0',
  };
  for (const [name, value] of Object.entries(cases)) {
    assert.throws(
      () => loadConfig({ [name]: value }, NO_FILE),
      (e: Error) => {
        assert.ok(e instanceof ConfigError);
        assert.match(e.message, new RegExp(`\\b${name}\\b`));
        return true;
      },
    );
  }
  assert.throws(() => loadConfig({ METRICS_USERNAME: 'u' }, NO_FILE), /METRICS_PASSWORD/);
  assert.throws(() => loadConfig({ DBURL: 'postgres://localhost/x' }, NO_FILE), /DBURL/);
});

test('.env fills in what the real environment does not set', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chat-env-'));
  const file = path.join(dir, '.env');
  fs.writeFileSync(
    file,
    '# comment\nPORT=9001\nSERVER_NAME="from.env"\nMOTD="a\\nb"\nexport HOST=0.0.0.0 # trailing\n',
  );
  try {
    const c = loadConfig({ PORT: '9002' }, file);
    assert.equal(c.PORT, 9002, 'the real environment wins');
    assert.equal(c.SERVER_NAME, 'from.env');
    assert.equal(c.MOTD, 'a\nb');
    assert.equal(c.HOST, '0.0.0.0');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('TRUST_PROXY: false, true (one proxy) or a number of proxy hops', () => {
  assert.equal(loadConfig({}, NO_FILE).TRUST_PROXY, 0);
  assert.equal(loadConfig({ TRUST_PROXY: 'false' }, NO_FILE).TRUST_PROXY, 0);
  assert.equal(loadConfig({ TRUST_PROXY: 'true' }, NO_FILE).TRUST_PROXY, 1);
  assert.equal(loadConfig({ TRUST_PROXY: 'YES' }, NO_FILE).TRUST_PROXY, 1);
  assert.equal(loadConfig({ TRUST_PROXY: '2' }, NO_FILE).TRUST_PROXY, 2);
  assert.throws(() => loadConfig({ TRUST_PROXY: '17' }, NO_FILE), /TRUST_PROXY/);
});
