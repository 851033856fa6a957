// What a typed line does, for both front ends: parse it (commands.ts), change local state in the
// model, send commands through the link. Replies and events come back through the queue, so the
// controller shows only what the queue will not: refusals without a queued numeric, and local
// errors. `Link` is the slice of the connection it needs, so UI tests can pass a fake.
import type { CommandInput } from '../model/api.js';
import { ApiError } from '../shared/client.js';
import { refusalIsQueued } from '../shared/numeric-text.js';
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
}

export interface ControllerHooks {
  /** leave the program (after /quit) */
  exit(code: number): void;
}

export class Controller {
  /** set once /quit was sent: the session's end is expected, not an error */
  quitting = false;
  private readonly loading = new Set<ChatBuffer>();

  constructor(
    readonly model: ChatModel,
    private readonly link: Link,
    private readonly hooks: ControllerHooks,
  ) {}

  /** The current buffer as a target: a channel or nick, or null for the server buffer. */
  get target(): string | null {
    return this.model.active.kind === 'server' ? null : this.model.active.name;
  }

  /** Handles one input line; the returned promise settles when its command was answered. */
  submit(line: string): Promise<void> {
    return this.perform(parseInput(line, { target: this.target }));
  }

  private async perform(action: Action): Promise<void> {
    const m = this.model;
    switch (action.type) {
      case 'none':
        return;
      case 'error':
        m.note(action.message, 'error');
        return;
      case 'help':
        for (const text of HELP_LINES) m.note(text);
        return;
      case 'clear':
        m.clear(m.active);
        return;
      case 'buffer':
        if (!m.select(action.which)) m.note(`No buffer ${action.which}`, 'error');
        return;
      case 'trust':
        this.link.trust(action.nick);
        m.note(`Trusting the current signing key of ${action.nick}`);
        return;
      case 'close':
        return this.closeBuffer();
      case 'query':
        this.focus(action.nick);
        if (action.text !== undefined) await this.say(action.nick, action.text);
        return;
      case 'say':
        await this.say(action.target, action.text, action.action, action.notice);
        return;
      case 'quit':
        return this.quit(action.reason);
      case 'send':
        if (action.focus) this.focus(action.focus);
        await this.sendCommand(action.command);
        return;
    }
  }

  private focus(name: string): void {
    this.model.open(name, true);
    this.link.setTarget(name);
  }

  /** A paste of several lines: one multi-line message to the current buffer. */
  sayLines(lines: string[]): Promise<void> {
    const target = this.target;
    if (target === null) {
      this.model.note('No target here: /join a channel or /query a nick first', 'error');
      return Promise.resolve();
    }
    return this.say(target, lines);
  }

  private say(
    target: string,
    text: string | string[],
    action = false,
    notice = false,
  ): Promise<void> {
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

  private async sendCommand(command: CommandInput, pending: Line | null = null): Promise<void> {
    const out = await this.link.send(command);
    if (pending) this.model.settlePending(pending, out.ok ? out.result.id : null);
    if (out.ok) return;
    const err = out.error;
    // An IRC refusal is queued to this client too (except NOTICE's): the queue shows it.
    if (err instanceof ApiError && refusalIsQueued(command.command, err.body)) return;
    if (this.quitting) return;
    this.model.note(`${command.command}: ${err.message}`, 'error');
  }

  private async quit(reason?: string): Promise<void> {
    this.quitting = true;
    const command: CommandInput = { command: 'QUIT' };
    if (reason) command.body = [reason];
    await this.link.send(command);
    this.link.endSession();
    this.hooks.exit(0);
  }

  private async closeBuffer(): Promise<void> {
    const buf = this.model.active;
    if (buf.kind === 'server') {
      this.model.note('The server buffer stays open', 'error');
      return;
    }
    if (buf.kind === 'channel' && buf.joined)
      await this.sendCommand({ command: 'PART', to: buf.name });
    this.model.close(buf);
    this.link.setTarget(this.target);
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
