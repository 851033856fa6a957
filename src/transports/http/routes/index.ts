// The route table: one list read by registration (app.ts), the OpenAPI generator and the
// authorization-matrix tests. A new endpoint is added here, in its routes/*.ts file.
import type { RouteSpec } from '../route-def.js';
import { accountRoutes } from './accounts.js';
import { channelRoutes } from './channels.js';
import { eventRoutes } from './events.js';
import { historyRoutes } from './history.js';
import { messageRoutes } from './messages.js';
import { rootRoutes } from './root.js';
import { serverRoutes } from './server.js';
import { sessionRoutes } from './session.js';

export const ROUTES: readonly RouteSpec[] = Object.freeze([
  ...accountRoutes,
  ...sessionRoutes,
  ...messageRoutes,
  ...eventRoutes,
  ...historyRoutes,
  ...channelRoutes,
  ...serverRoutes,
  ...rootRoutes,
]);
