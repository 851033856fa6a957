// Signed commands for tests (docs/signing.md): a PUBKEY with its proof of possession, and messages signed
// as a nick at a time, the way chat-cli sends them.
import type { CommandInput } from '../../src/model/envelope.js';
import { generateSigningKey, signAs } from '../../src/shared/signing.js';

export type Key = ReturnType<typeof generateSigningKey>;

/** A command, also usable where a plain JSON object is expected (HttpClient.send). */
export type SignedInput = CommandInput & Record<string, unknown>;

/** PUBKEY announcing `key`, signed with it as `nick` at `ts` (extra fields, such as `to`, first). */
export function signedPubkey(
  key: Key,
  nick: string,
  ts: number,
  extra: Partial<CommandInput> = {},
): SignedInput {
  const input = { command: 'PUBKEY', body: { alg: 'ed25519', key: key.publicKey }, ...extra };
  return signAs(input, key.privateKey, nick, ts);
}

/** `input` signed with `key` as `nick` at `ts`. */
export function signedBy(key: Key, nick: string, ts: number, input: CommandInput): SignedInput {
  return signAs(input, key.privateKey, nick, ts) as SignedInput;
}
