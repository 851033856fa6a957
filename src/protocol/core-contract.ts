// What the transports may ask of the core: the one facade every transport talks to.
import type {
  ChannelListItem,
  ClientView,
  HistoryView,
  MemberView,
  ServerInfo,
  SessionCreated,
  StateView,
} from '../model/api.js';
import type { Page } from './listing-pages.js';
import type { Caller, CommandInput, CommandResult, ReplyStyle } from '../model/envelope.js';

/** How a transport other than HTTP vouches for a new session (the IRC listener). */
export interface SessionOptions {
  /** the ident from IRC's USER (checked by the core like a nick's user part); default `~` + nick */
  user?: string;
  /**
   * the real name from IRC's USER; sanitized (control characters, over 64 code points), not
   * refused; default the nick
   */
  realname?: string;
  /**
   * The transport charged its own anti-abuse allowance instead (IRC: sessions per address, since
   * ordinary IRC clients cannot mint hashcash): no stamp is asked for.
   */
  hashcashWaived?: boolean;
  /** how the new client's replies (its first NAMES included) are worded */
  style?: ReplyStyle;
}

/** A login that attached a client; `resume` only when a named device that existed reattached. */
export interface Attached extends SessionCreated {
  resume?: {
    /** the device's saved cursor: it has seen every entry up to this seq */
    after: number;
    /** the seq range of the welcome burst and channel-state replay this login just queued */
    burstFirst: number;
    burstLast: number;
  };
}

/** What execute answers: the HTTP answer's fields, plus what transports need on their own side. */
export interface ExecuteResult extends CommandResult {
  /** seqs of the events this command stored (not its replies), in order; [] for a remembered txn */
  stored: number[];
}

export interface HistoryQuery {
  /** `#channel` or a nick */
  target: string;
  /** page strictly older than this seq; null = newest page */
  before: number | null;
  /** already clamped to HISTORY_PAGE_MAX by the transport */
  limit: number;
}

/** Every method throws ChatError for refusals; anything else is a bug (500). */
export interface ChatCore {
  /**
   * POST /session: a new session with one client; its queue starts with the welcome burst.
   * `hashcash` is the stamp (docs/hashcash.md), required when hashcash is on: 402 otherwise.
   */
  createSession(nick: string, hashcash?: string, options?: SessionOptions): Promise<SessionCreated>;
  /** POST /register: as createSession, with a password (400 `invalid_password` if too short) */
  register(nick: string, password: string, hashcash?: string): Promise<SessionCreated>;
  /**
   * POST /login: a new client on the session with this nick and password; its queue gets the
   * welcome burst and the channel-state replay. 401 `invalid_credentials` alike for an unknown
   * nick, a session without a password and a wrong password; 429 `too_many_failed_logins` after
   * too many failures for the nick or from `address`; 403 `too_many_clients` at MAX_CLIENTS and
   * 429 `too_many_logins` after too many successful logins to the account, both answered before
   * the password is hashed.
   */
  login(
    nick: string,
    password: string,
    address: string,
    style?: ReplyStyle,
  ): Promise<SessionCreated>;
  /**
   * As login, for a named device (IRC's `nick@device`, docs/irc.md): the device's client is
   * created on first use and kept when its connection closes, with a cursor kept by the server;
   * logging in as it again reuses that client (no new client counts against MAX_CLIENTS) and
   * answers `resume`. Device names: 1–32 of `A-Z a-z 0-9 _ - .` (400 `invalid_device`).
   */
  loginDevice(
    nick: string,
    password: string,
    address: string,
    device: string,
    style?: ReplyStyle,
  ): Promise<Attached>;
  /** token → caller, or null if no such (or a revoked) token; updates last_seen */
  authenticate(token: string): Promise<Caller | null>;
  /** POST /messages */
  execute(caller: Caller, input: CommandInput): Promise<ExecuteResult>;
  /** GET /state; with replay, the channel-state replay is queued to this client */
  state(caller: Caller, replay: boolean): Promise<StateView>;
  listClients(caller: Caller): Promise<ClientView[]>;
  /** DELETE /clients/{id}: 404 `no_such_client` unless it is one of the caller's own */
  revokeClient(caller: Caller, clientId: number): Promise<void>;
  /** POST /logout: deletes this client; ends the session if it was the last one */
  logout(caller: Caller): Promise<void>;
  /**
   * The channels the caller may see, by folded name, one page after `after` (a `next` from the
   * page before). Counts against the read budget, as do history, members and state.
   */
  listChannels(caller: Caller, after: string | null): Promise<Page<ChannelListItem>>;
  /**
   * One page of a channel's members (ops, voiced, others; each by folded nick) after `after`.
   * 404 `no_such_channel` for unknown channels and secret ones the caller is not in.
   */
  listMembers(caller: Caller, channelName: string, after: string | null): Promise<Page<MemberView>>;
  history(caller: Caller, query: HistoryQuery): Promise<HistoryView>;
  serverInfo(): Promise<ServerInfo>;
}

/** What a connection-oriented transport (IRC) asks beyond ChatCore: its clients live by socket. */
export interface ConnectedClients {
  /** the socket is alive: last_seen as authenticate writes it (at most every few seconds) */
  keepAlive(caller: Caller): Promise<void>;
  /** a device client's cursor: every entry up to `after` was written to its socket */
  saveCursor(caller: Caller, after: number): Promise<void>;
  /**
   * The socket closed. A device client stays (with its saved cursor); any other client is
   * deleted, and a session without a password left with no client ends as QUIT with `reason`
   * (`Ping timeout`, `Connection closed`, `Quit: …`). Gone already is fine.
   */
  disconnect(caller: Caller, reason: string): Promise<void>;
}

/** What the background jobs ask of the core: the server's own ends of clients and sessions. */
export interface CoreHousekeeping {
  /** deletes an idle client; ends its session (as QUIT) if it was the last one without a password */
  removeClient(caller: Caller, clientId: number, reason: string): Promise<void>;
  /** ends a session as QUIT with the given reason (idle expiry, KILL); gone already is fine */
  endSessionById(sessionId: number, reason: string): Promise<void>;
}

/** What the composition root asks of the core beyond the transports' and jobs' needs. */
export interface CoreLifecycle {
  /** resolves once no command is running (shutdown waits for this before closing the store) */
  idle(): Promise<void>;
}
