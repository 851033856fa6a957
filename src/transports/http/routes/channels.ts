// Channel directory and member lists (SPEC §3).
import { defineRoute, type RouteSpec } from '../route-def.js';
import { ChannelListSchema, ChannelParams, MemberListSchema } from '../schemas.js';

const listChannels = defineRoute({
  method: 'GET',
  path: '/api/v1/channels',
  auth: 'bearer',
  tag: 'channels',
  summary: 'Channels the caller may see',
  description: 'Secret (+s) channels are listed only to their members.',
  response: { status: 200, description: 'the channels', schema: ChannelListSchema },
  handler: ({ deps, caller }) => deps.core.listChannels(caller),
});

const listMembers = defineRoute({
  method: 'GET',
  path: '/api/v1/channels/:name/members',
  auth: 'bearer',
  tag: 'channels',
  summary: 'Members of a channel',
  description:
    'The name without `#`, URL-encoded. 404 for unknown channels and secret ones the caller is not in.',
  params: ChannelParams,
  response: { status: 200, description: 'the members, prefix = highest', schema: MemberListSchema },
  errors: [404],
  handler: ({ deps, caller, params }) => deps.core.listMembers(caller, `#${params.name}`),
});

export const channelRoutes: RouteSpec[] = [listChannels, listMembers];
