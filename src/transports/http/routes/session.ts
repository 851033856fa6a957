// The caller's own session: state, clients (devices), logout (docs/api.md, docs/sessions.md).
import { defineRoute, type RouteSpec } from '../route-def.js';
import {
  ClientListSchema,
  ClientParams,
  StateQuery,
  StateViewSchema,
  StatusOkSchema,
} from '../schemas.js';

const stateRoute = (path: string, summary: string) =>
  defineRoute({
    method: 'GET',
    path,
    auth: 'bearer',
    tag: 'session',
    summary,
    query: StateQuery,
    response: { status: 200, description: 'the caller’s session', schema: StateViewSchema },
    errors: [429],
    handler: ({ deps, caller, query }) =>
      deps.core.state(caller, query.replay === '1' || query.replay === 'true'),
  });

const listClients = defineRoute({
  method: 'GET',
  path: '/api/v1/clients',
  auth: 'bearer',
  tag: 'session',
  summary: 'List the session’s own clients (devices)',
  response: { status: 200, description: 'the clients', schema: ClientListSchema },
  handler: ({ deps, caller }) => deps.core.listClients(caller),
});

const revokeClient = defineRoute({
  method: 'DELETE',
  path: '/api/v1/clients/:client_id',
  auth: 'bearer',
  tag: 'session',
  summary: 'Revoke one of the session’s own clients',
  description: 'Its token stops working; its held polls end with 401.',
  params: ClientParams,
  response: { status: 200, description: 'revoked', schema: StatusOkSchema },
  errors: [404],
  handler: async ({ deps, caller, params }) => {
    await deps.core.revokeClient(caller, params.client_id);
    return { status: 'ok' };
  },
});

const logout = defineRoute({
  method: 'POST',
  path: '/api/v1/logout',
  auth: 'bearer',
  tag: 'session',
  summary: 'Delete this client',
  description: 'If it was the session’s last client, the session ends as with QUIT.',
  response: { status: 200, description: 'logged out', schema: StatusOkSchema },
  handler: async ({ deps, caller }) => {
    await deps.core.logout(caller);
    return { status: 'ok' };
  },
});

export const sessionRoutes: RouteSpec[] = [
  stateRoute('/api/v1/state', 'The caller’s session state'),
  stateRoute('/api/v1/users/me', 'The caller’s session state (alias of /api/v1/state)'),
  listClients,
  revokeClient,
  logout,
];
