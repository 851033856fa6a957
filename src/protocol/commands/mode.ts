// MODE (docs/commands.md). Channel modes live in channel-mode.ts. User: query (221) and setting +i/+w
// on oneself; +o only comes from OPER.
import { fold } from '../../model/casefold.js';
import type { Context } from '../context.js';
import { ircError } from '../errors.js';
import { ERR, RPL } from '../../model/numerics.js';
import type { CommandInput } from '../../model/envelope.js';
import { channelMode } from './channel-mode.js';

export async function mode(ctx: Context, input: CommandInput): Promise<void> {
  if (!input.to) throw ircError(ERR.NEEDMOREPARAMS, ['MODE']);
  const args = input.params ?? [];
  if (input.to.startsWith('#')) await channelMode(ctx, input.to, args);
  else await userMode(ctx, input.to, args);
}

const SETTABLE_USER_MODES = new Set(['i', 'w', 'B']);

async function userMode(ctx: Context, nick: string, args: string[]): Promise<void> {
  if (fold(nick) !== ctx.session.nickFolded) {
    const other = await ctx.tx.getSessionByNick(fold(nick));
    if (!other) throw ircError(ERR.NOSUCHNICK, [nick]);
    throw ircError(ERR.USERSDONTMATCH);
  }
  const [modestring] = args;
  if (modestring === undefined) {
    await ctx.reply(RPL.UMODEIS, [], '+' + ctx.session.modes);
    return;
  }
  const modes = new Set(ctx.session.modes);
  let sign: '+' | '-' = '+';
  let applied = '';
  let appliedSign = '';
  for (const ch of modestring) {
    if (ch === '+' || ch === '-') {
      sign = ch;
      continue;
    }
    const allowed = SETTABLE_USER_MODES.has(ch) || (ch === 'o' && sign === '-');
    if (!allowed) {
      if (ch !== 'o') throw ircError(ERR.UMODEUNKNOWNFLAG);
      continue; // +o only through OPER: ignored, as RFC 2812 says
    }
    if ((sign === '+') === modes.has(ch)) continue;
    if (sign === '+') modes.add(ch);
    else modes.delete(ch);
    applied += (appliedSign === sign ? '' : sign) + ch;
    appliedSign = sign;
  }
  if (!applied) return;
  const next = [...modes].sort().join('');
  await ctx.tx.updateSession(ctx.session.id, { modes: next });
  ctx.session = { ...ctx.session, modes: next };
  await ctx.emit(ctx.fromMe('MODE', ctx.session.nick, [applied]), {
    kind: 'session',
    sessionId: ctx.session.id,
  });
}
