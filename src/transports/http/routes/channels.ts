// Channel directory and member lists (docs/api.md). Both are paged: a page holds at most
// POLL_BATCH_MAX entries and PAGE_MAX_BYTES; when more follow, the answer carries
// `Link: <…?after=KEY>; rel="next"` (RFC 8288), and the body stays a plain array.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Page } from '../../../protocol/listing-pages.js';
import { defineRoute, type RouteSpec } from '../route-def.js';
import { ChannelListSchema, ChannelParams, MemberListSchema, PageQuery } from '../schemas.js';

const PAGING =
  ' At most POLL_BATCH_MAX entries and PAGE_MAX_BYTES per page; when more follow, the ' +
  '`Link` header names the next page (`rel="next"`, with `?after=`).';

const listChannels = defineRoute({
  method: 'GET',
  path: '/api/v1/channels',
  auth: 'bearer',
  tag: 'channels',
  summary: 'Channels the caller may see',
  description: 'Secret (+s) channels are listed only to their members. By folded name.' + PAGING,
  query: PageQuery,
  response: { status: 200, description: 'the channels', schema: ChannelListSchema },
  errors: [429],
  handler: async ({ deps, caller, query, request, reply }) =>
    pageAnswer(request, reply, await deps.core.listChannels(caller, query.after ?? null)),
});

const listMembers = defineRoute({
  method: 'GET',
  path: '/api/v1/channels/:name/members',
  auth: 'bearer',
  tag: 'channels',
  summary: 'Members of a channel',
  description:
    'The name without `#`, URL-encoded. 404 for unknown channels and secret ones the caller is ' +
    'not in. Ops first, then voiced members, then the others, each by folded nick.' +
    PAGING,
  params: ChannelParams,
  query: PageQuery,
  response: { status: 200, description: 'the members, prefix = highest', schema: MemberListSchema },
  errors: [404, 429],
  handler: async ({ deps, caller, params, query, request, reply }) =>
    pageAnswer(
      request,
      reply,
      await deps.core.listMembers(caller, `#${params.name}`, query.after ?? null),
    ),
});

/** The page's items as the body; a Link to the next page when there is one. */
function pageAnswer<T>(request: FastifyRequest, reply: FastifyReply, page: Page<T>): T[] {
  if (page.next !== null) {
    const path = request.url.split('?')[0] ?? '';
    const next = `${path}?after=${encodeURIComponent(page.next)}`;
    void reply.header('Link', `<${next}>; rel="next"`);
  }
  return page.items;
}

export const channelRoutes: RouteSpec[] = [listChannels, listMembers];
