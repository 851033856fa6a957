// NICK (SPEC §4): shown once to every session sharing a channel and to the session's own clients,
// stored as one row (session-addressed, also listed under each of its channels).
import { fold } from '../casefold.js';
import type { Context } from '../context.js';
import { ircError, StoreConflict } from '../errors.js';
import { isValidNick } from '../names.js';
import { ERR } from '../numerics.js';
import type { CommandInput } from '../types.js';
import { firstText } from '../validate.js';

export async function nick(ctx: Context, input: CommandInput): Promise<void> {
  const wanted = firstText(input);
  if (!wanted) throw ircError(ERR.NONICKNAMEGIVEN);
  if (!isValidNick(wanted)) throw ircError(ERR.ERRONEUSNICKNAME, [wanted]);
  const me = ctx.session;
  if (wanted === me.nick) return;
  const folded = fold(wanted);
  if (folded !== me.nickFolded && (await ctx.tx.getSessionByNick(folded))) {
    throw ircError(ERR.NICKNAMEINUSE, [wanted]);
  }
  try {
    await ctx.tx.updateSession(me.id, { nick: wanted, nickFolded: folded });
  } catch (err) {
    if (err instanceof StoreConflict) throw ircError(ERR.NICKNAMEINUSE, [wanted]);
    throw err;
  }
  const channels = (await ctx.tx.listSessionChannels(me.id)).map((c) => c.channelId);
  await ctx.emit(
    { command: 'NICK', from: me.nick, to: wanted, body: [wanted] },
    { kind: 'session', sessionId: me.id, alsoChannels: channels },
  );
  ctx.session = { ...me, nick: wanted, nickFolded: folded };
}
