// One Server-Sent Events stream of GET /api/v1/events, read with fetch: EventSource cannot send
// the Authorization header, and the token must never go into a URL. The engine (engine.ts) runs
// one at a time and falls back to long-poll when streams do not work here (StreamUnusable).
import { parseRetryAfter } from '../../../src/shared/backoff.js';
import { ApiError } from '../../../src/shared/client.js';
import type { ApiError as ApiErrorBody, QueuedEnvelope } from '../../../src/model/api.js';
import { SseParser } from '../../../src/shared/sse.js';

/** Nothing at all within this long of asking: a buffering proxy, or no streaming. */
export const FIRST_BYTE_MS = 20_000;
/** Silence longer than this on an open stream (heartbeats come every 15 s): reconnect. */
export const SILENCE_MS = 45_000;

/** The stream cannot work on this path (no body stream, buffered, not an event stream). */
export class StreamUnusable extends Error {
  override name = 'StreamUnusable';
  constructor(
    message: string,
    /** the request itself failed (no answer at all): maybe the network, maybe a blocked path */
    readonly network = false,
  ) {
    super(message);
  }
}

/** An open stream went quiet or broke: reconnect (with the stream again). */
export class StreamBroken extends Error {
  override name = 'StreamBroken';
}

export interface StreamBatch {
  messages: QueuedEnvelope[];
  /** entries were skipped before these (`event: gap`) */
  gap: boolean;
}

export interface StreamOptions {
  baseUrl: string;
  token: string;
  /** resume after this queue id (Last-Event-ID); null = from the oldest kept entry */
  after: number | null;
  fetch: typeof fetch;
  signal: AbortSignal;
  /** default FIRST_BYTE_MS (tests shorten it) */
  firstByteMs?: number;
  /** the first byte arrived: the stream works */
  opened(): void;
  /** the entries of one chunk of the stream, in order */
  batch(b: StreamBatch): void;
}

/**
 * Reads one stream until the server ends it (resolves: shutdown, reconnect later), the token is
 * revoked or refused (ApiError 401), the server refuses it (ApiError), or it fails (StreamUnusable
 * before the first byte, StreamBroken after). An abort of `signal` resolves quietly.
 */
export async function readEventStream(o: StreamOptions): Promise<void> {
  const local = new AbortController();
  const abortLocal = () => local.abort();
  o.signal.addEventListener('abort', abortLocal, { once: true });
  // why the stream was cut here (a timer fired), set before the abort it causes
  const cut: { why: Error | null } = { why: null };
  const firstByteMs = o.firstByteMs ?? FIRST_BYTE_MS;
  let timer = setTimeout(() => {
    cut.why = new StreamUnusable(`no first byte within ${firstByteMs / 1000} s`);
    local.abort();
  }, firstByteMs);
  const headers: Record<string, string> = {
    accept: 'text/event-stream',
    authorization: `Bearer ${o.token}`,
  };
  if (o.after !== null) headers['last-event-id'] = String(o.after);
  try {
    let res: Response;
    try {
      res = await o.fetch(`${o.baseUrl}/api/v1/events`, {
        headers,
        signal: local.signal,
      });
    } catch (err) {
      if (o.signal.aborted) return;
      throw cut.why ?? new StreamUnusable(`the stream request failed: ${String(err)}`, true);
    }
    if (!res.ok) throw await refusal(res);
    const type = res.headers.get('content-type') ?? '';
    if (!type.startsWith('text/event-stream') || !res.body) {
      throw new StreamUnusable(`not an event stream (${type || 'no content type'})`);
    }
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    // An abort also cancels the reading (fetch errors the body then, but a body from elsewhere, a
    // service worker's or a test's, might not notice the abort).
    local.signal.addEventListener('abort', () => void reader.cancel().catch(() => undefined), {
      once: true,
    });
    const parser = new SseParser();
    let opened = false;
    let gap = false;
    for (;;) {
      let chunk: Awaited<ReturnType<typeof reader.read>>;
      try {
        chunk = await reader.read();
      } catch (err) {
        if (o.signal.aborted) return;
        if (cut.why) throw cut.why;
        throw opened ? new StreamBroken(String(err)) : new StreamUnusable(String(err));
      }
      if (chunk.done) {
        if (cut.why) throw cut.why;
        return; // the server ended the stream, or we were told to stop
      }
      if (!opened) {
        opened = true;
        o.opened();
      }
      clearTimeout(timer);
      timer = setTimeout(() => {
        cut.why = new StreamBroken(`silent for ${SILENCE_MS / 1000} s`);
        local.abort();
      }, SILENCE_MS);
      const messages: QueuedEnvelope[] = [];
      for (const e of parser.push(chunk.value)) {
        if (e.event === 'revoked') {
          throw new ApiError(401, errorBody(e.data, 'invalid_token'), null);
        }
        if (e.event === 'gap') gap = true;
        if (e.event !== '') continue; // unknown event names: nothing this client knows
        messages.push(JSON.parse(e.data) as QueuedEnvelope);
      }
      if (messages.length > 0) {
        o.batch({ messages, gap });
        gap = false;
      }
    }
  } finally {
    clearTimeout(timer);
    o.signal.removeEventListener('abort', abortLocal);
    local.abort(); // ends the request if it still runs
  }
}

/** A refused stream: a JSON error from chatd is an ApiError; anything else means no stream here. */
async function refusal(res: Response): Promise<Error> {
  const text = await res.text().catch(() => '');
  let body: unknown = null;
  try {
    body = JSON.parse(text);
  } catch {
    body = null;
  }
  if (body && typeof body === 'object' && 'error' in body) {
    return new ApiError(
      res.status,
      body as ApiErrorBody,
      parseRetryAfter(res.headers.get('retry-after'), Date.now()),
    );
  }
  return new StreamUnusable(`HTTP ${res.status} without a chatd error`);
}

function errorBody(data: string, fallback: string): ApiErrorBody {
  try {
    const parsed = JSON.parse(data) as ApiErrorBody;
    if (typeof parsed.error === 'string') return parsed;
  } catch {
    // fall through
  }
  return { error: fallback, message: 'the stream was ended' };
}
