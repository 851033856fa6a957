// A raw IRC client for the reliability rows (C3-IRC, D3, B13): lines over a real TCP socket to
// chatd's IRC listener, kept in order with their arrival time, split on CRLF exactly as a client
// would read them; any line not ended by CRLF, or holding a CR or NUL, is counted as malformed
// output. Unlike test/helpers/irc-socket.ts it can be paused (a reader that never reads), waits
// for a pattern in time linear in the lines received (thousands of lines per client), and records
// how the connection ended. No parsing beyond the framing.
import net from 'node:net';

export interface IrcLine {
  text: string;
  /** performance.now() when the chunk holding its end arrived */
  at: number;
}

export interface IrcClientOptions {
  /** false: never read (the socket is paused before connecting); resume() later. Default true. */
  read?: boolean;
  /** connect timeout, ms (default 5 s) */
  timeoutMs?: number;
}

interface Waiter {
  re: RegExp;
  from: number;
  resolve: (line: IrcLine) => void;
}

export class IrcClient {
  readonly lines: IrcLine[] = [];
  bytesIn = 0;
  /** lines that did not end in CRLF, or held a CR or NUL inside */
  malformed = 0;
  /** performance.now() when the server closed the connection (null while open or closed by us) */
  closedAt: number | null = null;
  closedHow: 'end' | 'reset' | 'local' | null = null;
  private rest = Buffer.alloc(0);
  private readonly waiters = new Set<Waiter>();
  private readonly closeWaiters = new Set<() => void>();

  private constructor(readonly socket: net.Socket) {}

  static connect(port: number, o: IrcClientOptions = {}): Promise<IrcClient> {
    return new Promise((resolve, reject) => {
      const socket = new net.Socket();
      if (o.read === false) socket.pause();
      const client = new IrcClient(socket);
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`IRC connect to ${port}: timeout`));
      }, o.timeoutMs ?? 5_000);
      let connected = false;
      socket.on('data', (d: Buffer) => client.onData(d));
      socket.on('end', () => {
        client.closed('end');
        socket.end();
      });
      socket.on('error', (err) => {
        if (!connected) {
          clearTimeout(timer);
          reject(err);
          return;
        }
        client.closed('reset');
      });
      socket.on('close', () => client.closed('reset'));
      socket.once('connect', () => {
        connected = true;
        clearTimeout(timer);
        socket.setNoDelay(true);
        resolve(client);
      });
      socket.connect(port, '127.0.0.1');
    });
  }

  private onData(d: Buffer): void {
    const at = performance.now();
    this.bytesIn += d.length;
    let buf = this.rest.length ? Buffer.concat([this.rest, d]) : d;
    let lf = buf.indexOf(0x0a);
    while (lf >= 0) {
      const end = lf > 0 && buf[lf - 1] === 0x0d ? lf - 1 : lf;
      if (end === lf) this.malformed++;
      const raw = buf.subarray(0, end);
      if (raw.includes(0x0d) || raw.includes(0x00)) this.malformed++;
      this.push({ text: raw.toString('utf8'), at });
      buf = buf.subarray(lf + 1);
      lf = buf.indexOf(0x0a);
    }
    this.rest = Buffer.from(buf);
  }

  private push(line: IrcLine): void {
    const index = this.lines.length;
    this.lines.push(line);
    for (const w of this.waiters) {
      if (index >= w.from && w.re.test(line.text)) {
        this.waiters.delete(w);
        w.resolve(line);
      }
    }
  }

  private closed(how: 'end' | 'reset'): void {
    if (this.closedAt !== null) return;
    this.closedAt = performance.now();
    this.closedHow = how;
    for (const w of this.closeWaiters) w();
    this.closeWaiters.clear();
  }

  isClosed(): boolean {
    return this.closedAt !== null;
  }

  send(...lines: string[]): void {
    this.write(lines.map((l) => `${l}\r\n`).join(''));
  }

  /** raw bytes (malformed input); never throws */
  write(data: string | Buffer): void {
    if (this.socket.destroyed || this.closedAt !== null) return;
    this.socket.write(data, () => undefined);
  }

  /** Resolves with the first line at index ≥ `from` matching `re`; rejects after `ms`. */
  waitFor(re: RegExp, ms = 5_000, from = 0): Promise<IrcLine> {
    for (let i = from; i < this.lines.length; i++) {
      if (re.test(this.lines[i]!.text)) return Promise.resolve(this.lines[i]!);
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(w);
        const tail = this.lines
          .slice(-8)
          .map((l) => l.text.slice(0, 200))
          .join('\n  ');
        reject(new Error(`${String(re)} not seen in ${ms} ms; last lines:\n  ${tail}`));
      }, ms);
      const w: Waiter = {
        re,
        from: Math.max(from, this.lines.length),
        resolve: (line) => {
          clearTimeout(timer);
          resolve(line);
        },
      };
      this.waiters.add(w);
    });
  }

  /** Resolves true once the server closed the connection, false after `ms`. */
  waitClosed(ms = 5_000): Promise<boolean> {
    if (this.closedAt !== null) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        resolve(true);
      };
      const timer = setTimeout(() => {
        this.closeWaiters.delete(done);
        resolve(false);
      }, ms);
      this.closeWaiters.add(done);
    });
  }

  /** PING with a fresh token and wait for its PONG: proves the connection still works. */
  async roundTrip(ms = 5_000): Promise<number> {
    const token = `rt${Math.random().toString(36).slice(2, 10)}`;
    const from = this.lines.length;
    const t0 = performance.now();
    this.send(`PING :${token}`);
    await this.waitFor(new RegExp(`PONG \\S+ :?${token}$`), ms, from);
    return performance.now() - t0;
  }

  pause(): void {
    this.socket.pause();
  }

  resume(): void {
    this.socket.resume();
  }

  /** closes from our side (not counted as a server close) */
  end(): void {
    if (this.closedAt === null) {
      this.closedAt = performance.now();
      this.closedHow = 'local';
    }
    this.socket.destroy();
  }
}

/** Connects and registers with NICK/USER (optional CAP REQ first); resolves after 001. */
export async function registerIrc(
  port: number,
  nick: string,
  o: { caps?: string[]; first?: string[]; timeoutMs?: number } = {},
): Promise<IrcClient> {
  const c = await IrcClient.connect(port);
  const lines = [...(o.first ?? [])];
  if (o.caps?.length) lines.push('CAP LS 302', `CAP REQ :${o.caps.join(' ')}`);
  lines.push(`NICK ${nick}`, `USER ${nick} 0 * :${nick}`);
  if (o.caps?.length) lines.push('CAP END');
  c.send(...lines);
  try {
    await c.waitFor(/^(?:@\S+ )?:\S+ 001 /, o.timeoutMs ?? 10_000);
  } catch (err) {
    c.end();
    throw err;
  }
  return c;
}

export function saslPlain(user: string, password: string): string {
  return Buffer.from(`\0${user}\0${password}`, 'utf8').toString('base64');
}

/**
 * Registers with SASL PLAIN as `user` (`nick` or `nick@device`, docs/irc.md), asking for `caps`
 * besides sasl; resolves after 001. Throws on 904 or a timeout.
 */
export async function saslIrc(
  port: number,
  nick: string,
  user: string,
  password: string,
  caps: string[] = [],
  timeoutMs = 10_000,
): Promise<IrcClient> {
  const c = await IrcClient.connect(port);
  try {
    c.send('CAP LS 302', `NICK ${nick}`, `USER ${nick} 0 * :${nick}`);
    c.send(`CAP REQ :${['sasl', ...caps].join(' ')}`);
    await c.waitFor(/^(?:@\S+ )?:\S+ CAP \S+ (ACK|NAK) /, timeoutMs);
    c.send('AUTHENTICATE PLAIN');
    await c.waitFor(/^AUTHENTICATE \+$/, timeoutMs);
    c.send(`AUTHENTICATE ${saslPlain(user, password)}`);
    const r = await c.waitFor(/^(?:@\S+ )?:\S+ (903|904|905) /, timeoutMs);
    if (!/ 903 /.test(r.text)) throw new Error(`SASL failed: ${r.text}`);
    c.send('CAP END');
    await c.waitFor(/^(?:@\S+ )?:\S+ 001 /, timeoutMs);
    return c;
  } catch (err) {
    c.end();
    throw err;
  }
}

/** The parts of a received line the tests look at: tags text, source, command, params. */
export interface Parsed {
  tags: string | null;
  source: string | null;
  command: string;
  params: string[];
}

/** A plain split of one line (RFC 1459 grammar), for checks on what arrived. */
export function splitLine(text: string): Parsed | null {
  let rest = text;
  let tags: string | null = null;
  let source: string | null = null;
  if (rest.startsWith('@')) {
    const sp = rest.indexOf(' ');
    if (sp < 0) return null;
    tags = rest.slice(1, sp);
    rest = rest.slice(sp + 1);
  }
  if (rest.startsWith(':')) {
    const sp = rest.indexOf(' ');
    if (sp < 0) return null;
    source = rest.slice(1, sp);
    rest = rest.slice(sp + 1);
  }
  const params: string[] = [];
  const sp = rest.indexOf(' ');
  const command = sp < 0 ? rest : rest.slice(0, sp);
  rest = sp < 0 ? '' : rest.slice(sp + 1);
  while (rest.length) {
    if (rest.startsWith(':') || params.length === 14) {
      params.push(rest.startsWith(':') ? rest.slice(1) : rest);
      break;
    }
    const next = rest.indexOf(' ');
    params.push(next < 0 ? rest : rest.slice(0, next));
    rest = next < 0 ? '' : rest.slice(next + 1);
  }
  return command ? { tags, source, command, params } : null;
}
