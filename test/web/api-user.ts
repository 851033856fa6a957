// Sessions driven from Node through the shared typed client, for the other side of a browser test
// (seeding history, sending signed messages, sending hostile text).
import { ChatClient } from '../../src/shared/client.js';
import { mintStampSync } from '../../src/shared/hashcash.js';
import { generateSigningKey, signAs } from '../../src/shared/signing.js';
import { signedPubkey } from '../helpers/signing.js';

export async function apiUser(url: string, nick: string): Promise<ChatClient> {
  const client = new ChatClient({ baseUrl: url });
  const info = await client.server();
  const stamp =
    info.hashcash_bits > 0
      ? mintStampSync({ bits: info.hashcash_bits, resource: info.name })
      : undefined;
  await client.createSession(nick, stamp);
  return client;
}

/** The number of long-polls chatd holds now (its /metrics gauge). */
export async function heldPolls(url: string, user: string, password: string): Promise<number> {
  const res = await fetch(`${url}/metrics`, {
    headers: { authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` },
  });
  const text = await res.text();
  const m = /^chatd_held_polls (\d+)/m.exec(text);
  if (!m) throw new Error(`no chatd_held_polls in /metrics (${res.status})`);
  return Number(m[1]);
}

/** A session with an announced key (signed with it) that signs what it sends, as `nick`, now. */
export async function signer(url: string, nick: string, channel: string) {
  const api = await apiUser(url, nick);
  const key = generateSigningKey();
  await api.send({ command: 'JOIN', to: channel });
  await api.send(signedPubkey(key, nick, Date.now()));
  return {
    api,
    key,
    say: (text: string) =>
      api.send(signAs({ command: 'PRIVMSG', to: channel, body: [text] }, key.privateKey, nick)),
  };
}
