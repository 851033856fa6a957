// The strict JSON body parser: every malformed-body case of reliability/README.mdc answers 4xx cleanly.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  MAX_JSON_DEPTH,
  checkJsonText,
  isUtf8Json,
  parseJsonBody,
} from '../../src/transports/http/json-body.js';
import { AUTH, setup } from './fakes.js';

const JSON_CT = { ...AUTH, 'content-type': 'application/json' };

void describe('JSON body parser over HTTP', () => {
  const t = setup();
  before(() => t.app.ready());
  after(() => t.app.close());

  const executions = () => t.core.calls.filter(([m]) => m === 'execute').length;
  const post = (payload: string | Buffer, headers: Record<string, string> = JSON_CT) =>
    t.app.inject({ method: 'POST', url: '/api/v1/messages', headers, payload });

  const expectError = async (
    res: Awaited<ReturnType<typeof post>>,
    status: number,
    code: string,
  ) => {
    assert.equal(res.statusCode, status, res.body);
    const body = res.json<{ error: string; message: string }>();
    assert.equal(body.error, code);
    assert.equal(typeof body.message, 'string');
    assert.doesNotMatch(res.body, /at .*\.(ts|js)|\/work\/|node_modules/);
    assert.equal(res.headers['x-content-type-options'], 'nosniff');
  };

  void it('accepts a well-formed body', async () => {
    const res = await post('{"command":"PING"}');
    assert.equal(res.statusCode, 200, res.body);
  });

  void it('accepts application/json; charset=utf-8 in any case', async () => {
    const res = await post('{"command":"PING"}', {
      ...AUTH,
      'content-type': 'Application/JSON; Charset="UTF-8"',
    });
    assert.equal(res.statusCode, 200, res.body);
  });

  for (const [name, payload] of [
    ['a UTF-8 BOM', '\ufeff{"command":"PING"}'],
    ['truncated JSON', '{"command":"PI'],
    ['trailing garbage', '{"command":"PING"} x'],
    ['two documents', '{"command":"PING"}{}'],
    ['NaN', '{"command":"PING","meta":{"n":NaN}}'],
    ['a single quote string', "{'command':'PING'}"],
    ['duplicate keys', '{"command":"PING","command":"QUIT"}'],
    ['duplicate keys written differently', '{"command":"PING","\\u0063ommand":"QUIT"}'],
    ['nested duplicate keys', '{"command":"PING","meta":{"a":[{"x":1,"x":2}]}}'],
  ] as const) {
    void it(`refuses ${name} with 400 bad_json`, async () => {
      const executed = executions();
      await expectError(await post(payload), 400, 'bad_json');
      assert.equal(executions(), executed, 'nothing reaches the core');
    });
  }

  void it('refuses 30,000-deep nested arrays within the size cap with 400 bad_json', async () => {
    const deep = '['.repeat(30_000) + ']'.repeat(30_000);
    assert.ok(deep.length < t.config.MAX_BODY_BYTES);
    await expectError(await post(`{"command":"PING","meta":{"d":${deep}}}`), 400, 'bad_json');
    await expectError(await post(deep), 400, 'bad_json');
    await expectError(
      await post('{"a":'.repeat(10_000) + '1' + '}'.repeat(10_000)),
      400,
      'bad_json',
    );
    // and unbalanced deep nesting is simply bad JSON
    await expectError(await post('['.repeat(30_000)), 400, 'bad_json');
  });

  void it(`accepts nesting up to ${MAX_JSON_DEPTH} levels`, async () => {
    const inner = '['.repeat(MAX_JSON_DEPTH - 2) + ']'.repeat(MAX_JSON_DEPTH - 2);
    const res = await post(`{"command":"PING","meta":{"d":${inner}}}`);
    assert.equal(res.statusCode, 200, res.body);
  });

  void it('refuses invalid UTF-8 bytes with 400 bad_encoding', async () => {
    const bytes = Buffer.concat([
      Buffer.from('{"command":"PRIVMSG","to":"#a","body":["'),
      Buffer.from([0xc3, 0x28, 0xff]),
      Buffer.from('"]}'),
    ]);
    await expectError(await post(bytes), 400, 'bad_encoding');
  });

  void it('refuses an overlong UTF-8 encoding and encoded surrogates', async () => {
    await expectError(await post(Buffer.from([0x22, 0xc0, 0xaf, 0x22])), 400, 'bad_encoding');
    await expectError(await post(Buffer.from([0x22, 0xed, 0xa0, 0x80, 0x22])), 400, 'bad_encoding');
  });

  void it('refuses a lone surrogate escape in a value or a key with 400 bad_encoding', async () => {
    await expectError(
      await post('{"command":"PRIVMSG","to":"#a","body":["x\\ud800"]}'),
      400,
      'bad_encoding',
    );
    await expectError(await post('{"command":"PING","meta":{"\\udc00":1}}'), 400, 'bad_encoding');
    await expectError(
      await post('{"command":"PING","meta":{"a":[["\\ud800x"]]}}'),
      400,
      'bad_encoding',
    );
  });

  void it('accepts a proper surrogate pair', async () => {
    const res = await post('{"command":"PRIVMSG","to":"#a","body":["\\ud83d\\ude00"]}');
    assert.equal(res.statusCode, 200, res.body);
  });

  for (const ct of [
    'text/plain',
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=x',
    'application/json; charset=latin1',
    'application/jsonx',
    'application/json-patch+json',
  ]) {
    void it(`refuses Content-Type ${ct} with 415`, async () => {
      await expectError(
        await post('{"command":"PING"}', { ...AUTH, 'content-type': ct }),
        415,
        'unsupported_media_type',
      );
    });
  }

  void it('refuses a body without Content-Type with 415', async () => {
    await expectError(await post('{"command":"PING"}', AUTH), 415, 'unsupported_media_type');
  });

  void it('accepts a body-less POST without Content-Type', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/logout', headers: AUTH });
    assert.equal(res.statusCode, 200, res.body);
  });

  void it('refuses a body above MAX_BODY_BYTES with 413 and closes the connection', async () => {
    const big = `{"command":"PING","meta":{"x":"${'a'.repeat(t.config.MAX_BODY_BYTES)}"}}`;
    const res = await post(big);
    await expectError(res, 413, 'body_too_large');
    assert.equal(res.headers.connection, 'close');
  });

  void it('refuses a declared Content-Length of 10^9 with 413 before reading', async () => {
    const res = await post('{}', { ...JSON_CT, 'content-length': '1000000000' });
    await expectError(res, 413, 'body_too_large');
  });

  void it('never lets __proto__ or constructor change a prototype', async () => {
    const res = await post('{"command":"PING","__proto__":{"isOper":true}}');
    await expectError(res, 400, 'invalid_request');
    assert.match(res.json<{ message: string }>().message, /unknown field "__proto__"/);
    const res2 = await post('{"command":"PING","constructor":{"prototype":{"x":1}}}');
    await expectError(res2, 400, 'invalid_request');
    assert.match(res2.json<{ message: string }>().message, /unknown field "constructor"/);
    assert.equal(({} as Record<string, unknown>).isOper, undefined);
  });
});

void describe('parseJsonBody and checkJsonText', () => {
  void it('gives undefined for an empty body', () => {
    assert.equal(parseJsonBody(new Uint8Array()), undefined);
  });

  void it('keeps __proto__ as an own property', () => {
    const v = parseJsonBody(Buffer.from('{"__proto__":{"a":1}}')) as Record<string, unknown>;
    assert.equal(Object.getPrototypeOf(v), Object.prototype);
    assert.ok(Object.hasOwn(v, '__proto__'));
  });

  void it('allows the same key in different objects and strings with escaped quotes', () => {
    checkJsonText('{"a":1,"b":{"a":2},"c":[{"a":3},{"a":4}],"d":"x\\"y","e":"\\\\"}');
    checkJsonText('{"a\\"":1,"a":2}');
  });

  void it('detects duplicates after escaped-quote keys and in arrays of objects', () => {
    assert.throws(() => checkJsonText('{"a\\"":1,"a\\"":2}'), /duplicate key/);
    assert.throws(() => checkJsonText('[{"k":1},{"k":1,"k":2}]'), /duplicate key/);
  });

  void it('refuses 100,000-deep nesting without using the call stack', () => {
    assert.throws(() => checkJsonText('['.repeat(100_000) + ']'.repeat(100_000)), /nested deeper/);
    assert.throws(() => checkJsonText('{"a":'.repeat(50_000) + '1' + '}'.repeat(50_000)), /nested/);
  });

  void it('recognises only JSON media types in UTF-8', () => {
    assert.ok(isUtf8Json('application/json'));
    assert.ok(isUtf8Json('application/json;charset=utf-8'));
    assert.ok(isUtf8Json('application/json; charset=UTF8'));
    assert.ok(!isUtf8Json('application/json; charset=utf-16'));
    assert.ok(!isUtf8Json('application/json; boundary=x'));
    assert.ok(!isUtf8Json('text/json'));
    assert.ok(!isUtf8Json(undefined));
  });
});
