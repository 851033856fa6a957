// HTTP/1.1 over a raw node:net socket for the hostile corpus (C1), for requests node:http will
// not send (both Transfer-Encoding and Content-Length, bad chunk sizes, 2,000 headers, a body
// that stalls, a 100 MiB chunked stream) and to see exactly what the server does: interim 1xx
// answers, the final answer, and when it closes the connection. Also `httpRequest`: node:http
// with a raw body and repeated headers, for the cases node:http can carry. Loopback only; every
// socket is destroyed by a timer at the latest.
import http from 'node:http';
import net from 'node:net';

export interface RawResponse {
  status: number;
  /** lower-case names; a repeated header's values joined with ", " */
  headers: Record<string, string>;
  body: string;
  /** the body parsed as JSON, or undefined */
  json: unknown;
}

export interface RawResult {
  /** the final (non-1xx) answer, or null when none came */
  response: RawResponse | null;
  /** statuses of interim 1xx answers seen before it */
  interim: number[];
  /** the server closed or reset the connection (before we gave up) */
  closed: boolean;
  /** the connection ended in ECONNRESET or EPIPE */
  reset: boolean;
  /** ms from connect to the complete final answer */
  responseMs: number | null;
  /** ms from connect to the close */
  closeMs: number | null;
  /** bytes handed to the socket (headers included) */
  bytesSent: number;
}

export interface RawStream {
  /** one write; repeated until maxBytes or until the server closes */
  chunk: Uint8Array;
  maxBytes: number;
  /** pause after each chunk, so the answer can be read before a reset discards it */
  paceMs: number;
}

export interface RawOptions {
  /** written as soon as the socket connects */
  data: string | Uint8Array;
  /** then streamed, chunk by chunk, while the connection is open */
  stream?: RawStream;
  /** give up (and destroy the socket) after this long */
  timeoutMs: number;
  /** keep waiting for the close after the final answer (default: resolve on the answer) */
  waitForClose?: boolean;
}

const HEAD_END = Buffer.from('\r\n\r\n');

interface Parsed {
  status: number;
  headers: Record<string, string>;
  /** bytes the head took */
  headLength: number;
}

function parseHead(buf: Buffer): Parsed | null {
  const end = buf.indexOf(HEAD_END);
  if (end < 0) return null;
  const lines = buf.subarray(0, end).toString('latin1').split('\r\n');
  const m = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? '');
  if (!m) return { status: 0, headers: {}, headLength: end + 4 };
  const headers: Record<string, string> = {};
  for (const line of lines.slice(1)) {
    const i = line.indexOf(':');
    if (i <= 0) continue;
    const name = line.slice(0, i).trim().toLowerCase();
    const value = line.slice(i + 1).trim();
    headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
  }
  return { status: Number(m[1]), headers, headLength: end + 4 };
}

/** The body of a chunked answer when complete, else null. */
function dechunk(buf: Buffer): Buffer | null {
  const parts: Buffer[] = [];
  let at = 0;
  for (let guard = 0; guard < 100_000; guard++) {
    const lineEnd = buf.indexOf('\r\n', at);
    if (lineEnd < 0) return null;
    const size = parseInt(buf.subarray(at, lineEnd).toString('latin1'), 16);
    if (!Number.isFinite(size) || size === 0) return Buffer.concat(parts);
    const start = lineEnd + 2;
    if (buf.length < start + size + 2) return null;
    parts.push(buf.subarray(start, start + size));
    at = start + size + 2;
  }
  return Buffer.concat(parts);
}

function toResponse(p: Parsed, body: Buffer): RawResponse {
  const text = body.toString('utf8');
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: p.status, headers: p.headers, body: text, json };
}

/** Sends raw bytes (and optionally a paced stream) and reads what comes back. */
export function rawRequest(port: number, o: RawOptions): Promise<RawResult> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const result: RawResult = {
      response: null,
      interim: [],
      closed: false,
      reset: false,
      responseMs: null,
      closeMs: null,
      bytesSent: 0,
    };
    let buf = Buffer.alloc(0);
    let finished = false;
    const sock = net.connect({ port, host: '127.0.0.1', noDelay: true });
    const finish = () => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      sock.destroy();
      resolve(result);
    };
    const timer = setTimeout(finish, o.timeoutMs);

    const parse = () => {
      for (;;) {
        if (result.response) return;
        const head = parseHead(buf);
        if (!head) return;
        if (head.status >= 100 && head.status < 200) {
          result.interim.push(head.status);
          buf = buf.subarray(head.headLength);
          continue;
        }
        const rest = buf.subarray(head.headLength);
        let body: Buffer | null = null;
        const length = head.headers['content-length'];
        if (length !== undefined) {
          const n = Number(length);
          if (rest.length >= n) body = rest.subarray(0, n);
        } else if (/chunked/i.test(head.headers['transfer-encoding'] ?? '')) {
          body = dechunk(rest);
        } else if (result.closed) {
          body = rest;
        }
        if (!body) return;
        result.response = toResponse(head, body);
        result.responseMs = performance.now() - t0;
        if (!o.waitForClose) finish();
        return;
      }
    };

    sock.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      parse();
    });
    sock.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ECONNRESET' || err.code === 'EPIPE') result.reset = true;
    });
    sock.on('close', () => {
      result.closed = true;
      result.closeMs = performance.now() - t0;
      parse();
      finish();
    });
    sock.on('connect', () => {
      const write = (data: string | Uint8Array): boolean => {
        result.bytesSent += typeof data === 'string' ? Buffer.byteLength(data) : data.length;
        return sock.write(data);
      };
      write(o.data);
      const s = o.stream;
      if (!s) return;
      void (async () => {
        let sent = 0;
        while (!finished && !result.closed && !sock.destroyed && sent < s.maxBytes) {
          const chunk = s.chunk.subarray(0, Math.min(s.chunk.length, s.maxBytes - sent));
          sent += chunk.length;
          if (!write(chunk)) {
            await new Promise<void>((r) => {
              const done = () => {
                sock.off('drain', done);
                sock.off('close', done);
                r();
              };
              sock.on('drain', done);
              sock.on('close', done);
            });
          }
          if (s.paceMs > 0) await new Promise((r) => setTimeout(r, s.paceMs));
        }
      })();
    });
  });
}

export interface HttpAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  /** parsed JSON or undefined */
  json: unknown;
}

export interface HttpRequestOptions {
  /** a header given as an array is sent once per value */
  headers?: Record<string, string | string[]>;
  body?: string | Uint8Array;
  agent?: http.Agent;
  timeoutMs?: number;
}

/** One request with node:http, the body sent as given (no JSON encoding). */
export function httpRequest(
  port: number,
  method: string,
  path: string,
  o: HttpRequestOptions = {},
): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: '127.0.0.1',
      port,
      method,
      path,
      agent: o.agent ?? false,
      timeout: o.timeoutMs ?? 15_000,
    });
    for (const [k, v] of Object.entries(o.headers ?? {})) req.setHeader(k, v);
    if (o.body !== undefined) req.setHeader('content-length', Buffer.byteLength(o.body));
    req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no answer in time`)));
    req.on('error', reject);
    req.on('response', (res) => {
      // An event stream (GET /api/v1/events) never ends by itself: its status and headers are
      // the answer, and the connection is closed (the server sees a reader that went away).
      if (res.statusCode === 200 && /^text\/event-stream/.test(res.headers['content-type'] ?? '')) {
        resolve({ status: 200, headers: res.headers, text: '', json: undefined });
        req.destroy();
        return;
      }
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: unknown;
        try {
          json = text ? JSON.parse(text) : undefined;
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      });
    });
    req.end(o.body);
  });
}
