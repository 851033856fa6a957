// Whether a session matches a channel's bans (JOIN, PRIVMSG/NOTICE, NICK): its identity is
// `nick!user@host` with the host of docs/envelope-and-delivery.md, never an address.
import type { SessionRow } from '../store/store.js';
import { matchesAnyBan } from './ban-mask.js';
import type { Context } from './context.js';
import { identityOf } from './lookup.js';

/** True when the session, under its nick or any of `otherNicks`, matches one of the bans. */
export async function isBanned(
  ctx: Context,
  channelId: number,
  session: SessionRow,
  ...otherNicks: string[]
): Promise<boolean> {
  const bans = await ctx.tx.listBans(channelId);
  if (bans.length === 0) return false;
  const masks = bans.map((b) => b.mask);
  return [session.nick, ...otherNicks].some((nick) =>
    matchesAnyBan(masks, identityOf(session, ctx.server, nick)),
  );
}
