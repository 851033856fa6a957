// D4 (CI): identifier folding (docs/commands.md, CASEMAPPING=rfc1459). In process: `fold` twice equals
// `fold` once, it changes only A-Z and []\~ and keeps the length, and validity (isValidNick,
// isValidChannel) survives it. Against a real chatd: generated nicks and their case/rfc1459
// variants (`[]\` ↔ `{}|`, any letter's case) — two nicks equal after folding are never both
// held: the second POST /session and a NICK to it answer 409 (433), whichever spelling came
// first; once the holder logs out the other spelling can be taken. A channel joined under one
// spelling and then another (`~` ↔ `^` included) is one channel with both members.
// Nicks are ASCII-only (docs/commands.md), so no confusable skeletons are needed.
import fc from 'fast-check';
import { fold } from '../../src/model/casefold.js';
import { isValidChannel, isValidNick } from '../../src/protocol/name-syntax.js';
import { call, createSession, send, type Created } from '../lib/http.js';
import {
  budgetFor,
  checkAsync,
  checkSync,
  propertyFailures,
  seedFor,
  type PropertyRun,
} from '../lib/props.js';
import { startServer, stopAndClean } from '../lib/server.js';
import { Criteria, type ReliabilityTest } from '../lib/types.js';

const FIRST = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ[]\\`_^{|}';
const REST = FIRST + '0123456789-';
/** the characters folding touches, made likely */
const FOLDABLE = '[]\\{|}^ABCXYZabcxyz';

const nickChar = (alphabet: string) =>
  fc.oneof(
    { weight: 2, arbitrary: fc.constantFrom(...alphabet) },
    { weight: 1, arbitrary: fc.constantFrom(...FOLDABLE) },
  );

/** A valid nick (1–12 characters here, well within NICKLEN 32). */
const nick = fc
  .tuple(nickChar(FIRST), fc.array(nickChar(REST), { maxLength: 11 }))
  .map(([f, r]) => f + r.join(''));

const SWAP: Record<string, string> = {
  '[': '{',
  '{': '[',
  ']': '}',
  '}': ']',
  '\\': '|',
  '|': '\\',
};

/** Another spelling of `s` that folds the same: letter case flipped, rfc1459 pairs swapped. */
function variant(s: string, flips: readonly boolean[], tilde: boolean): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!;
    const flip = flips[i % Math.max(1, flips.length)] ?? false;
    if (!flip) out += ch;
    else if (/[a-z]/.test(ch)) out += ch.toUpperCase();
    else if (/[A-Z]/.test(ch)) out += ch.toLowerCase();
    else if (SWAP[ch]) out += SWAP[ch];
    // `~` folds onto `^`; valid in channel names only (not in nicks)
    else if (tilde && ch === '^') out += '~';
    else out += ch;
  }
  return out;
}

const anyText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: fc.constantFrom(...'[]\\~{}|^AZaz09#-'), maxLength: 40 }),
);

interface Answer {
  status: number;
  body: { error?: string; numeric?: string };
}

export const d4: ReliabilityTest = {
  id: 'D4',
  title: 'Identifier folding (rfc1459): idempotent, validity kept, one holder per folded nick',
  tiers: ['ci', 'soak'],
  budgetSeconds: { ci: 90, soak: 900 },
  async run(ctx) {
    const c = new Criteria();
    const seed = seedFor();
    const pure = budgetFor(ctx.tier, 1_000, 100_000, 60_000);
    // each server run makes about six requests
    const live = budgetFor(ctx.tier, 100, 2_000, 400_000);
    const runs: PropertyRun[] = [];

    runs.push(
      checkSync(
        'fold(fold(x)) = fold(x); only A-Z []\\~ change; length kept',
        anyText,
        (x) => {
          const once = fold(x);
          if (fold(once) !== once) throw new Error('not idempotent');
          if (once.length !== x.length) throw new Error('length changed');
          for (let i = 0; i < x.length; i++) {
            if (x[i] !== once[i] && !/[A-Z[\]\\~]/.test(x[i]!)) {
              throw new Error(`changed ${JSON.stringify(x[i])}`);
            }
          }
        },
        pure,
        seed,
      ),
    );
    runs.push(
      checkSync(
        'isValidNick survives folding; a variant folds the same',
        fc.tuple(fc.oneof(nick, anyText), fc.array(fc.boolean(), { minLength: 1, maxLength: 12 })),
        ([n, flips]) => {
          if (isValidNick(n) && !isValidNick(fold(n))) throw new Error('fold made it invalid');
          const v = variant(n, flips, false);
          if (fold(v) !== fold(n)) throw new Error(`variant ${v} folds differently`);
          if (isValidNick(n) !== isValidNick(v))
            throw new Error(`variant ${v} differs in validity`);
        },
        pure,
        seed,
      ),
    );
    runs.push(
      checkSync(
        'isValidChannel survives folding',
        fc.oneof(
          nick.map((n) => `#${n}`),
          anyText.map((t) => `#${t}`),
          anyText,
        ),
        (ch) => {
          if (isValidChannel(ch) && !isValidChannel(fold(ch)))
            throw new Error('fold made it invalid');
        },
        pure,
        seed,
      ),
    );

    const server = await startServer();
    const port = server.port;
    let collisions = 0;
    let released = 0;
    let sharedChannels = 0;
    try {
      const probe = await createSession(port, 'probe-0');
      /** folded nick → the session holding it (the model) */
      const held = new Map<string, Created>([[fold(probe.nick), probe]]);
      const create = (n: string) =>
        call<Answer['body'] & Created>(port, 'POST', '/api/v1/session', { json: { nick: n } });
      const expectInUse = (r: Answer, what: string) => {
        if (r.status !== 409 || r.body.error !== 'nickname_in_use' || r.body.numeric !== '433') {
          throw new Error(`${what}: ${r.status} ${JSON.stringify(r.body).slice(0, 200)}`);
        }
      };

      const liveRun = await checkAsync(
        'a real chatd: two nicks equal after folding are never both held',
        fc.record({
          base: nick,
          flips: fc.array(fc.boolean(), { minLength: 1, maxLength: 12 }),
          release: fc.boolean(),
        }),
        async ({ base, flips, release }) => {
          const other = variant(base, flips, false);
          const key = fold(base);
          // 1. the base spelling: 201 if its folded form is free, else 409
          const first = await create(base);
          let holder = held.get(key);
          if (holder) {
            expectInUse(first, `POST /session ${base} while ${holder.nick} holds it`);
          } else {
            if (first.status !== 201) throw new Error(`POST /session ${base}: ${first.status}`);
            holder = first.body;
            held.set(key, holder);
          }
          // 2. the other spelling, as a new session and as a NICK change: 409 (433)
          expectInUse(await create(other), `POST /session ${other} while ${holder.nick} holds it`);
          collisions++;
          if (holder !== probe) {
            const r = await call<Answer['body']>(port, 'POST', '/api/v1/messages', {
              token: probe.token,
              json: { command: 'NICK', body: [other] },
            });
            expectInUse(r, `NICK ${other} while ${holder.nick} holds it`);
            collisions++;
            // 3. one channel under two spellings (`~` for `^` too)
            const chan = `#${holder.nick}`;
            const twin = `#${variant(holder.nick, flips, true)}`;
            await send(port, holder.token, { command: 'JOIN', to: chan });
            await send(port, probe.token, { command: 'JOIN', to: twin });
            const m = await call<{ nick: string }[]>(
              port,
              'GET',
              `/api/v1/channels/${encodeURIComponent(twin.slice(1))}/members`,
              { token: probe.token },
            );
            const nicks = m.status === 200 ? m.body.map((x) => x.nick) : [];
            if (!nicks.includes(holder.nick) || !nicks.includes(probe.nick)) {
              throw new Error(`${chan} and ${twin} are not one channel: ${m.status} ${m.text}`);
            }
            await send(port, probe.token, { command: 'PART', to: twin });
            sharedChannels++;
          }
          // 4. released, the other spelling can be taken
          if (release && holder !== probe) {
            const out = await call(port, 'POST', '/api/v1/logout', { token: holder.token });
            if (out.status !== 200) throw new Error(`logout ${holder.nick}: ${out.status}`);
            held.delete(key);
            const again = await create(other);
            if (again.status !== 201) {
              throw new Error(`POST /session ${other} after ${holder.nick} left: ${again.status}`);
            }
            held.set(key, again.body);
            released++;
          }
        },
        live,
        seed,
      );
      runs.push(liveRun);
      c.check(!server.exited(), 'chatd still running');
    } finally {
      await stopAndClean(server);
    }

    for (const r of runs) for (const f of propertyFailures(r, ctx.tier === 'ci')) c.check(false, f);
    return {
      figures: {
        runs: runs.reduce((n, r) => n + r.runs, 0),
        seed,
        server_runs: runs[runs.length - 1]?.runs ?? 0,
        collisions_refused: collisions,
        released_then_taken: released,
        channels_joined_under_two_spellings: sharedChannels,
        per_property: runs.map((r) => ({
          name: r.name,
          runs: r.runs,
          failed: r.failed,
          slowest_ms: r.maxMs,
          counterexample: r.counterexample,
        })),
      },
      failures: c.failures,
      notes: [`replay with RELIABILITY_SEED=${seed}`],
    };
  },
};
