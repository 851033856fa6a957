// Getting a session for chat-cli (docs/api.md, docs/hashcash.md, docs/clients.md): resume the saved token when it still works;
// otherwise, with a password, log in (a new client of that session) or register it; without one,
// create an anonymous session. Hashcash stamps are minted here, with progress reported.
import { ApiError, type ChatClient } from '../shared/client.js';
import { mintStamp } from '../shared/hashcash.js';
import type { ServerInfo } from '../model/api.js';
import type { SavedSession, StateStore } from './state-store.js';

export type SessionOrigin = 'resumed' | 'login' | 'register' | 'new';

export interface SetupHooks {
  /** minting started (tries = 0) or progressed */
  onMint?(bits: number, tries: number): void;
  /** something the user should know (saved session gone, nick changed…) */
  onNote?(text: string): void;
}

export interface SetupResult {
  saved: SavedSession;
  origin: SessionOrigin;
}

/** How many `_` a taken nick gets before giving up (IRC clients do the same). */
const NICK_RETRIES = 3;

export async function setupSession(
  client: ChatClient,
  info: ServerInfo,
  store: StateStore,
  nick: string,
  password: string | null,
  hooks: SetupHooks = {},
): Promise<SetupResult> {
  const previous = store.load();
  if (previous) {
    client.token = previous.token;
    try {
      const state = await client.state();
      return { saved: { ...previous, sessionNick: state.nick }, origin: 'resumed' };
    } catch (err) {
      if (!(err instanceof ApiError && err.signedOut)) throw err;
      client.token = null;
      store.clear();
      hooks.onNote?.('The saved session has ended; starting a new one.');
    }
  }
  const stamp = async (): Promise<string | undefined> => {
    if (info.hashcash_bits <= 0) return undefined;
    hooks.onMint?.(info.hashcash_bits, 0);
    return mintStamp({
      bits: info.hashcash_bits,
      resource: info.name,
      onProgress: (tries) => hooks.onMint?.(info.hashcash_bits, tries),
    });
  };
  let origin: SessionOrigin;
  let created;
  if (password !== null) {
    try {
      created = await client.login(nick, password);
      origin = 'login';
    } catch (err) {
      if (!(err instanceof ApiError && err.status === 401)) throw err;
      try {
        created = await client.register(nick, password, await stamp());
        origin = 'register';
      } catch (regErr) {
        if (regErr instanceof ApiError && regErr.status === 409) {
          throw new Error(`${nick} is taken, and not with this password`);
        }
        throw regErr;
      }
    }
  } else {
    let attempt = nick;
    for (let i = 0; ; i++) {
      try {
        created = await client.createSession(attempt, await stamp());
        break;
      } catch (err) {
        if (!(err instanceof ApiError && err.status === 409) || i >= NICK_RETRIES) throw err;
        hooks.onNote?.(`${attempt} is taken; trying ${attempt}_`);
        attempt += '_';
      }
    }
    origin = 'new';
  }
  return {
    origin,
    saved: {
      version: 1,
      server: store.server,
      nick,
      sessionNick: created.nick,
      token: created.token,
      cursor: null,
      target: null,
      buffers: [],
      signingKey: null,
      pubkeyAnnounced: false,
    },
  };
}
