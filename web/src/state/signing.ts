// This browser signs (docs/clients.md, docs/signing.md): opt-in with /sign on, off by default. The key
// is made once per browser and origin and kept in IndexedDB (crypto/keystore.ts); the choice is kept
// in localStorage, so both survive a reload. With signing on, the session's PUBKEY (with its proof
// of possession) is announced at /sign on and at each login of a session that has not had it yet,
// and every PRIVMSG and NOTICE to one target is signed as the current nick at the current time.
// /sign off stops signing and keeps the key; nothing is withdrawn (PUBKEY has no "no key" form,
// and unsigned messages are accepted anyway), so others keep the key pinned for the nick.
import { signal } from '@preact/signals';
import type { CommandInput, CommandResult } from '../../../src/model/api.js';
import { ApiError, type ChatClient } from '../../../src/shared/client.js';
import { encodeBase64 } from '../crypto/base64.js';
import { ed25519, type SigningKey } from '../crypto/ed25519-engines.js';
import { loadKey, saveKey } from '../crypto/keystore.js';
import { signCommand } from '../crypto/sign.js';
import { activeWindow, myNick } from './model.js';
import { stored } from './persist.js';
import { pinOwnKey } from './signatures.js';
import { note } from './windows.js';

const PREFERENCE = 'sign';
/** "<session id> <public key>": the session that has this browser's key announced */
const ANNOUNCED = 'signAnnounced';

/** Whether this browser signs (shown in the status line). */
export const signingOn = signal<boolean>(stored.json<boolean>(PREFERENCE, false) === true);
/** How the key is kept, once known: a non-extractable WebCrypto key, or raw bytes (fallback). */
export const signingKind = signal<'webcrypto' | 'raw' | null>(null);

// Another tab of this browser switched signing on or off.
globalThis.addEventListener?.('storage', (e: Event) => {
  if ((e as StorageEvent).key === `chatd.${PREFERENCE}`)
    signingOn.value = stored.json<boolean>(PREFERENCE, false) === true;
});

function setOn(on: boolean): void {
  signingOn.value = on;
  stored.setJson(PREFERENCE, on);
}

/** The key once read (it never changes: /sign on makes one only when there is none). */
let known: SigningKey | null = null;

/** The stored key, or a new one (stored first) when `create`; null when none and not `create`. */
async function theKey(create: boolean): Promise<SigningKey | null> {
  if (known) return known;
  let key = await loadKey();
  if (!key && create) {
    await saveKey(await (await ed25519()).generate());
    key = await loadKey(); // what is stored now, even if another tab was quicker
  }
  if (key?.kind === 'webcrypto' && (await ed25519()).kind !== 'webcrypto')
    throw new Error(
      'the key stored in this browser needs WebCrypto Ed25519, which this page lacks',
    );
  signingKind.value = key?.kind ?? null;
  known = key;
  return key;
}

let lastTs = 0;
/** meta.ts strictly increases: the same text sent twice gets two signatures (each counts once). */
const nextTs = (): number => (lastTs = Math.max(Date.now(), lastTs + 1));

const describeKey = (key: SigningKey): string =>
  key.kind === 'webcrypto'
    ? 'a WebCrypto key this page cannot read out'
    : 'raw key bytes in IndexedDB (this page has no WebCrypto Ed25519)';

/** Announces the key for the session (`sessionId`) and pins it as ours. */
async function announce(client: ChatClient, key: SigningKey, sessionId: number): Promise<void> {
  const publicKey = encodeBase64(key.publicKey);
  const nick = myNick.value;
  const pubkey: CommandInput = { command: 'PUBKEY', body: { alg: 'ed25519', key: publicKey } };
  await client.send(await signCommand(pubkey, key, nick, nextTs()));
  pinOwnKey(nick, publicKey);
  stored.setJson(ANNOUNCED, `${sessionId} ${publicKey}`);
}

const announcedTo = (sessionId: number, key: SigningKey): boolean =>
  stored.json<string>(ANNOUNCED, '') === `${sessionId} ${encodeBase64(key.publicKey)}`;

const problem = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/** Signing ends here (the key is kept), with a note why. */
function stop(why: string): void {
  setOn(false);
  note(activeWindow.value, why, 'error');
}

/** After login (or a reload): announce the key if signing is on and this session lacks it. */
export async function announceAtLogin(client: ChatClient, sessionId: number): Promise<void> {
  if (!signingOn.value) return;
  let key: SigningKey | null;
  try {
    key = await theKey(false);
    if (!key) throw new Error('no key is stored in this browser any more');
  } catch (err) {
    stop(`Signing is off: ${problem(err)}. /sign on to start again.`);
    return;
  }
  try {
    if (announcedTo(sessionId, key)) pinOwnKey(myNick.value, encodeBase64(key.publicKey));
    else await announce(client, key, sessionId);
  } catch (err) {
    // chatd answers the first signed message with no_key, which announces again (refused below)
    note(
      activeWindow.value,
      `Could not announce your signing key (${problem(err)}); it is tried again with your next message.`,
      'error',
    );
  }
}

/** /sign on: make (or load) the key, announce it, sign from now on. */
export async function signOn(client: ChatClient): Promise<void> {
  const win = activeWindow.value;
  try {
    const key = await theKey(true);
    if (!key) throw new Error('no key could be stored');
    const state = await client.state();
    if (!announcedTo(state.id, key)) await announce(client, key, state.id);
    setOn(true);
    note(win, `Signing is on: your messages are signed with ${describeKey(key)}.`);
  } catch (err) {
    note(win, `Could not turn signing on: ${problem(err)}`, 'error');
  }
}

/** /sign off: stop signing; the key stays (and stays announced). */
export function signOff(): void {
  setOn(false);
  note(
    activeWindow.value,
    'Signing is off. The key is kept for /sign on; others still know it, and see your messages as unsigned.',
  );
}

/** /sign: what is set. */
export async function signStatus(): Promise<void> {
  const win = activeWindow.value;
  try {
    const key = await theKey(false);
    const state = signingOn.value ? 'on' : 'off';
    note(
      win,
      key
        ? `Signing is ${state}; key ${encodeBase64(key.publicKey)}, ${describeKey(key)}.`
        : `Signing is ${state}; no key yet (/sign on makes one).`,
    );
  } catch (err) {
    note(win, `Signing is ${signingOn.value ? 'on' : 'off'}; the key: ${problem(err)}`, 'error');
  }
}

/** PRIVMSG and NOTICE to exactly one target are signed (a comma list is refused when signed). */
const signable = (c: CommandInput): boolean =>
  /^(PRIVMSG|NOTICE)$/i.test(c.command) && typeof c.to === 'string' && !c.to.includes(',');

async function signIfOn(command: CommandInput): Promise<CommandInput> {
  if (!signingOn.value || !signable(command)) return command;
  try {
    const key = await theKey(false);
    if (!key) throw new Error('no key is stored in this browser any more');
    return await signCommand(command, key, myNick.value, nextTs());
  } catch (err) {
    stop(`Could not sign (${problem(err)}): signing is off, sent unsigned.`);
    return command;
  }
}

/** chatd's refusals of a signature that a changed (or unsigned) attempt may get past. */
const SIGNING_REFUSALS = new Set([
  'bad_signature',
  'no_key',
  'bad_signer',
  'stale_signature',
  'replayed_signature',
]);

/** What to change after chatd refused our signature with `code`, before sending again. */
async function refused(client: ChatClient, code: string): Promise<void> {
  if (code === 'bad_signer') {
    // our idea of the nick is behind the server's (a NICK not applied yet)
    myNick.value = (await client.state()).nick;
  } else if (code === 'no_key') {
    // the session has no key at all (the announcement at login did not get through): announce
    // it now; no other device's key is replaced by that
    try {
      const key = await theKey(false);
      if (!key) throw new Error('no key is stored in this browser any more');
      await announce(client, key, (await client.state()).id);
    } catch (err) {
      stop(`Could not announce your signing key (${problem(err)}): signing is off, sent unsigned.`);
    }
  } else if (code === 'stale_signature') {
    stop(
      "The server says this computer's clock is more than 5 minutes off: signing is off, sent unsigned.",
    );
  } else if (code === 'bad_signature') {
    // the session's key is another one (another device announced its own): not ours to take back
    stored.setJson(ANNOUNCED, '');
    stop(
      "The server refused this browser's signature (the session's key was replaced): signing is off, sent unsigned. /sign on announces this browser's key again.",
    );
  }
  // replayed_signature: the next attempt is signed with a later meta.ts
}

/** Sends `command`, signed when signing is on; a signature chatd refuses is fixed or dropped. */
export async function sendSigned(
  client: ChatClient,
  command: CommandInput,
): Promise<CommandResult> {
  let current = command;
  for (let attempt = 0; ; attempt++) {
    const input = await signIfOn(current);
    try {
      return await client.send(input);
    } catch (err) {
      const fixable = err instanceof ApiError && SIGNING_REFUSALS.has(err.code);
      if (input === current || !fixable || attempt >= 2) throw err;
      await refused(client, err.code);
      // chatd remembers a txn's first answer, refusals included, so the corrected attempt needs
      // a txn of its own (the refused one stored nothing)
      if (command.txn !== undefined) current = { ...command, txn: `${command.txn}.${attempt + 1}` };
    }
  }
}
