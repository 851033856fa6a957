// The welcome burst every new client's queue starts with (docs/api.md): 001–005, LUSERS, MOTD.
import type { Context } from './context.js';
import { identityOf } from './lookup.js';
import { AWAY_MAX, CHANNEL_MAX, KICK_REASON_MAX, NICK_MAX, TOPIC_MAX } from './name-syntax.js';
import { RPL } from '../model/numerics.js';
import { replyLusers } from './commands/lusers.js';
import { replyMotd } from './commands/motd.js';
import { MAX_BANS, MODES_PER_COMMAND } from './modes.js';
import { targmaxToken } from './target-lists.js';
import { REALNAME_MAX } from './realname.js';

export const USER_MODES = 'Biow';
export const CHANNEL_MODES = 'biklmnostv';

export function isupportTokens(networkName: string, maxTargets: number): string[] {
  return [
    'CASEMAPPING=rfc1459',
    'CHANTYPES=#',
    `NICKLEN=${NICK_MAX}`,
    `CHANNELLEN=${CHANNEL_MAX}`,
    `TOPICLEN=${TOPIC_MAX}`,
    `AWAYLEN=${AWAY_MAX}`,
    `KICKLEN=${KICK_REASON_MAX}`,
    `NAMELEN=${REALNAME_MAX}`,
    'PREFIX=(ov)@+',
    'CHANMODES=b,k,l,imnst',
    `NETWORK=${networkName}`,
    `MODES=${MODES_PER_COMMAND}`,
    `MAXLIST=b:${MAX_BANS}`,
    targmaxToken(maxTargets),
    'BOT=B',
    // every request is UTF-8 (HTTP: 400 bad_encoding; IRC: FAIL … INVALID_UTF8)
    'UTF8ONLY',
  ];
}

export async function sendWelcome(ctx: Context): Promise<void> {
  const s = ctx.env.settings;
  const mask = identityOf(ctx.session, s.serverName);
  await ctx.reply(RPL.WELCOME, [], `Welcome to the ${s.networkName} Network, ${mask}`);
  await ctx.reply(RPL.YOURHOST, [], `Your host is ${s.serverName}, running version ${s.version}`);
  await ctx.reply(
    RPL.CREATED,
    [],
    `This server was created ${new Date(ctx.env.startedAt).toUTCString()}`,
  );
  await ctx.reply(RPL.MYINFO, [s.serverName, s.version, USER_MODES], CHANNEL_MODES);
  await ctx.reply(
    RPL.ISUPPORT,
    isupportTokens(s.networkName, s.maxTargets),
    'are supported by this server',
  );
  await replyLusers(ctx);
  await replyMotd(ctx);
}
