// Bearer authentication (docs/api.md): header only, strict format, WWW-Authenticate on every 401.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { ROUTES } from '../../src/transports/http/app.js';
import { CALLER, TOKEN, setup } from './fakes.js';

const CHALLENGE = 'Bearer realm="chat"';
const INVALID = 'Bearer realm="chat", error="invalid_token"';

void describe('bearer authentication', () => {
  const t = setup();
  after(() => t.app.close());

  const get = (headers: Record<string, string> = {}, url = '/api/v1/state') =>
    t.app.inject({ url, headers });

  void it('accepts a valid token, with any case of the scheme', async () => {
    for (const scheme of ['Bearer', 'bearer', 'BEARER']) {
      const res = await get({ authorization: `${scheme} ${TOKEN}` });
      assert.equal(res.statusCode, 200, res.body);
    }
    const call = t.core.calls.find(([m]) => m === 'state');
    assert.deepEqual(call, ['state', CALLER, false]);
  });

  void it('answers 401 missing_token with a Bearer challenge when there is no header', async () => {
    const res = await get();
    assert.equal(res.statusCode, 401);
    assert.equal(res.json<{ error: string }>().error, 'missing_token');
    assert.equal(res.headers['www-authenticate'], CHALLENGE);
  });

  for (const [name, value] of [
    ['no Bearer prefix', TOKEN],
    ['another scheme', `Basic ${Buffer.from('a:b').toString('base64')}`],
    ['an empty token', 'Bearer '],
    ['a token with bad characters', 'Bearer abc$def'],
    ['a token with a space inside', `Bearer ${TOKEN} extra`],
    ['a 10 KB token', `Bearer ${'a'.repeat(10_000)}`],
    ['an unknown token', 'Bearer AAAAAAAAAAAAAAAAAAAAAA'],
  ] as const) {
    void it(`answers 401 invalid_token for ${name}`, async () => {
      const res = await get({ authorization: value });
      assert.equal(res.statusCode, 401);
      assert.equal(res.json<{ error: string }>().error, 'invalid_token');
      assert.equal(res.headers['www-authenticate'], INVALID);
      assert.ok(!res.body.includes(TOKEN));
    });
  }

  void it('does not ask the core about malformed tokens', async () => {
    const before = t.core.calls.length;
    await get({ authorization: `Bearer ${'a'.repeat(10_000)}` });
    assert.equal(t.core.calls.length, before);
  });

  void it('refuses two Authorization headers, even when one is valid', async () => {
    const res = await t.app.inject({
      url: '/api/v1/state',
      headers: { authorization: [`Bearer ${TOKEN}`, 'Bearer other'] } as unknown as Record<
        string,
        string
      >,
    });
    assert.equal(res.statusCode, 401);
    assert.equal(res.json<{ error: string }>().error, 'invalid_token');
  });

  void it('never accepts a token in the query string', async () => {
    const r1 = await get({}, `/api/v1/state?token=${TOKEN}`);
    assert.equal(r1.statusCode, 401);
    const r2 = await get({}, `/api/v1/messages?access_token=${TOKEN}`);
    assert.equal(r2.statusCode, 401);
    const r3 = await get({ authorization: `Bearer ${TOKEN}` }, `/api/v1/state?token=${TOKEN}`);
    assert.equal(r3.statusCode, 400);
    assert.match(r3.json<{ message: string }>().message, /query: unknown parameter "token"/);
  });

  void it('every bearer route of the table answers 401 without a token', async () => {
    const bearer = ROUTES.filter((r) => r.auth === 'bearer');
    assert.ok(bearer.length >= 9);
    for (const r of bearer) {
      const url = r.path.replace(':client_id', '5').replace(':name', 'general');
      const res = await t.app.inject({ method: r.method, url });
      assert.equal(res.statusCode, 401, `${r.method} ${r.path}`);
      assert.equal(res.headers['www-authenticate'], CHALLENGE);
    }
  });

  void it('public routes need no token', async () => {
    for (const r of ROUTES.filter((x) => x.auth === 'none' && x.method === 'GET')) {
      const res = await t.app.inject({ url: r.path });
      // A path with a parameter (/assets/:file) names no real file here: what matters is no 401.
      if (r.path.includes(':')) assert.equal(res.statusCode, 404, `${r.method} ${r.path}`);
      else assert.equal(res.statusCode, 200, `${r.method} ${r.path}`);
    }
  });
});
