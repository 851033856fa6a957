// Signature marks for incoming messages (docs/signing.md): keys are pinned trust-on-first-use per nick,
// learned from PUBKEY announcements (only those whose proof of possession holds: signed with the
// announced key, by the sender, at about the envelope's time) and from channel member lists (the
// server took each of those keys only with such a proof); each PRIVMSG/NOTICE gets a verdict
// (verified, unsigned, bad, invalid, key-changed) over the envelope as delivered, before the
// envelope is sanitized for display (a signature covers the raw text).
import type { Envelope, MemberView } from '../model/api.js';
import type { ChatClient } from '../shared/client.js';
import { verifyDelivered } from '../shared/signing.js';
import { provenKey, type TofuStore, type Verdict } from '../shared/tofu.js';
import { sanitize, sanitizeDeep } from './sanitize.js';

export interface Incoming {
  env: Envelope;
  verdict: Verdict;
}

export class Verifier {
  constructor(
    private readonly client: ChatClient,
    readonly tofu: TofuStore,
    /** a nick announced a key other than the one pinned for it */
    private readonly onKeyChanged: (nick: string) => void,
  ) {}

  async verifyAll(messages: Envelope[]): Promise<Incoming[]> {
    const learned = new Set<string>();
    const out: Incoming[] = [];
    for (const env of messages) {
      if (env.command === 'PUBKEY') {
        // an announcement without a valid proof (borrowed key, replayed or stale) is ignored
        const key = provenKey(env, verifyDelivered);
        if (key !== null && this.tofu.remember(env.from, key))
          this.onKeyChanged(sanitize(env.from));
      } else if (env.command === 'NICK') {
        // the key belongs to the session, which now answers to the new nick
        const key = this.tofu.pinnedKey(env.from);
        const newNick = Array.isArray(env.body) ? env.body[0] : undefined;
        if (key && newNick && !this.tofu.pinnedKey(newNick)) this.tofu.remember(newNick, key);
      }
      let verdict: Verdict = 'unsigned';
      if ((env.command === 'PRIVMSG' || env.command === 'NOTICE') && env.meta?.sig !== undefined) {
        // a signer we have no key for yet: its channel's member list carries the key
        if (!this.tofu.currentKey(env.from) && env.to.startsWith('#') && !learned.has(env.to)) {
          learned.add(env.to);
          await this.learnKeys(env.to).catch(() => undefined);
        }
        verdict = this.tofu.classify(env.from, env, verifyDelivered);
      }
      out.push({ env: sanitizeDeep(env), verdict });
    }
    return out;
  }

  /** A channel's members (sanitized), pinning the keys they show. */
  async learnKeys(channel: string): Promise<MemberView[]> {
    const members = await this.client.members(channel);
    for (const m of members) {
      if (m.pubkey && this.tofu.remember(m.nick, m.pubkey)) this.onKeyChanged(sanitize(m.nick));
    }
    return sanitizeDeep(members);
  }
}
