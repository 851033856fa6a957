// JOIN (SPEC §4): comma lists, the creator becomes op, new channels are +nt; the joiner gets the
// topic and names. JOIN 0 parts every channel (RFC 2812).
import { StoreConflict } from '../errors.js';
import { fold } from '../casefold.js';
import type { Context } from '../context.js';
import { ircError } from '../errors.js';
import { splitTargets } from '../lookup.js';
import { isValidChannel } from '../names.js';
import { replyEndOfNames, replyNames } from '../names-reply.js';
import { ERR } from '../numerics.js';
import { eachTarget } from '../targets.js';
import { replyTopic } from '../topic-reply.js';
import type { CommandInput } from '../types.js';
import { partChannel } from './part.js';

const DEFAULT_MODES = 'nt';

export async function join(ctx: Context, input: CommandInput): Promise<void> {
  if (!input.to) throw ircError(ERR.NEEDMOREPARAMS, ['JOIN']);
  if (input.to === '0') return partAll(ctx);
  await eachTarget(ctx, splitTargets(input.to), (name) => joinOne(ctx, name));
}

async function joinOne(ctx: Context, name: string): Promise<void> {
  if (!name.startsWith('#')) throw ircError(ERR.NOSUCHCHANNEL, [name]);
  if (!isValidChannel(name)) throw ircError(ERR.BADCHANNAME, [name]);
  let channel = await ctx.tx.getChannelByName(fold(name));
  if (channel && (await ctx.tx.getMembership(ctx.session.id, channel.id))) return; // already in
  const mine = await ctx.tx.listSessionChannels(ctx.session.id);
  if (mine.length >= ctx.env.settings.maxChannels) throw ircError(ERR.TOOMANYCHANNELS, [name]);
  let modes = '';
  if (!channel) {
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
  // The session's other clients are not yet woken by this channel: wake them by session.
  ctx.out.wake.sessions.add(ctx.session.id);
  await replyTopic(ctx, channel);
  await replyNames(ctx, channel);
  await replyEndOfNames(ctx, channel.name);
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
