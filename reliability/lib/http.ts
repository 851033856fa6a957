// HTTP for the reliability suites: keep-alive agents over node:http (fetch pools sockets in ways
// we cannot bound), JSON in and out, and the chat calls the tests share.
import http from 'node:http';

export interface Answer<T = unknown> {
  status: number;
  body: T;
  headers: http.IncomingHttpHeaders;
  /** raw body text */
  text: string;
}

export function agent(maxSockets: number): http.Agent {
  return new http.Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets, noDelay: true });
}

export interface CallOptions {
  token?: string;
  json?: unknown;
  headers?: http.OutgoingHttpHeaders;
  signal?: AbortSignal;
  agent?: http.Agent;
}

export function call<T = Record<string, unknown>>(
  port: number,
  method: string,
  path: string,
  o: CallOptions = {},
): Promise<Answer<T>> {
  return new Promise((resolve, reject) => {
    const headers: http.OutgoingHttpHeaders = { ...o.headers };
    if (o.token) headers.authorization = `Bearer ${o.token}`;
    let payload: Buffer | undefined;
    if (o.json !== undefined) {
      payload = Buffer.from(JSON.stringify(o.json));
      headers['content-type'] = 'application/json';
      headers['content-length'] = payload.length;
    }
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        method,
        path,
        headers,
        agent: o.agent ?? false,
        ...(o.signal ? { signal: o.signal } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body: unknown = text;
          try {
            body = text ? JSON.parse(text) : null;
          } catch {
            // not JSON: keep the text
          }
          resolve({ status: res.statusCode ?? 0, body: body as T, headers: res.headers, text });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

export interface Created {
  id: number;
  client_id: number;
  nick: string;
  token: string;
}

export async function createSession(port: number, nick: string, a?: http.Agent): Promise<Created> {
  const r = await call<Created>(port, 'POST', '/api/v1/session', {
    json: { nick },
    ...(a ? { agent: a } : {}),
  });
  if (r.status !== 201) throw new Error(`session ${nick}: ${r.status} ${r.text}`);
  return r.body;
}

export interface Ack {
  id: string | null;
  seq: number | null;
}

/** POSTs one command; throws unless 200, answering the stored message's id and seq. */
export async function send(
  port: number,
  token: string,
  cmd: Record<string, unknown>,
  a?: http.Agent,
): Promise<Ack> {
  const r = await call<Ack>(port, 'POST', '/api/v1/messages', {
    token,
    json: cmd,
    ...(a ? { agent: a } : {}),
  });
  if (r.status !== 200) throw new Error(`${String(cmd.command)}: ${r.status} ${r.text}`);
  return r.body;
}

/** JOIN lists of the most a JOIN may name (TARGMAX JOIN:20), one POST each. */
export const JOIN_TARGMAX = 20;

/** Joins every channel in `names`, JOIN_TARGMAX at a time; throws unless each POST is 200. */
export async function joinAll(
  port: number,
  token: string,
  names: readonly string[],
  a?: http.Agent,
): Promise<void> {
  for (let i = 0; i < names.length; i += JOIN_TARGMAX) {
    const to = names.slice(i, i + JOIN_TARGMAX).join(',');
    await send(port, token, { command: 'JOIN', to }, a);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
