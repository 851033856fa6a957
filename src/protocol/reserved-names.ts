// Nicks nobody may take (docs/limits.md): a message from the server carries the server's name as its
// `from`, so a session holding that name (or the network's, or a service's) could pass its own
// NOTICEs off as the server's. Compared folded, so `CHAT` and `Chat` are refused alike.
import { fold, type Folded } from '../model/casefold.js';

/** Service and system names that users commonly trust (Ergo and Atheme reserve the same kind). */
export const RESERVED_WORDS: readonly string[] = [
  'server',
  'services',
  'system',
  'irc',
  'ircd',
  'chatd',
  'global',
  'nickserv',
  'chanserv',
  'memoserv',
  'operserv',
  'hostserv',
  'botserv',
  'histserv',
  'saslserv',
  'alis',
];

/** True when `nick` folds to the server name, the network name or a reserved word. */
export function isReservedNick(nick: string, serverName: string, networkName: string): boolean {
  const n = fold(nick);
  return n === fold(serverName) || n === fold(networkName) || RESERVED.has(n);
}

const RESERVED: ReadonlySet<Folded> = new Set(RESERVED_WORDS.map(fold));
