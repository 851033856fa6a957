// HTTP/1.1 by hand over a net socket, for what node:http will not do: send a request in two
// parts with a pause between them (a POST still arriving when SIGTERM lands), or read only the
// first N bytes of an answer and then drop the connection (a client that goes away while the
// response is being sent). Loopback only; every socket is destroyed by a timer at the latest.
import net from 'node:net';

export interface RawAnswer {
  /** status of the response line, null if it did not arrive */
  status: number | null;
  /** lower-cased header names */
  headers: Record<string, string>;
  body: Buffer;
  /** true when the whole body (per Content-Length) arrived */
  complete: boolean;
  /** bytes received in all */
  bytes: number;
  /** true once the header block was complete */
  headComplete: boolean;
  /** transport error code, if the connection failed */
  error: string | null;
}

/** Parses what arrived of one response (Content-Length bodies: what chatd sends). */
export function parseRaw(buf: Buffer, error: string | null = null): RawAnswer {
  const end = buf.indexOf('\r\n\r\n');
  const head = (end >= 0 ? buf.subarray(0, end) : buf).toString('latin1');
  const lines = head.split('\r\n');
  const m = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? '');
  const headers: Record<string, string> = {};
  if (end >= 0) {
    for (const line of lines.slice(1)) {
      const i = line.indexOf(':');
      if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
    }
  }
  const body = end >= 0 ? buf.subarray(end + 4) : Buffer.alloc(0);
  const length = Number(headers['content-length']);
  return {
    status: m ? Number(m[1]) : null,
    headers,
    body,
    complete: end >= 0 && Number.isFinite(length) && body.length >= length,
    bytes: buf.length,
    headComplete: end >= 0,
    error,
  };
}

function requestHead(
  method: string,
  path: string,
  port: number,
  token: string,
  extra: Record<string, string | number> = {},
): string {
  const lines = [
    `${method} ${path} HTTP/1.1`,
    `Host: 127.0.0.1:${port}`,
    `Authorization: Bearer ${token}`,
    ...Object.entries(extra).map(([k, v]) => `${k}: ${v}`),
  ];
  return lines.join('\r\n') + '\r\n\r\n';
}

export interface SplitPost {
  /** writes the rest of the body */
  sendRest(): void;
  /** the final answer once the server closed the connection (or the timeout hit) */
  answer: Promise<RawAnswer>;
  /** true when the server answered 100 Continue, i.e. it had read the request's headers */
  continued: boolean;
}

/** the bytes after any interim 1xx responses at the start of `buf` */
function skipInterim(buf: Buffer): Buffer {
  for (;;) {
    if (!/^HTTP\/1\.[01] 1\d\d /.test(buf.subarray(0, 13).toString('latin1'))) return buf;
    const end = buf.indexOf('\r\n\r\n');
    if (end < 0) return buf;
    buf = buf.subarray(end + 4);
  }
}

/**
 * Starts a JSON POST with `Expect: 100-continue`, waits (up to `continueMs`) for the server's
 * 100 Continue — proof that it has read the headers, so the request is in progress on its side —
 * then sends the first `firstBytes` of the body. `sendRest()` sends the remainder.
 */
export function splitPost(
  port: number,
  path: string,
  token: string,
  json: unknown,
  firstBytes: number,
  continueMs = 5_000,
  timeoutMs = 30_000,
): Promise<SplitPost> {
  const body = Buffer.from(JSON.stringify(json));
  const cut = Math.max(1, Math.min(body.length - 1, firstBytes));
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    const chunks: Buffer[] = [];
    let error: string | null = null;
    let onData: (() => void) | null = null;
    const answer = new Promise<RawAnswer>((done) => {
      const timer = setTimeout(() => socket.destroy(), timeoutMs);
      socket.on('data', (d: Buffer) => {
        chunks.push(d);
        onData?.();
      });
      socket.on('error', (err: NodeJS.ErrnoException) => (error = err.code ?? err.message));
      socket.on('close', () => {
        clearTimeout(timer);
        onData?.();
        done(parseRaw(skipInterim(Buffer.concat(chunks)), error));
      });
    });
    socket.once('error', reject);
    socket.once('connect', () => {
      const head = requestHead('POST', path, port, token, {
        'Content-Type': 'application/json',
        'Content-Length': body.length,
        Expect: '100-continue',
        // one request per connection: the answer ends with the server closing it
        Connection: 'close',
      });
      socket.write(head);
      const started = (continued: boolean) => {
        onData = null;
        clearTimeout(giveUp);
        socket.write(body.subarray(0, cut), () =>
          resolve({ sendRest: () => void socket.write(body.subarray(cut)), answer, continued }),
        );
      };
      const giveUp = setTimeout(() => started(false), continueMs);
      onData = () => {
        const got = Buffer.concat(chunks).toString('latin1');
        if (/^HTTP\/1\.[01] 100 /.test(got) && got.includes('\r\n\r\n')) started(true);
        else if (got.length > 0 || socket.destroyed) started(false);
      };
    });
  });
}

/**
 * Sends a GET and reads until `maxBytes` arrived, the response is complete, or `maxMs` passed,
 * then destroys the socket (no FIN handshake: the client just goes away).
 */
export function readPartial(
  port: number,
  path: string,
  token: string,
  maxBytes: number,
  maxMs: number,
): Promise<RawAnswer> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    const chunks: Buffer[] = [];
    let got = 0;
    let error: string | null = null;
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      socket.destroy();
      const all = Buffer.concat(chunks);
      resolve(parseRaw(all.subarray(0, Math.min(all.length, maxBytes)), error));
    };
    const timer = setTimeout(finish, maxMs);
    socket.once('connect', () => socket.write(requestHead('GET', path, port, token)));
    socket.on('data', (d: Buffer) => {
      chunks.push(d);
      got += d.length;
      if (got >= maxBytes || parseRaw(Buffer.concat(chunks)).complete) finish();
    });
    socket.on('error', (err: NodeJS.ErrnoException) => {
      error = err.code ?? err.message;
      finish();
    });
    socket.on('close', finish);
  });
}
