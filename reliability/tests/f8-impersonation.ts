// F8 (CI): impersonation and replay. On one chatd (SERVER_NAME chat, NETWORK_NAME ExampleNet):
// (1) nicks that fold to the server or network name or a reserved word, asked for with POST
//     /api/v1/session and with NICK: all 432 (HTTP 400), the asking session keeps its nick;
// (2) channel names holding an invisible, bidi-control or default-ignorable code point: JOIN
//     answers 479 (HTTP 400) and no such channel exists afterwards;
// (3) signed messages replayed by a later holder of a nick, by a keyless session, with a borrowed
//     PUBKEY, with a stale `ts`, twice, or under another signer: each refused with its 400 code
//     and never delivered to a bystander (the genuine originals go through, so the setup holds);
// (4) clients: the envelopes a hostile server could deliver instead (a signed message passed on
//     under another nick, or delivered long after it was signed; a borrowed or replayed PUBKEY)
//     are run through the clients' shared TofuStore with Node's verifier (chat-cli) and with the
//     web client's verification module: never `verified` (nor `key-changed`), and no such PUBKEY
//     is remembered. Figure: refusals by case, and the clients' verdicts by case.
import type { Envelope } from '../../src/model/envelope.js';
import { generateSigningKey, signAs, verifyDelivered } from '../../src/shared/signing.js';
import { keyClaim, provenKey, TofuStore, type Verdict } from '../../src/shared/tofu.js';
import { verifyDelivered as webVerifyDelivered } from '../../web/src/crypto/verify.js';
import { call, createSession, type Created } from '../lib/http.js';
import { startServer, stopAndClean } from '../lib/server.js';
import { Criteria, type ReliabilityTest } from '../lib/types.js';

const NETWORK = 'ExampleNet';
const RESERVED_NICKS = ['chat', 'CHAT', 'Chat', NETWORK, 'examplenet', 'NickServ', 'nickserv'];
const MORE_RESERVED = ['ChanServ', 'Services', 'IRC', 'chatd', 'Global', 'OperServ'];
/** code points a channel name may not hold (invisible, bidi controls, default-ignorable) */
const HIDDEN = ['\u00AD', '\u061C', '\u034F', '\u3164', '\u2800', '\u200B', '\u202E', '\u2066'];
const MIN = 60_000;

type Key = ReturnType<typeof generateSigningKey>;
type Body = Record<string, unknown>;

/** Tallies the refusals of each case; an attempt that got anything else is a failure. */
class Tally {
  readonly refused: Record<string, number> = {};
  readonly attempts: Record<string, number> = {};
  constructor(private readonly c: Criteria) {}

  async expect(
    kase: string,
    what: string,
    answer: Promise<{ status: number; body: Body }>,
    want: string,
  ): Promise<void> {
    const got = await answer;
    this.attempts[kase] = (this.attempts[kase] ?? 0) + 1;
    const code = String(got.body.numeric ?? got.body.error);
    const ok = got.status === 400 && code === want;
    if (ok) this.refused[kase] = (this.refused[kase] ?? 0) + 1;
    this.c.check(ok, `${kase}: ${what} → 400 ${want} (got ${got.status} ${code})`);
  }
}

class Session {
  constructor(
    readonly port: number,
    readonly created: Created,
    private cursor: number | null = null,
  ) {}

  static async create(port: number, nick: string): Promise<Session> {
    return new Session(port, await createSession(port, nick));
  }

  async send(json: object): Promise<{ status: number; body: Body }> {
    return call<Body>(this.port, 'POST', '/api/v1/messages', { token: this.created.token, json });
  }

  /** everything queued since the last drain */
  async drain(): Promise<Envelope[]> {
    const out: Envelope[] = [];
    for (;;) {
      const after = this.cursor === null ? '' : `after=${this.cursor}&`;
      const r = await call<{ messages: Envelope[]; last_id: number }>(
        this.port,
        'GET',
        `/api/v1/messages?${after}timeout=0`,
        { token: this.created.token },
      );
      if (r.status !== 200) throw new Error(`poll: ${r.status}`);
      this.cursor = r.body.last_id;
      out.push(...r.body.messages);
      if (r.body.messages.length === 0) return out;
    }
  }
}

const pubkey = (key: Key, nick: string, ts = Date.now()) =>
  signAs(
    { command: 'PUBKEY', body: { alg: 'ed25519', key: key.publicKey } },
    key.privateKey,
    nick,
    ts,
  );
const privmsg = (key: Key, nick: string, text: string, ts = Date.now()) =>
  signAs({ command: 'PRIVMSG', to: '#f8', body: [text] }, key.privateKey, nick, ts);
const asRequest = (e: Envelope) => ({
  command: e.command,
  to: e.to,
  params: e.params,
  body: e.body,
  meta: e.meta,
});

async function nickCases(port: number, t: Tally, c: Criteria): Promise<void> {
  for (const nick of [...RESERVED_NICKS, ...MORE_RESERVED]) {
    const r = call<Body>(port, 'POST', '/api/v1/session', { json: { nick } });
    await t.expect('reserved nick (session)', nick, r, '432');
  }
  const holder = await Session.create(port, 'plainnick');
  for (const nick of [...RESERVED_NICKS, ...MORE_RESERVED]) {
    await t.expect(
      'reserved nick (NICK)',
      nick,
      holder.send({ command: 'NICK', body: [nick] }),
      '432',
    );
  }
  const state = await call<{ nick: string }>(port, 'GET', '/api/v1/state', {
    token: holder.created.token,
  });
  c.equal('nick after refused NICKs', state.body.nick, 'plainnick');
  await holder.send({ command: 'QUIT' });
}

async function channelCases(port: number, t: Tally, c: Criteria): Promise<void> {
  const joiner = await Session.create(port, 'joiner');
  await joiner.send({ command: 'JOIN', to: '#ab' });
  const names = HIDDEN.flatMap((ch) => [`#a${ch}b`, `#${ch}`, `#ab${ch}`]);
  for (const name of names) {
    const r = joiner.send({ command: 'JOIN', to: name });
    await t.expect('hidden code point (JOIN)', JSON.stringify(name), r, '479');
  }
  const list = await call<{ name: string }[]>(port, 'GET', '/api/v1/channels', {
    token: joiner.created.token,
  });
  c.equal('channels after the refused JOINs', list.body.map((x) => x.name).join(','), '#ab');
  await joiner.send({ command: 'QUIT' });
}

interface Captured {
  /** alice's genuine signed message and PUBKEY, as bob received them */
  message: Envelope;
  proof: Envelope;
  aliceKey: Key;
}

/** The signed-message cases (3); answers genuine envelopes for the client cases (4). */
async function signingCases(port: number, t: Tally, c: Criteria): Promise<Captured> {
  const alice = await Session.create(port, 'alice');
  const bob = await Session.create(port, 'bob');
  const aliceKey = generateSigningKey();
  await alice.send({ command: 'JOIN', to: '#f8' });
  await bob.send({ command: 'JOIN', to: '#f8' });
  await bob.drain();
  c.equal('alice announces her key', (await alice.send(pubkey(aliceKey, 'alice'))).status, 200);
  c.equal('alice signs', (await alice.send(privmsg(aliceKey, 'alice', 'pay bob 10'))).status, 200);
  const got = await bob.drain();
  const proof = got.find((e) => e.command === 'PUBKEY')!;
  const message = got.find((e) => e.command === 'PRIVMSG')!;
  c.check(proof !== undefined && message !== undefined, 'bob received alice’s PUBKEY and message');
  const captured = { message, proof, aliceKey };
  /** relayed messages bob got since the last look: each one a refused attempt that got through */
  const leaks = async () =>
    (await bob.drain()).filter((e) => e.command === 'PRIVMSG' || e.command === 'PUBKEY').length;
  let leaked = await laterHolder(port, t, c, leaks);
  await othersReplay(await Session.create(port, 'mallory'), captured, t);
  await aliceReplays(alice, captured, t);
  leaked += await leaks();
  c.equal('replayed or borrowed messages delivered to bob', leaked, 0);
  return captured;
}

/** mallory (no key) passes alice's message on and borrows her key. */
async function othersReplay(mallory: Session, got: Captured, t: Tally): Promise<void> {
  const { message, proof } = got;
  await mallory.send({ command: 'JOIN', to: '#f8' });
  await t.expect(
    'keyless session',
    'replays alice’s message',
    mallory.send(asRequest(message)),
    'no_key',
  );
  const borrowed = { command: 'PUBKEY', body: proof.body };
  await t.expect('borrowed PUBKEY', 'unsigned', mallory.send(borrowed), 'bad_signature');
  const vouched = signAs(borrowed, generateSigningKey().privateKey, 'mallory');
  await t.expect(
    'borrowed PUBKEY',
    'signed with her own key',
    mallory.send(vouched),
    'bad_signature',
  );
  await t.expect(
    'borrowed PUBKEY',
    'alice’s proof replayed',
    mallory.send(asRequest(proof)),
    'bad_signer',
  );
  const again = mallory.send(asRequest(message));
  await t.expect('keyless session', 'replays after the borrowing', again, 'no_key');
}

/** alice herself: a stale ts, her own requests again, another signer. */
async function aliceReplays(alice: Session, got: Captured, t: Tally): Promise<void> {
  const { message, proof, aliceKey } = got;
  for (const off of [-6 * MIN, 6 * MIN]) {
    const stale = privmsg(aliceKey, 'alice', 'x', Date.now() + off);
    await t.expect('stale ts', `ts ${off / 1000} s off`, alice.send(stale), 'stale_signature');
  }
  await t.expect(
    'replayed',
    'alice’s message again',
    alice.send(asRequest(message)),
    'replayed_signature',
  );
  await t.expect(
    'replayed',
    'alice’s PUBKEY again',
    alice.send(asRequest(proof)),
    'replayed_signature',
  );
  const asBob = privmsg(aliceKey, 'bob', 'y');
  await t.expect('wrong signer', 'alice signs as bob', alice.send(asBob), 'bad_signer');
}

/**
 * carol signs, QUITs; a new session takes "carol" and tries to pass her message on. Answers how
 * many of the refused attempts reached the bystander (`leaks` counts since its last call).
 */
async function laterHolder(
  port: number,
  t: Tally,
  c: Criteria,
  leaks: () => Promise<number>,
): Promise<number> {
  const first = await Session.create(port, 'carol');
  const key = generateSigningKey();
  await first.send({ command: 'JOIN', to: '#f8' });
  await first.send(pubkey(key, 'carol'));
  await first.send(privmsg(key, 'carol', 'I resign'));
  const seen = await first.drain();
  const proof = seen.find((e) => e.command === 'PUBKEY')!;
  const message = seen.find((e) => e.command === 'PRIVMSG')!;
  await first.send({ command: 'QUIT' });
  await leaks(); // carol's genuine PUBKEY and message
  const later = await Session.create(port, 'carol');
  await later.send({ command: 'JOIN', to: '#f8' });
  const kase = 'later holder of the nick';
  await t.expect(kase, 'keyless replay', later.send(asRequest(message)), 'no_key');
  await t.expect(
    kase,
    'borrowed key',
    later.send({ command: 'PUBKEY', body: proof.body }),
    'bad_signature',
  );
  await t.expect(kase, 'her PUBKEY replayed', later.send(asRequest(proof)), 'replayed_signature');
  let leaked = await leaks();
  c.equal(
    'the later holder announces its own key',
    (await later.send(pubkey(generateSigningKey(), 'carol'))).status,
    200,
  );
  await leaks(); // its own announcement
  await t.expect(kase, 'replay under its own key', later.send(asRequest(message)), 'bad_signature');
  leaked += await leaks();
  await later.send({ command: 'QUIT' });
  return leaked;
}

/** (4): hostile deliveries through both clients' checks. */
async function clientCases(got: Captured, c: Criteria): Promise<Record<string, string>> {
  const { message, proof, aliceKey } = got;
  const later = (e: Envelope, ms: number) => ({
    ...e,
    ts: new Date(Date.parse(e.ts) + ms).toISOString(),
  });
  const mallory = generateSigningKey();
  const hostile: Record<string, Envelope> = {
    'passed on as mallory': { ...message, from: 'mallory' },
    'delivered 6 min late': later(message, 6 * MIN),
    'delivered 1 day late': later(message, 1440 * MIN),
    'dated 6 min early': later(message, -6 * MIN),
    'signer removed': { ...message, meta: { ...message.meta, signer: undefined } },
  };
  const hostileKeys: Record<string, Envelope> = {
    'alice’s PUBKEY as mallory': { ...proof, from: 'mallory' },
    'alice’s PUBKEY 6 min late': later(proof, 6 * MIN),
    'alice’s key, mallory’s proof': {
      ...proof,
      from: 'mallory',
      meta: signAs(
        { command: 'PUBKEY', body: proof.body },
        mallory.privateKey,
        'mallory',
        Date.parse(proof.ts),
      ).meta,
    },
    'alice’s key, unsigned': { ...proof, from: 'mallory', meta: {} },
  };
  const verdicts: Record<string, string> = {};
  for (const [kase, env] of Object.entries(hostileKeys)) {
    const node = provenKey(env, verifyDelivered);
    const claim = keyClaim(env);
    const web = claim !== null && (await webVerifyDelivered(env, claim.key));
    verdicts[kase] =
      `chat-cli ${node === null ? 'ignored' : 'REMEMBERED'}, web ${web ? 'REMEMBERED' : 'ignored'}`;
    c.check(node === null && !web, `${kase}: no client remembers the key (${verdicts[kase]})`);
  }
  for (const [kase, env] of Object.entries(hostile)) {
    // both clients know alice's and mallory's keys: the worst case for a passed-on signature
    const tofu = new TofuStore();
    tofu.remember('alice', aliceKey.publicKey);
    tofu.remember('mallory', aliceKey.publicKey);
    const cli: Verdict = tofu.classify(env.from, env, verifyDelivered);
    const webOk = await webVerifyDelivered(env, aliceKey.publicKey);
    const web: Verdict = tofu.classify(env.from, env, () => webOk);
    verdicts[kase] = `chat-cli ${cli}, web ${web}`;
    c.check(
      cli === 'invalid' && web === 'invalid',
      `${kase}: both clients say invalid (${verdicts[kase]})`,
    );
  }
  const genuine = new TofuStore();
  genuine.remember('alice', aliceKey.publicKey);
  c.equal(
    'the genuine message (control)',
    genuine.classify('alice', message, verifyDelivered),
    'verified',
  );
  return verdicts;
}

export const f8: ReliabilityTest = {
  id: 'F8',
  title: 'Impersonation and replay: reserved nicks, hidden code points, replayed signatures',
  tiers: ['ci', 'soak'],
  budgetSeconds: { ci: 60, soak: 60 },
  async run(ctx) {
    const server = await startServer({ env: { SERVER_NAME: 'chat', NETWORK_NAME: NETWORK } });
    const c = new Criteria();
    const t = new Tally(c);
    try {
      await nickCases(server.port, t, c);
      await channelCases(server.port, t, c);
      const captured = await signingCases(server.port, t, c);
      const verdicts = await clientCases(captured, c);
      ctx.log(`refusals: ${JSON.stringify(t.refused)}`);
      return {
        figures: {
          refusals_by_case: t.refused,
          attempts_by_case: t.attempts,
          client_verdicts: verdicts,
        },
        failures: c.failures,
      };
    } finally {
      await stopAndClean(server);
    }
  },
};
