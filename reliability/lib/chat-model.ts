// The in-memory model behind D6 (reliability/README.mdd): a few sessions (one client each) and channels,
// who is in which channel and who is op there, each session's nick, and for every client the
// queue it must receive next. It states only what docs/commands.md makes exact: which events (JOIN, PART,
// KICK, PRIVMSG, NICK, QUIT) reach whom, with which fields, and which numeric refuses a command.
// Numerics queued to the caller (welcome burst, 353/366, refusals) are not modelled; the test
// filters them out of what it receives.
//
// Each command has a `…Step` that predicts its outcome from the current state (a refusal numeric,
// a no-op, or an event) and an `apply…` that records the event under the seq and id the server
// gave it. Applying happens in seq order, so concurrent commands whose acceptance does not depend
// on their order can be applied after the fact and still be exact.

/** rfc1459 casemapping (docs/commands.md), written again here so the model does not trust the server's */
export function foldName(name: string): string {
  let out = '';
  for (const ch of name) {
    if (ch >= 'A' && ch <= 'Z') out += ch.toLowerCase();
    else if (ch === '[') out += '{';
    else if (ch === ']') out += '}';
    else if (ch === '\\') out += '|';
    else if (ch === '~') out += '^';
    else out += ch;
  }
  return out;
}

/** Nick pool: pairs that fold together (case, `[]\` against `{}|`), so 433 comes up often. */
export const NICKS = [
  'ann',
  'bob',
  'cy[1]',
  'dee\\x',
  'eve',
  'Ann',
  'BOB',
  'CY{1}',
  'Dee|X',
  'fay',
  'gil',
  'hal',
] as const;

/** Channel pool: two spellings of each name, folding to the same channel. */
export const CHANNELS = [
  ['#red[1]', '#RED{1}'],
  ['#blue', '#Blue'],
  ['#x\\y', '#X|y'],
] as const;

/** One event as a client must receive it. */
export interface Entry {
  seq: number;
  id: string;
  command: string;
  from: string;
  to: string;
  params: string[];
  body: string[];
}

/** The server's answer to an accepted command that stored an event. */
export interface Stored {
  seq: number;
  id: string;
}

export interface Slot {
  live: boolean;
  nick: string;
  /** events the client must receive, in this order, at its next polls */
  pending: Entry[];
}

export interface Chan {
  /** display name: the spelling of the JOIN that created it */
  name: string;
  members: Set<number>;
  ops: Set<number>;
}

export type Refusal = '401' | '403' | '404' | '433' | '441' | '442' | '482';
export type Step = 'emit' | 'noop' | Refusal;

export class ChatModel {
  readonly slots: Slot[];
  readonly chans: (Chan | null)[];
  /** the highest seq seen: seqs only go up (reliability/README.md) */
  lastSeq = 0;
  /** numbers the texts, so every message body is unique */
  private texts = 0;

  constructor(
    readonly nSlots: number,
    readonly nChans: number,
    nicks: readonly string[],
  ) {
    this.slots = nicks.slice(0, nSlots).map((nick) => ({ live: true, nick, pending: [] }));
    this.chans = Array.from({ length: nChans }, () => null);
  }

  nextText(label: string): string {
    return `${label} #${++this.texts}`;
  }

  /** the live slot holding this nick (case-folded), or -1 */
  holder(nick: string): number {
    const f = foldName(nick);
    return this.slots.findIndex((s) => s.live && foldName(s.nick) === f);
  }

  isMember(x: number, c: number): boolean {
    return this.chans[c]?.members.has(x) ?? false;
  }

  channelsOf(x: number): number[] {
    return this.chans.flatMap((ch, c) => (ch?.members.has(x) ? [c] : []));
  }

  // ---- predictions ----

  joinStep(x: number, c: number): Step {
    return this.isMember(x, c) ? 'noop' : 'emit';
  }

  partStep(x: number, c: number): Step {
    if (!this.chans[c]) return '403';
    return this.isMember(x, c) ? 'emit' : '442';
  }

  chanMsgStep(x: number, c: number): Step {
    if (!this.chans[c]) return '403';
    // channels are +n: outsiders cannot send (404)
    return this.isMember(x, c) ? 'emit' : '404';
  }

  dmStep(targetNick: string): Step {
    return this.holder(targetNick) < 0 ? '401' : 'emit';
  }

  nickStep(x: number, nick: string): Step {
    if (nick === this.slots[x]!.nick) return 'noop';
    const h = this.holder(nick);
    return h >= 0 && h !== x ? '433' : 'emit';
  }

  /** KICK's checks in the server's order: channel, kicker on it, kicker op, target, target on it */
  kickStep(x: number, c: number, targetNick: string): Step {
    const ch = this.chans[c];
    if (!ch) return '403';
    if (!ch.members.has(x)) return '442';
    if (!ch.ops.has(x)) return '482';
    const t = this.holder(targetNick);
    if (t < 0) return '401';
    return ch.members.has(t) ? 'emit' : '441';
  }

  /** QUIT always succeeds; it stores an event only when the session is in a channel */
  quitStep(x: number): Step {
    return this.channelsOf(x).length > 0 ? 'emit' : 'noop';
  }

  loginStep(nick: string): Step {
    return this.holder(nick) >= 0 ? '433' : 'emit';
  }

  // ---- applying what the server stored ----

  private advance(ev: Stored, what: string): void {
    if (!(ev.seq > this.lastSeq)) {
      throw new Error(`seq went backwards: ${what} got seq ${ev.seq} after ${this.lastSeq}`);
    }
    this.lastSeq = ev.seq;
  }

  private deliver(to: Iterable<number>, e: Entry): void {
    for (const x of to) this.slots[x]!.pending.push(e);
  }

  private leave(x: number, c: number): void {
    const ch = this.chans[c]!;
    ch.members.delete(x);
    ch.ops.delete(x);
    // an empty channel is removed; the next JOIN creates a new one (docs/commands.md)
    if (ch.members.size === 0) this.chans[c] = null;
  }

  applyJoin(x: number, c: number, spelling: string, ev: Stored): void {
    this.advance(ev, 'JOIN');
    let ch = this.chans[c];
    if (!ch) {
      // the creator is op
      ch = { name: spelling, members: new Set(), ops: new Set([x]) };
      this.chans[c] = ch;
    }
    ch.members.add(x);
    const nick = this.slots[x]!.nick;
    this.deliver(ch.members, entry(ev, 'JOIN', nick, ch.name, [], []));
  }

  applyPart(x: number, c: number, reason: string[], ev: Stored): void {
    this.advance(ev, 'PART');
    const ch = this.chans[c]!;
    // to every member, the leaver included
    this.deliver(ch.members, entry(ev, 'PART', this.slots[x]!.nick, ch.name, [], reason));
    this.leave(x, c);
  }

  applyChanMsg(x: number, c: number, to: string, text: string, ev: Stored): void {
    this.advance(ev, 'PRIVMSG');
    const ch = this.chans[c]!;
    // the stored `to` is what the client sent; the sender gets its own message too
    this.deliver(ch.members, entry(ev, 'PRIVMSG', this.slots[x]!.nick, to, [], [text]));
  }

  applyDm(x: number, to: string, text: string, ev: Stored): void {
    this.advance(ev, 'PRIVMSG');
    const peer = this.holder(to);
    // both sessions, once each (a self-DM once)
    this.deliver(new Set([x, peer]), entry(ev, 'PRIVMSG', this.slots[x]!.nick, to, [], [text]));
  }

  applyNick(x: number, nick: string, ev: Stored): void {
    this.advance(ev, 'NICK');
    const old = this.slots[x]!.nick;
    // the session itself and every session sharing a channel with it, once each
    const to = new Set([x]);
    for (const c of this.channelsOf(x)) for (const m of this.chans[c]!.members) to.add(m);
    this.deliver(to, entry(ev, 'NICK', old, nick, [], [nick]));
    this.slots[x]!.nick = nick;
  }

  applyKick(x: number, c: number, targetNick: string, reason: string, ev: Stored): void {
    this.advance(ev, 'KICK');
    const ch = this.chans[c]!;
    const t = this.holder(targetNick);
    const kicked = this.slots[t]!.nick;
    // an empty reason is the kicker's nick; the target sees its KICK and nothing after
    const why = reason || this.slots[x]!.nick;
    this.deliver(ch.members, entry(ev, 'KICK', this.slots[x]!.nick, ch.name, [kicked], [why]));
    this.leave(t, c);
  }

  /** QUIT: one event to everyone sharing a channel; the quitter's queue is gone with its token */
  applyQuit(x: number, reason: string, ev: Stored | null): void {
    const slot = this.slots[x]!;
    const chans = this.channelsOf(x);
    if (ev) {
      this.advance(ev, 'QUIT');
      const to = new Set<number>();
      for (const c of chans) for (const m of this.chans[c]!.members) if (m !== x) to.add(m);
      const body = [reason ? `Quit: ${reason}` : 'Client Quit'];
      this.deliver(to, entry(ev, 'QUIT', slot.nick, slot.nick, [], body));
    }
    for (const c of chans) this.leave(x, c);
    slot.live = false;
    slot.pending = [];
  }

  applyLogin(x: number, nick: string): void {
    this.slots[x] = { live: true, nick, pending: [] };
  }
}

function entry(
  ev: Stored,
  command: string,
  from: string,
  to: string,
  params: string[],
  body: string[],
): Entry {
  return { seq: ev.seq, id: ev.id, command, from, to, params, body };
}
