// Signature badges (SPEC §11): keys are pinned trust-on-first-use per nick in the shared TofuStore,
// persisted in localStorage; each signed PRIVMSG/NOTICE gets a verdict, checked asynchronously
// (WebCrypto is async) and shown when ready.
import { signal, type Signal } from '@preact/signals';
import type { Envelope } from '../../../src/shared/api-types.js';
import { TofuStore, type KeyPersistence } from '../../../src/shared/tofu.js';
import { verifyDelivered } from '../crypto/verify.js';
import type { Verdict } from './model.js';
import { stored } from './persist.js';

const persistence: KeyPersistence = {
  load: () => stored.json<Record<string, string>>('keys', {}),
  save: (keys) => stored.setJson('keys', keys),
};

const tofu = new TofuStore(persistence);

/** Records a key a nick announced (PUBKEY, or the members list); true when it differs from the pinned one. */
export const rememberKey = (nick: string, key: string): boolean => tofu.remember(nick, key);

/** The user accepts the nick's new key (/trust). */
export const trustKey = (nick: string): void => tofu.trust(nick);

const isSigned = (env: Envelope): boolean => Object.hasOwn(env.meta ?? {}, 'sig');

/** The badge of a message: 'unsigned' at once, or 'pending' until the signature is checked. */
export function verdictFor(env: Envelope): Signal<Verdict> {
  if (!isSigned(env)) return signal('unsigned');
  const verdict = signal<Verdict>('pending');
  const key = tofu.currentKey(env.from);
  if (key === undefined) {
    verdict.value = 'unsigned';
    return verdict;
  }
  void verifyDelivered(env, key).then((ok) => {
    // TofuStore decides verified / key-changed / bad from the result for the nick's current key.
    verdict.value = tofu.classify(env.from, env, () => ok);
  });
  return verdict;
}
