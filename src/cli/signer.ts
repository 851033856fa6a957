// chat-cli's outgoing signatures (docs/signing.md): PRIVMSG and NOTICE to one target, and its own PUBKEY
// (the proof of possession), signed with the session's key as its current nick at the current
// time; and what to change when chatd refuses such a signature, so the next attempt can pass.
import type { KeyObject } from 'node:crypto';
import type { CommandInput } from '../model/api.js';
import { exportPublicKey, signAs } from '../shared/signing.js';

/** chatd's refusals of a signature that a changed (or unsigned) attempt may get past. */
export const SIGNING_REFUSALS: ReadonlySet<string> = new Set([
  'bad_signature',
  'no_key',
  'bad_signer',
  'stale_signature',
  'replayed_signature',
]);

export interface SignerHooks {
  /** the session's current nick, as far as we know */
  nick(): string;
  /** asks the server for the session's nick (after `bad_signer`) */
  refreshNick(): Promise<void>;
  onNote?(text: string): void;
}

export class OutgoingSigner {
  /** null: send everything unsigned (a session found with /login, or after a refusal) */
  key: KeyObject | null = null;
  /** meta.ts of the last message signed */
  private lastTs = 0;

  constructor(private readonly hooks: SignerHooks) {}

  /**
   * `command` signed, or as is when it is not ours to sign. meta.ts strictly increases, so the
   * same text sent twice gets two signatures (chatd accepts each signature once).
   */
  sign(command: CommandInput): CommandInput {
    if (!this.key) return command;
    const verb = command.command.toUpperCase();
    if (verb === 'PUBKEY') {
      const body = command.body as { key?: unknown } | undefined;
      if (body?.key !== exportPublicKey(this.key)) return command;
    } else if (verb !== 'PRIVMSG' && verb !== 'NOTICE') {
      return command;
    }
    // a signature covers one `to`: a comma list would be stored once per target
    if (command.to?.includes(',')) return command;
    this.lastTs = Math.max(Date.now(), this.lastTs + 1);
    // signed as delivered: the command in upper case, meta present
    const form = { ...command, command: verb, meta: command.meta ?? {} };
    return signAs(form, this.key, this.hooks.nick(), this.lastTs);
  }

  /** What to change before sending again after chatd refused our signature with `code`. */
  async refused(code: string): Promise<void> {
    if (code === 'bad_signer') {
      // our idea of the nick is behind the server's (a NICK we have not seen yet)
      await this.hooks.refreshNick();
    } else if (code === 'stale_signature') {
      this.key = null;
      this.hooks.onNote?.(
        "The server says this machine's clock is more than 5 minutes off; sending unsigned from now on.",
      );
    } else if (code === 'bad_signature' || code === 'no_key') {
      // our key is no longer the session's (replaced from another device)
      this.key = null;
      this.hooks.onNote?.('The server refused our signature; sending unsigned from now on.');
    }
    // replayed_signature: the next attempt is signed with a later meta.ts
  }
}
