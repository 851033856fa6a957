// LUSERS (docs/commands.md): 251, 252, 254, 255, 265, 266. One server, so local = global.
import type { Context } from '../context.js';
import { RPL } from '../../model/numerics.js';

/** the most sessions seen at once, per core (a module global would mix test harnesses) */
const highestSeen = new WeakMap<object, number>();

export async function lusers(ctx: Context): Promise<void> {
  await replyLusers(ctx);
}

export async function replyLusers(ctx: Context): Promise<void> {
  const c = await ctx.tx.counts();
  const highest = Math.max(highestSeen.get(ctx.env) ?? 0, c.sessions);
  highestSeen.set(ctx.env, highest);
  const visible = c.sessions - c.invisible;
  await ctx.reply(
    RPL.LUSERCLIENT,
    [],
    `There are ${visible} users and ${c.invisible} invisible on 1 servers`,
  );
  await ctx.reply(RPL.LUSEROP, [String(c.opers)], 'operator(s) online');
  await ctx.reply(RPL.LUSERCHANNELS, [String(c.channels)], 'channels formed');
  await ctx.reply(RPL.LUSERME, [], `I have ${c.sessions} clients and 0 servers`);
  const max = String(highest);
  const cur = String(c.sessions);
  await ctx.reply(RPL.LOCALUSERS, [cur, max], `Current local users ${cur}, max ${max}`);
  await ctx.reply(RPL.GLOBALUSERS, [cur, max], `Current global users ${cur}, max ${max}`);
}
