// Sending commands and long-polling the client's queue (docs/commands.md, docs/envelope-and-delivery.md).
import { ChatError } from '../../../protocol/errors.js';
import type { CommandInput } from '../../../model/envelope.js';
import type { PollResult } from '../../../model/api.js';
import { defineRoute, type RouteSpec } from '../route-def.js';
import { CommandResultSchema, MessageBody, PollQuery, PollResultSchema } from '../schemas.js';

/** The longest a client may ask a poll to be held (docs/envelope-and-delivery.md). */
export const MAX_POLL_SECONDS = 30;

const PASS_THROUGH = ['to', 'params', 'body', 'meta', 'txn'] as const;

const sendCommand = defineRoute({
  method: 'POST',
  path: '/api/v1/messages',
  auth: 'bearer',
  tag: 'messages',
  summary: 'Send an IRC command',
  description:
    'The body is an envelope without the server-assigned fields. `to`, `params`, `body` and ' +
    '`meta` are stored and relayed exactly as sent. An IRC refusal answers the status of docs/api.md ' +
    'with `numeric`, `params` and `replies`.',
  body: MessageBody,
  response: {
    status: 200,
    description: 'the (first) stored message and the numerics this command produced',
    schema: CommandResultSchema,
  },
  errors: [403, 404, 409, 429],
  handler: async ({ deps, caller, body, rawBody }) => {
    // The line count is the core's rule (validate.ts), the same for every transport; the size
    // of meta as JSON is this wire format's.
    const MAX_META_BYTES = deps.settings.maxMetaBytes;
    const raw = rawBody as Record<string, unknown>;
    if (body.meta !== undefined && Buffer.byteLength(JSON.stringify(raw.meta)) > MAX_META_BYTES) {
      throw new ChatError({
        code: 'meta_too_large',
        message: `body.meta: at most ${MAX_META_BYTES} bytes of JSON`,
      });
    }
    // The values exactly as parsed (own properties, original key order), not the schema's
    // copies: signatures are computed over what the client sent (docs/signing.md).
    const input: CommandInput = { command: body.command };
    for (const key of PASS_THROUGH) {
      if (Object.hasOwn(raw, key)) (input as unknown as Record<string, unknown>)[key] = raw[key];
    }
    const result = await deps.core.execute(caller, input);
    return { id: result.id, seq: result.seq, replies: result.replies };
  },
});

const poll = defineRoute({
  method: 'GET',
  path: '/api/v1/messages',
  auth: 'bearer',
  tag: 'messages',
  summary: 'Long-poll this client’s queue',
  description:
    'Entries with queue id > `after`, at most POLL_BATCH_MAX; waits up to `timeout` seconds ' +
    '(clamped to 30) when there are none. `gap: true` when entries were skipped.',
  query: PollQuery,
  response: {
    status: 200,
    description: 'queued entries and the new cursor',
    schema: PollResultSchema,
  },
  errors: [429],
  handler: async ({ deps, caller, query, request, reply }) => {
    const seconds = Math.min(
      query.timeout ?? deps.settings.longPollTimeoutSeconds,
      MAX_POLL_SECONDS,
    );
    const controller = new AbortController();
    // A response 'close' before it finished means the client went away.
    const onClose = () => {
      if (!reply.raw.writableFinished) controller.abort();
    };
    reply.raw.once('close', onClose);
    if (request.raw.socket?.destroyed) controller.abort();
    let result: PollResult | string;
    try {
      const req = {
        caller,
        after: query.after ?? null,
        timeoutMs: seconds * 1000,
        signal: controller.signal,
      };
      // the JSON text as the store holds it, when delivery can give it: no parse and
      // re-serialisation of every entry for every recipient
      result = deps.delivery.pollJson
        ? await deps.delivery.pollJson(req)
        : await deps.delivery.poll(req);
    } catch (err) {
      if (controller.signal.aborted) return reply.hijack();
      throw err;
    } finally {
      reply.raw.off('close', onClose);
    }
    // Never write to a client that went away.
    if (controller.signal.aborted || reply.raw.destroyed) return reply.hijack();
    if (typeof result === 'string') {
      void reply.type('application/json; charset=utf-8');
      return result;
    }
    const answer: PollResult = { messages: result.messages, last_id: result.last_id };
    if (result.gap === true) answer.gap = true;
    return answer;
  },
});

export const messageRoutes: RouteSpec[] = [sendCommand, poll];
