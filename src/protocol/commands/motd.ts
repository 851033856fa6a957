// MOTD (docs/commands.md): 375, 372 per line, 376; or 422 when there is none.
import type { Context } from '../context.js';
import { ERR, RPL } from '../../model/numerics.js';

export async function motd(ctx: Context): Promise<void> {
  await replyMotd(ctx);
}

export async function replyMotd(ctx: Context): Promise<void> {
  const text = ctx.env.settings.motd;
  if (!text.trim()) {
    await ctx.reply(ERR.NOMOTD[0], [], 'MOTD File is missing');
    return;
  }
  await ctx.reply(RPL.MOTDSTART, [], `- ${ctx.server} Message of the day - `);
  for (const line of text.split(/\r?\n/)) await ctx.reply(RPL.MOTD, [], `- ${line}`);
  await ctx.reply(RPL.ENDOFMOTD, [], 'End of /MOTD command.');
}
