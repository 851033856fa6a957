// The storage contract (docs/DEVELOPING.md, docs/api.md). The store is the source of truth; everything is async
// so that a PostgreSQL implementation fits the same contract. Methods are verb-first.
//
// Delivery storage (docs/envelope-and-delivery.md, docs/envelope-and-delivery.md): a message is one row in a log with a global, never reused
// sequence (`seq`). A row exists for exactly one reason, its address:
//   - a channel (channel traffic), optionally also listed under more channels (NICK, QUIT),
//   - a session (DMs to it, its own NICK), with the sender's session so the sender's other
//     devices see their DMs too,
//   - a client (numeric replies, MOTD, state replay).
// A client's queue is derived: its session's channel events within membership intervals
// (joined_seq <= seq <= parted_seq), its session's rows, rows it sent to other sessions, and its
// own rows, merged by seq. Nothing is written per recipient of a channel message.
import type { Folded } from '../model/casefold.js';
import type { Envelope, NewEnvelope } from '../model/envelope.js';

export interface SessionRow {
  id: number;
  nick: string;
  nickFolded: Folded;
  /** IRC user part: `~` + first 9 characters of the nick the session was created with */
  user: string;
  passwordHash: string | null;
  away: string | null;
  /** user modes without the '+', e.g. "i" or "iw" */
  modes: string;
  /** ms since epoch */
  createdAt: number;
  /** ms since epoch of the last PRIVMSG/NOTICE it sent (WHOIS idle); createdAt at first */
  lastMessageAt: number;
  /** ms since epoch of the last request by any of its clients (ACCOUNT_IDLE_TIMEOUT) */
  lastSeen: number;
  /** the raw Ed25519 public key (base64) announced with PUBKEY, null before any (docs/signing.md) */
  pubkey: string | null;
  /** the real name (IRC USER, SETNAME; WHOIS 311, WHO 352): the nick unless one was given */
  realname: string;
  /**
   * the account name: the nick the session had when it got its password (register, or PASS on a
   * session without one), kept across NICK; null without a password (docs/irc.md)
   */
  account: string | null;
}

export interface ClientRow {
  id: number;
  sessionId: number;
  createdAt: number;
  lastSeen: number;
  /** the global seq when the client was created: its queue starts after it */
  startSeq: number;
  /**
   * the name of a device client (IRC's `nick@device`), unique within its session: such a client
   * outlives its connections and is found again by name; null for any other client
   */
  device: string | null;
  /**
   * a device client's cursor, kept by the server: it has seen every entry up to this seq (at
   * first its startSeq); null for any other client (it keeps its own cursor)
   */
  cursor: number | null;
}

export interface NewClient {
  sessionId: number;
  tokenHash: string;
  createdAt: number;
  /** a device client's name (its cursor starts at its startSeq) */
  device?: string;
}

export interface ChannelRow {
  id: number;
  name: string;
  nameFolded: Folded;
  topic: string | null;
  topicSetBy: string | null;
  /** ms since epoch */
  topicSetAt: number | null;
  /** channel modes without '+', letters only, e.g. "nt" */
  modes: string;
  key: string | null;
  limit: number | null;
  createdAt: number;
}

/** An open membership of a session in a channel. */
export interface MemberRow {
  sessionId: number;
  channelId: number;
  joinedSeq: number;
  /** member prefix modes, a subset of "ov" */
  modes: string;
}

export interface MemberWithSession extends MemberRow {
  session: SessionRow;
}

export interface ChannelWithMembership extends MemberRow {
  channel: ChannelRow;
}

/** A `+b` mask of a channel (docs/commands.md). */
export interface BanRow {
  channelId: number;
  /** `nick!user@host` with `*`/`?`, as the op wrote it (after normalisation by the core) */
  mask: string;
  /** the mask case-folded (rfc1459): one ban per folded mask */
  maskFolded: Folded;
  /** who set it: `nick!user@host` or the nick */
  setBy: string;
  /** ms since epoch */
  setAt: number;
}

export interface ChannelWithCount extends ChannelRow {
  memberCount: number;
}

/**
 * Why a log row exists: exactly one address. `alsoChannels` lists further channels whose members
 * are entitled to the same row (NICK and QUIT are shown once to everyone sharing any channel with
 * the session); a reader in several of them still gets the row once, since it is one seq.
 */
export type EventAddress =
  | { kind: 'channel'; channelId: number; alsoChannels?: number[] }
  | {
      kind: 'session';
      sessionId: number;
      /** for DMs: the sender's other clients see the row too (unless sender = recipient) */
      senderSessionId?: number;
      /** for DMs: `${min session id}:${max session id}`, the history key */
      dmPair?: string;
      alsoChannels?: number[];
    }
  | { kind: 'client'; clientId: number };

export interface QueueRead {
  /** entries in seq order; the queue id of each is its seq */
  entries: Envelope[];
  /**
   * the UTF-8 size of each entry's JSON (as JSON.stringify gives it), when the store knows it
   * from the stored text: byte budgets need not serialise every entry again
   */
  sizes?: number[];
  /** with `stored: true`: the entries as stored, in seq order (then `entries` is empty) */
  stored?: StoredEntry[];
  /** true when entries this client was owed may have been dropped before these */
  gap: boolean;
  /** the highest seq ever assigned, as of this read's snapshot */
  latestSeq: number;
  /**
   * the channels the session is a member of, as of this read's snapshot: what a held poll waits
   * on, read in the same snapshot so no separate query (nor a window between two) is needed
   */
  channels: number[];
}

export interface QueueReadOptions {
  clientId: number;
  sessionId: number;
  /** read entries with seq > after; null = from the oldest entry still kept */
  after: number | null;
  limit: number;
  /** QUEUE_MAX_ENTRIES: when more than this many entries follow `after`, skip to the newest ones */
  maxEntries: number;
  /**
   * answer the entries as stored (QueueRead.stored), not parsed: a transport that writes JSON
   * splices the text into its answer instead of parsing and serialising every entry again
   */
  stored?: boolean;
}

/** an entry as stored: the envelope's JSON text without its seq (the row's key) */
export interface StoredEntry {
  seq: number;
  data: string;
}

export type HistoryTarget = { kind: 'channel'; channelId: number } | { kind: 'dm'; dmPair: string };

export interface HistoryPage {
  /** oldest first */
  messages: Envelope[];
  hasMore: boolean;
}

/** What a command with a txn answered, so that a retry answers the same. */
export interface StoredTxn {
  /** the command was refused: `response` holds the refusal's fields */
  refused: boolean;
  response: unknown;
}

export interface Counts {
  sessions: number;
  invisible: number;
  clients: number;
  channels: number;
  opers: number;
}

export interface PruneResult {
  queueRowsDeleted: number;
  historyRowsDeleted: number;
  channelsPurged: number;
  txnsDeleted: number;
}

/** Reads. On the top-level store they see committed data only; inside a transaction, its own. */
export interface ReadOps {
  getSession(id: number): Promise<SessionRow | null>;
  getSessionByNick(nick: Folded): Promise<SessionRow | null>;
  /** every live session (WHO with a mask) */
  listSessions(): Promise<SessionRow[]>;
  getClient(id: number): Promise<ClientRow | null>;
  getClientByTokenHash(tokenHash: string): Promise<ClientRow | null>;
  /** the session's device client of that name */
  getClientByDevice(sessionId: number, device: string): Promise<ClientRow | null>;
  listClients(sessionId: number): Promise<ClientRow[]>;
  getChannel(id: number): Promise<ChannelRow | null>;
  /** a live (not removed) channel by folded name */
  getChannelByName(name: Folded): Promise<ChannelRow | null>;
  /** all live channels with their member counts, by name */
  listChannels(): Promise<ChannelWithCount[]>;
  getMembership(sessionId: number, channelId: number): Promise<MemberRow | null>;
  listMembers(channelId: number): Promise<MemberWithSession[]>;
  countMembers(channelId: number): Promise<number>;
  /** the session's open memberships, by channel name */
  listSessionChannels(sessionId: number): Promise<ChannelWithMembership[]>;
  /** the channel's bans, oldest first */
  listBans(channelId: number): Promise<BanRow[]>;
  /** true when the session holds an unused INVITE to the channel */
  hasInvite(channelId: number, sessionId: number): Promise<boolean>;
  /** ids of other sessions sharing at least one channel with this one */
  listChannelPeers(sessionId: number): Promise<number[]>;
  /** nicks of live sessions this session has DM history with */
  /** of the `limit` pairs with the most recent DMs, sorted by nick */
  listDmPeers(sessionId: number, limit: number): Promise<string[]>;
  /** the highest seq ever assigned (0 when none) */
  latestSeq(): Promise<number>;
  readQueue(opts: QueueReadOptions): Promise<QueueRead>;
  /** stored events of a target with seq < before (null = newest), of the given commands */
  readHistory(
    target: HistoryTarget,
    before: number | null,
    limit: number,
    commands: readonly string[],
  ): Promise<HistoryPage>;
  getTxn(clientId: number, txn: string): Promise<StoredTxn | null>;
  counts(): Promise<Counts>;
  /**
   * clients whose lastSeen is older than `lastSeenBefore`, device clients older than
   * `deviceLastSeenBefore` (they wait for their connection to come back)
   */
  listIdleClients(lastSeenBefore: number, deviceLastSeenBefore: number): Promise<ClientRow[]>;
  /** sessions with no clients: without a password (any), with one only when idle since `before` */
  listOrphanSessions(accountIdleBefore: number): Promise<SessionRow[]>;
  /** true when a write can be committed (health check) */
  canWrite(): Promise<boolean>;
}

export interface NewSession {
  nick: string;
  nickFolded: Folded;
  user: string;
  passwordHash: string | null;
  modes: string;
  createdAt: number;
  /** default: the nick */
  realname?: string;
  /** default: null (no account) */
  account?: string | null;
}

export interface NewChannel {
  name: string;
  nameFolded: Folded;
  modes: string;
  createdAt: number;
}

export type SessionPatch = Partial<
  Pick<
    SessionRow,
    | 'nick'
    | 'nickFolded'
    | 'away'
    | 'modes'
    | 'passwordHash'
    | 'lastMessageAt'
    | 'pubkey'
    | 'realname'
    | 'account'
  >
>;
export type ChannelPatch = Partial<
  Pick<ChannelRow, 'topic' | 'topicSetBy' | 'topicSetAt' | 'modes' | 'key' | 'limit'>
>;

/** Writes; only available inside `transaction()`. */
export interface WriteOps {
  /** throws StoreConflict('nick') when the folded nick is taken */
  createSession(s: NewSession): Promise<SessionRow>;
  /** throws StoreConflict('nick') when a new folded nick is taken */
  updateSession(id: number, patch: SessionPatch): Promise<void>;
  /**
   * deletes the session, its clients, txns and invites, and closes any open memberships at
   * `endSeq`
   */
  deleteSession(id: number, endSeq: number): Promise<void>;
  /** throws StoreConflict('device') when the session has a device client of that name */
  createClient(c: NewClient): Promise<ClientRow>;
  deleteClient(id: number): Promise<void>;
  /** replaces the client's token (a device logging in again): the old one stops working */
  setClientToken(id: number, tokenHash: string): Promise<void>;
  /**
   * moves a device client's cursor forward to `after`; no-op for other clients and when the
   * saved cursor is already at or beyond it (a cursor never moves back)
   */
  advanceClientCursor(id: number, after: number): Promise<void>;
  /** sets the client's lastSeen and its session's lastSeen */
  touchClient(id: number, lastSeen: number): Promise<void>;
  /** throws StoreConflict('channel') when a live channel has that folded name */
  createChannel(c: NewChannel): Promise<ChannelRow>;
  updateChannel(id: number, patch: ChannelPatch): Promise<void>;
  /**
   * marks the channel removed: its name is free again; its rows are purged later by prune().
   * Its bans and invites go at once (a channel re-created under the name starts clean).
   */
  removeChannel(id: number, at: number): Promise<void>;
  /** adds a ban; false (and nothing changed) when the folded mask is already banned */
  addBan(ban: BanRow): Promise<boolean>;
  /** removes a ban by folded mask; false when there was none */
  removeBan(channelId: number, maskFolded: Folded): Promise<boolean>;
  /** records an INVITE (again is fine); it lets the session pass +i once */
  addInvite(channelId: number, sessionId: number, at: number): Promise<void>;
  /** uses up or withdraws an invite (no-op when none) */
  deleteInvite(channelId: number, sessionId: number): Promise<void>;
  addMember(m: MemberRow): Promise<void>;
  setMemberModes(sessionId: number, channelId: number, modes: string): Promise<void>;
  /** closes the open interval: the session stays entitled up to and including partedSeq */
  closeMembership(sessionId: number, channelId: number, partedSeq: number): Promise<void>;
  /** appends one row to the log; returns the envelope with its seq */
  appendEvent(e: NewEnvelope, address: EventAddress): Promise<Envelope>;
  /** throws StoreConflict('txn') if already saved */
  saveTxn(clientId: number, txn: string, value: StoredTxn, createdAt: number): Promise<void>;
  /**
   * Records a hashcash stamp as spent (docs/hashcash.md: each stamp is accepted once, across restarts and
   * instances); throws StoreConflict('stamp') if it was spent before. Kept until `expiresAt`.
   */
  spendStamp(stamp: string, expiresAt: number): Promise<void>;
  /**
   * Records a message signature as accepted (docs/signing.md: each signature is accepted once, across
   * restarts and instances), by `digest` (SHA-256 of the signature, hex); throws
   * StoreConflict('signature') if it was recorded before. Kept until `expiresAt`, past the time
   * the signature could pass the freshness check anyway.
   */
  spendSignature(digest: string, expiresAt: number): Promise<void>;
}

export interface Tx extends ReadOps, WriteOps {}

export interface PruneOptions {
  now: number;
  /** session- and client-addressed rows older than this are deleted (QUEUE_MAX_AGE) */
  queueMaxAgeMs: number;
  /** PRIVMSG/NOTICE kept per channel and per DM pair (MAX_HISTORY) */
  maxHistory: number;
  /** transaction ids are remembered this long (24 h) */
  txnMaxAgeMs: number;
}

export interface Store extends ReadOps {
  readonly kind: 'sqlite' | 'postgres';
  /** runs fn in one write transaction; commits if it resolves, rolls back if it throws */
  transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T>;
  /** retention (docs/sessions.md): idempotent, safe to run from several instances at once */
  prune(opts: PruneOptions): Promise<PruneResult>;
  close(): Promise<void>;
}
