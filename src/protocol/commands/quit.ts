// QUIT (docs/commands.md): the session ends; its members get QUIT; the caller's token stops working.
import type { Context } from '../context.js';
import { endSession } from '../session-end.js';
import type { CommandInput } from '../../model/envelope.js';
import { firstText } from '../validate.js';

export async function quit(ctx: Context, input: CommandInput): Promise<void> {
  const reason = firstText(input);
  await endSession(ctx, ctx.session, reason ? `Quit: ${reason}` : 'Client Quit');
}
