// A buffer of the client: the server window, a channel or a private conversation, with its
// lines, members and unread state (the data model.ts manages).
import type { Folded } from '../model/casefold.js';
import type { Line } from './format.js';

export type BufferKind = 'server' | 'channel' | 'query';

export interface Member {
  nick: string;
  op: boolean;
  voice: boolean;
}

export interface ChatBuffer {
  key: Folded;
  name: string;
  kind: BufferKind;
  lines: Line[];
  /** messages not yet seen (the buffer was not active when they came) */
  unread: number;
  /** an unseen message mentions you, or is a private one */
  highlight: boolean;
  /** unseen events other than messages */
  activity: boolean;
  /** channels: still a member */
  joined: boolean;
  topic: string | null;
  modes: string;
  members: Map<Folded, Member>;
  /** lines scrolled up from the bottom (0 = following new lines) */
  scroll: number;
  /** seq of the oldest message shown, for loading older history */
  oldestSeq: number | null;
  /** whether the server has older history than what is shown */
  moreHistory: boolean;
}

export type ConnectionState =
  'connecting' | 'minting' | 'online' | 'reconnecting' | 'signed-out' | 'closed';

export interface RoutedLine {
  buffer: ChatBuffer;
  line: Line;
  /** part of an arrival burst (welcome, MOTD, a login's replay): plain shows it with --verbose */
  burst?: true;
}

export function newBuffer(key: Folded, name: string, kind: BufferKind): ChatBuffer {
  return {
    key,
    name,
    kind,
    lines: [],
    unread: 0,
    highlight: false,
    activity: false,
    joined: kind !== 'channel',
    topic: null,
    modes: '',
    members: new Map(),
    scroll: 0,
    oldestSeq: null,
    moreHistory: kind !== 'server',
  };
}
