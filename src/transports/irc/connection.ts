// One IRC connection: bytes in through LineReader and the codec, registration, then every command
// through the core's execute (the same command table as HTTP) and the client's queue out through
// the renderer and SendQueue. The connection is a client (device) of a session; when the socket
// closes the core decides what that means (docs/irc.md "When the connection closes").
import type { Socket } from 'node:net';
import type { QueuedEnvelope } from '../../model/api.js';
import type { Caller, ReplyStyle } from '../../model/envelope.js';
import { fold } from '../../model/casefold.js';
import { ChatError } from '../../protocol/errors.js';
import { handleCap, isEnabled, type CapServer, type CapState } from './capabilities.js';
import type { Login } from './credentials.js';
import { errorLine, IRC_ERR, numeric, pong } from './irc-replies.js';
import type { DisconnectReason, IrcDeps } from './irc-settings.js';
import {
  parseLine,
  serializeLine,
  type IrcMessage,
  type OutgoingMessage,
  type ParseFailureReason,
} from './line-codec.js';
import { LineReader } from './line-reader.js';
import { readQueue, stretchesFor } from './queue-reader.js';
import { Registration, type Registered } from './registration.js';
import { refusalReply, renderEnvelope, type RenderContext } from './render.js';
import { SendQueue } from './send-queue.js';
import { toCommandInput } from './translate.js';
import { FloodGate } from './flood-gate.js';
import { LABEL_MAX_BYTES, LabeledResponses, tagged } from './labeled-responses.js';

/** Commands a registered connection answers itself instead of passing them to the core. */
const LOCAL = new Set(['CAP', 'PING', 'PONG', 'QUIT', 'PASS', 'USER', 'AUTHENTICATE']);
/** Events the sender's own connection does not see again unless it asked for echo-message. */
const ECHOED = new Set(['PRIVMSG', 'NOTICE', 'TAGMSG']);
/** how often a connected client's last_seen is written */
const KEEPALIVE_EVERY_MS = 5 * 60_000;
/** how much of an unknown command a 421 repeats (code points) */
const ECHOED_COMMAND_MAX = 32;
/**
 * Commands whose stored events reach the caller's own clients (a channel it is in, or its own
 * session), so they are part of a labelled answer. INVITE, WALLOPS, KILL… store events for others.
 */
const RETURNING = new Set(['JOIN', 'PART', 'NICK', 'TOPIC', 'MODE', 'KICK', 'AWAY', 'INVITE']);
/** own stored seqs remembered for echo suppression (a command stores at most a few) */
const OWN_SEQS_MAX = 1024;

export interface ConnectionContext {
  deps: IrcDeps;
  server: CapServer;
  /** the per-address allowance for new sessions; throws ChatError when it is spent */
  chargeNewSession(address: string): void;
  onClosed(conn: IrcConnection): void;
}

export class IrcConnection {
  private readonly reader = new LineReader();
  private readonly sendq: SendQueue;
  private readonly registration: Registration;
  private readonly flood: FloodGate;
  private readonly address: string;
  private caps: CapState;
  private caller: Caller | null = null;
  private nick: string | null = null;
  private device = false;
  private closed = false;
  /** lines parsed but not yet handled, in order */
  private readonly pending: IrcMessage[] = [];
  private working = false;
  private inFlight: Promise<unknown> = Promise.resolve();
  private readonly ownSeqs = new Set<number>();
  private readonly labels: LabeledResponses;
  private readonly abort = new AbortController();
  private lastHeard: number;
  private pingSentAt: number | null = null;
  private timer: NodeJS.Timeout | null = null;
  private registrationTimer: NodeJS.Timeout | null = null;
  private cursorToSave: number | null = null;
  private keptAliveAt = 0;
  private drained: (() => void) | null = null;

  constructor(
    private readonly socket: Socket,
    private readonly ctx: ConnectionContext,
  ) {
    const { settings, metrics } = ctx.deps;
    this.address = socket.remoteAddress ?? 'unknown';
    this.lastHeard = Date.now();
    this.sendq = new SendQueue(socket, {
      sendqBytes: settings.sendqBytes,
      onOverflow: () => this.close('sendq_exceeded', 'SendQ exceeded', 'SendQ exceeded'),
      onFlushed: () => this.wakeWriter(),
    });
    this.flood = new FloodGate(settings.floodBurst, settings.floodRate);
    this.labels = new LabeledResponses(ctx.server.name);
    this.caps = { version: 0, suspended: false, enabled: new Set() };
    this.registration = new Registration({
      server: ctx.server,
      send: (m) => this.send(m),
      login: (l) => this.login(l),
      createSession: (nick, user, realname, stamp) => {
        if (stamp === null) ctx.chargeNewSession(this.address);
        return ctx.deps.core.createSession(nick, stamp ?? undefined, {
          user,
          realname,
          hashcashWaived: stamp === null,
          style: styleOf(this.registration.capState),
        });
      },
    });
    metrics.connectionOpened();
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', () => this.close('closed', 'Connection closed', null));
    socket.on('close', () => this.close('closed', 'Connection closed', null));
    socket.on('drain', () => this.wakeWriter());
    this.registrationTimer = setTimeout(
      () => this.close('registration_timeout', 'Registration timed out', 'Registration timed out'),
      settings.registrationTimeoutMs,
    );
    this.registrationTimer.unref();
    this.timer = setInterval(() => this.checkLiveness(), Math.min(settings.pingIntervalMs, 15_000));
    this.timer.unref();
  }

  // ---- input -------------------------------------------------------------------------------

  private onData(chunk: Buffer): void {
    if (this.closed) return;
    this.lastHeard = Date.now();
    this.pingSentAt = null;
    const events = this.reader.push(chunk);
    this.ctx.deps.metrics.linesIn(events.length);
    for (const ev of events) {
      // the reader's overlong line gets the codec's answer to one (417)
      if (ev.kind === 'too_long') {
        this.refuseLine('too_long', {});
        continue;
      }
      const parsed = parseLine(ev.line);
      if (parsed.ok) this.pending.push(parsed.message);
      else this.refuseLine(parsed.reason, parsed);
    }
    if (this.flood.excess(this.pending.length)) {
      this.close('excess_flood', 'Excess Flood', 'Excess Flood');
      return;
    }
    // while commands wait, stop reading: TCP pushes back on a client that sends too fast
    if (this.pending.length > 0) this.socket.pause();
    void this.work();
  }

  /** What line-codec.ts says each refusal gets: 417, FAIL INVALID_UTF8, 421, or nothing. */
  private refuseLine(reason: ParseFailureReason, parsed: { command?: string }): void {
    const server = this.ctx.server.name;
    // a client can make a command ~500 bytes long: echoed shortened, the reply stays within 512
    const command = [...(parsed.command ?? '*')].slice(0, ECHOED_COMMAND_MAX).join('');
    switch (reason) {
      case 'empty':
      case 'no_command':
      case 'forbidden_char':
        return; // dropped without an answer
      case 'too_long':
      case 'tags_too_long':
        this.send(numeric(server, IRC_ERR.INPUTTOOLONG, this.nick, [], 'Input line was too long'));
        return;
      case 'invalid_utf8':
        this.send({
          source: server,
          command: 'FAIL',
          params: [command, 'INVALID_UTF8', 'Message rejected: not valid UTF-8'],
          trailing: true,
        });
        return;
      case 'bad_command':
        this.send(numeric(server, IRC_ERR.UNKNOWNCOMMAND, this.nick, [command], 'Unknown command'));
    }
  }

  /** Handles pending lines one at a time, in order; fake lag when over the flood allowance. */
  private async work(): Promise<void> {
    if (this.working) return;
    this.working = true;
    try {
      while (!this.closed && this.pending.length > 0) {
        const wait = this.caller ? this.flood.waitMs() : 0;
        if (wait > 0) await sleep(wait);
        if (this.closed) break;
        const msg = this.pending.shift()!;
        if (this.caller) this.flood.take();
        await this.handle(msg);
      }
    } catch (err) {
      this.ctx.deps.log.error({ err }, 'irc: command failed');
      this.close('error', 'Internal error', 'Internal error');
    } finally {
      this.working = false;
      if (!this.closed) this.socket.resume();
    }
  }

  private async handle(msg: IrcMessage): Promise<void> {
    if (!this.caller) {
      const step = await this.registration.handle(msg);
      if (step.kind === 'close') {
        this.close(step.quit ? 'quit' : 'refused', step.reason, step.quit ? null : step.reason);
      } else if (step.kind === 'registered') {
        this.start(step.registered);
      }
      return;
    }
    if (LOCAL.has(msg.command)) return this.handleLocal(msg);
    const run = this.execute(msg);
    this.inFlight = run;
    await run;
  }

  /** The command's `label` when the client negotiated labeled-response (and batch). */
  private labelOf(msg: IrcMessage): string | null {
    if (!isEnabled(this.caps, 'labeled-response') || !isEnabled(this.caps, 'batch')) return null;
    const label = msg.tags.get('label');
    if (!label || Buffer.byteLength(label) > LABEL_MAX_BYTES) return null;
    return label;
  }

  private async execute(msg: IrcMessage): Promise<void> {
    const caller = this.caller!;
    const label = this.labelOf(msg);
    // the events this command stores that come back to this very connection belong to its answer
    const echoed = ECHOED.has(msg.command)
      ? isEnabled(this.caps, 'echo-message')
      : RETURNING.has(msg.command);
    for (;;) {
      try {
        const result = await this.ctx.deps.core.execute(caller, toCommandInput(msg));
        for (const seq of result.stored) this.rememberOwn(seq);
        if (label !== null) {
          const seqs = result.replies.map((r) => r.seq);
          if (echoed) seqs.push(...result.stored);
          const ack = this.labels.expect(label, seqs);
          if (ack) this.send(ack);
        }
        return;
      } catch (err) {
        if (!(err instanceof ChatError)) throw err;
        // the session's flood allowance (shared with its other clients): wait, then run it
        if (err.code === 'flood' && err.facts.retryAfterSeconds !== undefined) {
          await sleep(err.facts.retryAfterSeconds * 1000);
          if (this.closed) return;
          continue;
        }
        if (err.code === 'invalid_token')
          return this.close('session_ended', 'Session ended', 'Session ended');
        // a numeric reaches the client through its queue; anything else is said here
        if (!err.numeric && msg.command !== 'NOTICE') {
          const notice = refusalReply(err.code, err.message, this.renderContext());
          this.send(label === null ? notice : tagged(notice, 'label', label));
        } else if (label !== null) {
          const ack = this.labels.expect(
            label,
            err.replies.map((r) => r.seq),
          );
          if (ack) this.send(ack);
        }
        return;
      }
    }
  }

  private handleLocal(msg: IrcMessage): void {
    const server = this.ctx.server.name;
    switch (msg.command) {
      case 'PING': {
        const label = this.labelOf(msg);
        const reply =
          msg.params.length === 0
            ? numeric(server, IRC_ERR.NEEDMOREPARAMS, this.nick, ['PING'], 'Not enough parameters')
            : pong(server, msg.params[0]!);
        this.send(label === null ? reply : tagged(reply, 'label', label));
        return;
      }
      case 'PONG':
        return;
      case 'CAP': {
        const r = handleCap(this.caps, msg.params, this.nick, this.ctx.server);
        this.caps = r.state;
        r.replies.forEach((m) => this.send(m));
        if (this.caller) this.caller = { ...this.caller, style: styleOf(this.caps) };
        return;
      }
      case 'QUIT':
        this.close('quit', 'Quit: ' + (msg.params[0] ?? ''), null);
        return;
      case 'AUTHENTICATE':
        this.send(
          numeric(server, IRC_ERR.SASLALREADY, this.nick, [], 'You have already authenticated'),
        );
        return;
      default: // PASS, USER
        this.send(
          numeric(server, IRC_ERR.ALREADYREGISTERED, this.nick, [], 'You may not reregister'),
        );
    }
  }

  private rememberOwn(seq: number): void {
    this.ownSeqs.add(seq);
    if (this.ownSeqs.size > OWN_SEQS_MAX) {
      const oldest = this.ownSeqs.values().next().value;
      if (oldest !== undefined) this.ownSeqs.delete(oldest);
    }
  }

  private async login(l: Login) {
    const { core } = this.ctx.deps;
    const style = styleOf(this.registration.capState);
    if (l.device !== null) {
      return core.loginDevice(l.nick, l.password, this.address, l.device, style);
    }
    return core.login(l.nick, l.password, this.address, style);
  }

  // ---- registered: the queue out -------------------------------------------------------------

  private start(r: Registered): void {
    if (this.registrationTimer) clearTimeout(this.registrationTimer);
    this.registrationTimer = null;
    this.caps = r.caps;
    this.caller = {
      sessionId: r.created.id,
      clientId: r.created.client_id,
      address: this.address,
      style: styleOf(this.caps),
    };
    this.nick = r.created.nick;
    this.device = r.kind === 'device' || r.kind === 'resume';
    this.ctx.deps.metrics.registered(r.kind);
    const caller = this.caller;
    readQueue(
      this.ctx.deps.delivery,
      caller,
      stretchesFor(r.created),
      {
        writable: () => this.writable(),
        deliver: (entries, gap, paced) => this.deliver(entries, gap, paced),
        delivered: (after) => this.delivered(after),
      },
      this.abort.signal,
    ).then(
      () => undefined,
      (err: unknown) => {
        if (this.closed) return;
        if (err instanceof ChatError && err.code === 'invalid_token') {
          this.close('session_ended', 'Session ended', 'Session ended');
        } else if (err instanceof ChatError && err.code === 'shutting_down') {
          this.close('shutdown', 'Server shutting down', 'Server shutting down');
        } else {
          this.ctx.deps.log.error({ err }, 'irc: delivery failed');
          this.close('error', 'Internal error', 'Internal error');
        }
      },
    );
  }

  private renderContext(): RenderContext {
    return { nick: this.nick ?? '*', serverName: this.ctx.server.name, caps: this.caps.enabled };
  }

  private async deliver(entries: QueuedEnvelope[], gap: boolean, paced: boolean): Promise<void> {
    // the command that stored some of these may still be finishing: its seqs decide echoes
    await this.inFlight.catch(() => undefined);
    if (this.closed) return;
    if (gap) {
      this.send({
        source: this.ctx.server.name,
        command: 'NOTICE',
        params: [
          this.nick ?? '*',
          'Some messages were lost while this client was away (too old or too many)',
        ],
        trailing: true,
      });
    }
    const echo = isEnabled(this.caps, 'echo-message');
    for (const env of entries) {
      if (paced) await this.writable();
      if (this.closed) return;
      const own = this.ownSeqs.delete(env.seq);
      if (own && !echo && ECHOED.has(env.command)) continue;
      const lines = renderEnvelope(env, this.renderContext());
      for (const m of this.labels.wrap(env.seq, lines)) this.send(m);
      // our own nick changed (from this or another device): replies now address the new one
      if (env.command === 'NICK' && this.nick !== null && fold(env.from) === fold(this.nick)) {
        this.nick = env.to;
      }
    }
  }

  private delivered(after: number): void {
    if (!this.device || !this.caller) return;
    this.cursorToSave = after;
    // saved once the lines are out of our send queue (a client that never read them gets them
    // again at its next attach)
    setImmediate(() => this.saveCursorIfFlushed());
  }

  private saveCursorIfFlushed(): void {
    if (this.cursorToSave === null || !this.caller || this.sendq.queuedBytes > 0) return;
    const after = this.cursorToSave;
    this.cursorToSave = null;
    this.ctx.deps.core.saveCursor(this.caller, after).catch((err: unknown) => {
      this.ctx.deps.log.warn({ err }, 'irc: saving a device cursor failed');
    });
  }

  /** Resolves when less than half the SendQ is in use, so a slow reader slows its own reads. */
  private writable(): Promise<void> {
    if (this.closed || this.sendq.queuedBytes < this.ctx.deps.settings.sendqBytes / 2) {
      return Promise.resolve();
    }
    return new Promise((resolve) => (this.drained = resolve));
  }

  private wakeWriter(): void {
    this.saveCursorIfFlushed();
    if (!this.closed && this.sendq.queuedBytes >= this.ctx.deps.settings.sendqBytes / 2) return;
    const wake = this.drained;
    this.drained = null;
    wake?.();
  }

  private send(msg: OutgoingMessage): void {
    if (this.closed || this.sendq.overflowed) return;
    this.sendq.send(serializeLine(msg));
    this.ctx.deps.metrics.linesOut(1);
  }

  // ---- liveness and the end ------------------------------------------------------------------

  private checkLiveness(): void {
    const { pingIntervalMs, pingTimeoutMs } = this.ctx.deps.settings;
    const now = Date.now();
    if (this.pingSentAt !== null && now - this.pingSentAt >= pingTimeoutMs) {
      const seconds = Math.round((now - this.lastHeard) / 1000);
      this.close(
        'ping_timeout',
        `Ping timeout: ${seconds} seconds`,
        `Ping timeout: ${seconds} seconds`,
      );
      return;
    }
    if (this.pingSentAt === null && now - this.lastHeard >= pingIntervalMs) {
      this.pingSentAt = now;
      this.send({ command: 'PING', params: [this.ctx.server.name] });
    }
    if (this.caller) {
      // last_seen only matters to idle expiry (hours): one write per connection per few minutes
      if (now - this.keptAliveAt >= KEEPALIVE_EVERY_MS) {
        this.keptAliveAt = now;
        this.ctx.deps.core.keepAlive(this.caller).catch(() => undefined);
      }
      this.saveCursorIfFlushed();
    }
  }

  /** Server shutdown: ERROR to the client; its client ends like a closed connection. */
  shutdown(): Promise<void> {
    this.close('shutdown', 'Server shutting down', 'Server shutting down');
    return this.ended;
  }

  /**
   * Ends the connection once: stops reading the queue, says ERROR (unless the socket is gone),
   * and tells the core the client's socket closed, with the reason others see in the QUIT.
   */
  close(kind: DisconnectReason, reason: string, error: string | null): void {
    if (this.closed) return;
    this.closed = true;
    this.abort.abort();
    if (this.timer) clearInterval(this.timer);
    if (this.registrationTimer) clearTimeout(this.registrationTimer);
    // the last chance to save a device's cursor: only if everything read was flushed (after the
    // send queue is shut below, its count says nothing about what the client got)
    this.wakeWriter();
    const text = error ?? (kind === 'quit' ? reason : null);
    if (text !== null && !this.socket.destroyed) {
      this.sendq.finish(serializeLine(errorLine(`Closing link: ${this.address} (${text})`)));
    } else {
      this.sendq.close();
      this.socket.destroy();
    }
    this.ctx.deps.metrics.connectionClosed(kind);
    this.ended = this.finish(reason);
  }

  private ended: Promise<void> = Promise.resolve();

  private async finish(reason: string): Promise<void> {
    const caller = this.caller;
    try {
      if (caller) await this.ctx.deps.core.disconnect(caller, reason);
    } catch (err) {
      this.ctx.deps.log.warn({ err }, 'irc: ending the client failed');
    } finally {
      this.ctx.onClosed(this);
    }
  }
}

/** The capabilities that change how the core words replies (NAMES, WHO). */
function styleOf(caps: CapState): ReplyStyle {
  return {
    multiPrefix: isEnabled(caps, 'multi-prefix'),
    userhostInNames: isEnabled(caps, 'userhost-in-names'),
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
