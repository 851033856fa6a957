// The client's state, shared by the terminal UI and plain mode (pure: no I/O, no timers). It takes
// envelopes from the queue (already verified and sanitized by the connection), keeps the buffers
// (the server, channels, private conversations) with their lines, members, topics and unread
// counts, and routes every event to the buffers it belongs to. The UI reads it through
// subscribe/version; plain mode through the `routed` lines ingest returns.
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
  private readonly byKey = new Map<Folded, ChatBuffer>();
  private readonly listeners = new Set<() => void>();
  private readonly seen = new Set<string>();
  private readonly pendingNames: PendingNames = new Map();
  /** ids of lines said offline and stored, whose echo is still to come */
  private readonly awaitingEcho = new Set<string>();
  private readonly repliesTo: 'active' | 'server';
  private readonly maxLines: number;

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

  /** Applies one envelope from the queue; returns the lines it added, with their buffers. */
  ingest(env: Envelope, verdict: Verdict = 'unsigned'): RoutedLine[] {
    if (this.seen.has(env.id)) return [];
    this.remember(env.id);
    const out: RoutedLine[] = [];
    const add = (buf: ChatBuffer, text: string, kind: LineKind = 'system') => {
      const line = eventLine(env, kind, text, this.nick);
      this.append(buf, line);
      out.push({ buffer: buf, line });
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
        if (/^\d\d\d$/.test(env.command)) this.numeric(env, add);
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

  private replyBuffer(): ChatBuffer {
    return this.repliesTo === 'server' ? this.server : this.active;
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

  private numeric(env: Envelope, add: (b: ChatBuffer, t: string, k?: LineKind) => void): void {
    const chan = numericChannel(env);
    const chanBuf = chan ? this.find(chan) : undefined;
    applyNumeric(this, this.pendingNames, env, chanBuf);
    const text = numericText(env);
    if (text === null) return;
    const error = isErrorNumeric(env.command);
    let buf: ChatBuffer;
    if (SERVER_NUMERICS.has(env.command)) buf = this.server;
    else if (chanBuf) buf = chanBuf;
    else buf = this.replyBuffer();
    add(buf, text, error ? 'error' : 'system');
  }
}
