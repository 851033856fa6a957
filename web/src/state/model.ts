// The page's state as signals: the windows (server, channels, queries) with their lines, topic,
// nick list and unread counts, the active window, our nick and the connection state. Components
// read these; state/*.ts modules change them.
import { computed, signal, type Signal } from '@preact/signals';
import { fold } from '../../../src/model/casefold.js';
import type { ConnectionState } from '../net/protocol.js';

export type Verdict = 'verified' | 'unsigned' | 'bad' | 'invalid' | 'key-changed' | 'pending';

export type LineKind =
  | 'message'
  | 'action'
  | 'notice'
  /** JOIN, PART, QUIT, NICK, TOPIC, MODE, KICK… */
  | 'event'
  /** numerics and server notices */
  | 'server'
  | 'error'
  /** the client's own notes (help, connection) */
  | 'info';

export interface Line {
  /** unique within the window (envelope id + line index, or a local counter) */
  key: string;
  /** position: the envelope's seq, or just after the newest seq for local lines */
  order: number;
  /** the envelope id (to drop a second copy of the same message) */
  id: string | null;
  time: Date;
  kind: LineKind;
  nick: string | null;
  text: string;
  self: boolean;
  mention: boolean;
  /** signature badge of a PRIVMSG/NOTICE; null for everything else */
  verdict: Signal<Verdict> | null;
  /** the numeric a server line shows (some are laid out specially: 005) */
  numeric?: string;
}

export interface Member {
  nick: string;
  op: boolean;
  voice: boolean;
  away: boolean;
  /** the away message, when an AWAY event or WHOIS told it */
  awayMessage?: string;
  /** the real name, when a JOIN, WHO or WHOIS told it (shown on hover) */
  realname?: string;
}

export type WindowKind = 'server' | 'channel' | 'query';

export interface ChatWindow {
  /** folded name; '*' for the server window */
  key: string;
  name: Signal<string>;
  kind: WindowKind;
  lines: Signal<Line[]>;
  topic: Signal<string | null>;
  /** folded nick → member (channels only) */
  members: Signal<ReadonlyMap<string, Member>>;
  unread: Signal<number>;
  /** unread lines that mention us (or any unread line of a query) */
  mentions: Signal<number>;
  highlight: Signal<boolean>;
  /** key of the first line that arrived while the window was out of view ("new messages") */
  divider: Signal<string | null>;
  /** older history exists on the server */
  hasMore: Signal<boolean>;
  loadingHistory: Signal<boolean>;
  /** false after we parted or were kicked (the window stays until closed) */
  joined: Signal<boolean>;
  /** ids of envelopes shown here */
  seen: Set<string>;
  /** 353 names being collected until 366 */
  namesBuffer: Member[] | null;
  /** print the topic and names replies as lines (a join from this page, or /names, /topic) */
  printReplies: boolean;
}

export const SERVER_KEY = '*';

export const keyOf = (name: string): string => fold(name);

export function newWindow(name: string, kind: WindowKind): ChatWindow {
  return {
    key: kind === 'server' ? SERVER_KEY : keyOf(name),
    name: signal(name),
    kind,
    lines: signal([]),
    topic: signal(null),
    members: signal(new Map()),
    unread: signal(0),
    mentions: signal(0),
    highlight: signal(false),
    divider: signal(null),
    hasMore: signal(kind !== 'server'),
    loadingHistory: signal(false),
    joined: signal(kind !== 'channel'),
    seen: new Set(),
    namesBuffer: null,
    printReplies: false,
  };
}

export const serverWindow = newWindow('server', 'server');

export const windows = signal<ChatWindow[]>([serverWindow]);
export const activeKey = signal<string>(SERVER_KEY);
export const activeWindow = computed(
  () => windows.value.find((w) => w.key === activeKey.value) ?? serverWindow,
);

/** our nick, as the server last told us */
export const myNick = signal<string>('');
export const serverName = signal<string>('');
export const connection = signal<ConnectionState>({ state: 'idle' });
/** null on the login screen */
export const token = signal<string | null>(null);
/** whether this tab shares its poll with the browser's other tabs */
export const pollMode = signal<'shared' | 'local'>('shared');

/** highest seq seen, so local lines sort after what is already shown */
let newestSeq = 0;
export function noteSeq(seq: number): void {
  if (seq > newestSeq) newestSeq = seq;
}
/** local lines sit just after the newest message seen (ties keep their insertion order) */
export const localOrder = (): number => newestSeq + 0.5;
let localCounter = 0;
export const localKey = (): string => `local-${++localCounter}`;
