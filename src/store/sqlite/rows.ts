// Column lists and the mapping from raw SQLite rows to the store's row types. Folded columns are
// re-branded with asFolded: they were folded by the core before being written.
import { asFolded } from '../../model/casefold.js';
import type { ChannelRow, ClientRow, MemberRow, SessionRow } from '../store.js';

export const SESSION_COLS =
  's.id, s.nick, s.nick_folded, s.user, s.password_hash, s.away, s.modes, s.created_at, ' +
  's.last_message_at, s.last_seen, s.pubkey, s.realname, s.account';
export const CLIENT_COLS = 'id, session_id, created_at, last_seen, start_seq, device, cursor';
export const CHANNEL_COLS =
  'c.id, c.name, c.name_folded, c.topic, c.topic_set_by, c.topic_set_at, c.modes, c.key, ' +
  'c.lim, c.created_at';
/** txns.status: 200 for an answered command; anything else (0, or an HTTP status in rows written
 * before refusals stopped carrying one) for a refused one. */
export const ANSWERED = 200;
export const REFUSED = 0;

export const MEMBER_COLS = 'm.session_id, m.channel_id, m.joined_seq, m.modes AS member_modes';

export interface RawSession {
  id: number;
  nick: string;
  nick_folded: string;
  user: string;
  password_hash: string | null;
  away: string | null;
  modes: string;
  created_at: number;
  last_message_at: number;
  last_seen: number;
  pubkey: string | null;
  realname: string;
  account: string | null;
}

export interface RawClient {
  id: number;
  session_id: number;
  created_at: number;
  last_seen: number;
  start_seq: number;
  device: string | null;
  cursor: number | null;
}

export interface RawChannel {
  id: number;
  name: string;
  name_folded: string;
  topic: string | null;
  topic_set_by: string | null;
  topic_set_at: number | null;
  modes: string;
  key: string | null;
  lim: number | null;
  created_at: number;
}

export interface RawMember {
  session_id: number;
  channel_id: number;
  joined_seq: number;
  member_modes: string;
}

export function toSession(r: RawSession): SessionRow {
  return {
    id: r.id,
    nick: r.nick,
    nickFolded: asFolded(r.nick_folded),
    user: r.user,
    passwordHash: r.password_hash,
    away: r.away,
    modes: r.modes,
    createdAt: r.created_at,
    lastMessageAt: r.last_message_at,
    lastSeen: r.last_seen,
    pubkey: r.pubkey,
    realname: r.realname,
    account: r.account,
  };
}

export function toClient(r: RawClient): ClientRow {
  return {
    id: r.id,
    sessionId: r.session_id,
    createdAt: r.created_at,
    lastSeen: r.last_seen,
    startSeq: r.start_seq,
    device: r.device,
    cursor: r.cursor,
  };
}

export function toChannel(r: RawChannel): ChannelRow {
  return {
    id: r.id,
    name: r.name,
    nameFolded: asFolded(r.name_folded),
    topic: r.topic,
    topicSetBy: r.topic_set_by,
    topicSetAt: r.topic_set_at,
    modes: r.modes,
    key: r.key,
    limit: r.lim,
    createdAt: r.created_at,
  };
}

export function toMember(r: RawMember): MemberRow {
  return {
    sessionId: r.session_id,
    channelId: r.channel_id,
    joinedSeq: r.joined_seq,
    modes: r.member_modes,
  };
}

/** the envelope stored in `data` (without seq) with its seq put back */
export function toEnvelope<T>(seq: number, data: string): T {
  const env = JSON.parse(data) as Record<string, unknown>;
  env.seq = seq;
  return env as T;
}
