// What channel MODE events and numerics say about state (pure helpers of model.ts): member
// prefixes and channel flags from MODE, topic, modes, names and away state from numerics.
import { fold, type Folded } from '../model/casefold.js';
import type { Envelope } from '../model/api.js';
import { bodyLines } from './format.js';
import type { ChatBuffer, Member } from './buffer.js';

/** NAMES replies (353) collected per channel until their 366. */
export type PendingNames = Map<Folded, Member[]>;

/** The session-wide fields numerics change. */
export interface SessionFields {
  nick: string;
  userModes: string;
  away: boolean;
}

/** Applies `+x`/`-x` flag changes (arguments ignored) to a mode string such as `+nt`. */
export function applyFlags(current: string, change: string): string {
  const set = new Set(current.replace(/^\+/, '').split(''));
  let sign = '+';
  for (const ch of change.split(' ')[0] ?? '') {
    if (ch === '+' || ch === '-') sign = ch;
    else if (sign === '+') set.add(ch);
    else set.delete(ch);
  }
  const letters = [...set].filter(Boolean).sort().join('');
  return letters ? `+${letters}` : '';
}

/** A channel MODE event's params (`['+o-k', 'bob', '*']`): member prefixes and channel flags. */
export function applyChannelModes(buf: ChatBuffer, params: readonly string[]): void {
  const [modes = '', ...args] = params;
  let sign = '+';
  let argIndex = 0;
  for (const ch of modes) {
    if (ch === '+' || ch === '-') {
      sign = ch;
      continue;
    }
    // o, v, b, k take an argument both ways; l only when set (005 CHANMODES=b,k,l,imnst)
    const takesArg = 'ovbk'.includes(ch) || (ch === 'l' && sign === '+');
    const arg = takesArg ? args[argIndex++] : undefined;
    if ((ch === 'o' || ch === 'v') && arg !== undefined) {
      const m = buf.members.get(fold(arg));
      if (m) m[ch === 'o' ? 'op' : 'voice'] = sign === '+';
    } else if (ch !== 'b') {
      buf.modes = applyFlags(buf.modes, sign + ch);
    }
  }
}

/** What a numeric tells: topic (331/332), modes (324), names (353/366), nick, away, user modes. */
export function applyNumeric(
  session: SessionFields,
  names: PendingNames,
  env: Envelope,
  buf: ChatBuffer | undefined,
): void {
  const text = bodyLines(env.body).join(' ');
  switch (env.command) {
    case '001':
      if (env.to) session.nick = env.to;
      break;
    case '221':
      session.userModes = text || env.params[0] || '';
      break;
    case '305':
      session.away = false;
      break;
    case '306':
      session.away = true;
      break;
    case '331':
      if (buf) buf.topic = null;
      break;
    case '332':
      if (buf) buf.topic = text || null;
      break;
    case '324':
      if (buf) buf.modes = text.split(' ')[0] ?? '';
      break;
    case '353': {
      const chan = env.params[1];
      if (!chan) break;
      const list = names.get(fold(chan)) ?? [];
      for (const word of text.split(' ').filter(Boolean)) {
        const prefix = word[0] === '@' || word[0] === '+' ? word[0] : '';
        list.push({ nick: word.slice(prefix.length), op: prefix === '@', voice: prefix === '+' });
      }
      names.set(fold(chan), list);
      break;
    }
    case '366': {
      const chan = env.params[0];
      if (!chan) break;
      const list = names.get(fold(chan));
      names.delete(fold(chan));
      if (buf && list) buf.members = new Map(list.map((m) => [fold(m.nick), m]));
      break;
    }
  }
}
