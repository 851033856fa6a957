// Signature badges (docs/signing.md): keys are pinned trust-on-first-use per nick in the shared TofuStore,
// persisted in localStorage; each signed PRIVMSG/NOTICE gets a verdict, checked asynchronously
// (WebCrypto is async) and shown when ready. A PUBKEY is remembered only when its proof of
// possession holds (signed with the key it announces, by its sender, at about its time), so a
// borrowed or replayed announcement teaches the page nothing.
import { signal, type Signal } from '@preact/signals';
import type { Envelope, MemberView } from '../../../src/model/api.js';
import { fold } from '../../../src/model/casefold.js';
import { keyClaim, TofuStore, type KeyPersistence } from '../../../src/shared/tofu.js';
import { verifyDelivered } from '../crypto/verify.js';
import type { Verdict } from './model.js';
import { stored } from './persist.js';

const persistence: KeyPersistence = {
  load: () => stored.json<Record<string, string>>('keys', {}),
  save: (keys) => stored.setJson('keys', keys),
};

const tofu = new TofuStore(persistence);

/**
 * Announcements are checked one after another, in arrival order, and a message's badge waits for
 * those that arrived before it: a key announced just before a message is known when it is judged.
 */
let keysSettled: Promise<unknown> = Promise.resolve();

/** Records a key the members list shows (chatd took it with a proof); true when it differs from the pinned one. */
export const rememberKey = (nick: string, key: string): boolean => tofu.remember(nick, key);

/**
 * Checks a PUBKEY's proof and remembers the key if it holds. Resolves 'new' (first key, or the
 * pinned one again), 'changed' (differs from the pinned one) or 'refused' (no valid proof).
 */
export function announceKey(env: Envelope): Promise<'new' | 'changed' | 'refused'> {
  const claim = keyClaim(env);
  const outcome = keysSettled.then(async () => {
    if (claim === null || !(await verifyDelivered(env, claim.key))) return 'refused' as const;
    return tofu.remember(env.from, claim.key) ? ('changed' as const) : ('new' as const);
  });
  keysSettled = outcome.catch(() => undefined);
  return outcome;
}

/** The user accepts the nick's new key (/trust). */
export const trustKey = (nick: string): void => tofu.trust(nick);

/** Our own key, announced from this browser: trusted for our nick whatever was pinned before. */
export function pinOwnKey(nick: string, key: string): void {
  if (tofu.remember(nick, key)) tofu.trust(nick);
}

/** A channel's members with their keys (GET /api/v1/channels/{name}/members), set by the session. */
let memberSource: ((channel: string) => Promise<MemberView[]>) | null = null;
export const setMemberSource = (source: (channel: string) => Promise<MemberView[]>): void =>
  void (memberSource = source);

/** Lookups made for (channel, nick) pairs, so each is asked for once, however many messages. */
const lookups = new Map<string, Promise<void>>();

/**
 * A signed message from a nick whose key we never saw announced: the sender announced it before
 * joining a channel we share (chat-cli does, at session start), so no PUBKEY came our way. The
 * channel's members list carries the key (chatd took it only with a proof of possession).
 */
function learnKeyOf(nick: string, channel: string): Promise<void> {
  const id = `${fold(channel)} ${fold(nick)}`;
  let lookup = lookups.get(id);
  if (!lookup) {
    lookup = (async () => {
      if (!memberSource) return;
      try {
        for (const m of await memberSource(channel)) if (m.pubkey) tofu.remember(m.nick, m.pubkey);
      } catch {
        // not a member any more, or offline: the message stays unsigned
      }
    })();
    lookups.set(id, lookup);
  }
  return lookup;
}

const isSigned = (env: Envelope): boolean => Object.hasOwn(env.meta ?? {}, 'sig');

/** The badge of a message: 'unsigned' at once, or 'pending' until the signature is checked. */
export function verdictFor(env: Envelope): Signal<Verdict> {
  if (!isSigned(env)) return signal('unsigned');
  const verdict = signal<Verdict>('pending');
  void keysSettled.then(async () => {
    if (tofu.currentKey(env.from) === undefined && env.to.startsWith('#'))
      await learnKeyOf(env.from, env.to);
    const key = tofu.currentKey(env.from);
    const ok = key !== undefined && (await verifyDelivered(env, key));
    // TofuStore decides invalid (signer or time do not fit the envelope) first, then unsigned
    // (no key known), verified / key-changed / bad from the result for the nick's current key.
    verdict.value = tofu.classify(env.from, env, () => ok);
  });
  return verdict;
}
