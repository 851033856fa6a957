// VERSION, TIME, ADMIN and INFO (RFC 2812 §3.4): what a client may ask about this server. There is
// one server, so a target is only accepted when it names this one.
import { fold } from '../../model/casefold.js';
import type { Context } from '../context.js';
import { ircError } from '../errors.js';
import { globMatch } from '../name-syntax.js';
import { ERR, RPL } from '../../model/numerics.js';
import type { CommandInput } from '../../model/envelope.js';
import { isupportTokens } from '../welcome.js';

export async function version(ctx: Context, input: CommandInput): Promise<void> {
  await requireThisServer(ctx, input);
  const s = ctx.env.settings;
  // `<version>.<debuglevel>` (RFC 2812 351) with an empty debug level, as ngIRCd and others send
  await ctx.reply(RPL.VERSION, [`chat-${s.version}.`, ctx.server], 'IRC semantics over HTTP+JSON');
  // modern servers follow 351 with ISUPPORT, so a client can refresh what it learnt at welcome
  await ctx.reply(
    RPL.ISUPPORT,
    isupportTokens(s.networkName, s.maxTargets),
    'are supported by this server',
  );
}

export async function time(ctx: Context, input: CommandInput): Promise<void> {
  await requireThisServer(ctx, input);
  // No unix timestamp parameter: the envelope's `ts` already is the machine-readable server time.
  await ctx.reply(RPL.TIME, [ctx.server], new Date(ctx.now()).toUTCString());
}

export async function admin(ctx: Context, input: CommandInput): Promise<void> {
  await requireThisServer(ctx, input);
  const s = ctx.env.settings;
  // Nothing is configured for this: the lines say what the server knows rather than invent a
  // location or an address.
  await ctx.reply(RPL.ADMINME, [ctx.server], 'Administrative info');
  await ctx.reply(RPL.ADMINLOC1, [], `Server ${ctx.server} of the ${s.networkName} network`);
  await ctx.reply(RPL.ADMINLOC2, [], `Running chat ${s.version}; ask a server operator for help`);
  await ctx.reply(RPL.ADMINEMAIL, [], 'No administrator e-mail address is configured');
}

export async function info(ctx: Context, input: CommandInput): Promise<void> {
  await requireThisServer(ctx, input);
  const s = ctx.env.settings;
  const lines = [
    `chat ${s.version}`,
    'A chat server with IRC semantics over HTTP+JSON:',
    'sessions live on the server, every device reads its own queue.',
    'Written in TypeScript for Node.js. MIT licence.',
    `Server ${ctx.server} of the ${s.networkName} network`,
    `On-line since ${new Date(ctx.env.startedAt).toUTCString()}`,
  ];
  for (const line of lines) await ctx.reply(RPL.INFO, [], line);
  await ctx.reply(RPL.ENDOFINFO, [], 'End of INFO list');
}

/**
 * The optional target (`to`, or params[0]) must mean this server: its name or a mask matching
 * it, or the nick of a user (every user is on this server, as RFC 2812 lets a nick stand for
 * its server). Anything else is 402.
 */
async function requireThisServer(ctx: Context, input: CommandInput): Promise<void> {
  const target = input.to ?? input.params?.[0];
  if (!target) return;
  const folded = fold(target);
  if (globMatch(folded, fold(ctx.server))) return;
  if (await ctx.tx.getSessionByNick(folded)) return;
  throw ircError(ERR.NOSUCHSERVER, [target]);
}
