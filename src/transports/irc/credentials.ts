// What an IRC client may say about who it is, decoded without touching the core: SASL PLAIN
// (RFC 4616, carried in AUTHENTICATE chunks as IRCv3 sasl-3.1 describes) and the PASS fallback
// for clients without SASL. The listener then asks the core (login, loginDevice, createSession);
// nothing here checks a password. Decisions where the specs are silent are in docs/irc.md.
import { Buffer } from 'node:buffer';

/** A login: the account's nick, an optional device name (soju-style `nick@device`), a password. */
export interface Login {
  kind: 'login';
  nick: string;
  device: string | null;
  password: string;
}

/** `PASS hashcash:<stamp>`: a new session paid for with a stamp instead of the address allowance. */
export interface HashcashPass {
  kind: 'hashcash';
  stamp: string;
}

/** The login's user name: `nick` or `nick@device` (the device part may be empty: no device). */
export function splitAccount(user: string): { nick: string; device: string | null } {
  const at = user.indexOf('@');
  if (at < 0) return { nick: user, device: null };
  const device = user.slice(at + 1);
  return { nick: user.slice(0, at), device: device === '' ? null : device };
}

/**
 * SASL PLAIN's message, `authzid NUL authcid NUL passwd` (RFC 4616). The authentication identity
 * names the account (`nick` or `nick@device`); an authorization identity, when given, must be the
 * same account (we never let one account act as another). Null when malformed.
 */
export function decodePlain(message: Buffer): Login | null {
  const text = message.toString('utf8');
  if (Buffer.byteLength(text, 'utf8') !== message.length) return null; // not UTF-8
  const parts = text.split('\0');
  if (parts.length !== 3) return null;
  const [authzid, authcid, password] = parts as [string, string, string];
  if (authcid === '' || password === '') return null;
  const { nick, device } = splitAccount(authcid);
  if (nick === '') return null;
  if (authzid !== '' && authzid !== authcid && splitAccount(authzid).nick !== nick) return null;
  return { kind: 'login', nick, device, password };
}

/**
 * PASS before registration. `hashcash:<stamp>` pays for a new session; `account:password` (as
 * ZNC and soju read it; `account` is `nick` or `nick@device`) logs in to that account; anything
 * else is a password for the nick the client registers with (`registeringNick`, known once NICK
 * has arrived). A password that itself holds a colon therefore needs the `account:` form.
 */
export function parsePass(pass: string, registeringNick: string): Login | HashcashPass {
  if (pass.startsWith('hashcash:'))
    return { kind: 'hashcash', stamp: pass.slice('hashcash:'.length) };
  const colon = pass.indexOf(':');
  if (colon > 0) {
    const { nick, device } = splitAccount(pass.slice(0, colon));
    if (nick !== '') return { kind: 'login', nick, device, password: pass.slice(colon + 1) };
  }
  return { kind: 'login', nick: registeringNick, device: null, password: pass };
}

/** sasl-3.1: chunks of 400 bytes of base64; a shorter chunk (or `+` for none) ends the message. */
export const SASL_CHUNK_BYTES = 400;
/** The longest PLAIN message we assemble, in base64 bytes (a nick, a device and a password fit). */
export const SASL_MAX_BASE64_BYTES = 4 * SASL_CHUNK_BYTES;

/** Assembles one AUTHENTICATE payload from its chunks. */
export class SaslBuffer {
  #base64 = '';

  /**
   * Adds a chunk. Answers the decoded message once complete, `'more'` when a full-length chunk
   * says more follows, `'too_long'` past SASL_MAX_BASE64_BYTES (905), `'invalid'` for base64 that
   * does not decode (904).
   */
  add(chunk: string): Buffer | 'more' | 'too_long' | 'invalid' {
    if (chunk !== '+') this.#base64 += chunk;
    if (this.#base64.length > SASL_MAX_BASE64_BYTES) return 'too_long';
    if (chunk.length === SASL_CHUNK_BYTES) return 'more';
    const b64 = this.#base64;
    this.#base64 = '';
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(b64) || b64.length % 4 !== 0) return 'invalid';
    return Buffer.from(b64, 'base64');
  }
}
