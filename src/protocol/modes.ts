// Channel modes (docs/commands.md), pure: parse a MODE request into changes, apply changes to a channel's
// state, and format the results. No store, no context; the MODE command does the lookups.
//
// Letters (CHANMODES=b,k,l,imnst, PREFIX=(ov)@+): `o`/`v` take a nick; `b` takes a mask (a bare
// `b` asks for the list); `k` takes a key when set and may carry one when unset (005 type B);
// `l` takes a positive integer when set and nothing when unset; `i m n s t` take nothing.
import { normaliseBanMask } from './ban-mask.js';
import { fold } from '../model/casefold.js';

export type Sign = '+' | '-';

export interface ModeChange {
  sign: Sign;
  letter: string;
  arg?: string;
}

/** MODES=4 (005): parameterised changes beyond this in one command are ignored. */
export const MODES_PER_COMMAND = 4;
/** At most this many distinct unknown letters are reported per command (each is one 472). */
export const UNKNOWN_REPORT_MAX = 10;
/** Longest channel key (ngIRCd uses 23, InspIRCd 32). */
export const KEY_MAX = 32;
/** Largest `+l` (a 32-bit signed int, as InspIRCd). */
export const LIMIT_MAX = 2 ** 31 - 1;
/** MAXLIST=b:50: bans per channel. */
export const MAX_BANS = 50;

export const CHANNEL_MODE_LETTERS = 'biklmnostv';
const FLAGS = 'imnst';
const PREFIXES = 'ov';

export interface ParsedModes {
  /** well-formed changes, in request order (ban masks already normalised) */
  changes: ModeChange[];
  /** a `b` without a mask: the ban list is wanted */
  listBans: boolean;
  /** distinct letters this server does not know, first-seen order (at most UNKNOWN_REPORT_MAX) */
  unknown: string[];
  /** letters that need an argument and had none left */
  missingArg: ModeChange[];
  /** changes whose argument is unusable (bad mask, key or limit) */
  invalidArg: ModeChange[];
  /** parameterised changes past MODES_PER_COMMAND, ignored */
  dropped: ModeChange[];
}

// Space and comma would split the key on the IRC wire and in JOIN lists; a leading ':' would
// turn it into a trailing parameter.
const BAD_KEY = /[\s,\p{Cc}]|^:/u;

function validKey(key: string): boolean {
  return key.length > 0 && [...key].length <= KEY_MAX && !BAD_KEY.test(key);
}

function parseLimit(raw: string): number | null {
  if (!/^[0-9]{1,10}$/.test(raw)) return null;
  const n = Number(raw);
  return n >= 1 && n <= LIMIT_MAX ? n : null;
}

/** Letters whose change consumes a parameter when one is there (`b`, `-k`) or always. */
function takesParam(sign: Sign, letter: string, argLeft: boolean): boolean {
  if (PREFIXES.includes(letter)) return true;
  if (letter === 'k') return sign === '+' || argLeft;
  if (letter === 'l') return sign === '+';
  if (letter === 'b') return argLeft;
  return false;
}

/** `params` = [modestring, args…] of a channel MODE. Never throws. */
export function parseChannelModes(params: readonly string[]): ParsedModes {
  const [modestring = '', ...args] = params;
  const out: ParsedModes = {
    changes: [],
    listBans: false,
    unknown: [],
    missingArg: [],
    invalidArg: [],
    dropped: [],
  };
  let next = 0;
  let used = 0;
  let sign: Sign = '+';
  for (const letter of modestring) {
    if (letter === '+' || letter === '-') {
      sign = letter;
      continue;
    }
    if (!CHANNEL_MODE_LETTERS.includes(letter)) {
      if (!out.unknown.includes(letter) && out.unknown.length < UNKNOWN_REPORT_MAX) {
        out.unknown.push(letter);
      }
      continue;
    }
    if (!takesParam(sign, letter, next < args.length)) {
      if (letter === 'b') out.listBans = true;
      else out.changes.push({ sign, letter });
      continue;
    }
    if (used >= MODES_PER_COMMAND) {
      out.dropped.push({ sign, letter });
      continue;
    }
    const arg = args[next];
    if (arg === undefined) {
      out.missingArg.push({ sign, letter });
      continue;
    }
    next++;
    used++;
    const change = checkedArg(sign, letter, arg);
    if (change) out.changes.push(change);
    else out.invalidArg.push({ sign, letter, arg });
  }
  return out;
}

/** The change with its argument normalised, or null when the argument is unusable. */
function checkedArg(sign: Sign, letter: string, arg: string): ModeChange | null {
  switch (letter) {
    case 'b': {
      const mask = normaliseBanMask(arg);
      return mask === null ? null : { sign, letter, arg: mask };
    }
    case 'k':
      // an unset ignores its argument (most servers do not insist it matches)
      return sign === '-' || validKey(arg) ? { sign, letter, arg } : null;
    case 'l': {
      const n = parseLimit(arg);
      return n === null ? null : { sign, letter, arg: String(n) };
    }
    default:
      return arg.length > 0 ? { sign, letter, arg } : null;
  }
}

export interface MemberModes {
  /** display nick */
  nick: string;
  /** a subset of "ov", sorted */
  modes: string;
}

export interface ChannelModeState {
  /** letters, sorted and unique; `k` iff key is set, `l` iff limit is set */
  modes: string;
  key: string | null;
  limit: number | null;
  /** ban masks as set (normalised), compared folded */
  bans: readonly string[];
  /** members an `o`/`v` change may name, by folded nick */
  members: ReadonlyMap<string, MemberModes>;
}

export type RejectReason = 'not_on_channel' | 'ban_list_full' | 'unusable';

export interface ApplyResult {
  state: ChannelModeState;
  /** the changes that changed something, arguments in their canonical form; no no-ops */
  applied: ModeChange[];
  /** changes that could not apply (o/v on a non-member, +b on a full list, malformed input) */
  rejected: { change: ModeChange; reason: RejectReason }[];
}

/** Adds or removes one letter, keeping the string sorted and its letters unique. */
export function withLetter(modes: string, letter: string, on: boolean): string {
  const set = new Set(modes);
  if (on) set.add(letter);
  else set.delete(letter);
  return [...set].sort().join('');
}

/**
 * Applies changes in order. Changes that would change nothing (+n when already n, -k without a
 * key, +b of a mask already banned, +o on an op) are dropped from `applied`.
 */
export function applyChannelModes(
  state: ChannelModeState,
  changes: readonly ModeChange[],
  maxBans = MAX_BANS,
): ApplyResult {
  const s = { ...state, bans: [...state.bans], members: new Map(state.members) };
  const applied: ModeChange[] = [];
  const rejected: ApplyResult['rejected'] = [];
  for (const change of changes) {
    const result = applyOne(s, change, maxBans);
    if (typeof result === 'string') rejected.push({ change, reason: result });
    else if (result) applied.push(result);
  }
  return { state: s, applied, rejected };
}

type Mutable = { -readonly [K in keyof ChannelModeState]: ChannelModeState[K] } & {
  bans: string[];
  members: Map<string, MemberModes>;
};

/** The applied change, null for a no-op, or why it was rejected. */
function applyOne(s: Mutable, c: ModeChange, maxBans: number): ModeChange | null | RejectReason {
  const on = c.sign === '+';
  if (FLAGS.includes(c.letter)) {
    if (s.modes.includes(c.letter) === on) return null;
    s.modes = withLetter(s.modes, c.letter, on);
    return { sign: c.sign, letter: c.letter };
  }
  switch (c.letter) {
    case 'k':
      return applyKey(s, c);
    case 'l':
      return applyLimit(s, c);
    case 'b':
      return applyBan(s, c, maxBans);
    case 'o':
    case 'v':
      return applyPrefix(s, c);
    default:
      return 'unusable';
  }
}

function applyKey(s: Mutable, c: ModeChange): ModeChange | null | RejectReason {
  if (c.sign === '-') {
    if (s.key === null) return null;
    s.key = null;
    s.modes = withLetter(s.modes, 'k', false);
    // the old key is not repeated in the event; `*` keeps the parameter count of a type B mode
    return { sign: '-', letter: 'k', arg: '*' };
  }
  if (c.arg === undefined || !validKey(c.arg)) return 'unusable';
  if (s.key === c.arg) return null;
  s.key = c.arg;
  s.modes = withLetter(s.modes, 'k', true);
  return { sign: '+', letter: 'k', arg: c.arg };
}

function applyLimit(s: Mutable, c: ModeChange): ModeChange | null | RejectReason {
  if (c.sign === '-') {
    if (s.limit === null) return null;
    s.limit = null;
    s.modes = withLetter(s.modes, 'l', false);
    return { sign: '-', letter: 'l' };
  }
  const n = c.arg === undefined ? null : parseLimit(c.arg);
  if (n === null) return 'unusable';
  if (s.limit === n) return null;
  s.limit = n;
  s.modes = withLetter(s.modes, 'l', true);
  return { sign: '+', letter: 'l', arg: String(n) };
}

function applyBan(s: Mutable, c: ModeChange, maxBans: number): ModeChange | null | RejectReason {
  const mask = c.arg === undefined ? null : normaliseBanMask(c.arg);
  if (mask === null) return 'unusable';
  const at = s.bans.findIndex((b) => fold(b) === fold(mask));
  if (c.sign === '+') {
    if (at >= 0) return null;
    if (s.bans.length >= maxBans) return 'ban_list_full';
    s.bans.push(mask);
    return { sign: '+', letter: 'b', arg: mask };
  }
  if (at < 0) return null;
  const [removed] = s.bans.splice(at, 1);
  return { sign: '-', letter: 'b', arg: removed! };
}

function applyPrefix(s: Mutable, c: ModeChange): ModeChange | null | RejectReason {
  if (c.arg === undefined) return 'unusable';
  const key = fold(c.arg);
  const member = s.members.get(key);
  if (!member) return 'not_on_channel';
  const on = c.sign === '+';
  if (member.modes.includes(c.letter) === on) return null;
  s.members.set(key, { ...member, modes: withLetter(member.modes, c.letter, on) });
  return { sign: c.sign, letter: c.letter, arg: member.nick };
}

/** The MODE line's parameters: `[+ov-k, alice, bob, *]` (signs written only when they change). */
export function formatModeChanges(changes: readonly ModeChange[]): string[] {
  let letters = '';
  let sign: Sign | '' = '';
  const args: string[] = [];
  for (const c of changes) {
    if (c.sign !== sign) letters += c.sign;
    sign = c.sign;
    letters += c.letter;
    if (c.arg !== undefined) args.push(c.arg);
  }
  return letters ? [letters, ...args] : [];
}

/**
 * 324's mode parameters: `+klnt key 10`. The key only for those allowed to see it (members);
 * the limit is public, as on ngIRCd.
 */
export function channelModeParams(
  state: Pick<ChannelModeState, 'modes' | 'key' | 'limit'>,
  showKey: boolean,
): string[] {
  const args: string[] = [];
  for (const letter of state.modes) {
    if (letter === 'k' && state.key !== null && showKey) args.push(state.key);
    if (letter === 'l' && state.limit !== null) args.push(String(state.limit));
  }
  return ['+' + state.modes, ...args];
}
