// Real names (IRC USER's last parameter, IRCv3 SETNAME; WHOIS 311, WHO 352): at most
// REALNAME_MAX code points and no control characters (C0, DEL, C1 — IRC colour and bold codes
// included). What USER gives is sanitized, as IRC servers do, since a registration cannot be
// refused for it; what SETNAME asks for is refused as a whole when it does not fit (the setname
// spec's INVALID_REALNAME), so nobody gets a name they did not ask for.
import { badRequest } from './errors.js';

/** The longest real name, in code points (advertised as NAMELEN in 005). */
export const REALNAME_MAX = 64;

const CONTROL = /\p{Cc}/u;
const CONTROLS = /\p{Cc}+/gu;

/** Why `text` cannot be a real name, or null when it can. */
export function realnameProblem(text: string): string | null {
  if (text.trim() === '') return 'a real name cannot be empty';
  if (CONTROL.test(text)) return 'a real name cannot contain control characters';
  if ([...text].length > REALNAME_MAX) {
    return `a real name is at most ${REALNAME_MAX} characters`;
  }
  return null;
}

/** SETNAME's check: 400 `invalid_realname` (IRC: FAIL SETNAME INVALID_REALNAME). */
export function requireRealname(text: string | undefined): string {
  const problem = realnameProblem(text ?? '');
  if (problem !== null) throw badRequest('invalid_realname', problem);
  return text!;
}

/**
 * USER's real name made acceptable: control characters (formatting codes, tabs) are dropped
 * (a colour's digits stay), the ends trimmed and the rest cut at REALNAME_MAX code points;
 * nothing left (or none given) is the nick.
 */
export function sanitizeRealname(text: string | undefined, nick: string): string {
  const cleaned = (text ?? '').replace(CONTROLS, '').trim();
  const cut = [...cleaned].slice(0, REALNAME_MAX).join('').trim();
  return cut === '' ? nick : cut;
}
