// NICK (docs/commands.md): shown once to every session sharing a channel and to the session's own clients,
// stored as one row (session-addressed, also listed under each of its channels).
import { fold } from '../../model/casefold.js';
import { isBanned } from '../channel-bans.js';
import type { Context } from '../context.js';
import { ircError } from '../errors.js';
import { StoreConflict } from '../../store/errors.js';
import { isChanOp } from '../lookup.js';
import { requireUsableNick } from '../name-syntax.js';
import { ERR } from '../../model/numerics.js';
import type { CommandInput } from '../../model/envelope.js';
import { firstText } from '../validate.js';

export async function nick(ctx: Context, input: CommandInput): Promise<void> {
  const wanted = firstText(input);
  requireUsableNick(wanted, ctx.env.settings);
  const me = ctx.session;
  if (wanted === me.nick) return;
  const folded = fold(wanted);
  if (folded !== me.nickFolded && (await ctx.tx.getSessionByNick(folded))) {
    throw ircError(ERR.NICKNAMEINUSE, [wanted]);
  }
  await refuseIfBanned(ctx, wanted);
  try {
    await ctx.tx.updateSession(me.id, { nick: wanted, nickFolded: folded });
  } catch (err) {
    if (err instanceof StoreConflict) throw ircError(ERR.NICKNAMEINUSE, [wanted]);
    throw err;
  }
  const channels = (await ctx.tx.listSessionChannels(me.id)).map((c) => c.channelId);
  await ctx.emit(
    // ctx.session still has the old nick: IRC's NICK comes from `old!user@host`
    ctx.fromMe('NICK', wanted, [wanted]),
    { kind: 'session', sessionId: me.id, alsoChannels: channels },
  );
  ctx.session = { ...me, nick: wanted, nickFolded: folded };
}

/**
 * 435, as Hybrid and ratbox do: someone who cannot speak in a channel because of a ban must not
 * slip out of it, nor into a banned nick, by changing nick there. Ops and voiced members can speak
 * anyway, so they are not held.
 */
async function refuseIfBanned(ctx: Context, wanted: string): Promise<void> {
  for (const { channel, ...member } of await ctx.tx.listSessionChannels(ctx.session.id)) {
    if (isChanOp(ctx.session, member) || member.modes.includes('v')) continue;
    if (await isBanned(ctx, channel.id, ctx.session, wanted)) {
      throw ircError(ERR.BANNICKCHANGE, [wanted, channel.name]);
    }
  }
}
