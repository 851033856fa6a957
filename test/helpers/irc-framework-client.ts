// irc-framework (the IRC library behind Kiwi IRC and many bots) as a test user: a real client with
// its own parser, CAP and SASL negotiation, connected to chatd's IRC listener. Every event the
// tests look at is recorded in order, every raw line in both directions too, and each is awaited
// with a deadline, so a test waits for what the client saw rather than for time to pass.
// The library ships no types; the small part used here is declared below.
import { createRequire } from 'node:module';

/** what the tests read of irc-framework's message events (privmsg, notice, action) */
export interface MessageEvent {
  nick: string;
  ident: string;
  hostname: string;
  target: string;
  message: string;
  /** server-time, in ms since the epoch, when the server sent a `time` tag */
  time?: number;
  tags: Record<string, string>;
}

export interface IrcEvents {
  registered: { nick: string };
  privmsg: MessageEvent;
  notice: MessageEvent & { from_server: boolean };
  action: MessageEvent;
  join: { nick: string; ident: string; hostname: string; channel: string };
  part: { nick: string; channel: string; message: string };
  quit: { nick: string; message: string };
  kick: { kicked: string; nick: string; channel: string; message: string };
  nick: { nick: string; new_nick: string };
  topic: { nick?: string; channel: string; topic: string };
  mode: { target: string; nick: string; modes: { mode: string; param?: string }[] };
  invite: { nick: string; invited: string; channel: string };
  invited: { nick: string; channel: string };
  away: { self: boolean; nick: string; message: string };
  back: { self: boolean; nick: string; message: string };
  userlist: { channel: string; users: { nick: string; modes: string[] }[] };
  loggedin: { nick: string; account: string };
  'sasl failed': { reason: string };
  'irc error': { error: string; channel?: string; nick?: string; reason?: string };
  'nick in use': { nick: string; reason: string };
  'cap ls': { command: string; capabilities: Record<string, string> };
  'cap ack': { command: string; capabilities: Record<string, string> };
  'cap nak': { command: string; capabilities: Record<string, string> };
  'socket close': unknown;
  close: unknown;
}

export type IrcEventName = keyof IrcEvents;

const RECORDED: IrcEventName[] = [
  'registered',
  'privmsg',
  'notice',
  'action',
  'join',
  'part',
  'quit',
  'kick',
  'nick',
  'topic',
  'mode',
  'invite',
  'invited',
  'away',
  'back',
  'userlist',
  'loggedin',
  'sasl failed',
  'irc error',
  'nick in use',
  'cap ls',
  'cap ack',
  'cap nak',
  'socket close',
  'close',
];

export interface ClientOptions {
  host: string;
  port: number;
  nick: string;
  username?: string;
  gecos?: string;
  auto_reconnect?: boolean;
  enable_echomessage?: boolean;
  account?: { account: string; password: string };
  ping_interval?: number;
  ping_timeout?: number;
}

/** The part of irc-framework's Client used here. */
interface FrameworkClient {
  connect(options: ClientOptions): void;
  on(event: string, fn: (data: unknown) => void): void;
  removeAllListeners(): void;
  say(target: string, message: string): void;
  notice(target: string, message: string): void;
  action(target: string, message: string): void;
  join(channel: string, key?: string): void;
  part(channel: string, message?: string): void;
  changeNick(nick: string): void;
  setTopic(channel: string, topic: string): void;
  invite(channel: string, nick: string): void;
  mode(target: string, mode: string, args?: string | string[]): void;
  whois(nick: string): void;
  raw(...args: (string | number)[]): void;
  quit(message?: string): void;
  readonly connected: boolean;
  user: { nick: string };
  network: { cap: { enabled: string[]; requested: string[]; available: Map<string, string> } };
  connection: { end(): void };
}

const require = createRequire(import.meta.url);
const { Client } = require('irc-framework') as { Client: new () => FrameworkClient };

export interface RawLine {
  line: string;
  fromServer: boolean;
}

interface Recorded {
  name: IrcEventName;
  data: unknown;
}

/** How long a wait lasts unless told: generous, for a loaded two-core machine. */
export const WAIT_MS = 10_000;

export class IrcUser {
  /** every recorded event, in the order the client emitted them */
  readonly events: Recorded[] = [];
  /** every raw line, both directions, without CRLF */
  readonly raw: RawLine[] = [];
  private readonly client: FrameworkClient = new Client();
  private readonly listeners = new Set<() => void>();
  private closedFlag = false;

  private constructor() {
    for (const name of RECORDED) {
      this.client.on(name, (data) => {
        this.events.push({ name, data });
        if (name === 'close') this.closedFlag = true;
        this.notify();
      });
    }
    this.client.on('raw', (data) => {
      const { line, from_server } = data as { line: string; from_server: boolean };
      this.raw.push({ line: line.replace(/\r?\n$/, ''), fromServer: from_server });
      this.notify();
    });
  }

  /**
   * Connects and waits for 001 (irc-framework's `registered`). Fails with the transcript when the
   * connection closes first or nothing arrives in `ms`.
   */
  static async connect(
    port: number,
    options: Omit<ClientOptions, 'host' | 'port'>,
    ms = WAIT_MS,
  ): Promise<IrcUser> {
    const user = new IrcUser();
    user.client.connect({
      host: '127.0.0.1',
      port,
      username: options.nick,
      gecos: `${options.nick} (irc-framework)`,
      auto_reconnect: false,
      ...options,
    });
    try {
      await user.waitUntil(
        () => user.seen('registered') || user.closedFlag,
        ms,
        'registration (001)',
      );
      if (!user.seen('registered')) throw new Error('closed before 001');
    } catch (err) {
      user.destroy();
      throw new Error(`${(err as Error).message}\n${user.transcript()}`);
    }
    return user;
  }

  /** the nick irc-framework believes it has */
  get nick(): string {
    return this.client.user.nick;
  }

  /** the capabilities irc-framework has enabled (the server ACKed) */
  get enabledCaps(): string[] {
    return [...this.client.network.cap.enabled].sort();
  }

  /** the capabilities the server offered in CAP LS */
  get offeredCaps(): Map<string, string> {
    return this.client.network.cap.available;
  }

  get lib(): FrameworkClient {
    return this.client;
  }

  isClosed(): boolean {
    return this.closedFlag;
  }

  /** The events of one kind so far (from index `from` in `events`). */
  all<K extends IrcEventName>(name: K, from = 0): IrcEvents[K][] {
    return this.events
      .slice(from)
      .filter((e) => e.name === name)
      .map((e) => e.data as IrcEvents[K]);
  }

  private seen(name: IrcEventName): boolean {
    return this.events.some((e) => e.name === name);
  }

  /** The first event `name` (at or after index `from`) that satisfies `pred`; rejects after `ms`. */
  async waitFor<K extends IrcEventName>(
    name: K,
    pred: (e: IrcEvents[K]) => boolean = () => true,
    ms = WAIT_MS,
    from = 0,
  ): Promise<IrcEvents[K]> {
    let found: IrcEvents[K] | undefined;
    await this.waitUntil(
      () => (found = this.all(name, from).find(pred)) !== undefined,
      ms,
      `event '${name}'${pred.length > 0 ? ` matching ${pred.toString()}` : ''}`,
    );
    return found!;
  }

  /** The first raw line from the server matching `re`; rejects after `ms`. */
  async waitRaw(re: RegExp, ms = WAIT_MS, from = 0): Promise<string> {
    let found: RawLine | undefined;
    await this.waitUntil(
      () =>
        (found = this.raw.slice(from).find((r) => r.fromServer && re.test(r.line))) !== undefined,
      ms,
      `a line matching ${String(re)}`,
    );
    return found!.line;
  }

  /** Resolves when `done()` holds (checked on every event and raw line); rejects after `ms`. */
  waitUntil(done: () => boolean, ms: number, what: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (!done()) return;
        clearTimeout(timer);
        this.listeners.delete(check);
        resolve();
      };
      const timer = setTimeout(() => {
        this.listeners.delete(check);
        reject(new Error(`${what} not seen in ${ms} ms (as ${this.nick})\n${this.transcript()}`));
      }, ms);
      this.listeners.add(check);
      check();
    });
  }

  private notify(): void {
    for (const l of [...this.listeners]) l();
  }

  /** The last `n` raw lines, for failure messages. */
  transcript(n = 60): string {
    return this.raw
      .slice(-n)
      .map((r) => `${r.fromServer ? '<<' : '>>'} ${r.line}`)
      .join('\n');
  }

  /** QUIT with a message, as `/quit` does; resolves once the socket closed. */
  async quit(message: string, ms = WAIT_MS): Promise<void> {
    this.client.quit(message);
    await this.closed(ms);
  }

  /** Ends the socket without QUIT (a laptop lid closing); resolves once it closed. */
  async drop(ms = WAIT_MS): Promise<void> {
    this.client.connection.end();
    await this.closed(ms);
  }

  closed(ms = WAIT_MS): Promise<void> {
    return this.waitUntil(() => this.closedFlag, ms, 'close');
  }

  /** Cleanup for `after`/`finally`: ends the socket if still open and forgets every listener. */
  destroy(): void {
    if (!this.closedFlag) {
      try {
        this.client.connection.end();
      } catch {
        // already gone
      }
    }
    this.listeners.clear();
  }
}

/** Keeps the users a test file opened, so one `after` closes them whatever failed. */
export class IrcUsers {
  private readonly open = new Set<IrcUser>();

  async connect(
    port: number,
    options: Omit<ClientOptions, 'host' | 'port'>,
    ms?: number,
  ): Promise<IrcUser> {
    const user = await IrcUser.connect(port, options, ms);
    this.open.add(user);
    return user;
  }

  closeAll(): void {
    for (const u of this.open) u.destroy();
    this.open.clear();
  }
}
