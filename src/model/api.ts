// JSON shapes of the HTTP API (docs/api.md), shared by the server, the web client and chat-cli.
import type { Envelope } from './envelope.js';

export type { Envelope, CommandInput, CommandResult } from './envelope.js';

export interface SessionCreated {
  id: number;
  client_id: number;
  nick: string;
  token: string;
}

export interface StateChannel {
  id: number;
  name: string;
  topic: string | null;
  modes: string;
}

export interface StateView {
  id: number;
  client_id: number;
  nick: string;
  away: string | null;
  modes: string;
  channels: StateChannel[];
  dms: string[];
}

export interface ClientView {
  client_id: number;
  created_at: string;
  last_seen: string;
  current: boolean;
}

export interface ChannelListItem {
  name: string;
  topic: string | null;
  members: number;
}

export interface MemberView {
  nick: string;
  prefix: '@' | '+' | '';
  away: string | null;
  /** the signing key announced with PUBKEY (raw Ed25519, base64), null when none */
  pubkey: string | null;
}

export interface HistoryView {
  messages: Envelope[];
  has_more: boolean;
}

export interface ServerInfo {
  name: string;
  version: string;
  motd: string;
  users: number;
  hashcash_bits: number;
}

export type QueuedEnvelope = Envelope & { queue_id: number };

export interface PollResult {
  messages: QueuedEnvelope[];
  last_id: number;
  gap?: true;
}

export interface ApiError {
  error: string;
  message: string;
  numeric?: string;
  params?: string[];
  replies?: Envelope[];
}
