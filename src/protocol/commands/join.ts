// JOIN (docs/commands.md): comma lists, the creator becomes op, new channels are +nt; the joiner gets the
// topic and names. JOIN 0 parts every channel (RFC 2812). An existing channel's modes are checked
// in ngIRCd's order: +b (474), +i (473, an INVITE passes), +k (475), +l (471).
import type { ChannelRow } from '../../store/store.js';
import { StoreConflict } from '../../store/errors.js';
import { fold } from '../../model/casefold.js';
import { isBanned } from '../channel-bans.js';
import type { Context } from '../context.js';
import { ircError } from '../errors.js';
import { isValidChannel } from '../name-syntax.js';
import { replyEndOfNames, replyNames } from '../namreply-lines.js';
import { ERR } from '../../model/numerics.js';
import { targetList } from '../target-lists.js';
import { eachTarget } from '../targets.js';
import { replyTopic } from '../topic-reply.js';
import type { CommandInput } from '../../model/envelope.js';
import { partChannel } from './part.js';

const DEFAULT_MODES = 'nt';

export async function join(ctx: Context, input: CommandInput): Promise<void> {
  if (!input.to) throw ircError(ERR.NEEDMOREPARAMS, ['JOIN']);
  if (input.to === '0') return partAll(ctx);
  // keys pair with the channels in order, as separate params or one comma list (`k1,k2`)
  const keys = (input.params ?? []).flatMap((p) => p.split(','));
  const names = targetList(ctx, 'JOIN', input.to);
  if (names.length === 0) throw ircError(ERR.NEEDMOREPARAMS, ['JOIN']);
  let i = 0;
  await eachTarget(ctx, names, (name) => joinOne(ctx, name, keys[i++]));
}

async function joinOne(ctx: Context, name: string, key: string | undefined): Promise<void> {
  if (!name.startsWith('#')) throw ircError(ERR.NOSUCHCHANNEL, [name]);
  if (!isValidChannel(name)) throw ircError(ERR.BADCHANNAME, [name]);
  let channel = await ctx.tx.getChannelByName(fold(name));
  if (channel && (await ctx.tx.getMembership(ctx.session.id, channel.id))) return; // already in
  const mine = await ctx.tx.listSessionChannels(ctx.session.id);
  if (mine.length >= ctx.env.settings.maxChannels) throw ircError(ERR.TOOMANYCHANNELS, [name]);
  let modes = '';
  let invited = false;
  if (channel) invited = await checkModes(ctx, channel, key);
  else {
    channel = await createChannel(ctx, name);
    modes = 'o';
  }
  const event = await ctx.emit(ctx.fromMe('JOIN', channel.name), {
    kind: 'channel',
    channelId: channel.id,
  });
  await ctx.tx.addMember({
    sessionId: ctx.session.id,
    channelId: channel.id,
    joinedSeq: event.seq,
    modes,
  });
  if (invited) await ctx.tx.deleteInvite(channel.id, ctx.session.id); // an invite is used once
  // The session's other clients are not yet woken by this channel: wake them by session.
  ctx.out.wake.sessions.add(ctx.session.id);
  await replyTopic(ctx, channel);
  await replyNames(ctx, channel);
  await replyEndOfNames(ctx, channel.name);
}

/**
 * Refuses a JOIN the channel's modes forbid; true when the session holds an invite (which it
 * then uses up). An invite passes +i only: not a ban (Hybrid and InspIRCd; ngIRCd lets it), since
 * on a channel without +i any member may invite. Server operators get no bypass.
 */
async function checkModes(ctx: Context, channel: ChannelRow, key: string | undefined) {
  const invited = await ctx.tx.hasInvite(channel.id, ctx.session.id);
  if (await isBanned(ctx, channel.id, ctx.session)) {
    throw ircError(ERR.BANNEDFROMCHAN, [channel.name]);
  }
  if (channel.modes.includes('i') && !invited) throw ircError(ERR.INVITEONLYCHAN, [channel.name]);
  if (channel.key !== null && key !== channel.key) {
    throw ircError(ERR.BADCHANNELKEY, [channel.name]);
  }
  if (channel.limit !== null && (await ctx.tx.countMembers(channel.id)) >= channel.limit) {
    throw ircError(ERR.CHANNELISFULL, [channel.name]);
  }
  return invited;
}

async function createChannel(ctx: Context, name: string) {
  try {
    return await ctx.tx.createChannel({
      name,
      nameFolded: fold(name),
      modes: DEFAULT_MODES,
      createdAt: ctx.now(),
    });
  } catch (err) {
    // Another instance created it between our read and write: join the existing one.
    if (err instanceof StoreConflict) {
      const existing = await ctx.tx.getChannelByName(fold(name));
      if (existing) return existing;
    }
    throw err;
  }
}

async function partAll(ctx: Context): Promise<void> {
  for (const { channel } of await ctx.tx.listSessionChannels(ctx.session.id)) {
    await partChannel(ctx, channel, []);
  }
}
