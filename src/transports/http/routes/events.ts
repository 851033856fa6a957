// GET /api/v1/events: the client's queue as Server-Sent Events (docs/envelope-and-delivery.md
// "Server-Sent Events"). The same queue, cursor and limits as the long-poll of messages.ts; the
// framing is src/shared/sse.ts.
import type { ServerResponse } from 'node:http';
import { z } from 'zod';
import type { PollResult } from '../../../model/api.js';
import { ChatError, chatErrorBody } from '../../../protocol/errors.js';
import { formatComment, formatEvent } from '../../../shared/sse.js';
import { defineRoute, type RouteSpec } from '../route-def.js';
import { CANONICAL_INT_MESSAGE, EventsQuery } from '../schemas.js';

/** the responses of the open streams, for the sse_buffered_bytes gauge */
const open = new Set<ServerResponse>();

/** What the open streams hold in memory, unsent (Node's buffers, the socket's included). */
export function sseBufferedBytes(): number {
  let total = 0;
  for (const res of open) total += res.writableLength;
  return total;
}

const events = defineRoute({
  method: 'GET',
  path: '/api/v1/events',
  auth: 'bearer',
  tag: 'messages',
  summary: 'Stream this client’s queue (Server-Sent Events)',
  description:
    'The entries of the long-poll, as they arrive: one event per entry, `id:` = its queue id, ' +
    '`data:` = the envelope with `queue_id`; `event: gap` before entries that follow skipped ' +
    'ones; a comment heartbeat every SSE_HEARTBEAT_SECONDS. Resumes after `Last-Event-ID` (or ' +
    '`after`). Counts as one of the 2 polls a client may hold.',
  query: EventsQuery,
  response: {
    status: 200,
    description: 'an endless event stream; ends on revocation (`event: revoked`) and on shutdown',
    schema: z.string(),
    contentType: 'text/event-stream',
  },
  errors: [429],
  handler: async ({ deps, caller, query, request, reply }) => {
    const after = lastEventId(request.headers['last-event-id']) ?? query.after ?? null;
    const res = reply.raw;
    const gone = new AbortController();
    // A response 'close' before it finished means the client went away.
    const onClose = () => {
      if (!res.writableFinished) gone.abort();
    };
    res.once('close', onClose);
    if (request.raw.socket?.destroyed) gone.abort();
    let heartbeat: NodeJS.Timeout | undefined;
    let opened = false;
    try {
      await deps.delivery.stream({
        caller,
        after,
        signal: gone.signal,
        open: () => {
          opened = true;
          open.add(res);
          reply.hijack();
          // The headers Fastify's hooks set (nosniff, request id, no-store) plus the stream's own;
          // X-Accel-Buffering: a proxy that honours it (nginx) passes events on at once.
          for (const [name, value] of Object.entries(reply.getHeaders())) {
            if (value !== undefined) res.setHeader(name, value);
          }
          res.writeHead(200, {
            'content-type': 'text/event-stream; charset=utf-8',
            'cache-control': 'no-store',
            'x-accel-buffering': 'no',
          });
          // A first byte at once: a client knows the stream works before any entry or heartbeat.
          res.write(formatComment('ok'));
          heartbeat = setInterval(() => {
            // A reader that does not read gets no more heartbeats either: bounded memory.
            if (!res.writableNeedDrain && !res.destroyed) res.write(formatComment('heartbeat'));
          }, deps.settings.sseHeartbeatSeconds * 1000);
        },
        send: (batch, stop) => writeBatch(res, batch, stop, gone.signal),
      });
    } catch (err) {
      if (!opened) {
        if (gone.signal.aborted) return reply.hijack();
        throw err;
      }
      if (err instanceof ChatError && err.code === 'invalid_token') {
        if (!res.destroyed) res.write(formatEvent({ event: 'revoked', data: errorData(err) }));
      } else {
        request.log.error({ err }, 'event stream failed');
      }
    } finally {
      clearInterval(heartbeat);
      res.off('close', onClose);
      open.delete(res);
    }
    if (!opened) return reply.hijack(); // the client went away before the first read
    // A reader that stopped reading would hold up shutdown until its buffers drained: cut it
    // instead (it resumes after the last whole event it got, so nothing is lost).
    if (res.writableNeedDrain) res.destroy();
    else if (!res.destroyed) res.end();
    return reply;
  },
});

/** The Last-Event-ID header as a cursor; absent = undefined. Anything non-canonical is a 400. */
function lastEventId(header: string | string[] | undefined): number | undefined {
  if (header === undefined) return undefined;
  const value = Array.isArray(header) ? null : header;
  if (value === null || !/^(0|[1-9][0-9]{0,15})$/.test(value) || !Number.isSafeInteger(+value)) {
    throw new ChatError({
      code: 'invalid_request',
      message: `Last-Event-ID: ${Array.isArray(header) ? 'must be given only once' : CANONICAL_INT_MESSAGE}`,
    });
  }
  return Number(value);
}

/**
 * Writes one batch (a gap event first when entries were skipped) and resolves once the socket
 * drained, the client went away or the stream must stop: the next batch is not read before.
 */
function writeBatch(
  res: ServerResponse,
  batch: PollResult,
  stop: AbortSignal,
  gone: AbortSignal,
): Promise<void> {
  if (stop.aborted || gone.aborted || res.destroyed) return Promise.resolve();
  let text = batch.gap === true ? formatEvent({ event: 'gap', data: '{"gap":true}' }) : '';
  for (const m of batch.messages) text += formatEvent({ id: m.queue_id, data: JSON.stringify(m) });
  if (res.write(text)) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      stop.removeEventListener('abort', done);
      gone.removeEventListener('abort', done);
      resolve();
    };
    res.once('drain', done);
    res.once('close', done);
    stop.addEventListener('abort', done, { once: true });
    gone.addEventListener('abort', done, { once: true });
  });
}

function errorData(err: ChatError): string {
  return JSON.stringify(chatErrorBody(err));
}

export const eventRoutes: RouteSpec[] = [events];
