// Outgoing signatures (docs/signing.md): the bytes a signature covers — the RFC 8785 canonical form
// of {command, to, params, body, meta without sig/alg}, fields the command does not carry left
// out — and a command signed as `signer` at `ts`, the same form chat-cli signs with
// src/shared/signing.ts (which needs node:crypto, so it is restated here over the shared pieces).
import type { CommandInput } from '../../../src/model/api.js';
import { canonicalize } from '../../../src/shared/jcs.js';
import { withSignerAndTime } from '../../../src/shared/signed-meta.js';
import { encodeBase64 } from './base64.js';
import { signBytes, type SigningKey } from './ed25519-engines.js';

/** The UTF-8 bytes a signature of `msg` covers. Throws on content JSON cannot carry. */
export function signedBytes(msg: CommandInput): Uint8Array {
  const form: Record<string, unknown> = { command: msg.command };
  if (msg.to !== undefined) form.to = msg.to;
  if (msg.params !== undefined) form.params = msg.params;
  if (msg.body !== undefined) form.body = msg.body;
  // own properties only (a "__proto__" member stays a member), sig/alg never signed
  form.meta = Object.fromEntries(
    Object.entries(msg.meta ?? {}).filter(([k]) => k !== 'sig' && k !== 'alg'),
  );
  return new TextEncoder().encode(canonicalize(form));
}

/**
 * `command` signed with `key` as `signer` at `ts` (ms since the epoch): `meta.signer` and
 * `meta.ts` first, then `meta.sig` and `meta.alg`. The command is signed as chatd will deliver
 * it (upper case, `meta` present), so every recipient can verify it.
 */
export async function signCommand(
  command: CommandInput,
  key: SigningKey,
  signer: string,
  ts: number,
): Promise<CommandInput> {
  const form = withSignerAndTime(
    { ...command, command: command.command.toUpperCase(), meta: command.meta ?? {} },
    signer,
    ts,
  );
  const sig = await signBytes(key, signedBytes(form));
  return { ...form, meta: { ...form.meta, sig: encodeBase64(sig), alg: 'ed25519' } };
}
