// Shapes shared by the core, the store and the transports (docs/envelope-and-delivery.md).

/** A message body: one string per text line, or an object for structured payloads (PUBKEY). */
export type Body = string[] | Record<string, unknown>;

/** The stored and delivered form of every message (docs/envelope-and-delivery.md). */
export interface Envelope {
  id: string;
  seq: number;
  command: string;
  from: string;
  to: string;
  params: string[];
  body: Body;
  ts: string;
  meta: Record<string, unknown>;
  /**
   * the sender's `nick!user@host` when the event happened (its old nick for NICK); absent on the
   * server's own envelopes. Stored and delivered, never signed (docs/envelope-and-delivery.md).
   */
  source?: string;
  /**
   * the sender's account name (docs/irc.md), next to `source`, only when the sending session has
   * a password; like `source`, stored and delivered, never signed
   */
  account?: string;
  /** on JOIN events only: the joining session's real name (IRC extended-join) */
  realname?: string;
  /** the sender had user mode +B (a bot) when the event happened; absent otherwise */
  bot?: true;
}

/** An envelope before the store assigned its `seq`. */
export type NewEnvelope = Omit<Envelope, 'seq'>;

/** What a client sends to POST /api/v1/messages (the transport already checked its shape). */
export interface CommandInput {
  command: string;
  to?: string;
  params?: string[];
  body?: Body;
  meta?: Record<string, unknown>;
  txn?: string;
}

/**
 * How replies are worded for a client whose transport can ask (IRC capabilities): all of a
 * member's prefixes in NAMES and WHO (`multi-prefix`), full `nick!user@host` in NAMES
 * (`userhost-in-names`). HTTP clients get the plain form.
 */
export interface ReplyStyle {
  multiPrefix?: boolean;
  userhostInNames?: boolean;
}

/** Who is acting: one client (device) of one session. */
export interface Caller {
  sessionId: number;
  clientId: number;
  /** how replies to this client are worded (default: the plain IRC form) */
  style?: ReplyStyle;
  /** the client's network address as its transport sees it (HTTP: `request.ip`, which honours
   * TRUST_PROXY), for limits per address; absent when the transport knows none */
  address?: string;
}

/** The answer to a command (docs/commands.md). */
export interface CommandResult {
  id: string | null;
  seq: number | null;
  replies: Envelope[];
}
