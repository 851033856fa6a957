// Wire shapes of the HTTP API as zod schemas: the routes validate requests with them and the
// OpenAPI document is generated from them, so the two cannot drift apart. Request schemas are
// strict (an unknown field or query parameter is a 400); response schemas only document.
import { z } from 'zod';
import type {
  ChannelListItem,
  ClientView,
  CommandResult,
  Envelope,
  HistoryView,
  MemberView,
  PollResult,
  ServerInfo,
  SessionCreated,
  StateView,
} from '../../model/api.js';

export const CANONICAL_INT_MESSAGE = 'must be a canonical non-negative integer';

/**
 * A non-negative safe integer written the one canonical way (`0`, `42`; not `-1`, `01`, `1e3`,
 * `0x10`, ` 1`, empty, or beyond 2^53-1). Query and path values arrive as strings.
 */
export const canonicalInt = z
  .string()
  .regex(/^(0|[1-9][0-9]*)$/, CANONICAL_INT_MESSAGE)
  .refine((s) => s.length <= 16 && Number.isSafeInteger(Number(s)), CANONICAL_INT_MESSAGE)
  .transform(Number);

/** A JSON object that is not an array or null (structured bodies, meta). */
export const plainObject = z.record(z.string(), z.unknown());

// ---- requests ------------------------------------------------------------------------------

export const NoParams = z.strictObject({});
export const NoQuery = z.strictObject({});
/** Routes without a request body accept none, or an empty object. */
export const NoBody = z.strictObject({}).optional();

export const SessionBody = z.strictObject({
  nick: z.string().meta({ description: 'the nick to take (IRC syntax, checked by the server)' }),
  hashcash: z.string().max(256).optional().meta({
    description: 'a hashcash stamp (docs/hashcash.md); or send it in the X-Hashcash header',
  }),
});

const password = z.string().max(1024).meta({
  description: 'at least 8 characters (docs/commands.md PASS); sent only over TLS in production',
});

export const RegisterBody = z.strictObject({
  nick: SessionBody.shape.nick,
  password,
  hashcash: SessionBody.shape.hashcash,
});

export const LoginBody = z.strictObject({
  nick: z.string().max(64).meta({ description: 'the nick of a session with a password' }),
  password,
});

export const StateQuery = z.strictObject({
  replay: z.enum(['0', '1', 'true', 'false']).optional().meta({
    description: 'also queue the channel-state replay (JOIN, 332/333, 353/366) to this client',
  }),
});

export const ClientParams = z.strictObject({
  client_id: canonicalInt.meta({ description: 'a client id of the caller’s own session' }),
});

export const MessageBody = z.strictObject({
  command: z.string().min(1).max(32).meta({ description: 'IRC command, e.g. PRIVMSG, JOIN' }),
  to: z.string().max(512).optional().meta({ description: '#channel, nick or a comma list' }),
  params: z
    .array(z.string())
    .max(15)
    .optional()
    .meta({ description: 'extra IRC parameters (at most 15)' }),
  body: z
    .union([z.array(z.string()), plainObject])
    .optional()
    .meta({
      description: 'one string per text line (at most MAX_LINES), or an object (PUBKEY)',
    }),
  meta: plainObject
    .optional()
    .meta({ description: 'open metadata (sig/alg, action); at most MAX_META_BYTES of JSON' }),
  txn: z
    .string()
    .regex(/^[\x21-\x7e]{1,128}$/, 'must be 1 to 128 visible ASCII characters')
    .optional()
    .meta({ description: 'client transaction id: a retry with the same txn is not stored twice' }),
});

export const PollQuery = z.strictObject({
  after: canonicalInt
    .optional()
    .meta({ description: 'cursor: the last queue id processed; omitted = oldest kept entry' }),
  timeout: canonicalInt.optional().meta({
    description: 'seconds to wait when nothing is queued (default LONG_POLL_TIMEOUT, ≤ 30)',
  }),
});

export const EventsQuery = z.strictObject({
  after: canonicalInt.optional().meta({
    description:
      'cursor: the last queue id processed (a Last-Event-ID header wins); omitted = oldest kept entry',
  }),
});

export const HistoryQuerySchema = z.strictObject({
  target: z
    .string()
    .min(1)
    .max(512)
    .meta({ description: '#channel, or a nick for the DMs with it' }),
  before: canonicalInt
    .optional()
    .meta({ description: 'page of messages strictly older than this seq' }),
  limit: canonicalInt
    .refine((n) => n >= 1, 'must be at least 1')
    .optional()
    .meta({ description: 'page size, default 50, clamped to HISTORY_PAGE_MAX' }),
});

export const PageQuery = z.strictObject({
  after: z.string().min(1).max(256).optional().meta({
    description: 'the key after which the page starts, from the previous page’s Link header',
  }),
});

export const ChannelParams = z.strictObject({
  name: z.string().min(1).meta({ description: 'channel name without the leading #' }),
});

// ---- responses (documentation; TypeScript checks they match api-types) ---------------------

export const EnvelopeSchema = z
  .object({
    id: z.string(),
    seq: z.number().int(),
    command: z.string(),
    from: z.string(),
    to: z.string(),
    params: z.array(z.string()),
    body: z.union([z.array(z.string()), plainObject]),
    ts: z.string(),
    meta: plainObject,
    source: z
      .string()
      .optional()
      .meta({
        description:
          'the sender’s nick!user@host when the event happened (the old nick for NICK); ' +
          'absent on the server’s own envelopes',
      }),
    account: z
      .string()
      .optional()
      .meta({
        description:
          'the sender’s account name (the nick it had when it got its password), next to ' +
          'source, only when the sending session has a password; never signed',
      }),
    realname: z
      .string()
      .optional()
      .meta({ description: 'on JOIN events only: the joining session’s real name' }),
    bot: z
      .literal(true)
      .optional()
      .meta({ description: 'present when the sender had user mode +B (a bot); never signed' }),
  })
  .meta({ id: 'Envelope' }) satisfies z.ZodType<Envelope>;

export const QueuedEnvelopeSchema = EnvelopeSchema.extend({ queue_id: z.number().int() }).meta({
  id: 'QueuedEnvelope',
});

export const ApiErrorSchema = z
  .looseObject({
    error: z.string().meta({ description: 'snake_case error code' }),
    message: z.string(),
    numeric: z.string().optional().meta({ description: 'the IRC numeric of an IRC refusal' }),
    params: z.array(z.string()).optional(),
    replies: z.array(EnvelopeSchema).optional(),
  })
  .meta({ id: 'ApiError' });

export const SessionCreatedSchema = z.object({
  id: z.number().int(),
  client_id: z.number().int(),
  nick: z.string(),
  token: z.string(),
}) satisfies z.ZodType<SessionCreated>;

export const StateViewSchema = z.object({
  id: z.number().int(),
  client_id: z.number().int(),
  nick: z.string(),
  away: z.string().nullable(),
  modes: z.string(),
  channels: z.array(
    z.object({
      id: z.number().int(),
      name: z.string(),
      topic: z.string().nullable(),
      modes: z.string(),
    }),
  ),
  dms: z.array(z.string()),
}) satisfies z.ZodType<StateView>;

export const ClientListSchema = z.array(
  z.object({
    client_id: z.number().int(),
    created_at: z.string(),
    last_seen: z.string(),
    current: z.boolean(),
  }),
) satisfies z.ZodType<ClientView[]>;

export const StatusOkSchema = z.object({ status: z.literal('ok') });

export const CommandResultSchema = z.object({
  id: z.string().nullable(),
  seq: z.number().int().nullable(),
  replies: z.array(EnvelopeSchema),
}) satisfies z.ZodType<CommandResult>;

export const PollResultSchema = z.object({
  messages: z.array(QueuedEnvelopeSchema),
  last_id: z.number().int(),
  gap: z.literal(true).optional(),
}) satisfies z.ZodType<PollResult>;

export const HistoryViewSchema = z.object({
  messages: z.array(EnvelopeSchema),
  has_more: z.boolean(),
}) satisfies z.ZodType<HistoryView>;

export const ChannelListSchema = z.array(
  z.object({ name: z.string(), topic: z.string().nullable(), members: z.number().int() }),
) satisfies z.ZodType<ChannelListItem[]>;

export const MemberListSchema = z.array(
  z.object({
    nick: z.string(),
    prefix: z.enum(['@', '+', '']),
    away: z.string().nullable(),
    pubkey: z.string().nullable().meta({
      description: 'signing key announced with PUBKEY (raw Ed25519, standard base64), or null',
    }),
  }),
) satisfies z.ZodType<MemberView[]>;

export const ServerInfoSchema = z.object({
  name: z.string(),
  version: z.string(),
  motd: z.string(),
  users: z.number().int(),
  hashcash_bits: z.number().int(),
}) satisfies z.ZodType<ServerInfo>;

export const HealthSchema = z.object({
  status: z.enum(['ok', 'degraded']),
  now: z.string(),
  uptime_ms: z.number().int(),
  version: z.string(),
});

/** Documents a non-JSON response (HTML page, Prometheus text). */
export const TextSchema = z.string();
/** The OpenAPI document itself. */
export const OpenApiSchema = z.looseObject({ openapi: z.string() });
