// MODE on a channel (docs/commands.md): the query (324+329), the ban list (367/368), and setting modes
// by ops. Parsing and the state change are pure (modes.ts); this file does the lookups, the
// privilege checks, the store writes and the one MODE event to the members.
import type { ChannelRow, MemberRow } from '../../store/store.js';
import { fold } from '../../model/casefold.js';
import type { Context } from '../context.js';
import { unixSeconds } from '../envelope.js';
import { ircError, type ChatError } from '../errors.js';
import { identityOf, isChanOp } from '../lookup.js';
import {
  applyChannelModes,
  channelModeParams,
  formatModeChanges,
  MAX_BANS,
  parseChannelModes,
  type ApplyResult,
  type MemberModes,
  type ModeChange,
  type ParsedModes,
} from '../modes.js';
import { ERR, RPL } from '../../model/numerics.js';
import { requireVisibleChannel } from '../visible-channel.js';

export async function channelMode(ctx: Context, name: string, args: string[]): Promise<void> {
  // A secret channel does not exist for non-members: 403, as for an unknown name.
  const { channel, member } = await requireVisibleChannel(ctx, name);
  const parsed = parseChannelModes(args);
  const wantsChange =
    parsed.changes.length + parsed.missingArg.length + parsed.invalidArg.length > 0;
  if (!wantsChange && !parsed.listBans && parsed.unknown.length === 0) {
    await replyModes(ctx, channel, member);
    return;
  }
  const errors: ChatError[] = parsed.unknown.map((letter) =>
    ircError(ERR.UNKNOWNMODE, [letter], `is unknown mode char to me for ${channel.name}`),
  );
  let succeeded = false;
  if (parsed.listBans) {
    await replyBanList(ctx, channel);
    succeeded = true;
  }
  if (wantsChange) {
    const refusal = privilegeRefusal(ctx, channel, member);
    if (refusal) errors.push(refusal);
    else if (await setModes(ctx, channel, parsed, errors)) succeeded = true;
  }
  for (const err of errors) await ctx.refuse(err);
  // As with several targets (docs/commands.md): a refusal status only when nothing at all went through.
  if (!succeeded && errors.length > 0) ctx.out.failure = errors[0]!;
}

/** 442 for outsiders (server operators excepted), 482 for members without `@`. */
function privilegeRefusal(
  ctx: Context,
  channel: ChannelRow,
  member: MemberRow | null,
): ChatError | null {
  if (isChanOp(ctx.session, member)) return null;
  if (!member) return ircError(ERR.NOTONCHANNEL, [channel.name]);
  return ircError(ERR.CHANOPRIVSNEEDED, [channel.name]);
}

/** 324 (the key only to members) and 329. */
async function replyModes(ctx: Context, channel: ChannelRow, member: MemberRow | null) {
  const modeParams = channelModeParams(channel, member !== null);
  // docs/envelope-and-delivery.md: the last IRC parameter is the body, the others (after the channel) are params
  await ctx.reply(
    RPL.CHANNELMODEIS,
    [channel.name, ...modeParams.slice(0, -1)],
    modeParams[modeParams.length - 1],
  );
  await ctx.reply(RPL.CREATIONTIME, [channel.name], unixSeconds(channel.createdAt));
}

async function replyBanList(ctx: Context, channel: ChannelRow): Promise<void> {
  for (const ban of await ctx.tx.listBans(channel.id)) {
    await ctx.reply(RPL.BANLIST, [channel.name, ban.mask, ban.setBy], unixSeconds(ban.setAt));
  }
  await ctx.reply(RPL.ENDOFBANLIST, [channel.name], 'End of channel ban list');
}

const INVALID_TEXT: Record<string, string> = {
  b: 'Invalid ban mask',
  k: 'Invalid key',
  l: 'Invalid limit',
  o: 'Invalid nick',
  v: 'Invalid nick',
};

/** Applies what can be applied; pushes a refusal for each change that cannot. True if any did. */
async function setModes(
  ctx: Context,
  channel: ChannelRow,
  parsed: ParsedModes,
  errors: ChatError[],
): Promise<boolean> {
  if (parsed.missingArg.length > 0) errors.push(ircError(ERR.NEEDMOREPARAMS, ['MODE']));
  for (const c of parsed.invalidArg) {
    const text = INVALID_TEXT[c.letter] ?? 'Invalid mode parameter';
    errors.push(ircError(ERR.INVALIDMODEPARAM, [channel.name, c.letter, c.arg ?? ''], text));
  }
  const targets = await resolveTargets(ctx, channel, parsed.changes, errors);
  const bans = parsed.changes.some((c) => c.letter === 'b')
    ? await ctx.tx.listBans(channel.id)
    : [];
  const members = new Map([...targets].map(([k, t]) => [k, t.member]));
  const state = { ...channel, bans: bans.map((b) => b.mask), members };
  // o/v on a nick that resolveTargets refused come back rejected; their 401/441 is already there
  const result = applyChannelModes(state, parsed.changes, MAX_BANS);
  for (const { reason } of result.rejected) {
    if (reason === 'ban_list_full') errors.push(ircError(ERR.BANLISTFULL, [channel.name, 'b']));
  }
  if (result.applied.length === 0) return false;
  await save(ctx, channel, result, targets);
  await ctx.emit(
    ctx.fromMe('MODE', channel.name, [], { params: formatModeChanges(result.applied) }),
    { kind: 'channel', channelId: channel.id },
  );
  return true;
}

interface Target {
  sessionId: number;
  member: MemberModes;
}

/** The members `o`/`v` changes name, by folded nick; 401 or 441 for the others. */
async function resolveTargets(
  ctx: Context,
  channel: ChannelRow,
  changes: readonly ModeChange[],
  errors: ChatError[],
): Promise<Map<string, Target>> {
  const found = new Map<string, Target>();
  for (const c of changes) {
    if (!'ov'.includes(c.letter) || c.arg === undefined || found.has(fold(c.arg))) continue;
    const session = await ctx.tx.getSessionByNick(fold(c.arg));
    if (!session) {
      errors.push(ircError(ERR.NOSUCHNICK, [c.arg]));
      continue;
    }
    const membership = await ctx.tx.getMembership(session.id, channel.id);
    if (!membership) {
      errors.push(ircError(ERR.USERNOTINCHANNEL, [session.nick, channel.name]));
      continue;
    }
    found.set(session.nickFolded, {
      sessionId: session.id,
      member: { nick: session.nick, modes: membership.modes },
    });
  }
  return found;
}

async function save(
  ctx: Context,
  channel: ChannelRow,
  result: ApplyResult,
  targets: Map<string, Target>,
): Promise<void> {
  const { state } = result;
  if (state.modes !== channel.modes || state.key !== channel.key || state.limit !== channel.limit) {
    await ctx.tx.updateChannel(channel.id, {
      modes: state.modes,
      key: state.key,
      limit: state.limit,
    });
  }
  const setBy = identityOf(ctx.session, ctx.server);
  // One time for the whole command: its bans were set together, and the ban list
  // (oldest first, then by mask) must not depend on a clock tick between two inserts.
  const setAt = ctx.now();
  for (const c of result.applied) {
    if (c.letter !== 'b') continue;
    const maskFolded = fold(c.arg!);
    if (c.sign === '+') {
      await ctx.tx.addBan({
        channelId: channel.id,
        mask: c.arg!,
        maskFolded,
        setBy,
        setAt,
      });
    } else await ctx.tx.removeBan(channel.id, maskFolded);
  }
  for (const [key, target] of targets) {
    const after = state.members.get(key);
    if (after && after.modes !== target.member.modes) {
      await ctx.tx.setMemberModes(target.sessionId, channel.id, after.modes);
    }
  }
}
