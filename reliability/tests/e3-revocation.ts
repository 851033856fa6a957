// E3 (CI): revocation timing (docs/envelope-and-delivery.md: "Revoking a token ends its open polls with 401 within a
// second"). One registered session with 10 clients (register + 9 × /login), in a channel with a
// watcher; each client holds a long-poll (timeout 25 s) with nothing due. Then one of them sends
// QUIT: every held poll must end with 401 invalid_token — not a 200 carrying the QUIT — within
// 1 s (timing: fails only beyond 10×). Afterwards nothing more reaches those tokens: a message
// from the watcher, and a fresh poll by each revoked token, answer 401.
import { agent, call, createSession, send } from '../lib/http.js';
import { startServer, stopAndClean } from '../lib/server.js';
import { Criteria, type ReliabilityTest } from '../lib/types.js';

const CLIENTS = 10;
const CHANNEL = '#revoke';
const PASSWORD = 'e3 password long enough';

interface Client {
  token: string;
  cursor: number;
}

interface Ended {
  status: number;
  error: string | undefined;
  /** ms from just before the QUIT was sent */
  afterQuitMs: number;
}

export const e3: ReliabilityTest = {
  id: 'E3',
  title: 'Revocation ends 10 held polls with 401 within 1 s',
  tiers: ['ci', 'soak'],
  budgetSeconds: { ci: 60, soak: 60 },
  async run(ctx) {
    const c = new Criteria();
    const server = await startServer();
    const port = server.port;
    const a = agent(4);
    try {
      const reg = await call<{ token: string }>(port, 'POST', '/api/v1/register', {
        json: { nick: 'revokee', password: PASSWORD },
      });
      if (reg.status !== 201) throw new Error(`register: ${reg.status} ${reg.text}`);
      const tokens = [reg.body.token];
      for (let i = 1; i < CLIENTS; i++) {
        const r = await call<{ token: string }>(port, 'POST', '/api/v1/login', {
          json: { nick: 'revokee', password: PASSWORD },
        });
        if (r.status !== 200) throw new Error(`login ${i}: ${r.status} ${r.text}`);
        tokens.push(r.body.token);
      }
      const watcher = await createSession(port, 'watcher');
      await send(port, tokens[0]!, { command: 'JOIN', to: CHANNEL });
      await send(port, watcher.token, { command: 'JOIN', to: CHANNEL });

      // drain every client's queue, so a poll has nothing due and is held
      const clients: Client[] = [];
      for (const token of tokens) {
        let cursor = 0;
        for (let i = 0; i < 20; i++) {
          const r = await call<{ messages: unknown[]; last_id: number }>(
            port,
            'GET',
            `/api/v1/messages?after=${cursor}&timeout=0`,
            { token, agent: a },
          );
          if (r.status !== 200) throw new Error(`drain: ${r.status} ${r.text}`);
          cursor = r.body.last_id;
          if (r.body.messages.length === 0) break;
        }
        clients.push({ token, cursor });
      }

      let t0 = Number.POSITIVE_INFINITY;
      const early: string[] = [];
      const held = clients.map((cl) =>
        call<{ error?: string; messages?: unknown[] }>(
          port,
          'GET',
          `/api/v1/messages?after=${cl.cursor}&timeout=25`,
          { token: cl.token }, // one connection each
        ).then(
          (r): Ended => {
            const at = performance.now();
            if (at < t0) early.push(`${r.status} ${r.text.slice(0, 100)}`);
            return { status: r.status, error: r.body?.error, afterQuitMs: at - t0 };
          },
          (err: Error): Ended => ({
            status: 0,
            error: err.message,
            afterQuitMs: performance.now() - t0,
          }),
        ),
      );
      // Let the polls be held. Not a pass/fail timer: a poll arriving after the QUIT must get
      // 401 just the same.
      await new Promise((r) => setTimeout(r, 700));
      c.equal('polls answered before the QUIT', early.length, 0);

      t0 = performance.now();
      const quit = await call(port, 'POST', '/api/v1/messages', {
        token: tokens[0]!,
        json: { command: 'QUIT', body: ['revocation test'] },
        agent: a,
      });
      const quitMs = performance.now() - t0;
      c.equal('QUIT status', quit.status, 200);
      const ended = await Promise.all(held);
      const maxMs = Math.max(...ended.map((e) => e.afterQuitMs));
      const not401 = ended.filter((e) => e.status !== 401 || e.error !== 'invalid_token');
      c.equal('held polls ended with 401 invalid_token', ended.length - not401.length, CLIENTS);
      for (const e of not401.slice(0, 3)) {
        c.check(
          false,
          `a held poll answered ${e.status} ${e.error ?? ''} after ${Math.round(e.afterQuitMs)} ms`,
        );
      }
      c.timing('max time to 401 ms', Math.round(maxMs), 1000);

      // nothing further reaches the revoked tokens
      await send(port, watcher.token, {
        command: 'PRIVMSG',
        to: CHANNEL,
        body: ['after the quit'],
      });
      let later = 0;
      for (const cl of clients) {
        const r = await call(port, 'GET', `/api/v1/messages?after=${cl.cursor}&timeout=0`, {
          token: cl.token,
          agent: a,
        });
        if (r.status !== 401) later++;
      }
      c.equal('revoked tokens still answered by a poll', later, 0);
      const members = await call<{ nick: string }[]>(
        port,
        'GET',
        `/api/v1/channels/${encodeURIComponent(CHANNEL.slice(1))}/members`,
        { token: watcher.token },
      );
      c.check(
        members.status === 200 && !members.body.some((m) => m.nick === 'revokee'),
        `the quitter left ${CHANNEL} (${members.status} ${members.text.slice(0, 100)})`,
      );
      ctx.log(
        `10 polls ended ${Math.round(Math.min(...ended.map((e) => e.afterQuitMs)))}–${Math.round(maxMs)} ms after the QUIT`,
      );
      return {
        figures: {
          max_time_to_401_ms: Math.round(maxMs),
          min_time_to_401_ms: Math.round(Math.min(...ended.map((e) => e.afterQuitMs))),
          quit_answer_ms: Math.round(quitMs),
          polls: CLIENTS,
          ended_401: CLIENTS - not401.length,
          statuses: ended.map((e) => e.status),
        },
        failures: c.failures,
      };
    } finally {
      a.destroy();
      await stopAndClean(server);
    }
  },
};
