// D6 (CI): stateful model test of the core (reliability/README.mdd). fast-check generates sequences of
// JOIN / PART / PRIVMSG (channel and DM) / NICK / KICK / QUIT / new session / poll for 3 to 5
// one-client sessions over 2 or 3 channels, runs them against the in-process core harness (a real
// Core + Delivery over a temp SQLite file, test/helpers/core-harness.ts) and checks every step
// against a small model (reliability/lib/chat-model.ts): the refusal numeric or the stored event,
// and at each poll the exact list of events the client receives — every entitled event once, in
// seq order, nothing after leaving — plus its nick, channels and op prefixes.
//
// Two properties share the commands:
//   1. "model": `fc.asyncModelRun`, commands one after another. A Race command holds a long-poll
//      for one client while 1–4 other commands run at once (the event loop interleaves them).
//   2. "scheduled": the same run under `fc.scheduler` (driven by `s.waitFor`). The start of every
//      core call of a race, the start and completion of every store transaction and queue read,
//      every read of a session's channel list, and every bus wake-up go through the
//      scheduler, which releases them in a generated order: a POST's commit races a poll's read
//      and its wake-up in whatever order fast-check picks.
// The commands of a race are chosen so that each is accepted in any order (a sender stays in the
// channel, a DM or KICK target keeps its nick…); the model then applies them in the order of the
// seqs the server gave them, which is exact. A held poll to which an event became due must return
// before its hold time ends (else: a missed wake-up).
//
// Replay: D6_SEED=<seed> (both properties); for a shrunk counterexample, the line the test logs:
// D6_SEED=… D6_PATH=… D6_CMDS=… D6_PHASE=model|scheduled.
import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { ChatError } from '../../src/protocol/errors.js';
import type { CommandInput, CommandResult, Envelope } from '../../src/model/envelope.js';
import type { Tx } from '../../src/store/store.js';
import { makeHarness, type Harness, type TestClient } from '../../test/helpers/core-harness.js';
import {
  CHANNELS,
  ChatModel,
  NICKS,
  type Entry,
  type Step,
  type Stored,
} from '../lib/chat-model.js';
import {
  Criteria,
  type Outcome,
  type ReliabilityTest,
  type TestContext,
  type Tier,
} from '../lib/types.js';

/** how long a race's long-poll is held: far above the few ms a race takes */
const HOLD_MS = 1_500;

interface Budget {
  numRuns: number;
  /** interruptAfterTimeLimit, per property */
  limitMs: number;
  maxCommands: number;
  /** a run that takes longer is reported as failed (a hang); below limitMs so it can fire */
  runTimeoutMs: number;
  /** fewer runs than this (interrupted early) fails the test: it must never pass having tested little */
  minRuns: number;
}

const BUDGETS: Record<Tier, { model: Budget; scheduled: Budget }> = {
  ci: {
    model: { numRuns: 300, limitMs: 10_000, maxCommands: 40, runTimeoutMs: 8_000, minRuns: 20 },
    scheduled: {
      numRuns: 200,
      limitMs: 10_000,
      maxCommands: 30,
      runTimeoutMs: 8_000,
      minRuns: 20,
    },
  },
  soak: {
    model: {
      numRuns: 5_000,
      limitMs: 240_000,
      maxCommands: 100,
      runTimeoutMs: 30_000,
      minRuns: 500,
    },
    scheduled: {
      numRuns: 3_000,
      limitMs: 300_000,
      maxCommands: 60,
      runTimeoutMs: 30_000,
      minRuns: 200,
    },
  },
};

// ---------------------------------------------------------------------------------------------
// The real system and how a run is measured

interface Stats {
  commands: number;
  longest: number;
  races: number;
  raceOps: number;
  /** races in which an event was due to the poller while its poll was held */
  racesWoken: number;
  /** events compared with the model, one per (client, event) */
  deliveries: number;
  refusals: number;
}

interface Real {
  h: Harness;
  clients: (TestClient | null)[];
  /** when a race's core call may start: at once, or when the scheduler says */
  gate: (label: string) => Promise<unknown>;
  stats: Stats;
  /** commands run in this sequence */
  steps: number;
  /** ids each client has received so far (a second delivery is a duplicate, not just extra) */
  seen: Set<string>[];
}

type Answer = { ok: CommandResult } | { refused: string };

/** a command's answer; an exception that is not an IRC refusal fails the run */
async function attempt(client: TestClient, input: CommandInput): Promise<Answer> {
  try {
    return { ok: await client.send(input) };
  } catch (err) {
    if (err instanceof ChatError && err.numeric !== undefined) return { refused: err.numeric };
    throw err;
  }
}

/** checks an answer against the model's prediction; the stored event's seq and id, if any */
function expectStep(what: string, step: Step, a: Answer, stats: Stats): Stored | null {
  if ('refused' in a) {
    if (step !== a.refused) {
      throw new Error(`${what}: the model expects ${step}, the server refused with ${a.refused}`);
    }
    stats.refusals++;
    return null;
  }
  if (step === 'noop') {
    if (a.ok.seq !== null) throw new Error(`${what}: a no-op stored an event (seq ${a.ok.seq})`);
    return null;
  }
  if (step !== 'emit') {
    throw new Error(`${what}: the model expects refusal ${step}, the server accepted it`);
  }
  if (a.ok.seq === null || a.ok.id === null) {
    throw new Error(`${what}: accepted but no event stored (seq null)`);
  }
  return { seq: a.ok.seq, id: a.ok.id };
}

const isNumeric = (e: Envelope) => /^\d{3}$/.test(e.command);

function show(e: Entry): string {
  return `${e.command}@${e.seq} ${e.from}→${e.to} ${JSON.stringify([...e.params, ...e.body])}`;
}

function asEntry(e: Envelope): Entry {
  return {
    seq: e.seq,
    id: e.id,
    command: e.command,
    from: e.from,
    to: e.to,
    params: e.params,
    body: Array.isArray(e.body) ? e.body : [JSON.stringify(e.body)],
  };
}

const same = (a: Entry, b: Entry) => JSON.stringify(a) === JSON.stringify(b);

/**
 * `got` must equal `want` (or be a prefix of it, for a poll that may return part of the queue).
 * The error names what went wrong: lost, extra (e.g. after leaving), duplicated, reordered.
 */
function compareQueue(
  who: string,
  received: Envelope[],
  want: Entry[],
  prefix: boolean,
  seen: Set<string>,
): void {
  const got = received.filter((e) => !isNumeric(e)).map(asEntry);
  const problems: string[] = [];
  let last = 0;
  for (const e of received) {
    if (seen.has(e.id)) problems.push(`duplicated ${e.command}@${e.seq}`);
    seen.add(e.id);
    if (e.seq < last) problems.push(`reordered ${e.command}@${e.seq} after seq ${last}`);
    last = Math.max(last, e.seq);
  }
  const upTo = prefix ? Math.min(got.length, want.length) : Math.max(got.length, want.length);
  let firstDiff = -1;
  for (let i = 0; i < upTo; i++) {
    const g = got[i];
    const w = want[i];
    if (!g || !w || !same(g, w)) {
      firstDiff = i;
      break;
    }
  }
  if (prefix && got.length > want.length && firstDiff < 0) firstDiff = want.length;
  if (firstDiff >= 0) {
    const wantSeqs = new Set(want.map((e) => e.seq));
    const gotSeqs = new Set(got.map((e) => e.seq));
    const lost = prefix ? [] : want.filter((e) => !gotSeqs.has(e.seq)).map(show);
    const extra = got.filter((e) => !wantSeqs.has(e.seq)).map(show);
    if (lost.length) problems.push(`lost ${lost.join('; ')}`);
    if (extra.length) problems.push(`extra ${extra.join('; ')}`);
    const g = got[firstDiff];
    const w = want[firstDiff];
    problems.push(
      `first difference at #${firstDiff}: expected ${w ? show(w) : 'nothing'}, got ${g ? show(g) : 'nothing'}`,
    );
  }
  if (problems.length) throw new Error(`${who}: ${problems.join(' | ')}`);
}

/** nick, channels and member prefixes as the core reports them, against the model */
async function verifyState(m: ChatModel, r: Real, x: number): Promise<void> {
  const client = r.clients[x]!;
  const slot = m.slots[x]!;
  const st = await r.h.core.state(client.caller, false);
  if (st.nick !== slot.nick)
    throw new Error(`c${x}: the core says nick ${st.nick}, model ${slot.nick}`);
  const mine = m.channelsOf(x);
  const want = mine.map((c) => m.chans[c]!.name).sort();
  const got = st.channels.map((c) => c.name).sort();
  if (JSON.stringify(got) !== JSON.stringify(want)) {
    throw new Error(
      `c${x} (${slot.nick}): channels ${JSON.stringify(got)}, model ${JSON.stringify(want)}`,
    );
  }
  for (const c of mine) {
    const ch = m.chans[c]!;
    const members = await r.h.core.listMembers(client.caller, ch.name, null).then((p) => p.items);
    const g = members.map((mv) => mv.prefix + mv.nick).sort();
    const w = [...ch.members].map((y) => (ch.ops.has(y) ? '@' : '') + m.slots[y]!.nick).sort();
    if (JSON.stringify(g) !== JSON.stringify(w)) {
      throw new Error(`${ch.name}: members ${JSON.stringify(g)}, model ${JSON.stringify(w)}`);
    }
  }
}

/** drains a client's queue and compares it with everything the model says is due */
async function drainAndCompare(m: ChatModel, r: Real, x: number): Promise<void> {
  const slot = m.slots[x]!;
  const got = await r.clients[x]!.drain();
  compareQueue(`c${x} (${slot.nick})`, got, slot.pending, false, r.seen[x]!);
  r.stats.deliveries += slot.pending.length;
  slot.pending = [];
}

/** after the last command: every live client's queue and state match the model */
async function finalCheck(m: ChatModel, r: Real): Promise<void> {
  for (let x = 0; x < m.nSlots; x++) {
    if (!m.slots[x]!.live) continue;
    await drainAndCompare(m, r, x);
    await verifyState(m, r, x);
  }
}

// ---------------------------------------------------------------------------------------------
// Commands

type Cmd = fc.AsyncCommand<ChatModel, Real>;

abstract class OnLive implements Cmd {
  constructor(readonly x: number) {}
  check(m: ChatModel): boolean {
    return this.x < m.nSlots && m.slots[this.x]!.live && this.valid(m);
  }
  protected valid(_m: ChatModel): boolean {
    return true;
  }
  async run(m: ChatModel, r: Real): Promise<void> {
    r.stats.commands++;
    r.steps++;
    r.stats.longest = Math.max(r.stats.longest, r.steps);
    await this.act(m, r, r.clients[this.x]!);
  }
  protected abstract act(m: ChatModel, r: Real, me: TestClient): Promise<void>;
  abstract toString(): string;
}

const spell = (c: number, sp: number) => CHANNELS[c]![sp]!;

class Join extends OnLive {
  constructor(
    x: number,
    readonly c: number,
    readonly sp: number,
  ) {
    super(x);
  }
  protected override valid(m: ChatModel) {
    return this.c < m.nChans;
  }
  protected async act(m: ChatModel, r: Real, me: TestClient) {
    const to = spell(this.c, this.sp);
    const ev = expectStep(
      this.toString(),
      m.joinStep(this.x, this.c),
      await attempt(me, { command: 'JOIN', to }),
      r.stats,
    );
    if (ev) m.applyJoin(this.x, this.c, to, ev);
  }
  toString() {
    return `c${this.x} JOIN ${spell(this.c, this.sp)}`;
  }
}

class Part extends OnLive {
  constructor(
    x: number,
    readonly c: number,
    readonly sp: number,
    readonly reason: boolean,
  ) {
    super(x);
  }
  protected override valid(m: ChatModel) {
    return this.c < m.nChans;
  }
  protected async act(m: ChatModel, r: Real, me: TestClient) {
    const to = spell(this.c, this.sp);
    const reason = this.reason ? [m.nextText('bye')] : [];
    const input: CommandInput = { command: 'PART', to, ...(this.reason ? { body: reason } : {}) };
    const ev = expectStep(
      this.toString(),
      m.partStep(this.x, this.c),
      await attempt(me, input),
      r.stats,
    );
    if (ev) m.applyPart(this.x, this.c, reason, ev);
  }
  toString() {
    return `c${this.x} PART ${spell(this.c, this.sp)}${this.reason ? ' :reason' : ''}`;
  }
}

class ChanMsg extends OnLive {
  constructor(
    x: number,
    readonly c: number,
    readonly sp: number,
  ) {
    super(x);
  }
  protected override valid(m: ChatModel) {
    return this.c < m.nChans;
  }
  protected async act(m: ChatModel, r: Real, me: TestClient) {
    const to = spell(this.c, this.sp);
    const text = m.nextText('say');
    const a = await attempt(me, { command: 'PRIVMSG', to, body: [text] });
    const ev = expectStep(this.toString(), m.chanMsgStep(this.x, this.c), a, r.stats);
    if (ev) m.applyChanMsg(this.x, this.c, to, text, ev);
  }
  toString() {
    return `c${this.x} PRIVMSG ${spell(this.c, this.sp)}`;
  }
}

/** a DM to the nick slot `t` has (or last had), as is or upper-cased (same nick, folded) */
class Dm extends OnLive {
  constructor(
    x: number,
    readonly t: number,
    readonly upper: boolean,
  ) {
    super(x);
  }
  protected override valid(m: ChatModel) {
    return this.t < m.nSlots;
  }
  protected async act(m: ChatModel, r: Real, me: TestClient) {
    const nick = m.slots[this.t]!.nick;
    const to = this.upper ? nick.toUpperCase() : nick;
    const text = m.nextText('dm');
    const a = await attempt(me, { command: 'PRIVMSG', to, body: [text] });
    const ev = expectStep(`${this.toString()} (${to})`, m.dmStep(to), a, r.stats);
    if (ev) m.applyDm(this.x, to, text, ev);
  }
  toString() {
    return `c${this.x} PRIVMSG nick-of-c${this.t}${this.upper ? ' (upper-cased)' : ''}`;
  }
}

class Nick extends OnLive {
  constructor(
    x: number,
    readonly k: number,
  ) {
    super(x);
  }
  protected async act(m: ChatModel, r: Real, me: TestClient) {
    const nick = NICKS[this.k]!;
    const a = await attempt(me, { command: 'NICK', body: [nick] });
    const ev = expectStep(this.toString(), m.nickStep(this.x, nick), a, r.stats);
    if (ev) m.applyNick(this.x, nick, ev);
  }
  toString() {
    return `c${this.x} NICK ${NICKS[this.k]}`;
  }
}

class Kick extends OnLive {
  constructor(
    x: number,
    readonly c: number,
    readonly sp: number,
    readonly t: number,
    readonly reason: boolean,
  ) {
    super(x);
  }
  protected override valid(m: ChatModel) {
    return this.c < m.nChans && this.t < m.nSlots;
  }
  protected async act(m: ChatModel, r: Real, me: TestClient) {
    const to = spell(this.c, this.sp);
    const target = m.slots[this.t]!.nick;
    const reason = this.reason ? m.nextText('out') : '';
    const input: CommandInput = {
      command: 'KICK',
      to,
      params: [target],
      ...(reason ? { body: [reason] } : {}),
    };
    const step = m.kickStep(this.x, this.c, target);
    const ev = expectStep(
      `${this.toString()} (${target})`,
      step,
      await attempt(me, input),
      r.stats,
    );
    if (ev) m.applyKick(this.x, this.c, target, reason, ev);
  }
  toString() {
    return `c${this.x} KICK ${spell(this.c, this.sp)} nick-of-c${this.t}${this.reason ? ' :reason' : ''}`;
  }
}

class Quit extends OnLive {
  constructor(
    x: number,
    readonly reason: boolean,
  ) {
    super(x);
  }
  protected async act(m: ChatModel, r: Real, me: TestClient) {
    const reason = this.reason ? m.nextText('gone') : '';
    const a = await attempt(me, { command: 'QUIT', ...(reason ? { body: [reason] } : {}) });
    const ev = expectStep(this.toString(), m.quitStep(this.x), a, r.stats);
    m.applyQuit(this.x, reason, ev);
    // the token is revoked with the session
    if ((await r.h.core.authenticate(me.token)) !== null) {
      throw new Error(`${this.toString()}: the token still authenticates after QUIT`);
    }
    r.clients[this.x] = null;
  }
  toString() {
    return `c${this.x} QUIT${this.reason ? ' :reason' : ''}`;
  }
}

/** a new session in the place of one that quit */
class Login implements Cmd {
  constructor(
    readonly x: number,
    readonly k: number,
  ) {}
  check(m: ChatModel) {
    return this.x < m.nSlots && !m.slots[this.x]!.live;
  }
  async run(m: ChatModel, r: Real) {
    r.stats.commands++;
    r.steps++;
    r.stats.longest = Math.max(r.stats.longest, r.steps);
    const nick = NICKS[this.k]!;
    const step = m.loginStep(nick);
    try {
      const client = await r.h.user(nick);
      if (step !== 'emit')
        throw new Error(`${this.toString()}: the model expects ${step}, got a session`);
      m.applyLogin(this.x, nick);
      r.clients[this.x] = client;
      r.seen[this.x] = new Set();
    } catch (err) {
      if (!(err instanceof ChatError) || err.numeric === undefined) throw err;
      if (err.numeric !== step) {
        throw new Error(
          `${this.toString()}: the model expects ${step}, refused with ${err.numeric}`,
        );
      }
      r.stats.refusals++;
    }
  }
  toString() {
    return `c${this.x} new session as ${NICKS[this.k]}`;
  }
}

class Poll extends OnLive {
  protected async act(m: ChatModel, r: Real) {
    await drainAndCompare(m, r, this.x);
    await verifyState(m, r, this.x);
  }
  toString() {
    return `c${this.x} poll`;
  }
}

// ---- races ----

type RaceKind = 'msg' | 'dm' | 'part' | 'join' | 'kick' | 'nick';

/**
 * An op as generated. Its numbers pick among the candidates the model offers when the race
 * starts, mostly around the polling client (its channels, itself as DM target), so that most
 * races concern the held poll: `c` picks a channel, `a` the actor, `b` the target.
 */
interface RawOp {
  kind: RaceKind;
  a: number;
  b: number;
  c: number;
  sp: number;
  /** nick pool index (nick) */
  k: number;
  /** msg, dm: POSTed twice at once with one txn id (a retry racing the original) */
  retry: boolean;
}

/** an op resolved against the model: a, b and c are then a slot, a slot and a channel */
type RaceOp = RawOp;

const pick = <T>(list: readonly T[], n: number): T | undefined =>
  list.length ? list[n % list.length] : undefined;

/** resolves an op: the poller's channels first, then any channel; undefined if none fits */
function resolve(m: ChatModel, op: RawOp, poller: number): RaceOp | undefined {
  const live = m.slots.flatMap((s, x) => (s.live ? [x] : []));
  const existing = m.chans.flatMap((ch, c) => (ch ? [c] : []));
  const near = m.channelsOf(poller);
  const chan = pick(near.length ? near : existing, op.c);
  const members = chan === undefined ? [] : [...m.chans[chan]!.members].sort();
  switch (op.kind) {
    case 'msg':
    case 'part': {
      const a = pick(members, op.a);
      return a === undefined ? undefined : { ...op, a, c: chan! };
    }
    case 'join': {
      const c = op.c % m.nChans;
      const outside = live.filter((x) => !m.isMember(x, c));
      // the poller itself joining is the interesting case: take it when it is outside
      const a = outside.includes(poller) && op.a % 2 === 0 ? poller : pick(outside, op.a);
      return a === undefined ? undefined : { ...op, a, c };
    }
    case 'kick': {
      const ops = chan === undefined ? [] : [...m.chans[chan]!.ops].sort();
      const a = pick(ops, op.a);
      const b = pick(
        members.filter((x) => x !== a),
        op.b,
      );
      return a === undefined || b === undefined ? undefined : { ...op, a, b, c: chan! };
    }
    case 'dm': {
      const a = pick(live, op.a);
      const b = op.b % 2 === 0 ? poller : pick(live, op.b);
      return a === undefined || b === undefined ? undefined : { ...op, a, b };
    }
    case 'nick': {
      const a = pick(live, op.a);
      return a === undefined ? undefined : { ...op, a };
    }
  }
}

/**
 * The ops of a race that are accepted whatever order they run in, given the model now. An op
 * breaking that is left out: a channel sender or kicker must stay in the channel (so the channel
 * survives and they stay op), each (slot, channel) changes membership at most once, a DM or KICK
 * target keeps its nick, and there is at most one NICK, to a nick nobody else holds.
 */
function planRace(m: ChatModel, raw: readonly RawOp[], poller: number): RaceOp[] {
  const mark = new Map<string, 'stays' | 'leaves' | 'joins'>();
  const key = (x: number, c: number) => `${x}/${c}`;
  const frozen = new Set<number>();
  let renamed = -1;
  const out: RaceOp[] = [];
  for (const rawOp of raw) {
    const op = resolve(m, rawOp, poller);
    if (!op) continue;
    const { a, b, c } = op;
    const mk = mark.get(key(a, c));
    if (op.kind === 'msg') {
      if (mk !== undefined && mk !== 'stays') continue;
      mark.set(key(a, c), 'stays');
    } else if (op.kind === 'part') {
      if (mk !== undefined) continue;
      mark.set(key(a, c), 'leaves');
    } else if (op.kind === 'join') {
      if (mk !== undefined) continue;
      mark.set(key(a, c), 'joins');
    } else if (op.kind === 'dm') {
      if (b === renamed) continue;
      frozen.add(b);
    } else if (op.kind === 'kick') {
      if ((mk !== undefined && mk !== 'stays') || mark.has(key(b, c)) || b === renamed) continue;
      mark.set(key(a, c), 'stays');
      mark.set(key(b, c), 'leaves');
      frozen.add(b);
    } else {
      const nick = NICKS[op.k]!;
      const h = m.holder(nick);
      if (renamed >= 0 || frozen.has(a) || nick === m.slots[a]!.nick || (h >= 0 && h !== a)) {
        continue;
      }
      renamed = a;
    }
    out.push(op);
  }
  return out;
}

function showOp(op: RaceOp): string {
  const twice = op.retry ? ' (twice, one txn)' : '';
  switch (op.kind) {
    case 'msg':
      return `c${op.a} PRIVMSG ${spell(op.c, op.sp)}${twice}`;
    case 'dm':
      return `c${op.a} PRIVMSG nick-of-c${op.b}${twice}`;
    case 'part':
      return `c${op.a} PART ${spell(op.c, op.sp)}`;
    case 'join':
      return `c${op.a} JOIN ${spell(op.c, op.sp)}`;
    case 'kick':
      return `c${op.a} KICK ${spell(op.c, op.sp)} nick-of-c${op.b}`;
    case 'nick':
      return `c${op.a} NICK ${NICKS[op.k]}`;
  }
}

interface Launched {
  label: string;
  input: CommandInput;
  actor: number;
  /** records the op in the model, given what the server stored (called in seq order) */
  apply: (ev: Stored) => void;
  /** how many identical POSTs (a retry carries the same txn, so it must store nothing new) */
  copies: number;
}

/** builds an op's input now (the model as it is before the race) and how to apply it later */
function launch(m: ChatModel, op: RaceOp): Launched {
  const one = launchOne(m, op);
  if (op.retry && (op.kind === 'msg' || op.kind === 'dm')) {
    return { ...one, input: { ...one.input, txn: m.nextText('txn') }, copies: 2 };
  }
  return one;
}

function launchOne(m: ChatModel, op: RaceOp): Launched {
  const label = showOp(op);
  const { a, b, c } = op;
  const to = spell(c, op.sp);
  switch (op.kind) {
    case 'msg': {
      const text = m.nextText('race');
      return {
        label,
        actor: a,
        copies: 1,
        input: { command: 'PRIVMSG', to, body: [text] },
        apply: (ev) => m.applyChanMsg(a, c, to, text, ev),
      };
    }
    case 'dm': {
      const nick = m.slots[b]!.nick;
      const text = m.nextText('race-dm');
      return {
        label,
        actor: a,
        copies: 1,
        input: { command: 'PRIVMSG', to: nick, body: [text] },
        apply: (ev) => m.applyDm(a, nick, text, ev),
      };
    }
    case 'part':
      return {
        label,
        actor: a,
        copies: 1,
        input: { command: 'PART', to },
        apply: (ev) => m.applyPart(a, c, [], ev),
      };
    case 'join':
      return {
        label,
        actor: a,
        copies: 1,
        input: { command: 'JOIN', to },
        apply: (ev) => m.applyJoin(a, c, to, ev),
      };
    case 'kick': {
      const target = m.slots[b]!.nick;
      const reason = m.nextText('race-kick');
      return {
        label,
        actor: a,
        copies: 1,
        input: { command: 'KICK', to, params: [target], body: [reason] },
        apply: (ev) => m.applyKick(a, c, target, reason, ev),
      };
    }
    case 'nick': {
      const nick = NICKS[op.k]!;
      return {
        label,
        actor: a,
        copies: 1,
        input: { command: 'NICK', body: [nick] },
        apply: (ev) => m.applyNick(a, nick, ev),
      };
    }
  }
}

/**
 * Client x holds a long-poll (from an empty queue) while the ops run concurrently; the poll may
 * start before, between or after them (`pollAt`). Afterwards the model applies the ops in seq
 * order; what the poll returned must be the head of what x is due, and if anything was due the
 * poll must not have ended empty at its hold time (a missed wake-up).
 */
class Race extends OnLive {
  private shown: string | undefined;
  constructor(
    x: number,
    readonly raw: readonly RawOp[],
    readonly pollAt: number,
  ) {
    super(x);
  }
  protected override valid(m: ChatModel) {
    return planRace(m, this.raw, this.x).length > 0;
  }
  protected async act(m: ChatModel, r: Real, me: TestClient) {
    await drainAndCompare(m, r, this.x);
    const planned = planRace(m, this.raw, this.x);
    this.shown = planned.map(showOp).join(', ');
    const ops = planned.map((op) => launch(m, op));
    r.stats.races++;
    r.stats.raceOps += ops.length;
    const ac = new AbortController();
    const started = Date.now();
    const startPoll = () => {
      const p = r.gate(`c${this.x} poll`).then(async () => {
        return (await me.poll(HOLD_MS, ac.signal)).messages;
      });
      // a refused poll fails the run when awaited below, not as an unhandled rejection before
      p.catch(() => undefined);
      return p;
    };
    const at = this.pollAt % (ops.length + 1);
    const answers: Promise<Answer>[][] = ops.map(() => []);
    let poll: Promise<Envelope[]> | undefined;
    let heldAtAnswer = false;
    for (let i = 0; i <= ops.length; i++) {
      if (i === at) poll = startPoll();
      const op = ops[i];
      if (!op) continue;
      for (let k = 0; k < op.copies; k++) {
        const answer = r.gate(op.label).then(() => attempt(r.clients[op.actor]!, op.input));
        // was the poll held (registered, waiting) when an op was answered? it needed a wake-up
        answers[i]!.push(answer.finally(() => (heldAtAnswer ||= r.h.delivery.heldPolls() > 0)));
      }
    }
    const done = await Promise.all(answers.map((copies) => Promise.all(copies)));
    const stored = done.map((copies, i) => {
      const op = ops[i]!;
      const evs = copies.map((a) => expectStep(`race op ${op.label}`, 'emit', a, r.stats)!);
      // a retry with the same txn answers what the first POST stored (reliability/README.md)
      if (evs.some((ev) => ev.seq !== evs[0]!.seq || ev.id !== evs[0]!.id)) {
        const seqs = evs.map((ev) => ev.seq).join(' and ');
        throw new Error(`race op ${op.label}: the txn retry was stored again (seqs ${seqs})`);
      }
      return { ev: evs[0]!, op };
    });
    stored.sort((p, q) => p.ev.seq - q.ev.seq);
    for (const { ev, op } of stored) op.apply(ev);
    const slot = m.slots[this.x]!;
    const due = slot.pending.length;
    // nothing due: end the poll now rather than wait for its hold time
    if (due === 0) ac.abort();
    const got = (await poll) ?? [];
    const who = `c${this.x} (${slot.nick}) held poll racing ${ops.map((o) => o.label).join(', ')}`;
    compareQueue(who, got, slot.pending, true, r.seen[this.x]!);
    if (due > 0 && got.length === 0) {
      const ms = Date.now() - started;
      throw new Error(
        `${who}: missed wake-up — ${due} event(s) were due (${slot.pending.map(show).join('; ')}) ` +
          `but the poll ended empty after ${ms} ms (hold ${HOLD_MS} ms)`,
      );
    }
    const n = got.filter((e) => !isNumeric(e)).length;
    r.stats.deliveries += n;
    if (due > 0 && heldAtAnswer) r.stats.racesWoken++;
    slot.pending = slot.pending.slice(n);
  }
  toString() {
    // the ops as resolved in the last run (fast-check prints commands after running them)
    return `c${this.x} RACE[poll@${this.pollAt}; ${this.shown ?? `${this.raw.length} ops`}]`;
  }
}

// ---------------------------------------------------------------------------------------------
// Arbitraries

const slotArb = fc.nat(4);
const chanArb = fc.nat(2);
const spArb = fc.nat(1);
const nickArb = fc.nat(NICKS.length - 1);

const rawOpArb: fc.Arbitrary<RawOp> = fc.record({
  kind: fc.constantFrom<RaceKind>('msg', 'msg', 'dm', 'part', 'join', 'kick', 'nick'),
  a: slotArb,
  b: slotArb,
  c: chanArb,
  sp: spArb,
  k: nickArb,
  retry: fc.boolean(),
});

function commandArbs(): fc.Arbitrary<Cmd>[] {
  const join = fc.tuple(slotArb, chanArb, spArb).map(([x, c, sp]): Cmd => new Join(x, c, sp));
  const msg = fc.tuple(slotArb, chanArb, spArb).map(([x, c, sp]): Cmd => new ChanMsg(x, c, sp));
  const part = fc
    .tuple(slotArb, chanArb, spArb, fc.boolean())
    .map(([x, c, sp, why]): Cmd => new Part(x, c, sp, why));
  const dm = fc.tuple(slotArb, slotArb, fc.boolean()).map(([x, t, up]): Cmd => new Dm(x, t, up));
  const nick = fc.tuple(slotArb, nickArb).map(([x, k]): Cmd => new Nick(x, k));
  const kick = fc
    .tuple(slotArb, chanArb, spArb, slotArb, fc.boolean())
    .map(([x, c, sp, t, why]): Cmd => new Kick(x, c, sp, t, why));
  const quit = fc.tuple(slotArb, fc.boolean()).map(([x, why]): Cmd => new Quit(x, why));
  const login = fc.tuple(slotArb, nickArb).map(([x, k]): Cmd => new Login(x, k));
  const poll = slotArb.map((x): Cmd => new Poll(x));
  const race = fc
    .tuple(slotArb, fc.array(rawOpArb, { minLength: 1, maxLength: 4 }), fc.nat(4))
    .map(([x, ops, at]): Cmd => new Race(x, ops, at));
  // repeated entries weigh the mix: mostly joins, messages and polls, some churn
  const arbs = [join, join, join, msg, msg, msg, msg, dm, dm, part, part, nick, kick, kick];
  arbs.push(quit, login, login, poll, poll, poll, race, race, race);
  return arbs;
}

/** the sessions, the channels, and the channels they are in before the commands start */
const worldArb = fc.record({
  clients: fc.integer({ min: 3, max: 5 }),
  channels: fc.integer({ min: 2, max: 3 }),
  joins: fc.array(fc.tuple(slotArb, chanArb, spArb), { maxLength: 8 }),
});
type World = { clients: number; channels: number; joins: [number, number, number][] };

async function setupWorld(w: World, gate: Real['gate'], stats: Stats) {
  // real timers for held polls: a race that misses a wake-up must end by itself at HOLD_MS
  const h = await makeHarness({}, { realTimeDelivery: true });
  openHarnesses.add(h);
  const model = new ChatModel(w.clients, w.channels, NICKS);
  const clients: (TestClient | null)[] = [];
  for (const slot of model.slots) clients.push(await h.user(slot.nick));
  const seen = clients.map(() => new Set<string>());
  const real: Real = { h, clients, gate, stats, steps: 0, seen };
  // populated channels from the start, so that short sequences already fan out and race
  for (const [x, c, sp] of w.joins) {
    const join = new Join(x, c, sp);
    if (join.check(model)) await join.run(model, real);
  }
  real.steps = 0;
  return { model, real };
}

/**
 * Routes the core's own async steps through the scheduler: the start and the completion of each
 * store transaction (so commits of different sessions interleave in generated orders and a
 * commit's answer can lag behind its visibility), of each queue read (a poll's snapshot can be
 * taken early and answered late; a held poll takes the channels it waits on from that same read),
 * every read of a session's channel list, and every bus wake-up (delivered late, or before the
 * poll that needs it has registered).
 */
function scheduleHarness(h: Harness, s: fc.Scheduler): void {
  const store = h.store;
  const transaction = store.transaction.bind(store);
  store.transaction = async <T>(fn: (tx: Tx) => Promise<T>): Promise<T> => {
    await s.schedule(Promise.resolve(), 'tx start');
    const value = await transaction(fn);
    await s.schedule(Promise.resolve(), 'tx committed');
    return value;
  };
  const readQueue = store.readQueue.bind(store);
  store.readQueue = async (opts) => {
    await s.schedule(Promise.resolve(), 'queue read start');
    const value = await readQueue(opts);
    await s.schedule(Promise.resolve(), 'queue read done');
    return value;
  };
  const listSessionChannels = store.listSessionChannels.bind(store);
  store.listSessionChannels = async (id) => {
    const value = await listSessionChannels(id);
    await s.schedule(Promise.resolve(), 'channel list read');
    return value;
  };
  const bus = h.env.bus;
  const publish = bus.publish.bind(bus);
  bus.publish = async (note) => {
    void s.schedule(Promise.resolve(), 'bus wake-up').then(() => publish(note));
  };
}

// ---------------------------------------------------------------------------------------------
// The two properties

interface PhaseResult {
  /** temp folders of hung runs removed at the end (0 unless a run hung) */
  leftovers: number;
  runs: number;
  interrupted: boolean;
  failed: boolean;
  seed: number;
  path: string | null;
  shrinks: number;
  counterexample: string | null;
  error: string | null;
}

function newStats(): Stats {
  return {
    commands: 0,
    longest: 0,
    races: 0,
    raceOps: 0,
    racesWoken: 0,
    deliveries: 0,
    refusals: 0,
  };
}

/** a timer that does not keep the process alive: it only bounds waits that normally end first */
const bound = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

/** harnesses not yet closed: a run that hung and was abandoned must not leave its folder */
const openHarnesses = new Set<Harness>();

/** closes a harness, bounded: a run abandoned mid-way (time limit) must not hang the test */
async function closeBounded(h: Harness): Promise<void> {
  await Promise.race([h.close(), bound(5_000)]);
  openHarnesses.delete(h);
}

/** the temp folder of whatever harness a hung run left open (the file may still be open) */
function removeLeftovers(): number {
  let n = 0;
  for (const h of openHarnesses) {
    h.delivery.shutdown();
    const file = (h.store as { path?: unknown }).path;
    if (typeof file === 'string' && path.basename(path.dirname(file)).startsWith('chat-core-')) {
      fs.rmSync(path.dirname(file), { recursive: true, force: true });
      n++;
    }
  }
  openHarnesses.clear();
  return n;
}

async function runPhase(
  phase: 'model' | 'scheduled',
  budget: Budget,
  seed: number,
  replayPath: string | undefined,
  stats: Stats,
  deadline: number,
): Promise<PhaseResult> {
  const inflight = new Set<Promise<void>>();
  // fc.commands replays a shrunk sequence from its own replayPath, besides the run's path
  const replayCmds = process.env.D6_CMDS;
  const cmds = fc.commands(commandArbs(), {
    maxCommands: budget.maxCommands,
    size: 'max',
    ...(replayCmds ? { replayPath: replayCmds } : {}),
  });
  const track = (p: Promise<void>) => {
    inflight.add(p);
    void p.finally(() => inflight.delete(p)).catch(() => undefined);
    return p;
  };
  const limitMs = Math.max(1_000, Math.min(budget.limitMs, deadline - Date.now() - 10_000));
  // the parameters do not depend on the property's value type
  const params = <T>(): fc.Parameters<T> => ({
    seed,
    numRuns: budget.numRuns,
    plugins: [fc.interruptAfterTimeLimit(limitMs), fc.timeout(budget.runTimeoutMs)],
    ...(replayPath ? { path: replayPath } : {}),
  });
  let result: PhaseResult;
  if (phase === 'model') {
    const prop = fc.asyncProperty(worldArb, cmds, (w, commands) =>
      track(
        (async () => {
          const { model, real } = await setupWorld(w, () => Promise.resolve(), stats);
          try {
            await fc.asyncModelRun(() => ({ model, real }), commands);
            await finalCheck(model, real);
          } finally {
            await closeBounded(real.h);
          }
        })(),
      ),
    );
    result = summarize(await fc.check(prop, params()));
  } else {
    const prop = fc.asyncProperty(fc.scheduler(), worldArb, cmds, (s, w, commands) =>
      track(
        (async () => {
          const gate = (label: string) => s.schedule(Promise.resolve(), label);
          const { model, real } = await setupWorld(w, gate, stats);
          scheduleHarness(real.h, s);
          try {
            // The scheduler releases the scheduled steps while the run waits on them.
            // (fc.scheduledModelRun cannot be used: it runs each command as one scheduled task
            // and releases nothing else until it ends, so a command that awaits a scheduled
            // core step would deadlock.)
            const run = async () => {
              await fc.asyncModelRun(() => ({ model, real }), commands);
              await finalCheck(model, real);
            };
            await s.waitFor(run());
          } finally {
            // let whatever a failed step left scheduled finish before the store closes
            await Promise.race([s.waitIdle(), bound(2_000)]);
            await closeBounded(real.h);
          }
        })(),
      ),
    );
    result = summarize(await fc.check(prop, params()));
  }
  await Promise.race([Promise.allSettled([...inflight]), bound(10_000)]);
  result.leftovers = removeLeftovers();
  return result;
}

function summarize<T>(details: fc.RunDetails<T>): PhaseResult {
  const error = details.errorInstance;
  return {
    leftovers: 0,
    runs: details.numRuns,
    interrupted: details.interrupted,
    failed: details.failed,
    seed: details.seed,
    path: details.counterexamplePath,
    shrinks: details.numShrinks,
    counterexample: details.counterexample ? fc.stringify(details.counterexample) : null,
    error: error instanceof Error ? error.message : error == null ? null : JSON.stringify(error),
  };
}

export const d6: ReliabilityTest = {
  id: 'D6',
  title: 'Stateful model test of the core (fc.commands, asyncModelRun, fc.scheduler)',
  tiers: ['ci', 'soak'],
  budgetSeconds: { ci: 60, soak: 900 },
  async run(ctx) {
    // The harness puts its SQLite file under os.tmpdir(). This test checks logic, not disk
    // durability, and on a disk the fsyncs of each new database halve the sequences per second,
    // so the files go to tmpfs when there is one (restored afterwards; tests run one at a time).
    const tmpdir = process.env.TMPDIR;
    const shm = shmDir();
    if (shm) process.env.TMPDIR = shm;
    try {
      const outcome = await runD6(ctx);
      if (!shm) (outcome.notes ??= []).push('no writable /dev/shm: temp databases on disk');
      return outcome;
    } finally {
      if (tmpdir === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = tmpdir;
    }
  },
};

function shmDir(): string | null {
  try {
    fs.accessSync('/dev/shm', fs.constants.W_OK);
    return '/dev/shm';
  } catch {
    return null;
  }
}

/** at most this much of a counterexample goes to the log and the summary */
const SHOW_MAX = 6_000;
const clip = (text: string | null) =>
  text === null || text.length <= SHOW_MAX
    ? text
    : `${text.slice(0, SHOW_MAX)}… (${text.length} chars)`;

async function runD6(ctx: TestContext): Promise<Outcome> {
  const c = new Criteria();
  const notes: string[] = [];
  const envSeed = process.env.D6_SEED;
  const seed =
    envSeed !== undefined ? Number(envSeed) : (Date.now() ^ (Math.random() * 2 ** 31)) | 0;
  if (!Number.isSafeInteger(seed)) throw new Error(`D6_SEED must be an integer, not ${envSeed}`);
  const replayPath = process.env.D6_PATH;
  const onlyPhase = process.env.D6_PHASE;
  ctx.log(`seed ${seed}${replayPath ? ` path ${replayPath}` : ''}`);
  const budgets = BUDGETS[ctx.tier];
  const results: Partial<Record<'model' | 'scheduled', PhaseResult>> = {};
  const statsOf: Record<'model' | 'scheduled', Stats> = {
    model: newStats(),
    scheduled: newStats(),
  };
  for (const phase of ['model', 'scheduled'] as const) {
    if (onlyPhase && onlyPhase !== phase) continue;
    const started = Date.now();
    const r = await runPhase(phase, budgets[phase], seed, replayPath, statsOf[phase], ctx.deadline);
    results[phase] = r;
    const st = statsOf[phase];
    ctx.log(
      `${phase}: ${r.runs} sequences in ${((Date.now() - started) / 1000).toFixed(1)} s` +
        `${r.interrupted ? ' (time limit)' : ''}, ${st.commands} commands, ${st.races} races, ` +
        `${st.deliveries} deliveries checked${r.failed ? ' — FAILED' : ''}`,
    );
    if (r.failed) {
      ctx.log(`${phase} error: ${r.error ?? '?'}`);
      ctx.log(`${phase} counterexample (${r.shrinks} shrinks): ${clip(r.counterexample) ?? '?'}`);
      const cmdsPath = /replayPath="([^"]*)"/.exec(r.counterexample ?? '')?.[1] ?? '';
      ctx.log(
        `replay: D6_SEED=${r.seed} D6_PATH=${r.path ?? '?'} D6_CMDS='${cmdsPath}' D6_PHASE=${phase}`,
      );
      c.check(false, `${phase} run matches the model on every step (${r.error ?? '?'})`);
    }
    if (!replayPath) {
      const min = budgets[phase].minRuns;
      c.check(r.failed || r.runs >= min, `${phase}: at least ${min} sequences run (got ${r.runs})`);
    }
    if (r.interrupted) notes.push(`${phase}: stopped by the time limit after ${r.runs} sequences`);
    if (r.leftovers) {
      notes.push(`${phase}: ${r.leftovers} hung run(s) left a harness open; folders removed`);
    }
  }
  const all = [statsOf.model, statsOf.scheduled];
  const failed = (['model', 'scheduled'] as const).filter((p) => results[p]?.failed);
  return {
    figures: {
      seed,
      sequences_run: (results.model?.runs ?? 0) + (results.scheduled?.runs ?? 0),
      longest_sequence: Math.max(...all.map((s) => s.longest)),
      failing_seed: failed.length ? seed : 'none',
      sequences_model: results.model?.runs ?? 0,
      sequences_scheduled: results.scheduled?.runs ?? 0,
      commands: all.reduce((n, s) => n + s.commands, 0),
      races: all.reduce((n, s) => n + s.races, 0),
      race_ops: all.reduce((n, s) => n + s.raceOps, 0),
      races_woken: all.reduce((n, s) => n + s.racesWoken, 0),
      deliveries_checked: all.reduce((n, s) => n + s.deliveries, 0),
      refusals_checked: all.reduce((n, s) => n + s.refusals, 0),
      failures: Object.fromEntries(
        failed.map((p) => [
          p,
          {
            error: results[p]!.error,
            counterexample: clip(results[p]!.counterexample),
            path: results[p]!.path,
            shrinks: results[p]!.shrinks,
          },
        ]),
      ),
    },
    failures: c.failures,
    notes,
  };
}
