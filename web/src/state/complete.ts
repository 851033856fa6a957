// Tab nick completion, as IRC clients do it: the word before the caret is completed from the
// window's members (those who spoke last first, then the others by name), then from others who
// spoke there recently (a query's partner, someone who left). Tab again cycles through the
// matches, Shift+Tab goes back. At the start of the line the nick gets ": " after it, elsewhere
// a space. Pure functions, so they are tested without a browser.
import { fold } from '../../../src/model/casefold.js';

export interface Completion {
  /** the input's value after the completion */
  value: string;
  /** where the caret goes */
  caret: number;
}

/** A cycle in progress: what the user had typed, and where in the matches Tab has got to. */
export interface CompletionState {
  /** the line before the word, and after the caret */
  before: string;
  after: string;
  matches: string[];
  index: number;
  /** the value this state produced last (another edit starts a new completion) */
  produced: string;
}

/**
 * Candidates in the order Tab offers them: members by latest speaker, the other members by name,
 * then recent speakers who are not members. `speakers` is newest first. Our own nick is left out.
 */
export function candidates(members: string[], speakers: string[], me: string): string[] {
  const out: string[] = [];
  const seen = new Set<string>([fold(me)]);
  const memberKeys = new Set(members.map(fold));
  const add = (nick: string) => {
    const key = fold(nick);
    if (seen.has(key)) return;
    seen.add(key);
    out.push(nick);
  };
  for (const nick of speakers) if (memberKeys.has(fold(nick))) add(nick);
  for (const nick of [...members].sort((a, b) => fold(a).localeCompare(fold(b)))) add(nick);
  for (const nick of speakers) add(nick);
  return out;
}

/**
 * One press of Tab (`back`: Shift+Tab) on `value` with the caret at `caret`. Returns the new
 * value and state, or null when nothing matches (the key then does what it usually does).
 */
export function complete(
  value: string,
  caret: number,
  names: string[],
  previous: CompletionState | null,
  back = false,
): { completion: Completion; state: CompletionState } | null {
  let state: CompletionState;
  if (previous && previous.produced === value && previous.matches.length > 0) {
    const n = previous.matches.length;
    state = { ...previous, index: (previous.index + (back ? n - 1 : 1)) % n };
  } else {
    const head = value.slice(0, caret);
    const start = head.search(/\S*$/);
    const word = head.slice(start);
    if (!word) return null;
    const prefix = fold(word);
    const matches = names.filter((n) => fold(n).startsWith(prefix));
    if (matches.length === 0) return null;
    state = {
      before: value.slice(0, start),
      after: value.slice(caret),
      matches,
      index: back ? matches.length - 1 : 0,
      produced: '',
    };
  }
  const nick = state.matches[state.index]!;
  const suffix = state.before.trim() === '' ? ': ' : ' ';
  // After the caret there may already be a space: do not double it.
  const glue = state.after.startsWith(' ') ? suffix.trimEnd() : suffix;
  const inserted = state.before + nick + glue;
  const next = inserted + state.after;
  state.produced = next;
  return { completion: { value: next, caret: inserted.length }, state };
}
