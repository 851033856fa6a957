// Event → text for both front ends (pure). What an envelope says, as one line of display text;
// where it goes is the model's business (model.ts). Numerics and mentions read as in the web
// client: both come from src/shared (numeric-text.ts, mentions.ts). Every string reaching here
// was sanitized by the connection already; plainLine sanitizes once more on the way out
// (sanitize is idempotent), so a line built elsewhere cannot slip a control character through.
import type { Envelope } from '../model/api.js';
import type { Verdict } from '../shared/tofu.js';
import { fold } from '../model/casefold.js';
import { mentions } from '../shared/mentions.js';
import { sanitize } from './sanitize.js';

export type LineKind = 'message' | 'action' | 'notice' | 'system' | 'error';

export interface Line {
  /** envelope id, for de-duplication between history and the queue; null for local lines */
  id: string | null;
  seq: number | null;
  /** ISO time */
  time: string;
  kind: LineKind;
  /** sender of a message, action or notice */
  nick: string | null;
  text: string;
  /** written by this session */
  self: boolean;
  /** mentions this session's nick */
  mention: boolean;
  /** signature verdict of a message; null for everything else */
  mark: Verdict | null;
  /** typed while offline and not yet stored by the server (then false, until its echo) */
  pending?: boolean;
}

/** A line for an event (`kind` system or error) sent by `env.from`, as seen by `myNick`. */
export function eventLine(env: Envelope, kind: LineKind, text: string, myNick: string): Line {
  return {
    id: env.id,
    seq: env.seq,
    time: env.ts,
    kind,
    nick: null,
    text,
    self: fold(env.from) === fold(myNick),
    mention: false,
    mark: null,
  };
}

/** The line of a PRIVMSG or NOTICE (a `/me` action by `meta.action`), or null for others. */
export function messageLine(env: Envelope, verdict: Verdict, myNick: string): Line | null {
  if (env.command !== 'PRIVMSG' && env.command !== 'NOTICE') return null;
  const kind: LineKind =
    env.command === 'NOTICE' ? 'notice' : env.meta?.action === true ? 'action' : 'message';
  // one line per message, even of several body lines: each event is one line (docs/clients.md)
  const text = bodyLines(env.body).join(' ⏎ ');
  const self = fold(env.from) === fold(myNick);
  return {
    id: env.id,
    seq: env.seq,
    time: env.ts,
    kind,
    nick: env.from,
    text,
    self,
    mention: !self && mentions(text, myNick),
    mark: verdict,
  };
}

/** The text lines of a body (an object body, such as PUBKEY's, has none). */
export function bodyLines(body: Envelope['body']): string[] {
  return Array.isArray(body) ? body.map(String) : [];
}

/** `HH:MM:SS` in local time. */
export function clock(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '--:--:--';
  return [d.getHours(), d.getMinutes(), d.getSeconds()]
    .map((n) => String(n).padStart(2, '0'))
    .join(':');
}

/**
 * The plain-mode rendering of a line (docs/clients.md): `[HH:MM:SS] <target> <nick> text`, system
 * events `[HH:MM:SS] <target> *** text`; `/me` as `* nick text`, a notice as `-nick- text`. The
 * target is the buffer: the channel, the other nick of a private conversation, `*` for the
 * server. A message whose signature is bad, invalid or made with a changed key ends with a
 * bracketed warning.
 */
export function plainLine(target: string, line: Line): string {
  const who = line.nick === null ? '' : sanitize(line.nick);
  let rest: string;
  if (line.kind === 'message') rest = `${who} ${line.text}`;
  else if (line.kind === 'action') rest = `* ${who} ${line.text}`;
  else if (line.kind === 'notice') rest = `-${who}- ${line.text}`;
  else rest = `*** ${line.text}`;
  const warning = line.mark === null ? undefined : PLAIN_WARNINGS[line.mark];
  return sanitize(`[${clock(line.time)}] ${target} ${rest}${warning ? ` [${warning}]` : ''}`);
}

/**
 * Plain lines name only signatures that must not be taken at face value (a verified or unsigned
 * line reads as before, so scripts see the same text): after the text, in brackets.
 */
const PLAIN_WARNINGS: Partial<Record<Verdict, string>> = {
  bad: 'bad signature',
  invalid: 'invalid signature: signer or time does not match (replayed or stale)',
  'key-changed': 'signed with a changed key',
};

export const HELP_LINES = [
  'Commands (a line without / is a message to the current buffer):',
  '/join #chan[,#chan…] [key]   join channels and switch to the last',
  '/part [#chan] [reason]       leave a channel (default: this one)',
  '/msg <nick|#chan> <text>     send a message without switching',
  '/query <nick> [text]         open a private conversation',
  '/me <text>                   an action (* you text)',
  '/notice <nick|#chan> <text>  send a notice',
  '/nick <newnick>              change your nick',
  '/topic [#chan] [text]        show or set the topic',
  '/mode [target] [modes args]  show or change modes',
  '/kick [#chan] <nick> [reason]',
  '/invite <nick> [#chan]',
  '/away [message]              set away; without text, back',
  '/who [mask]   /whois <nick>   /names [#chan]   /list [mask]   /motd',
  '/buffer <n|name>, /win <n>   switch buffer   /close   close this buffer',
  '/trust <nick>                accept the new signing key of a nick',
  '/clear                       clear this buffer',
  '/quit [reason]               end the session and leave (Ctrl+C leaves, session kept)',
  'Marks: ✓ signature verified  ✗ bad signature  ! signed with a changed key (see /trust)',
  '       ⊘ invalid: signed as someone else or at another time (replayed or stale)',
  '       (pending) typed while offline, not yet stored by the server',
  'Keys (full screen): Alt+1…9/Alt+0 buffer 1–10, Alt+←/→ previous/next, Tab/Shift+Tab too on an empty line',
  '  Home/End Ctrl+A/E, Ctrl+←/→ Alt+B/F words, ↑/↓ history, Tab completes, PageUp/PageDown',
  '  Ctrl+U/K cut before/after the cursor, Ctrl+W/Alt+D a word, Ctrl+Y puts it back',
  '  a paste of lines is one message (over 5 lines: Enter sends, Esc cancels); Ctrl+C leaves',
];
