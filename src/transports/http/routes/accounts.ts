// How a device gets a token (docs/api.md, docs/sessions.md, docs/hashcash.md): an anonymous session, a registered one (with a
// password), or a login to an existing session with a password.
import { defineRoute, type RouteSpec } from '../route-def.js';
import { LoginBody, RegisterBody, SessionBody, SessionCreatedSchema } from '../schemas.js';

const HASHCASH_NOTE =
  'Needs a hashcash stamp (X-Hashcash header or `hashcash` field) unless HASHCASH_BITS=0.';

const createSession = defineRoute({
  method: 'POST',
  path: '/api/v1/session',
  auth: 'none',
  tag: 'session',
  summary: 'Create an anonymous session',
  description:
    'A new session with one client; its queue starts with the welcome burst (001–005, LUSERS, MOTD). ' +
    HASHCASH_NOTE,
  body: SessionBody,
  response: {
    status: 201,
    description: 'the session and its first client token',
    schema: SessionCreatedSchema,
  },
  errors: [402, 409],
  handler: ({ deps, body, request }) =>
    deps.core.createSession(body.nick, body.hashcash ?? firstHeader(request.headers['x-hashcash'])),
});

const register = defineRoute({
  method: 'POST',
  path: '/api/v1/register',
  auth: 'none',
  tag: 'session',
  summary: 'Create a session with a password',
  description:
    'As /session, but the session has a password from the start: other devices attach with ' +
    '/login, and it stays (always-on) when its last client leaves. ' +
    HASHCASH_NOTE,
  body: RegisterBody,
  response: {
    status: 201,
    description: 'the session and its first client token',
    schema: SessionCreatedSchema,
  },
  errors: [402, 409],
  handler: ({ deps, body, request }) =>
    deps.core.register(
      body.nick,
      body.password,
      body.hashcash ?? firstHeader(request.headers['x-hashcash']),
    ),
});

const login = defineRoute({
  method: 'POST',
  path: '/api/v1/login',
  auth: 'none',
  tag: 'session',
  summary: 'Attach a new client (device) to a session with a password',
  description:
    'Its queue gets the welcome burst and a replay of the current channel state (JOIN, 332/333, ' +
    '353/366 per channel). An unknown nick and a wrong password both answer 401 ' +
    '`invalid_credentials`; failed logins are limited per nick and per address, successful ones ' +
    'per account (429). A session at MAX_CLIENTS answers 403 `too_many_clients`.',
  body: LoginBody,
  response: { status: 200, description: 'the new client’s token', schema: SessionCreatedSchema },
  errors: [401, 403, 429],
  handler: ({ deps, body, request }) => deps.core.login(body.nick, body.password, request.ip),
});

export const accountRoutes: RouteSpec[] = [createSession, register, login];

/** A repeated header arrives as an array: only the first value counts. */
function firstHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
