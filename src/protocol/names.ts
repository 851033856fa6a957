// Nick and channel syntax (SPEC §7).
import { maskMatches } from './ban-mask.js';

export const NICK_MAX = 32;
export const CHANNEL_MAX = 64; // including the leading '#'
export const TOPIC_MAX = 390;

const NICK_RE = /^[A-Za-z[\]\\`_^{|}][A-Za-z0-9[\]\\`_^{|}-]*$/;

export function isValidNick(nick: string): boolean {
  return nick.length >= 1 && nick.length <= NICK_MAX && NICK_RE.test(nick);
}

/**
 * `#` then 1-63 characters. SPEC §7 forbids space, comma, colon, BEL, NUL, CR and LF; we also
 * refuse every other C0/C1 control and DEL, and the invisible/bidi formatting characters, so a
 * channel name can neither corrupt a terminal nor impersonate another channel.
 */
const CHANNEL_BAD =
  // eslint-disable-next-line no-control-regex
  /[\s,:\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]/u;

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
