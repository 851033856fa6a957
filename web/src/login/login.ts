// Signing in: a nick alone creates a session (POST /session, with a hashcash stamp); a nick and a
// password log in to an existing session with a password (POST /login) or, when there is none
// with that nick, create one (POST /register, with a stamp).
import type { SessionCreated } from '../../../src/model/api.js';
import { ApiError, ChatClient } from '../../../src/shared/client.js';
import { mint } from './mint.js';

export interface LoginProgress {
  /** hashes tried so far, and about how many a stamp takes (2^bits) */
  minting(tries: number, expected: number): void;
}

async function stampFor(
  client: ChatClient,
  workerUrl: string,
  progress: LoginProgress,
  bits?: number,
): Promise<string | undefined> {
  const info = await client.server();
  const need = bits ?? info.hashcash_bits;
  if (need <= 0) return undefined;
  progress.minting(0, 2 ** need);
  return mint(workerUrl, { bits: need, resource: info.name }, (tries) =>
    progress.minting(tries, 2 ** need),
  );
}

/** Runs `create` with a stamp; once more with a fresh stamp if the server wanted other bits. */
async function withStamp(
  client: ChatClient,
  workerUrl: string,
  progress: LoginProgress,
  create: (stamp: string | undefined) => Promise<SessionCreated>,
): Promise<SessionCreated> {
  try {
    return await create(await stampFor(client, workerUrl, progress));
  } catch (err) {
    if (!(err instanceof ApiError && err.status === 402)) throw err;
    const bits = (err.body as { bits?: unknown }).bits;
    return create(
      await stampFor(client, workerUrl, progress, typeof bits === 'number' ? bits : undefined),
    );
  }
}

export async function signIn(
  nick: string,
  password: string,
  workerUrl: string,
  progress: LoginProgress,
): Promise<SessionCreated> {
  const client = new ChatClient({ baseUrl: '' });
  if (!password) {
    return withStamp(client, workerUrl, progress, (stamp) => client.createSession(nick, stamp));
  }
  try {
    return await client.login(nick, password);
  } catch (err) {
    if (!(err instanceof ApiError && err.code === 'invalid_credentials')) throw err;
  }
  try {
    return await withStamp(client, workerUrl, progress, (stamp) =>
      client.register(nick, password, stamp),
    );
  } catch (err) {
    if (err instanceof ApiError && err.status === 409) {
      throw new Error(
        `Wrong password for ${nick}, or the nick is in use by a session without a password.`,
      );
    }
    throw err;
  }
}
