// Nick lists: filled from /api/v1/channels/{name}/members and 353 replies, kept current from
// JOIN, PART, QUIT, NICK, KICK and MODE (+o/+v) events; shown ops first, then voiced, then the
// others, each group by name. Away state follows AWAY events (away-notify) and WHO flags; real
// names come from JOIN envelopes (`realname`), WHO and WHOIS replies.
import { fold } from '../../../src/model/casefold.js';
import type { ChatWindow, Member } from './model.js';

/** A new member list; what only events told (real names, away messages) is kept for those still there. */
export function setMembers(win: ChatWindow, members: Iterable<Member>): void {
  const old = win.members.value;
  const map = new Map<string, Member>();
  for (const m of members) {
    const key = fold(m.nick);
    const known = old.get(key);
    const realname = m.realname ?? known?.realname;
    const awayMessage = m.away ? (m.awayMessage ?? known?.awayMessage) : undefined;
    map.set(key, {
      ...m,
      ...(realname !== undefined && { realname }),
      ...(awayMessage !== undefined && { awayMessage }),
    });
  }
  win.members.value = map;
}

export function addMember(win: ChatWindow, nick: string, realname?: string): void {
  const key = fold(nick);
  const known = win.members.value.get(key);
  if (known && (!realname || known.realname === realname)) return;
  const base = known ?? { nick, op: false, voice: false, away: false };
  const next = new Map(win.members.value);
  next.set(key, realname ? { ...base, realname } : base);
  win.members.value = next;
}

/** Changes one member (if there) with `change`; true when the nick was there. */
export function updateMember(
  win: ChatWindow,
  nick: string,
  change: (m: Member) => Member,
): boolean {
  const key = fold(nick);
  const member = win.members.value.get(key);
  if (!member) return false;
  const next = new Map(win.members.value);
  next.set(key, change(member));
  win.members.value = next;
  return true;
}

/** Away (with its message) or back (`message` null). */
export const awayState =
  (message: string | null) =>
  (m: Member): Member => {
    const { awayMessage: _old, ...rest } = m;
    return message === null
      ? { ...rest, away: false }
      : { ...rest, away: true, ...(message && { awayMessage: message }) };
  };

/** true when the nick was there */
export function removeMember(win: ChatWindow, nick: string): boolean {
  const key = fold(nick);
  if (!win.members.value.has(key)) return false;
  const next = new Map(win.members.value);
  next.delete(key);
  win.members.value = next;
  return true;
}

/** true when the old nick was there */
export function renameMember(win: ChatWindow, from: string, to: string): boolean {
  const old = win.members.value.get(fold(from));
  if (!old) return false;
  const next = new Map(win.members.value);
  next.delete(fold(from));
  next.set(fold(to), { ...old, nick: to });
  win.members.value = next;
  return true;
}

/** A 353 body: `@alice +bob carol` */
export function parseNames(text: string): Member[] {
  return text
    .split(' ')
    .filter(Boolean)
    .map((word) => {
      const op = word.startsWith('@');
      const voice = word.startsWith('+');
      return { nick: op || voice ? word.slice(1) : word, op, voice, away: false };
    });
}

// Which channel mode letters take an argument (chatd's 005 CHANMODES=b,k,l,imnst plus o/v):
// b, k, o and v on both signs, l only when set.
const takesArg = (letter: string, adding: boolean) =>
  'bkov'.includes(letter) || (letter === 'l' && adding);

/** Applies a channel MODE event's +o/-o/+v/-v to the nick list. */
export function applyModes(win: ChatWindow, params: readonly string[]): void {
  const [modes = '', ...args] = params;
  let adding = true;
  let argIndex = 0;
  let next: Map<string, Member> | null = null;
  for (const letter of modes) {
    if (letter === '+' || letter === '-') {
      adding = letter === '+';
      continue;
    }
    if (!takesArg(letter, adding)) continue;
    const arg = args[argIndex++];
    if (arg === undefined || (letter !== 'o' && letter !== 'v')) continue;
    next ??= new Map(win.members.value);
    const key = fold(arg);
    const member = next.get(key);
    if (!member) continue;
    next.set(key, letter === 'o' ? { ...member, op: adding } : { ...member, voice: adding });
  }
  if (next) win.members.value = next;
}

export const prefixOf = (m: Member): string => (m.op ? '@' : m.voice ? '+' : '');

export function sortedMembers(win: ChatWindow): Member[] {
  const rank = (m: Member) => (m.op ? 0 : m.voice ? 1 : 2);
  return [...win.members.value.values()].sort(
    (a, b) => rank(a) - rank(b) || fold(a.nick).localeCompare(fold(b.nick)),
  );
}
