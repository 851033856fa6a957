// Scrollback of a channel or of the caller's DMs with a nick (docs/api.md).
import { defineRoute, type RouteSpec } from '../route-def.js';
import { HistoryQuerySchema, HistoryViewSchema } from '../schemas.js';

export const DEFAULT_HISTORY_LIMIT = 50;

const history = defineRoute({
  method: 'GET',
  path: '/api/v1/history',
  auth: 'bearer',
  tag: 'history',
  summary: 'Scrollback of a channel or of the DMs with a nick',
  description:
    'Oldest-first within the page, newest page first; page backwards with `before` = the ' +
    'oldest `seq` seen. `limit` defaults to 50 and is clamped to HISTORY_PAGE_MAX.',
  query: HistoryQuerySchema,
  response: { status: 200, description: 'one page of history', schema: HistoryViewSchema },
  errors: [403, 404, 429],
  handler: ({ deps, caller, query }) =>
    deps.core.history(caller, {
      target: query.target,
      before: query.before ?? null,
      limit: Math.min(query.limit ?? DEFAULT_HISTORY_LIMIT, deps.settings.historyPageMax),
    }),
});

export const historyRoutes: RouteSpec[] = [history];
