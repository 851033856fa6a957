// KILL (docs/commands.md): `to` nick, `body` [reason]; server operators only. The victim's session ends
// exactly as a QUIT with the reason `Killed (<oper> (<reason>))`: members of its channels see
// the QUIT, every client token of the session is revoked (held polls end with 401), the nick is
// free again. An operator may kill their own session, as in ngIRCd and InspIRCd.
import type { Context } from '../context.js';
import { ircError } from '../errors.js';
import { requireSession } from '../lookup.js';
import { ERR } from '../../model/numerics.js';
import { endSession } from '../session-end.js';
import type { CommandInput } from '../../model/envelope.js';
import { textLines } from '../validate.js';
import { requireOper } from './oper.js';

export async function kill(ctx: Context, input: CommandInput): Promise<void> {
  const reason = textLines(input.body)[0];
  // RFC 2812 and the modern docs make the comment mandatory
  if (!input.to || !reason) throw ircError(ERR.NEEDMOREPARAMS, ['KILL']);
  requireOper(ctx);
  const victim = await requireSession(ctx, input.to);
  // No KILL row is queued to the victim first: its clients are deleted in this same
  // transaction, so they could never read it; the QUIT reason carries who and why.
  await endSession(ctx, victim, `Killed (${ctx.session.nick} (${reason}))`);
}
