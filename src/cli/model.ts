// The client's state, shared by the terminal UI and plain mode (pure: no I/O, no timers). It takes
// envelopes from the queue (already verified and sanitized by the connection), keeps the buffers
// (the server, channels, private conversations) with their lines, members, topics and unread
// counts, and routes every event to the buffers it belongs to; a command's replies go to the
// buffer where it was typed (answers.ts). The UI reads it through subscribe/version; plain mode
// through the `routed` lines ingest returns.
import { fold, type Folded } from '../model/casefold.js';
import type { Envelope } from '../model/api.js';
import type { Verdict } from '../shared/tofu.js';
import {
  newBuffer,
  type BufferKind,
  type ChatBuffer,
  type ConnectionState,
  type RoutedLine,
} from './buffer.js';
import { applyChannelModes, applyFlags, applyNumeric, type PendingNames } from './channel-state.js';
import { Answers, ArrivalBurst, isNumeric, type Answer } from './answers.js';
import { bodyLines, eventLine, messageLine, type Line, type LineKind } from './format.js';
import {
  isErrorNumeric,
  numericChannel,
  numericText,
  SERVER_NUMERICS,
} from '../shared/numeric-text.js';

export type { BufferKind, ChatBuffer, ConnectionState, Member, RoutedLine } from './buffer.js';

export interface ModelOptions {
  nick: string;
  serverName: string;
  /** where replies to commands go: the active buffer (UI) or the server buffer (plain) */
  repliesTo?: 'active' | 'server';
  maxLines?: number;
}

export const SERVER_KEY = '*' as Folded;
const SEEN_MAX = 4096;

export class ChatModel {
  nick: string;
  serverName: string;
  connection: ConnectionState = 'connecting';
  /** status detail: reconnect countdown, minting progress… */
  connectionDetail = '';
  lagMs: number | null = null;
  away = false;
  userModes = '';
  readonly buffers: ChatBuffer[] = [];
  active: ChatBuffer;
  version = 0;
  /** called with the lines each event or note added (plain mode prints them) */
  onLines: ((routed: RoutedLine[]) => void) | null = null;
  /** we joined a channel (a JOIN of our own that is no replay): its backlog can be loaded */
  onJoined: ((buf: ChatBuffer, seq: number) => void) | null = null;
  private readonly byKey = new Map<Folded, ChatBuffer>();
  private readonly listeners = new Set<() => void>();
  private readonly seen = new Set<string>();
  private readonly pendingNames: PendingNames = new Map();
  /** ids of lines said offline and stored, whose echo is still to come */
  private readonly awaitingEcho = new Set<string>();
  private readonly repliesTo: 'active' | 'server';
  private readonly maxLines: number;
  private readonly answers = new Answers();
  private readonly arrival = new ArrivalBurst();

  constructor(o: ModelOptions) {
    this.nick = o.nick;
    this.serverName = o.serverName;
    this.repliesTo = o.repliesTo ?? 'active';
    this.maxLines = o.maxLines ?? 5000;
    this.active = this.addBuffer(SERVER_KEY, o.serverName, 'server');
  }

  // ---- subscription (React's useSyncExternalStore) ----

  subscribe = (fn: () => void): (() => void) => {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  };

  getVersion = (): number => this.version;

  changed(): void {
    this.version++;
    for (const fn of this.listeners) fn();
  }

  // ---- buffers ----

  get server(): ChatBuffer {
    return this.byKey.get(SERVER_KEY)!;
  }

  find(name: string): ChatBuffer | undefined {
    return this.byKey.get(name === '*' ? SERVER_KEY : fold(name));
  }

  /** The buffer for a channel or nick, created if missing. */
  open(name: string, activate = false): ChatBuffer {
    let buf = this.find(name);
    if (!buf) buf = this.addBuffer(fold(name), name, name.startsWith('#') ? 'channel' : 'query');
    if (activate) this.activate(buf);
    this.changed();
    return buf;
  }

  activate(buf: ChatBuffer): void {
    this.active = buf;
    buf.unread = 0;
    buf.highlight = false;
    buf.activity = false;
    this.changed();
  }

  /**
   * Puts the buffers in a remembered order (names, as `layout()` gave them): the server buffer
   * first, then the named ones in that order, then any others as they were.
   */
  arrange(names: readonly string[]): void {
    const rank = new Map(names.map((n, i) => [fold(n), i]));
    const at = (b: ChatBuffer) =>
      b.kind === 'server' ? -1 : (rank.get(b.key) ?? names.length + this.buffers.indexOf(b));
    this.buffers.sort((a, b) => at(a) - at(b));
    this.changed();
  }

  /** The buffer names in their order, the server buffer left out (what arrange() takes). */
  layout(): string[] {
    return this.buffers.filter((b) => b.kind !== 'server').map((b) => b.name);
  }

  /** Where replies to a command typed now belong: the active buffer (UI), the server's (plain). */
  replyBuffer(): ChatBuffer {
    return this.repliesTo === 'server' ? this.server : this.active;
  }

  /** Switch by 1-based number or name; false if there is no such buffer. */
  select(which: string): boolean {
    const n = Number(which);
    const buf =
      Number.isInteger(n) && n >= 1 ? this.buffers[n - 1] : this.find(which.replace(/^\//, ''));
    if (!buf) return false;
    this.activate(buf);
    return true;
  }

  cycle(step: 1 | -1): void {
    const i = this.buffers.indexOf(this.active);
    const next = this.buffers[(i + step + this.buffers.length) % this.buffers.length]!;
    this.activate(next);
  }

  /** Closes a query or parted channel buffer (never the server buffer). */
  close(buf: ChatBuffer): boolean {
    if (buf.kind === 'server') return false;
    const i = this.buffers.indexOf(buf);
    this.buffers.splice(i, 1);
    this.byKey.delete(buf.key);
    if (this.active === buf) this.activate(this.buffers[Math.max(0, i - 1)]!);
    this.changed();
    return true;
  }

  clear(buf: ChatBuffer): void {
    buf.lines = [];
    buf.scroll = 0;
    this.changed();
  }

  scrollBy(buf: ChatBuffer, delta: number): void {
    buf.scroll = Math.max(0, Math.min(buf.lines.length - 1, buf.scroll + delta));
    this.changed();
  }

  /** A line that did not come from the server (help, local errors, connection notes). */
  note(text: string, kind: LineKind = 'system', buf: ChatBuffer = this.active): RoutedLine {
    const line: Line = {
      id: null,
      seq: null,
      time: new Date().toISOString(),
      kind,
      nick: null,
      text,
      self: false,
      mention: false,
      mark: null,
    };
    this.append(buf, line);
    this.changed();
    const routed = { buffer: buf, line };
    this.onLines?.([routed]);
    return routed;
  }

  // ---- lines typed while offline ----

  /** Our message to `target`, shown before the server has it, with a pending mark. */
  addPending(target: string, body: string[], kind: LineKind): Line {
    const line: Line = {
      id: null,
      seq: null,
      time: new Date().toISOString(),
      kind,
      nick: this.nick,
      text: body.join(' ⏎ '),
      self: true,
      mention: false,
      mark: null,
      pending: true,
    };
    this.append(this.open(target), line);
    this.changed();
    return line;
  }

  /**
   * The server answered a pending line: stored as `id` (its mark goes; the echo from the queue
   * takes its place, or already came and the copy goes) or refused (null: the copy goes, the
   * error is noted elsewhere).
   */
  settlePending(line: Line, id: string | null): void {
    const buf = this.buffers.find((b) => b.lines.includes(line));
    if (!buf) return;
    if (id === null || this.seen.has(id)) {
      buf.lines.splice(buf.lines.indexOf(line), 1);
    } else {
      line.pending = false;
      line.id = id;
      this.awaitingEcho.add(id);
    }
    this.changed();
  }

  /** An echo of a line sent while offline replaces the local copy where it was typed. */
  private replaceSent(buf: ChatBuffer, line: Line): boolean {
    if (line.id === null || !this.awaitingEcho.delete(line.id)) return false;
    const i = buf.lines.findIndex((l) => l.pending === false && l.id === line.id);
    if (i === -1) return false;
    buf.lines[i] = line;
    return true;
  }

  // ---- channel state from /api/v1/state and /members ----

  setChannel(name: string, topic: string | null, modes: string): void {
    const buf = this.open(name);
    buf.joined = true;
    buf.topic = topic || null;
    buf.modes = modes;
    this.changed();
  }

  setMembers(name: string, members: { nick: string; prefix: string }[]): void {
    const buf = this.find(name);
    if (!buf) return;
    buf.members = new Map(
      members.map((m) => [
        fold(m.nick),
        { nick: m.nick, op: m.prefix === '@', voice: m.prefix === '+' },
      ]),
    );
    this.changed();
  }

  // ---- history ----

  /** Older messages (oldest first) placed above what the buffer shows; duplicates skipped. */
  prependHistory(
    buf: ChatBuffer,
    envelopes: { env: Envelope; verdict: Verdict }[],
    more: boolean,
  ): void {
    const lines: Line[] = [];
    for (const { env, verdict } of envelopes) {
      if (this.seen.has(env.id)) continue;
      this.remember(env.id);
      const line = messageLine(env, verdict, this.nick);
      if (line) lines.push(line);
    }
    buf.lines = [...lines, ...buf.lines].slice(-this.maxLines);
    const first = envelopes[0]?.env.seq;
    if (first !== undefined) buf.oldestSeq = Math.min(first, buf.oldestSeq ?? first);
    buf.moreHistory = more;
    if (buf.scroll > 0) buf.scroll += lines.length;
    this.changed();
  }

  // ---- events ----

  /**
   * Applies one envelope from the queue; returns the lines it added, with their buffers. A
   * numeric that comes while a command is in flight waits for the command's answer, which holds
   * the same replies (same ids): they are shown where the command was typed, once.
   */
  ingest(env: Envelope, verdict: Verdict = 'unsigned'): RoutedLine[] {
    if (this.seen.has(env.id) || this.answers.park(env, verdict)) return [];
    // the queue is in seq order: an answer waiting for an earlier event waits no longer
    const out = this.show(this.answers.due({ before: env.seq }));
    out.push(...this.apply(env, verdict, null));
    out.push(...this.show(this.answers.due({ id: env.id })));
    return out;
  }

  /** A command is being sent: numerics from the queue wait for its answer (answered()). */
  sending(): void {
    this.answers.sending();
  }

  /**
   * A command was answered (or refused): its replies (numerics, from the answer or the refusal)
   * are shown in `typed`, the buffer where it was typed; a JOIN's (topic, names) go to the
   * channel joined, after the JOIN event (`stored`) when the queue has not brought it yet.
   * Then what the queue brought meanwhile is applied (answers.ts).
   */
  answered(
    replies: readonly Envelope[],
    typed: ChatBuffer,
    command: string,
    stored: { id: string | null; seq: number | null } = { id: null, seq: null },
  ): RoutedLine[] {
    const answer = { replies, typed, join: command.toUpperCase() === 'JOIN' };
    const now = this.answers.answered(answer, stored, (id) => this.seen.has(id));
    return this.show(now ? [now] : []);
  }

  /** Shows answers' replies, then the numerics held back if nothing is in flight any more. */
  private show(answers: Answer[]): RoutedLine[] {
    const out: RoutedLine[] = [];
    for (const a of answers)
      for (const env of a.replies) out.push(...this.apply(env, 'unsigned', a));
    for (const p of this.answers.release()) out.push(...this.ingest(p.env, p.verdict));
    return out;
  }

  private apply(env: Envelope, verdict: Verdict, reply: Answer | null): RoutedLine[] {
    if (this.seen.has(env.id)) return [];
    this.remember(env.id);
    const burst =
      reply === null &&
      this.arrival.contains(env, this.nick, (chan) => this.find(chan)?.joined === true);
    const out: RoutedLine[] = [];
    const add = (buf: ChatBuffer, text: string, kind: LineKind = 'system') => {
      const line = eventLine(env, kind, text, this.nick);
      this.append(buf, line);
      out.push(burst ? { buffer: buf, line, burst } : { buffer: buf, line });
    };
    const me = fold(this.nick);
    const isMe = fold(env.from) === me;
    const text = bodyLines(env.body).join(' ');
    switch (env.command) {
      case 'PRIVMSG':
      case 'NOTICE': {
        const line = messageLine(env, verdict, this.nick);
        if (!line) break;
        const buf = this.messageBuffer(env, isMe);
        if (!this.replaceSent(buf, line)) this.append(buf, line);
        out.push({ buffer: buf, line });
        break;
      }
      case 'JOIN': {
        const buf = this.open(env.to);
        if (isMe) {
          // A JOIN of ours for a channel we already show is no news (as in the web client): a
          // login's channel-state replay, or a join that GET /state showed before the queue
          // brought its event. Its names reply (366) refreshes the member list.
          if (buf.joined) break;
          this.onJoined?.(buf, env.seq);
          buf.joined = true;
          buf.members = new Map();
        }
        buf.members.set(fold(env.from), { nick: env.from, op: false, voice: false });
        add(buf, `${env.from} has joined ${env.to}`);
        break;
      }
      case 'PART':
      case 'KICK': {
        const buf = this.open(env.to);
        const gone = env.command === 'KICK' ? (env.params[0] ?? '') : env.from;
        buf.members.delete(fold(gone));
        if (fold(gone) === me) buf.joined = false;
        const why = text ? ` (${text})` : '';
        add(
          buf,
          env.command === 'KICK'
            ? `${gone} was kicked from ${env.to} by ${env.from}${why}`
            : `${env.from} has left ${env.to}${why}`,
        );
        break;
      }
      case 'QUIT':
        for (const buf of this.buffersOf(env.from, isMe)) {
          buf.members.delete(fold(env.from));
          add(buf, `${env.from} has quit${text ? ` (${text})` : ''}`);
        }
        break;
      case 'NICK':
        this.renamed(env, isMe, add);
        break;
      case 'TOPIC': {
        const buf = this.open(env.to);
        buf.topic = text || null;
        add(
          buf,
          text
            ? `${env.from} changed the topic of ${env.to} to: ${text}`
            : `${env.from} cleared the topic of ${env.to}`,
        );
        break;
      }
      case 'MODE':
        this.modeChanged(env, isMe, add);
        break;
      case 'INVITE':
        // channel members get others' invites too (invite-notify): only our own are shown
        if (fold(env.to) === fold(this.nick)) {
          add(this.replyBuffer(), `${env.from} invites you to ${env.params[0] ?? text}`);
        }
        break;
      case 'WALLOPS':
        add(this.server, `!${env.from}! ${text}`);
        break;
      case 'PONG':
      case 'PUBKEY':
      case 'TAGMSG': // client tags only (typing, reactions from IRC clients)
      case 'AWAY': // away changes of others (IRC away-notify); WHOIS shows them
      case 'SETNAME': // real-name changes (IRC setname); WHOIS shows them
      case 'ACCOUNT': // a session became an account (IRC account-notify)
        break;
      default:
        if (isNumeric(env.command)) this.numeric(env, add, reply);
        else
          add(this.server, `${env.command} ${[env.from, env.to, ...env.params, text].join(' ')}`);
    }
    if (out.length > 0) {
      this.changed();
      this.onLines?.(out);
    }
    return out;
  }

  /** The queue skipped entries the server no longer kept. */
  gap(): RoutedLine {
    return this.note(
      'Some messages were dropped: the server no longer kept them (gap)',
      'error',
      this.server,
    );
  }

  // ---- internals ----

  private addBuffer(key: Folded, name: string, kind: BufferKind): ChatBuffer {
    const buf = newBuffer(key, name, kind);
    this.buffers.push(buf);
    this.byKey.set(key, buf);
    return buf;
  }

  private remember(id: string): void {
    this.seen.add(id);
    if (this.seen.size > SEEN_MAX) this.seen.delete(this.seen.values().next().value!);
  }

  private append(buf: ChatBuffer, line: Line): void {
    buf.lines.push(line);
    if (buf.lines.length > this.maxLines) buf.lines.splice(0, buf.lines.length - this.maxLines);
    if (buf.scroll > 0) buf.scroll++;
    if (buf === this.active) return;
    if (line.kind === 'message' || line.kind === 'action' || line.kind === 'notice') {
      buf.unread++;
      if (line.mention || (buf.kind === 'query' && !line.self)) buf.highlight = true;
    } else {
      buf.activity = true;
    }
  }

  private messageBuffer(env: Envelope, isMe: boolean): ChatBuffer {
    if (env.to.startsWith('#')) {
      // a channel message reaches members only: one that arrives means we are in
      const buf = this.open(env.to);
      buf.joined = true;
      return buf;
    }
    // a notice from the server itself (PASS confirmation…)
    if (!isMe && env.from === this.serverName && fold(env.to) === fold(this.nick))
      return this.server;
    return this.open(isMe ? env.to : env.from);
  }

  /** Channels `nick` is in, plus a conversation with it; for yourself the server if none. */
  private buffersOf(nick: string, isMe: boolean): ChatBuffer[] {
    const key = fold(nick);
    const list = this.buffers.filter(
      (b) =>
        (b.kind === 'channel' && b.joined && b.members.has(key)) ||
        (b.kind === 'query' && b.key === key),
    );
    if (list.length === 0 && isMe) list.push(this.server);
    return list;
  }

  private renamed(env: Envelope, isMe: boolean, add: (b: ChatBuffer, t: string) => void): void {
    const newNick = bodyLines(env.body)[0] ?? env.to;
    const oldKey = fold(env.from);
    const buffers = this.buffersOf(env.from, isMe);
    for (const buf of buffers) {
      const m = buf.members.get(oldKey);
      if (m) {
        buf.members.delete(oldKey);
        buf.members.set(fold(newNick), { ...m, nick: newNick });
      }
      if (buf.kind === 'query' && buf.key === oldKey && !this.byKey.has(fold(newNick))) {
        this.byKey.delete(buf.key);
        buf.key = fold(newNick);
        buf.name = newNick;
        this.byKey.set(buf.key, buf);
      }
    }
    if (isMe) this.nick = newNick;
    for (const buf of buffers) {
      add(buf, isMe ? `You are now known as ${newNick}` : `${env.from} is now known as ${newNick}`);
    }
  }

  private modeChanged(env: Envelope, isMe: boolean, add: (b: ChatBuffer, t: string) => void): void {
    if (!env.to.startsWith('#')) {
      const change = [...bodyLines(env.body), ...env.params].join(' ');
      if (isMe) this.userModes = applyFlags(this.userModes, change);
      add(this.server, `${env.from} sets mode ${change} on ${env.to}`);
      return;
    }
    const buf = this.open(env.to);
    applyChannelModes(buf, env.params);
    add(buf, `${env.from} sets mode ${env.params.join(' ')} on ${env.to}`);
  }

  /**
   * A numeric from a command's answer goes where the command was typed (a JOIN's: to its
   * channel). One from the queue alone is unasked (welcome, MOTD: the server buffer), a login's
   * replay (its channel) or a reply whose answer was lost (the channel it names, else where
   * replies go now).
   */
  private numeric(
    env: Envelope,
    add: (b: ChatBuffer, t: string, k?: LineKind) => void,
    reply: Answer | null,
  ): void {
    const chan = numericChannel(env);
    const chanBuf = chan ? this.find(chan) : undefined;
    applyNumeric(this, this.pendingNames, env, chanBuf);
    const text = numericText(env);
    if (text === null) return;
    const error = isErrorNumeric(env.command);
    let buf: ChatBuffer;
    if (reply) buf = reply.join ? (chanBuf ?? reply.typed) : reply.typed;
    else if (SERVER_NUMERICS.has(env.command)) buf = this.server;
    else if (chanBuf) buf = chanBuf;
    else buf = this.replyBuffer();
    add(buf, text, error ? 'error' : 'system');
  }
}
