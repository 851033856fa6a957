// WALLOPS (docs/commands.md): `body` [text]; server operators only. One row per session with user mode +w
// (the sender's too, when it has +w), `to` that session's nick — as a numeric's `to` is its
// recipient — since IRC's WALLOPS has no target of its own. A rare command: no fan-out tricks.
import type { Context } from '../context.js';
import { ircError } from '../errors.js';
import { ERR } from '../../model/numerics.js';
import type { CommandInput } from '../../model/envelope.js';
import { textLines } from '../validate.js';
import { requireOper } from './oper.js';

export async function wallops(ctx: Context, input: CommandInput): Promise<void> {
  const lines = textLines(input.body);
  if (!lines.some((l) => l.length > 0)) throw ircError(ERR.NEEDMOREPARAMS, ['WALLOPS']);
  requireOper(ctx);
  for (const s of await ctx.tx.listSessions()) {
    if (!s.modes.includes('w')) continue;
    await ctx.emit(ctx.fromMe('WALLOPS', s.nick, lines), { kind: 'session', sessionId: s.id });
  }
}
