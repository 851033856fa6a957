// What a typed line does, for both front ends: parse it (commands.ts), change local state in the
// model, send commands through the link. A command's replies come with its answer (and again
// through the queue, with the same ids): the model shows them once, in the buffer where the
// command was typed. The controller also shows refusals that have no numeric and local errors,
// remembers the active buffer and the buffer order, and loads a channel's backlog when it is
// joined. `Link` is the slice of the connection it needs, so UI tests can pass a fake.
import type { CommandInput } from '../model/api.js';
import { ApiError } from '../shared/client.js';
import { isErrorNumeric, refusalIsQueued } from '../shared/numeric-text.js';
import { parseInput, type Action } from './commands.js';
import type { Incoming, SendOutcome } from './connection.js';
import { HELP_LINES, type Line } from './format.js';
import type { ChatBuffer, ChatModel } from './model.js';

export interface Link {
  send(command: CommandInput): Promise<SendOutcome>;
  history(target: string, before: number | null): Promise<{ batch: Incoming[]; more: boolean }>;
  setTarget(target: string | null): void;
  trust(nick: string): void;
  /** the session was ended by /quit: forget it */
  endSession(): void;
  /** the last queue id processed (history below it will not come through the queue) */
  readonly cursor?: number | null;
  /** remember the order of the buffers for the next start */
  setLayout?(names: string[]): void;
}

export interface ControllerHooks {
  /** leave the program (after /quit) */
  exit(code: number): void;
}

export interface ControllerOptions {
  /** load a channel's last page of history when it is joined, a query's when opened (default) */
  backlog?: boolean;
  /** save the active buffer as the next start's target (default true; plain mode's --to: false) */
  rememberTarget?: boolean;
}

export class Controller {
  /** set once /quit was sent: the session's end is expected, not an error */
  quitting = false;
  private readonly loading = new Set<ChatBuffer>();
  private readonly backlog: boolean;
  private readonly rememberTarget: boolean;
  private tracked: { active: ChatBuffer | null; layout: string } | null = null;

  constructor(
    readonly model: ChatModel,
    private readonly link: Link,
    private readonly hooks: ControllerHooks,
    options: ControllerOptions = {},
  ) {
    this.backlog = options.backlog ?? true;
    this.rememberTarget = options.rememberTarget ?? true;
    if (this.backlog) {
      model.onJoined = (buf, seq) => {
        // only when the history before the join can go above everything the buffer shows
        if (buf.oldestSeq === null && buf.lines.every((l) => l.seq === null || l.seq > seq))
          void this.loadOlder(buf, seq);
      };
    }
  }

  /**
   * From now on (after the saved order and target were applied at start), saves the active
   * buffer as the target and the buffer order whenever they change, so the next start has them.
   */
  trackLayout(): void {
    if (this.tracked) return;
    this.tracked = { active: null, layout: '' };
    const sync = () => {
      const t = this.tracked!;
      if (this.model.active !== t.active) {
        t.active = this.model.active;
        if (this.rememberTarget) this.link.setTarget(this.target);
      }
      const layout = this.model.layout();
      const key = JSON.stringify(layout);
      if (key !== t.layout) {
        t.layout = key;
        this.link.setLayout?.(layout);
      }
    };
    sync();
    this.model.subscribe(sync);
  }

  /** The current buffer as a target: a channel or nick, or null for the server buffer. */
  get target(): string | null {
    return this.model.active.kind === 'server' ? null : this.model.active.name;
  }

  /**
   * Handles one input line; the returned promise settles when its command was answered, with
   * false when the line was refused (by the server, or here: no target, a usage error…).
   */
  submit(line: string): Promise<boolean> {
    return this.perform(parseInput(line, { target: this.target }));
  }

  private async perform(action: Action): Promise<boolean> {
    const m = this.model;
    switch (action.type) {
      case 'none':
        return true;
      case 'error':
        m.note(action.message, 'error', m.replyBuffer());
        return false;
      case 'help':
        for (const text of HELP_LINES) m.note(text, 'system', m.replyBuffer());
        return true;
      case 'clear':
        m.clear(m.active);
        return true;
      case 'buffer':
        if (m.select(action.which)) return true;
        m.note(`No buffer ${action.which}`, 'error', m.replyBuffer());
        return false;
      case 'trust':
        this.link.trust(action.nick);
        m.note(`Trusting the current signing key of ${action.nick}`);
        return true;
      case 'close':
        return this.closeBuffer();
      case 'query':
        this.focus(action.nick);
        if (action.text === undefined) return true;
        return this.say(action.nick, action.text);
      case 'say':
        return this.say(action.target, action.text, action.action, action.notice);
      case 'quit':
        await this.quit(action.reason);
        return true;
      case 'send':
        if (action.focus) this.focus(action.focus);
        return this.sendCommand(action.command);
    }
  }

  private focus(name: string): void {
    const existed = this.model.find(name) !== undefined;
    const buf = this.model.open(name, true);
    if (this.rememberTarget) this.link.setTarget(name);
    // a conversation opened now shows what was said before (a channel's backlog comes on JOIN)
    if (!existed && buf.kind === 'query' && this.backlog) {
      const cursor = this.link.cursor ?? null;
      void this.loadOlder(buf, cursor === null ? null : cursor + 1);
    }
  }

  /** A paste of several lines: one multi-line message to the current buffer. */
  sayLines(lines: string[]): Promise<boolean> {
    const target = this.target;
    if (target === null) {
      this.model.note('No target here: /join a channel or /query a nick first', 'error');
      return Promise.resolve(false);
    }
    return this.say(target, lines);
  }

  private say(
    target: string,
    text: string | string[],
    action = false,
    notice = false,
  ): Promise<boolean> {
    const body = typeof text === 'string' ? [text] : text;
    const command: CommandInput = { command: notice ? 'NOTICE' : 'PRIVMSG', to: target, body };
    if (action) command.meta = { action: true };
    // typed while the server is unreachable: shown at once, marked until the server stores it
    const pending =
      this.model.connection === 'online'
        ? null
        : this.model.addPending(target, body, notice ? 'notice' : action ? 'action' : 'message');
    return this.sendCommand(command, pending);
  }

  /** Sends a command typed in the current buffer; false when it was refused (all or in part). */
  private async sendCommand(command: CommandInput, pending: Line | null = null): Promise<boolean> {
    const typed = this.model.replyBuffer();
    this.model.sending();
    let out: SendOutcome;
    try {
      out = await this.link.send(command);
    } catch (err) {
      out = { ok: false, error: err instanceof Error ? err : new Error(String(err)) };
    }
    if (pending) this.model.settlePending(pending, out.ok ? out.result.id : null);
    // the replies (a refusal's numeric among them) are queued to us too, with the same ids
    const replies = out.ok
      ? out.result.replies
      : out.error instanceof ApiError
        ? (out.error.body.replies ?? [])
        : [];
    this.model.answered(replies, typed, command.command, out.ok ? out.result : undefined);
    // a command with several targets answers 200 if one succeeded; the others' refusals are replies
    if (out.ok) return !replies.some((r) => isErrorNumeric(r.command));
    const err = out.error;
    if (this.quitting) return false;
    // An IRC refusal's numeric is among the replies, or comes through the queue: shown from there.
    if (err instanceof ApiError && refusalIsQueued(command.command, err.body)) return false;
    this.model.note(`${command.command}: ${err.message}`, 'error', typed);
    return false;
  }

  private async quit(reason?: string): Promise<void> {
    this.quitting = true;
    const command: CommandInput = { command: 'QUIT' };
    if (reason) command.body = [reason];
    await this.link.send(command);
    this.link.endSession();
    this.hooks.exit(0);
  }

  private async closeBuffer(): Promise<boolean> {
    const buf = this.model.active;
    if (buf.kind === 'server') {
      this.model.note('The server buffer stays open', 'error');
      return false;
    }
    let ok = true;
    if (buf.kind === 'channel' && buf.joined)
      ok = await this.sendCommand({ command: 'PART', to: buf.name });
    this.model.close(buf);
    if (this.rememberTarget) this.link.setTarget(this.target);
    return ok;
  }

  /** Loads the page of history above what `buf` shows (scrolling up, or on start). */
  async loadOlder(buf: ChatBuffer, before: number | null = buf.oldestSeq): Promise<void> {
    if (buf.kind === 'server' || !buf.moreHistory || this.loading.has(buf)) return;
    this.loading.add(buf);
    try {
      const { batch, more } = await this.link.history(buf.name, before);
      this.model.prependHistory(buf, batch, more);
    } catch {
      // history is a convenience: a failure leaves the buffer as it is
    } finally {
      this.loading.delete(buf);
    }
  }
}
