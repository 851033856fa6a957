// Member counts for the fan-out histogram. Counting a channel's members scans its memberships
// (10,000 rows in a big channel), too much to do for every message, and the histogram needs no
// precision: each count is reused for a few seconds.
import type { Context } from './context.js';

const FRESH_MS = 5_000;
type Counts = Map<number, { count: number; at: number }>;
const caches = new WeakMap<object, Counts>();

export async function approximateMemberCount(ctx: Context, channelId: number): Promise<number> {
  let cache = caches.get(ctx.env);
  if (!cache) caches.set(ctx.env, (cache = new Map() as Counts));
  const now = ctx.now();
  const hit = cache.get(channelId);
  if (hit && now - hit.at < FRESH_MS) return hit.count;
  const count = await ctx.tx.countMembers(channelId);
  if (cache.size > 10_000) cache.clear();
  cache.set(channelId, { count, at: now });
  return count;
}
