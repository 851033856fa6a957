// KICK (docs/commands.md): `to` #chan, `params` [nick or nick,nick…], `body` [reason]?. The kicker must be
// on the channel (442) and op there (482; server operators count as op, but like ngIRCd and
// InspIRCd they must be on the channel too). The KICK goes to every member, the target included:
// its membership closes at the KICK's seq, so it still sees that row and nothing after.
import { fold } from '../../model/casefold.js';
import { closeMembership } from '../channel-leave.js';
import type { Context } from '../context.js';
import { badRequest, ircError } from '../errors.js';
import { KICK_REASON_MAX } from '../name-syntax.js';
import { isChanOp, requireSession } from '../lookup.js';
import { ERR } from '../../model/numerics.js';
import { pairedList } from '../target-lists.js';
import { eachTarget } from '../targets.js';
import type { CommandInput } from '../../model/envelope.js';
import { textLines } from '../validate.js';
import { requireVisibleChannel } from '../visible-channel.js';

interface Kick {
  channel: string;
  nick: string;
}

export async function kick(ctx: Context, input: CommandInput): Promise<void> {
  const channels = pairedList(ctx, 'KICK', input.to ?? '');
  const nicks = pairedList(ctx, 'KICK', input.params?.[0] ?? '');
  // RFC 2812: one channel and a list of nicks, or as many channels as nicks, paired in order.
  if (channels.length === 0 || nicks.length === 0) throw ircError(ERR.NEEDMOREPARAMS, ['KICK']);
  if (channels.length !== 1 && channels.length !== nicks.length) {
    throw ircError(ERR.NEEDMOREPARAMS, ['KICK'], 'KICK needs one channel, or one per nick');
  }
  const kicks = uniquePairs(
    nicks.map((nick, i) => ({ channel: channels[i] ?? channels[0]!, nick })),
  );
  // An empty reason is no reason: IRC servers then use the kicker's nick.
  const reason = textLines(input.body)[0] || ctx.session.nick;
  if ([...reason].length > KICK_REASON_MAX) {
    throw badRequest(
      'reason_too_long',
      `a kick reason is at most ${KICK_REASON_MAX} characters (KICKLEN)`,
    );
  }
  // Each (channel, nick) pair succeeds or is refused on its own, as in InspIRCd; eachTarget
  // takes strings, so the pairs travel as their indexes.
  await eachTarget(
    ctx,
    kicks.map((_, i) => String(i)),
    (i) => kickOne(ctx, kicks[Number(i)]!, reason),
  );
}

async function kickOne(ctx: Context, k: Kick, reason: string): Promise<void> {
  // a secret channel the kicker is not in is 403, as if it did not exist
  const { channel, member } = await requireVisibleChannel(ctx, k.channel);
  if (!member) throw ircError(ERR.NOTONCHANNEL, [channel.name]);
  if (!isChanOp(ctx.session, member)) throw ircError(ERR.CHANOPRIVSNEEDED, [channel.name]);
  const target = await requireSession(ctx, k.nick);
  if (!(await ctx.tx.getMembership(target.id, channel.id))) {
    throw ircError(ERR.USERNOTINCHANNEL, [target.nick, channel.name]);
  }
  const event = await ctx.emit(
    ctx.fromMe('KICK', channel.name, [reason], { params: [target.nick] }),
    { kind: 'channel', channelId: channel.id },
  );
  await closeMembership(ctx, target.id, channel, event.seq);
}

/** The same (channel, nick) named twice is one kick. */
function uniquePairs(kicks: Kick[]): Kick[] {
  const seen = new Set<string>();
  return kicks.filter((k) => {
    const key = `${fold(k.channel)} ${fold(k.nick)}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
