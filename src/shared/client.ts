// A small typed client of the HTTP API (docs/api.md) for the web client and chat-cli. It uses only
// `fetch`, so it runs in browsers and on Node 20 alike; it keeps the bearer token, and turns every
// non-2xx answer into an ApiError carrying the server's JSON error body.
import type {
  ApiError as ApiErrorBody,
  ChannelListItem,
  ClientView,
  CommandInput,
  CommandResult,
  HistoryView,
  MemberView,
  PollResult,
  ServerInfo,
  SessionCreated,
  StateView,
} from '../model/api.js';
import { parseRetryAfter } from './backoff.js';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: ApiErrorBody,
    /** seconds the server's Retry-After asked for (429, 503; seconds or an HTTP-date), or null */
    readonly retryAfter: number | null,
  ) {
    super(body.message || `HTTP ${status}`);
    this.name = 'ApiError';
  }

  get code(): string {
    return this.body.error;
  }

  /** the token no longer works (revoked, session ended): the client is signed out */
  get signedOut(): boolean {
    return this.status === 401;
  }
}

export interface ChatClientOptions {
  /** e.g. `http://127.0.0.1:8080`, or `''` for the page's own origin */
  baseUrl: string;
  token?: string | null;
  /** defaults to the global fetch */
  fetch?: typeof fetch;
}

export interface HistoryQuery {
  target: string;
  before?: number | null;
  limit?: number;
}

export class ChatClient {
  token: string | null;
  private readonly baseUrl: string;
  private readonly fetchFn: typeof fetch;

  constructor(o: ChatClientOptions) {
    this.baseUrl = o.baseUrl.replace(/\/+$/, '');
    this.token = o.token ?? null;
    this.fetchFn = o.fetch ?? ((input, init) => fetch(input, init));
  }

  server(): Promise<ServerInfo> {
    return this.request('GET', '/api/v1/server');
  }

  /** POST /session; keeps the new token */
  async createSession(nick: string, stamp?: string): Promise<SessionCreated> {
    const created = await this.request<SessionCreated>(
      'POST',
      '/api/v1/session',
      { nick },
      stampHeader(stamp),
    );
    this.token = created.token;
    return created;
  }

  /** POST /register; keeps the new token */
  async register(nick: string, password: string, stamp?: string): Promise<SessionCreated> {
    const created = await this.request<SessionCreated>(
      'POST',
      '/api/v1/register',
      { nick, password },
      stampHeader(stamp),
    );
    this.token = created.token;
    return created;
  }

  /** POST /login; keeps the new token */
  async login(nick: string, password: string): Promise<SessionCreated> {
    const created = await this.request<SessionCreated>('POST', '/api/v1/login', {
      nick,
      password,
    });
    this.token = created.token;
    return created;
  }

  send(command: CommandInput): Promise<CommandResult> {
    return this.request('POST', '/api/v1/messages', command);
  }

  /** one long-poll: entries after `after` (null = from the oldest kept), waiting up to `timeout` s */
  poll(after: number | null, timeoutSeconds: number, signal?: AbortSignal): Promise<PollResult> {
    const q = new URLSearchParams({ timeout: String(timeoutSeconds) });
    if (after !== null) q.set('after', String(after));
    return this.request('GET', `/api/v1/messages?${q.toString()}`, undefined, {}, signal);
  }

  state(replay = false): Promise<StateView> {
    return this.request('GET', replay ? '/api/v1/state?replay=1' : '/api/v1/state');
  }

  history(q: HistoryQuery): Promise<HistoryView> {
    const params = new URLSearchParams({ target: q.target });
    if (q.before !== undefined && q.before !== null) params.set('before', String(q.before));
    if (q.limit !== undefined) params.set('limit', String(q.limit));
    return this.request('GET', `/api/v1/history?${params.toString()}`);
  }

  /** every channel the caller may see (all pages) */
  channels(): Promise<ChannelListItem[]> {
    return this.allPages('/api/v1/channels');
  }

  /** members of a channel (`#name` or `name`), all pages */
  members(channel: string): Promise<MemberView[]> {
    const name = channel.startsWith('#') ? channel.slice(1) : channel;
    return this.allPages(`/api/v1/channels/${encodeURIComponent(name)}/members`);
  }

  /** A paged listing: follows `Link: <…>; rel="next"` up to MAX_PAGES pages. */
  private async allPages<T>(path: string): Promise<T[]> {
    const items: T[] = [];
    let next: string | null = path;
    for (let i = 0; next !== null && i < MAX_PAGES; i++) {
      const page: { body: T[]; headers: Headers } = await this.requestWithHeaders<T[]>('GET', next);
      items.push(...page.body);
      next = nextLink(page.headers.get('link'));
    }
    return items;
  }

  clients(): Promise<ClientView[]> {
    return this.request('GET', '/api/v1/clients');
  }

  async revokeClient(clientId: number): Promise<void> {
    await this.request('DELETE', `/api/v1/clients/${clientId}`);
  }

  /** POST /logout; forgets the token */
  async logout(): Promise<void> {
    await this.request('POST', '/api/v1/logout');
    this.token = null;
  }

  private async request<T>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
    signal?: AbortSignal,
  ): Promise<T> {
    return (await this.requestWithHeaders<T>(method, path, body, headers, signal)).body;
  }

  private async requestWithHeaders<T>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
    signal?: AbortSignal,
  ): Promise<{ body: T; headers: Headers }> {
    const h: Record<string, string> = { accept: 'application/json', ...headers };
    if (this.token) h.authorization = `Bearer ${this.token}`;
    let payload: string | undefined;
    if (body !== undefined) {
      h['content-type'] = 'application/json';
      payload = JSON.stringify(body);
    }
    const init: RequestInit = { method, headers: h };
    if (payload !== undefined) init.body = payload;
    if (signal) init.signal = signal;
    const res = await this.fetchFn(this.baseUrl + path, init);
    const text = await res.text();
    let parsed: unknown = null;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      parsed = null;
    }
    if (!res.ok) {
      const err =
        parsed && typeof parsed === 'object' && 'error' in parsed
          ? (parsed as ApiErrorBody)
          : { error: 'http_error', message: `HTTP ${res.status}` };
      throw new ApiError(
        res.status,
        err,
        parseRetryAfter(res.headers.get('retry-after'), Date.now()),
      );
    }
    return { body: parsed as T, headers: res.headers };
  }
}

/** Pages a listing may take before the client stops following (a runaway guard). */
const MAX_PAGES = 64;

/** The path of `rel="next"` in a Link header (only same-origin API paths are followed). */
function nextLink(link: string | null): string | null {
  const m = link ? /<(\/api\/v1\/[^>]*)>\s*;\s*rel="next"/.exec(link) : null;
  return m?.[1] ?? null;
}

function stampHeader(stamp: string | undefined): Record<string, string> {
  return stamp ? { 'x-hashcash': stamp } : {};
}
