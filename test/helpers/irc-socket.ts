// A bare IRC connection for tests: raw lines over a real TCP socket to chatd's listener, with the
// lines received kept in order and waited for by pattern. No parsing beyond splitting on CRLF, so
// a test sees exactly what a client would (real IRC clients are driven in the irssi and
// irc-framework tests).
import net from 'node:net';

export interface IrcSocket {
  /** every line received so far, without CRLF */
  readonly lines: string[];
  send(...lines: string[]): void;
  /** writes raw bytes (for malformed input) */
  write(bytes: Buffer | string): void;
  /** the first line at or after `from` (an index into lines) matching `re`; rejects after `ms` */
  waitFor(re: RegExp, ms?: number, from?: number): Promise<string>;
  /** resolves once the server closed the connection */
  closed(ms?: number): Promise<void>;
  isClosed(): boolean;
  end(): void;
}

export function connectIrc(port: number): Promise<IrcSocket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const lines: string[] = [];
    let rest = '';
    let closed = false;
    const listeners = new Set<() => void>();
    const notify = () => listeners.forEach((l) => l());
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => {
      rest += d;
      const parts = rest.split('\r\n');
      rest = parts.pop() ?? '';
      lines.push(...parts);
      notify();
    });
    socket.on('close', () => {
      closed = true;
      notify();
    });
    socket.on('error', () => undefined);
    const wait = (done: () => boolean, ms: number, what: string) =>
      new Promise<void>((ok, fail) => {
        const check = () => {
          if (!done()) return;
          clearTimeout(timer);
          listeners.delete(check);
          ok();
        };
        const timer = setTimeout(() => {
          listeners.delete(check);
          fail(new Error(`${what} not seen in ${ms} ms; received:\n${lines.join('\n')}`));
        }, ms);
        listeners.add(check);
        check();
      });
    const client: IrcSocket = {
      lines,
      send: (...ls) => socket.write(ls.map((l) => l + '\r\n').join('')),
      write: (bytes) => socket.write(bytes),
      async waitFor(re, ms = 5000, from = 0) {
        let found: string | undefined;
        await wait(
          () => (found = lines.slice(from).find((l) => re.test(l))) !== undefined,
          ms,
          String(re),
        );
        return found!;
      },
      closed: (ms = 5000) => wait(() => closed, ms, 'close'),
      isClosed: () => closed,
      end: () => socket.destroy(),
    };
    socket.once('connect', () => resolve(client));
    socket.once('error', reject);
  });
}

/** Connects and registers with NICK/USER (and optional extra lines first); waits for 001. */
export async function registerIrc(
  port: number,
  nick: string,
  first: string[] = [],
): Promise<IrcSocket> {
  const c = await connectIrc(port);
  c.send(...first, `NICK ${nick}`, `USER ${nick} 0 * :${nick} here`);
  await c.waitFor(/ 001 /);
  return c;
}
