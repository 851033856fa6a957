// Trust-on-first-use signing keys for clients (docs/signing.md): the first key a nick announces is
// pinned (and persisted); a later, different announcement is remembered for this run but not
// trusted until the user accepts it with trust(). An announcement counts only with its proof of
// possession (keyClaim/provenKey), and a message whose signer or time does not fit its envelope
// is `invalid` before any key is consulted. Pure (no Node APIs): the signature check is passed
// in (signing.ts `verifyDelivered` on Node, a WebCrypto or JS one in the browser).
import { fold, type Folded } from '../model/casefold.js';
import { signedMetaProblem } from './signed-meta.js';
import type { SignableMessage } from './signing.js';

/** Where pinned keys live between runs: folded nick → raw public key (base64). */
export interface KeyPersistence {
  load(): Record<string, string>;
  save(keys: Record<string, string>): void;
}

/** verified: good signature under the pinned key; key-changed: good signature under a key the
 * nick announced since, which differs from the pinned one; bad: a signature that does not check
 * out (or a malformed sig/alg); invalid: signed, but `meta.signer` does not fold to the sender
 * (`from`) or `meta.ts` is missing or more than SIGNATURE_WINDOW_MS from the envelope's time —
 * a replayed, relayed or stale signature, whatever the key says; unsigned: no signature, or no
 * key known for the nick. */
export type Verdict = 'verified' | 'unsigned' | 'bad' | 'invalid' | 'key-changed';

export type VerifyFn = (msg: SignableMessage, publicKey: string, sigBase64: string) => boolean;

/** A message as delivered: the signed fields plus the server's time of the envelope (ISO 8601). */
export interface DeliveredMessage extends SignableMessage {
  ts: string;
}

/** What a PUBKEY envelope claims; the caller still has to check `sig` under `key`. */
export interface KeyClaim {
  key: string;
  sig: string;
}

/**
 * The key a PUBKEY envelope from `from` announces, when its proof of possession is well formed:
 * a body {alg: "ed25519", key: <string>}, a signature (`meta.sig`, `meta.alg` "ed25519"), and a
 * `meta.signer`/`meta.ts` that fit the envelope. Null otherwise: such an announcement is not to
 * be remembered. Whether `sig` verifies under `key` is left to the caller (sync on Node, async
 * in the browser).
 */
export function keyClaim(env: DeliveredMessage & { from: string }): KeyClaim | null {
  if (env.command !== 'PUBKEY') return null;
  const body = env.body;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return null;
  const { alg, key } = body as Record<string, unknown>;
  if (alg !== 'ed25519' || typeof key !== 'string') return null;
  const meta = env.meta;
  if (!meta || meta.alg !== 'ed25519' || typeof meta.sig !== 'string') return null;
  if (signedMetaProblem(meta, env.from, Date.parse(env.ts)) !== null) return null;
  return { key, sig: meta.sig };
}

/** keyClaim with the signature checked: the announced key if the PUBKEY proves it, else null. */
export function provenKey(
  env: DeliveredMessage & { from: string },
  verify: VerifyFn,
): string | null {
  const claim = keyClaim(env);
  if (claim === null) return null;
  try {
    return verify(env, claim.key, claim.sig) ? claim.key : null;
  } catch {
    return null;
  }
}

/** Keeps nothing between runs. */
export function memoryPersistence(initial: Record<string, string> = {}): KeyPersistence {
  let keys = { ...initial };
  return {
    load: () => ({ ...keys }),
    save: (next) => {
      keys = { ...next };
    },
  };
}

export class TofuStore {
  private readonly pinned = new Map<Folded, string>();
  /** Keys announced this run that differ from the pinned one. */
  private readonly announced = new Map<Folded, string>();

  constructor(private readonly persistence: KeyPersistence = memoryPersistence()) {
    for (const [nick, key] of Object.entries(persistence.load())) {
      if (typeof key === 'string') this.pinned.set(fold(nick), key);
    }
  }

  /**
   * Records a key the nick announced (a PUBKEY). The first one is pinned and saved. Returns
   * true when it differs from the pinned key: the caller should warn; messages signed with it
   * classify as 'key-changed' until trust(nick).
   */
  remember(nick: string, key: string): boolean {
    const id = fold(nick);
    const pinned = this.pinned.get(id);
    if (pinned === undefined) {
      this.pinned.set(id, key);
      this.save();
      return false;
    }
    if (key === pinned) {
      this.announced.delete(id);
      return false;
    }
    this.announced.set(id, key);
    return true;
  }

  /** The user accepts the nick's latest announced key: it becomes the pinned one. */
  trust(nick: string): void {
    const id = fold(nick);
    const key = this.announced.get(id);
    if (key === undefined) return;
    this.pinned.set(id, key);
    this.announced.delete(id);
    this.save();
  }

  /** Drops everything known about the nick's keys. */
  forget(nick: string): void {
    const id = fold(nick);
    this.announced.delete(id);
    if (this.pinned.delete(id)) this.save();
  }

  /** The trusted (first-seen or accepted) key. */
  pinnedKey(nick: string): string | undefined {
    return this.pinned.get(fold(nick));
  }

  /** The key the nick uses now: the latest announcement, else the pinned key. */
  currentKey(nick: string): string | undefined {
    const id = fold(nick);
    return this.announced.get(id) ?? this.pinned.get(id);
  }

  /**
   * How to mark a message delivered from `nick` (the envelope's `from`; see Verdict). The signer
   * and time are checked before any key: a signature that names someone else or another time
   * is no evidence for this message, however well it verifies.
   */
  classify(nick: string, message: DeliveredMessage, verify: VerifyFn): Verdict {
    const meta = message.meta;
    if (meta === undefined || meta === null || !Object.hasOwn(meta, 'sig')) return 'unsigned';
    const sig = meta.sig;
    if (typeof sig !== 'string' || meta.alg !== 'ed25519') return 'bad';
    if (signedMetaProblem(meta, nick, Date.parse(message.ts)) !== null) return 'invalid';
    const id = fold(nick);
    const pinned = this.pinned.get(id);
    const current = this.announced.get(id) ?? pinned;
    if (current === undefined) return 'unsigned';
    let ok: boolean;
    try {
      ok = verify(message, current, sig);
    } catch {
      ok = false;
    }
    if (!ok) return 'bad';
    return current === pinned ? 'verified' : 'key-changed';
  }

  private save(): void {
    this.persistence.save(Object.fromEntries(this.pinned));
  }
}
