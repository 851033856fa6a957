// Whether a message mentions a nick, for the web client and chat-cli alike (pure). Nicks compare
// under rfc1459 folding (docs/commands.md), as the server compares them: `Alice[1]` is mentioned by
// `alice{1}`. A mention is the nick as a whole word: no nick character right before or after it.
import { fold } from '../model/casefold.js';

/**
 * The characters a nick may hold (docs/commands.md), and `~`: it folds to `^`, so `alice~` names the nick
 * `alice^`, not `alice`. The check runs on folded text; the unfolded forms are here all the same.
 */
const NICK_CHAR = /[A-Za-z0-9[\]\\`_^{|}~-]/;

const isNickChar = (c: string | undefined): boolean => c !== undefined && NICK_CHAR.test(c);

/** Whether `text` names `nick` as a word, compared under rfc1459 folding. */
export function mentions(text: string, nick: string): boolean {
  if (!nick) return false;
  // fold maps one UTF-16 unit to one, so positions in the folded text are positions in `text`
  const hay = fold(text);
  const needle = fold(nick);
  for (let i = hay.indexOf(needle); i !== -1; i = hay.indexOf(needle, i + 1)) {
    if (!isNickChar(hay[i - 1]) && !isNickChar(hay[i + needle.length])) return true;
  }
  return false;
}
