// E2 (CI): token handling (README.md, docs/api.md, docs/operations.md). On a chatd logging at LOG_LEVEL=trace:
// - a token in the query string is never accepted: every bearer route of ROUTES with only
//   `?token=` (or `?access_token=`, or a cookie) answers 401, and with a valid header plus
//   `?token=` a 4xx (an unknown parameter), never a 2xx;
// - no issued token (whole, or its first 16 characters) appears in chatd's output or in any
//   response body other than the one that issued it — error bodies included;
// - tokens carry ≥ 128 random bits: base64url of 32 bytes = 256 bits, all distinct, bits balanced;
// - tokens are stored hashed: after the stop, the SQLite files hold no token, and
//   clients.token_hash of every live client is the SHA-256 (hex) of its token.
import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ROUTES } from '../../src/transports/http/routes/index.js';
import { httpRequest, type HttpAnswer } from '../lib/hostile-http.js';
import { sleep } from '../lib/http.js';
import { startServer, stopAndClean } from '../lib/server.js';
import { Criteria, type ReliabilityTest } from '../lib/types.js';

const PASSWORD = 'e2 password long enough';
/** bench/lib/proc.ts keeps the last 100–200 KB of output: below this it kept everything */
const OUTPUT_COMPLETE_BELOW = 100_000;

interface Issued {
  nick: string;
  token: string;
  clientId: number;
  /** still a live client at the end */
  live: boolean;
}

const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');

/** Where a token (or its 16-character prefix) occurs in `text`; empty when nowhere. */
function leaks(text: string, tokens: readonly Issued[]): string[] {
  const out: string[] = [];
  for (const t of tokens) {
    for (const needle of [t.token, t.token.slice(0, 16)]) {
      const at = text.indexOf(needle);
      if (at >= 0) {
        const ctx = text.slice(Math.max(0, at - 60), at + 80).replaceAll(needle, '<TOKEN>');
        out.push(`${t.nick}: …${ctx}…`);
        break;
      }
    }
  }
  return out;
}

export const e2: ReliabilityTest = {
  id: 'E2',
  title:
    'Token handling: never from the query string, never logged, 256 random bits, stored hashed',
  tiers: ['ci', 'soak'],
  budgetSeconds: { ci: 60, soak: 60 },
  async run(ctx) {
    const c = new Criteria();
    const server = await startServer({ env: { LOG_LEVEL: 'trace' } });
    const port = server.port;
    const dir = server.dir;
    const issued: Issued[] = [];
    /** every answer that is not the one issuing a token, for the leak check */
    const answers: { what: string; a: HttpAnswer }[] = [];
    const req = async (
      what: string,
      method: string,
      p: string,
      o: { token?: string; json?: unknown; headers?: Record<string, string> } = {},
    ) => {
      const headers: Record<string, string> = { ...o.headers };
      if (o.token) headers.authorization = `Bearer ${o.token}`;
      let body: string | undefined;
      if (o.json !== undefined) {
        body = JSON.stringify(o.json);
        headers['content-type'] = 'application/json';
      }
      const a = await httpRequest(port, method, p, { headers, ...(body ? { body } : {}) });
      return { what, a };
    };
    const issue = async (what: string, p: string, json: unknown): Promise<Issued> => {
      const { a } = await req(what, 'POST', p, { json });
      const b = a.json as { nick?: string; token?: string; client_id?: number };
      if (!(a.status === 200 || a.status === 201) || typeof b?.token !== 'string') {
        throw new Error(`${what}: ${a.status} ${a.text.slice(0, 200)}`);
      }
      const t = { nick: b.nick!, token: b.token, clientId: b.client_id!, live: true };
      issued.push(t);
      return t;
    };
    const keep = (x: { what: string; a: HttpAnswer }) => {
      answers.push(x);
      return x.a;
    };
    let queryAccepted = 0;
    let queryChecks = 0;
    try {
      // --- issue tokens: anonymous sessions, a registered one, logins to it ------------------
      const anon: Issued[] = [];
      for (let i = 0; i < 24; i++)
        anon.push(await issue(`session ${i}`, '/api/v1/session', { nick: `tok${i}` }));
      const reg = await issue('register', '/api/v1/register', {
        nick: 'tokreg',
        password: PASSWORD,
      });
      const logins: Issued[] = [];
      for (let i = 0; i < 3; i++) {
        logins.push(
          await issue(`login ${i}`, '/api/v1/login', { nick: 'tokreg', password: PASSWORD }),
        );
      }
      const [owner, victim] = [anon[0]!, anon[1]!];
      keep(
        await req('JOIN', 'POST', '/api/v1/messages', {
          token: owner.token,
          json: { command: 'JOIN', to: '#tok' },
        }),
      );
      keep(
        await req('JOIN', 'POST', '/api/v1/messages', {
          token: victim.token,
          json: { command: 'JOIN', to: '#tok' },
        }),
      );

      // --- ?token= never accepted, on every bearer route ----------------------------------------
      const bearer = ROUTES.filter((r) => r.auth === 'bearer');
      for (const r of bearer) {
        // aimed at the caller's own client, so an accepted DELETE would show
        const p = r.path.replace(':client_id', String(owner.clientId)).replace(':name', 'tok');
        const sep = p.includes('?') ? '&' : '?';
        const json =
          r.method === 'POST' && r.path === '/api/v1/messages' ? { command: 'PING' } : undefined;
        const variants: [string, string, Record<string, string>][] = [
          ['?token=', `${p}${sep}token=${encodeURIComponent(owner.token)}`, {}],
          ['?access_token=', `${p}${sep}access_token=${encodeURIComponent(owner.token)}`, {}],
          ['Cookie: token=', p, { cookie: `token=${owner.token}` }],
        ];
        for (const [label, url, headers] of variants) {
          const a = keep(
            await req(`${r.method} ${r.path} ${label}`, r.method, url, { json, headers }),
          );
          queryChecks++;
          if (a.status < 300) queryAccepted++;
          c.check(
            a.status === 401 && (a.json as { error?: string })?.error === 'missing_token',
            `${r.method} ${r.path} with ${label} only → 401 missing_token (got ${a.status} ${a.text.slice(0, 80)})`,
          );
        }
        // a valid header plus another session's token in the query: refused, not ignored
        const a = keep(
          await req(
            `${r.method} ${r.path} header+?token=`,
            r.method,
            `${p}${sep}token=${encodeURIComponent(victim.token)}`,
            {
              token: owner.token,
              json,
            },
          ),
        );
        queryChecks++;
        c.check(
          a.status >= 400 && a.status < 500,
          `${r.method} ${r.path} with a header and ?token= → 4xx (got ${a.status} ${a.text.slice(0, 80)})`,
        );
      }
      c.check(bearer.length > 0, 'bearer routes found in ROUTES');

      // --- ordinary traffic, errors, revocations: more bodies and log lines to search ----------
      keep(
        await req('PRIVMSG', 'POST', '/api/v1/messages', {
          token: owner.token,
          json: { command: 'PRIVMSG', to: '#tok', body: ['hello'] },
        }),
      );
      keep(await req('state', 'GET', '/api/v1/state', { token: owner.token }));
      keep(await req('clients', 'GET', '/api/v1/clients', { token: reg.token }));
      keep(await req('poll', 'GET', '/api/v1/messages?timeout=0', { token: victim.token }));
      keep(
        await req('bad JSON', 'POST', '/api/v1/messages', {
          token: owner.token,
          headers: { 'content-type': 'text/plain' },
        }),
      );
      keep(
        await req('unknown cmd', 'POST', '/api/v1/messages', {
          token: owner.token,
          json: { command: 'FOO' },
        }),
      );
      keep(
        await req('truncated token', 'GET', '/api/v1/state', { token: owner.token.slice(0, -1) }),
      );
      keep(await req('token + junk', 'GET', '/api/v1/state', { token: `${owner.token}x` }));
      // revoked three ways: logout, DELETE /clients/{id}, QUIT
      keep(await req('logout', 'POST', '/api/v1/logout', { token: anon[2]!.token }));
      anon[2]!.live = false;
      keep(
        await req('delete client', 'DELETE', `/api/v1/clients/${logins[0]!.clientId}`, {
          token: reg.token,
        }),
      );
      logins[0]!.live = false;
      keep(
        await req('QUIT', 'POST', '/api/v1/messages', {
          token: victim.token,
          json: { command: 'QUIT', body: ['bye'] },
        }),
      );
      victim.live = false;
      for (const t of [anon[2]!, logins[0]!, victim]) {
        const a = keep(await req('revoked', 'GET', '/api/v1/state', { token: t.token }));
        c.equal(`revoked token of ${t.nick} → 401`, a.status, 401);
      }

      // --- entropy -------------------------------------------------------------------------------
      const bytes = issued.map((t) => ({ t, raw: Buffer.from(t.token, 'base64url') }));
      const shapes = issued.filter((t) => !/^[A-Za-z0-9_-]+$/.test(t.token));
      c.check(shapes.length === 0, `tokens are base64url (${shapes.length} are not)`);
      const bits = Math.min(...bytes.map((b) => b.raw.length * 8));
      c.check(bits >= 128, `token entropy ≥ 128 bits (got ${bits})`);
      c.equal('distinct tokens', new Set(issued.map((t) => t.token)).size, issued.length);
      let ones = 0;
      let total = 0;
      for (const { raw } of bytes) {
        for (const byte of raw) {
          for (let k = 0; k < 8; k++) ones += (byte >> k) & 1;
          total += 8;
        }
      }
      const oneShare = ones / total;
      // thousands of random bits: 0.5 within far more than 8 standard deviations
      c.check(
        oneShare > 0.44 && oneShare < 0.56,
        `token bits balanced (share of 1s ${oneShare.toFixed(3)})`,
      );

      // --- no token in any answer but its own, nor in the log -----------------------------------
      ctx.log(`${issued.length} tokens issued, ${answers.length} answers to search`);
      const bodyLeaks = answers.flatMap(({ what, a }) =>
        leaks(a.text, issued).map((l) => `${what}: ${l}`),
      );
      for (const l of bodyLeaks.slice(0, 5)) c.check(false, `token in a response body: ${l}`);
      // wait until the last request's log line is out
      keep(await req('health', 'GET', '/.well-known/healthcheck.json'));
      for (
        let i = 0;
        i < 40 && !/healthcheck\.json[^\n]*"msg":"request"/.test(server.output());
        i++
      ) {
        await sleep(50);
      }
      const output = server.output();
      const requestLines = output.split('\n').filter((l) => l.includes('"msg":"request"')).length;
      c.check(
        output.length < OUTPUT_COMPLETE_BELOW,
        `chatd output kept whole (${output.length} chars)`,
      );
      c.check(requestLines >= answers.length / 2, `request lines logged (${requestLines})`);
      const logLeaks = leaks(output, issued);
      for (const l of logLeaks.slice(0, 5)) c.check(false, `token in chatd output: ${l}`);

      // --- stored hashed ---------------------------------------------------------------------------
      const code = await server.stop();
      c.equal('exit code after SIGTERM', code, 0);
      const files = fs.readdirSync(dir).filter((f) => f.startsWith('chat.db'));
      let dbLeaks = 0;
      for (const f of files) {
        const content = fs.readFileSync(path.join(dir, f)).toString('latin1');
        const hits = leaks(content, issued);
        dbLeaks += hits.length;
        for (const h of hits.slice(0, 3)) c.check(false, `token in ${f}: ${h}`);
      }
      const db = new Database(path.join(dir, 'chat.db'), { readonly: true, fileMustExist: true });
      let hashes: string[];
      try {
        hashes = (
          db.prepare('SELECT token_hash FROM clients').all() as { token_hash: string }[]
        ).map((r) => r.token_hash);
      } finally {
        db.close();
      }
      const live = issued.filter((t) => t.live);
      const stored = new Set(hashes);
      c.check(
        hashes.every((h) => /^[0-9a-f]{64}$/.test(h)),
        'every token_hash is 64 hex digits',
      );
      const unhashed = live.filter((t) => !stored.has(sha256(t.token)));
      c.check(
        unhashed.length === 0,
        `token_hash = sha256(token) for every live client (${unhashed.length} missing)`,
      );
      const revokedStill = issued.filter((t) => !t.live && stored.has(sha256(t.token)));
      c.check(
        revokedStill.length === 0,
        `revoked clients removed (${revokedStill.length} still stored)`,
      );
      return {
        figures: {
          log_hits: logLeaks.length,
          token_entropy_bits: bits,
          tokens_issued: issued.length,
          query_token_checks: queryChecks,
          query_token_acceptances: queryAccepted,
          body_hits: bodyLeaks.length,
          db_file_hits: dbLeaks,
          bodies_searched: answers.length,
          log_chars_searched: output.length,
          request_lines: requestLines,
          db_files: files,
          share_of_one_bits: Math.round(oneShare * 1000) / 1000,
        },
        failures: c.failures,
      };
    } finally {
      await stopAndClean(server);
    }
  },
};
