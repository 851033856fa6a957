// What a command handler gets (docs/architecture.md): the caller, the transaction, the clock, and two ways to
// produce output — reply() for numerics to the calling client, emit() for events to channels and
// sessions. It also gathers which channels/sessions/clients must be woken after commit.
import type { BusNote } from '../bus/bus.js';
import type { EventAddress, SessionRow, Tx } from '../store/store.js';
import type { CoreEnv } from './environment.js';
import { makeEnvelope, type EnvelopeFields } from './envelope.js';
import type { Body, Envelope, ReplyStyle } from '../model/envelope.js';
import type { ChatError } from './errors.js';
import { ERR } from '../model/numerics.js';
import { identityOf, senderOf } from './lookup.js';

/** Rows and bytes a listing leaves free for the numerics that end it (366, 315, 323, 416). */
const REPLY_RESERVE_ROWS = 4;
const REPLY_RESERVE_BYTES = 4096;
/** `"seq":…,"queue_id":…` added to each stored envelope on the way out */
const ROW_OVERHEAD_BYTES = 40;

/** Channels, sessions and clients that got rows, and clients that were revoked. */
export class WakeSet {
  readonly channels = new Set<number>();
  readonly sessions = new Set<number>();
  readonly clients = new Set<number>();
  readonly revoked = new Set<number>();
  maxSeq = 0;

  note(address: EventAddress, seq: number): void {
    this.maxSeq = Math.max(this.maxSeq, seq);
    if (address.kind === 'channel') this.channels.add(address.channelId);
    else if (address.kind === 'client') this.clients.add(address.clientId);
    else {
      this.sessions.add(address.sessionId);
      if (address.senderSessionId !== undefined) this.sessions.add(address.senderSessionId);
    }
    if (address.kind !== 'client') for (const c of address.alsoChannels ?? []) this.channels.add(c);
  }

  isEmpty(): boolean {
    return this.channels.size + this.sessions.size + this.clients.size + this.revoked.size === 0;
  }

  toNote(): BusNote {
    const note: BusNote = { seq: this.maxSeq };
    if (this.channels.size) note.channels = [...this.channels];
    if (this.sessions.size) note.sessions = [...this.sessions];
    if (this.clients.size) note.clients = [...this.clients];
    if (this.revoked.size) note.revoked = [...this.revoked];
    return note;
  }
}

/** Output of work done inside one transaction. */
export class Output {
  readonly wake = new WakeSet();
  readonly replies: Envelope[] = [];
  /** JSON bytes of every row this request stored (events and replies): what it costs */
  bytesWritten = 0;
  /** JSON bytes of `replies` (the reply budget; its rows are `replies.length`) */
  replyBytes = 0;
  /** the first event (not reply) stored: its id and seq answer the POST */
  first: Envelope | null = null;
  /** the seqs of every event (not reply) stored, in order: what a transport echoes itself */
  readonly stored: number[] = [];
  /** set when every target of a multi-target command was refused (already queued as replies) */
  failure: ChatError | null = null;
  /** the caller's own session ended (QUIT): nothing more may be written for its client */
  ended = false;
}

export class Context {
  /** how this client wants NAMES and WHO worded (Caller.style) */
  style: ReplyStyle = {};
  constructor(
    readonly env: CoreEnv,
    readonly tx: Tx,
    /** the caller's session as it was when the command started; handlers update it on NICK */
    public session: SessionRow,
    readonly clientId: number,
    readonly out: Output = new Output(),
  ) {}

  /** NOTICE never produces replies, not even refusals (RFC 2812) */
  silent = false;

  /** the caller's network address as its transport saw it (per-address limits), if known */
  address: string | undefined = undefined;

  get server(): string {
    return this.env.settings.serverName;
  }

  now(): number {
    return this.env.now();
  }

  /** Queues a numeric (or PONG…) to the calling client only, from the server. */
  async reply(command: string, params: string[], text?: string): Promise<Envelope> {
    const fields: EnvelopeFields = {
      command,
      from: this.server,
      to: this.session.nick,
      params,
      body: text === undefined ? [] : [text],
    };
    return this.replyEnvelope(fields);
  }

  /**
   * Whether listing output (WHO, LIST, NAMES lines…) may go on: one request queues its caller at
   * most one poll page of replies (POLL_BATCH_MAX rows, PAGE_MAX_BYTES), minus room kept for the
   * end numerics. A listing that finds no room stops with tooManyMatches().
   */
  hasReplyRoom(): boolean {
    const s = this.env.settings;
    return (
      this.out.replies.length + REPLY_RESERVE_ROWS < s.pollBatchMax &&
      this.out.replyBytes + REPLY_RESERVE_BYTES < s.pageMaxBytes
    );
  }

  /** 416 ERR_TOOMANYMATCHES: the listing was cut at the reply budget (Hybrid's WHO does so). */
  async tooManyMatches(verb: string, mask: string): Promise<void> {
    const params = mask ? [verb, mask] : [verb];
    await this.reply(ERR.TOOMANYMATCHES[0], params, 'Output too long; the list was cut here');
  }

  /** Queues a refusal's numeric to the caller (unless silent). */
  async refuse(err: ChatError): Promise<void> {
    if (err.numeric && !this.silent) await this.reply(err.numeric, err.params, err.message);
  }

  /** Queues an arbitrary envelope to the calling client only (state replay, PONG). */
  async replyEnvelope(fields: EnvelopeFields): Promise<Envelope> {
    const { stored, bytes } = await this.append(fields, {
      kind: 'client',
      clientId: this.clientId,
    });
    this.out.replies.push(stored);
    this.out.replyBytes += bytes;
    return stored;
  }

  /** Stores an event for its address (channel members, a session, …). */
  async emit(fields: EnvelopeFields, address: EventAddress): Promise<Envelope> {
    const { stored } = await this.append(fields, address);
    this.out.first ??= stored;
    this.out.stored.push(stored.seq);
    return stored;
  }

  /** Stores a row; answers it with its JSON bytes as a reader receives it (plus seq, queue_id). */
  private async append(fields: EnvelopeFields, address: EventAddress) {
    const envelope = makeEnvelope(fields, this.env.newId(), this.now());
    const stored = await this.tx.appendEvent(envelope, address);
    const bytes = Buffer.byteLength(JSON.stringify(envelope), 'utf8') + ROW_OVERHEAD_BYTES;
    this.out.bytesWritten += bytes;
    this.out.wake.note(address, stored.seq);
    this.env.observer.messageStored(stored.command);
    return { stored, bytes };
  }

  /** The caller's `nick!user@host` as of now: the `source` of the events it originates. */
  source(): string {
    return identityOf(this.session, this.server);
  }

  /** The caller's `source`, and its `account` when it has one. */
  sender(): { source: string; account?: string; bot?: true } {
    return senderOf(this.session, this.server);
  }

  /**
   * Event from the caller (its nick as `from`, its identity as `source`, its account if any); a
   * JOIN also carries the caller's real name (extended-join).
   */
  fromMe(
    command: string,
    to: string,
    body: Body = [],
    extra: Partial<EnvelopeFields> = {},
  ): EnvelopeFields {
    const realname = command === 'JOIN' ? { realname: this.session.realname } : {};
    return { command, from: this.session.nick, to, body, ...this.sender(), ...realname, ...extra };
  }
}
