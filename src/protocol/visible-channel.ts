// Secret (+s) channels do not exist for non-members (docs/api.md, docs/commands.md): a command naming one answers
// exactly as for an unknown name — 403 with the name as given — so neither its existence nor the
// display form of its name leaks.
import type { ChannelRow, MemberRow } from '../store/store.js';
import { fold } from '../model/casefold.js';
import type { Context } from './context.js';
import { ircError } from './errors.js';
import { isSecret, myMembership } from './lookup.js';
import { ERR } from '../model/numerics.js';

export interface VisibleChannel {
  channel: ChannelRow;
  /** the caller's membership, null when it is not in the channel */
  member: MemberRow | null;
}

/** The channel if it exists and the caller may know it does; else null. */
export async function findVisibleChannel(
  ctx: Context,
  name: string,
): Promise<VisibleChannel | null> {
  const channel = name.startsWith('#') ? await ctx.tx.getChannelByName(fold(name)) : null;
  if (!channel) return null;
  const member = await myMembership(ctx, channel);
  if (isSecret(channel) && !member) return null;
  return { channel, member };
}

/** As findVisibleChannel, refusing with 403 ERR_NOSUCHCHANNEL. */
export async function requireVisibleChannel(ctx: Context, name: string): Promise<VisibleChannel> {
  const found = await findVisibleChannel(ctx, name);
  if (!found) throw ircError(ERR.NOSUCHCHANNEL, [name]);
  return found;
}
