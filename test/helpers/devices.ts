// Attaching a further device to a session. /login arrives with the identity issue; until then
// the e2e tests add a client the way login will: a row in the same SQLite file chatd uses,
// written through our own store (real file, real store, no mock), with a hashed token.
import { newToken, hashToken } from '../../src/protocol/tokens.js';
import { openStore } from '../../src/store/open-store.js';

export async function addDevice(dbPath: string, sessionId: number): Promise<string> {
  const store = await openStore({ url: `file:${dbPath}` });
  try {
    const token = newToken();
    await store.transaction((tx) =>
      tx.createClient({ sessionId, tokenHash: hashToken(token), createdAt: Date.now() }),
    );
    return token;
  } finally {
    await store.close();
  }
}
