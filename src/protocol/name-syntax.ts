// Nick and channel syntax (docs/commands.md).
import { compileMask, maskMatches, type CompiledMask } from './ban-mask.js';
import { ircError } from './errors.js';
import { ERR } from '../model/numerics.js';
import { isReservedNick } from './reserved-names.js';

export const NICK_MAX = 32;
export const CHANNEL_MAX = 64; // including the leading '#'
export const TOPIC_MAX = 390;
/** AWAYLEN and KICKLEN: an away message and a kick reason, in code points (as TOPICLEN) */
export const AWAY_MAX = 390;
export const KICK_REASON_MAX = 390;

const NICK_RE = /^[A-Za-z[\]\\`_^{|}][A-Za-z0-9[\]\\`_^{|}-]*$/;

export function isValidNick(nick: string): boolean {
  return nick.length >= 1 && nick.length <= NICK_MAX && NICK_RE.test(nick);
}

/**
 * Refuses a nick a session may not take: 431 when empty, 432 when not valid IRC syntax or
 * reserved (the server's or network's name, a service name).
 */
export function requireUsableNick(
  nick: string | undefined,
  settings: { serverName: string; networkName: string },
): asserts nick is string {
  if (!nick) throw ircError(ERR.NONICKNAMEGIVEN);
  if (!isValidNick(nick)) throw ircError(ERR.ERRONEUSNICKNAME, [nick]);
  if (isReservedNick(nick, settings.serverName, settings.networkName)) {
    throw ircError(ERR.ERRONEUSNICKNAME, [nick], 'Erroneous nickname: reserved for the server');
  }
}

/** An ident as IRC's USER gives it, after a leading `~` (docs/sessions.md#identity). */
const IDENT_RE = /^[A-Za-z0-9_.-]{1,10}$/;

/**
 * The user part of `nick!user@host`: `~` and the transport's ident when it is acceptable, else
 * `~` and the nick's first 9 characters. Never refused: IRC servers sanitize a bad ident, since
 * a client cannot be asked for another. The `~` says the ident was not verified (no identd), as
 * ngIRCd and Ergo mark it; the characters allowed keep masks (`!`, `@`, `*`) unambiguous.
 */
export function sessionUser(nick: string, ident?: string): string {
  const bare = ident?.startsWith('~') ? ident.slice(1) : ident;
  return bare !== undefined && IDENT_RE.test(bare) ? '~' + bare : '~' + nick.slice(0, 9);
}

/**
 * `#` then 1-63 characters (docs/commands.md, docs/limits.md). Besides space, comma and colon, a name may hold no
 * character a reader cannot see or that changes how the text around it reads, so two channels can
 * never look the same and a name can never corrupt a terminal:
 * - every control (Cc: C0, DEL, C1) and every separator (Z: spaces, U+2028/2029);
 * - format characters (Cf: bidi marks and overrides such as U+061C, U+200E, U+202E, U+2066–2069,
 *   zero-width space/joiners U+200B–U+200D, U+2060, U+FEFF, the soft hyphen U+00AD, tags…);
 * - every other default-ignorable code point (U+034F, variation selectors, Hangul fillers
 *   U+115F/U+1160/U+3164/U+FFA0, U+180B–U+180F…), which renderers draw as nothing;
 * - blanks that are graphic characters yet show nothing: U+2800 (Braille blank);
 * - unassigned, private-use and surrogate code points (what they show is unknown).
 */
const CHANNEL_BAD =
  /[,:\p{Cc}\p{Z}\p{Cf}\p{Cn}\p{Co}\p{Cs}\p{Default_Ignorable_Code_Point}\p{Bidi_Control}\u2800]/u;

export function isValidChannel(name: string): boolean {
  if (!name.startsWith('#')) return false;
  const chars = [...name];
  if (chars.length < 2 || chars.length > CHANNEL_MAX) return false;
  if (!name.isWellFormed()) return false;
  return !CHANNEL_BAD.test(name.slice(1));
}

export function isChannelName(target: string): boolean {
  return target.startsWith('#');
}

/**
 * Glob match used by WHO masks, LIST and server masks (`*` any run, `?` one character), on folded
 * strings. The linear matcher of ban masks, not a regex: a mask of many stars built into a regex
 * backtracks for a very long time on a near-miss, and masks come from clients.
 */
export function globMatch(pattern: string, text: string): boolean {
  return maskMatches(pattern, text);
}

/**
 * The longest WHO or LIST mask: longer than any nick or channel name with room for stars. A
 * mask's cost is its length times each subject's, for every session or channel on the server.
 */
export const MASK_MAX = 128;

/** A client's WHO/LIST mask, compiled once per request; 417 when longer than MASK_MAX. */
export function requireMask(mask: string): CompiledMask {
  if ([...mask].length > MASK_MAX) {
    throw ircError(ERR.INPUTTOOLONG, [], `Mask too long: at most ${MASK_MAX} characters`);
  }
  return compileMask(mask);
}
