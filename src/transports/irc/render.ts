// Core → IRC: one stored envelope (docs/envelope-and-delivery.md) becomes the IRC lines a
// connection writes. Pure: the listener passes what it knows about the connection (RenderContext),
// so every verb's shape and every size rule is tested without a socket.
//
// Size: every line returned serializes to at most 512 bytes without its tags (RFC 1459 §2.3).
// Free text is the only part that can be long, and the two ways of fitting it differ by verb:
// - PRIVMSG, NOTICE and WALLOPS are split over several lines with splitText, losing no byte:
//   they are what people read, and IRC has no other way to carry a long text;
// - a one-line reply or event (a numeric, TOPIC, PART, KICK, QUIT…) has its text cut at the
//   end, as IRC servers do: sending it twice would mean something else (two topics, two list
//   entries). Only text the core allowed in code points (TOPICLEN=390) can need it.
// A line whose other parameters leave no room at all is not sent. The core's own limits
// (channel names, nicks, masks) keep every real envelope far from that.
import { Buffer } from 'node:buffer';
import { fold } from '../../model/casefold.js';
import { clientTagsFromMeta } from './client-tags.js';
import type { Body, Envelope } from '../../model/envelope.js';
import {
  IRC_MAX_PARAMS,
  IRC_MESSAGE_MAX_BYTES,
  lineBytesWithoutTags,
  splitText,
  textOverheadBytes,
  type OutgoingMessage,
} from './line-codec.js';

/** What the renderer needs to know about one connection. */
export interface RenderContext {
  /** the connection's current nick */
  nick: string;
  serverName: string;
  /** the capabilities the connection negotiated */
  caps: ReadonlySet<string>;
}

/** An envelope, with the sender's `source`, `account` and (JOIN) `realname` when it has them. */
export type RenderableEnvelope = Envelope;

const NUMERIC = /^\d{3}$/;
/** Messages that relay their sender's client tags (message-tags) */
const CARRY_CLIENT_TAGS = new Set(['PRIVMSG', 'NOTICE', 'TAGMSG']);
/** room kept for the server's own tags (time, msgid) beside client tags */
const SERVER_TAG_BYTES = 128;
/** what serializeLine accepts as a command besides a numeric */
const WORD = /^[A-Za-z]+$/;
/** splitText's own minimum: one code point must always fit */
const MIN_TEXT_BYTES = 4;
const ACTION_OPEN = '\x01ACTION ';
const ACTION_CLOSE = '\x01';
const ACTION_BYTES = Buffer.byteLength(ACTION_OPEN + ACTION_CLOSE, 'utf8');

/** The IRC lines for one envelope, tagged as the connection's capabilities ask; [] = nothing. */
export function renderEnvelope(env: RenderableEnvelope, rc: RenderContext): OutgoingMessage[] {
  const lines = untagged(env, rc, sourceOf(env, rc));
  return lines.map((line, i) => {
    const tags = tagsFor(env, rc, i);
    return tags === undefined ? line : { tags, ...line };
  });
}

/**
 * A core refusal that has no numeric (message_too_long, flood, invalid_characters…): IRC has no
 * reply for it, so it becomes a server NOTICE to the nick naming the code and the reason. Its
 * text is cut if it would not fit one line; the code comes first so it always survives.
 */
export function refusalNotice(code: string, message: string, rc: RenderContext): OutgoingMessage {
  const text = `Refused (${code}): ${message}`;
  const notice = one(rc.serverName, 'NOTICE', [rc.nick || '*'], text);
  // Only an absurd server name or nick could leave no room; a sourceless NOTICE to `*` always fits.
  return notice[0] ?? one(undefined, 'NOTICE', ['*'], text)[0]!;
}

/** Refusals that IRCv3 answers with a standard reply: the FAIL's command and code. */
const STANDARD_FAILS: Readonly<Record<string, readonly [string, string]>> = {
  invalid_realname: ['SETNAME', 'INVALID_REALNAME'],
};

/**
 * A core refusal without a numeric, as IRC says it: the standard reply an IRCv3 spec names for
 * it (`FAIL SETNAME INVALID_REALNAME :…`), else refusalNotice's NOTICE.
 */
export function refusalReply(code: string, message: string, rc: RenderContext): OutgoingMessage {
  const fail = STANDARD_FAILS[code];
  if (fail === undefined) return refusalNotice(code, message, rc);
  return one(rc.serverName, 'FAIL', [...fail], message)[0] ?? refusalNotice(code, message, rc);
}

/**
 * The sender: the full mask when known; the server for numerics (their `from` is always the
 * server) and for server envelopes; else the bare nick, which IRC accepts as a source.
 */
function sourceOf(env: RenderableEnvelope, rc: RenderContext): string {
  if (env.source) return env.source;
  if (NUMERIC.test(env.command) || env.from === rc.serverName) return rc.serverName;
  return env.from;
}

/**
 * server-time's `time` is the envelope's `ts`, already ISO-8601 UTC with milliseconds. `msgid`
 * is the envelope's id on its first line; when an envelope needs several lines, the later ones get
 * `<id>/<n>`, since the message-ids spec makes an id unique to one message on the wire, and so a
 * client that keys on msgid keeps every line. Lines sent to several clients share their ids,
 * which is the spec's "same message" case.
 */
function tagsFor(
  env: RenderableEnvelope,
  rc: RenderContext,
  index: number,
): Map<string, string> | undefined {
  const tags = new Map<string, string>();
  if (rc.caps.has('server-time')) tags.set('time', env.ts);
  // account-tag: the sender's account, on every line from a session that has one
  if (rc.caps.has('account-tag') && env.account) tags.set('account', env.account);
  // bot-mode: messages from a bot carry the `bot` tag (for clients with message-tags)
  if (rc.caps.has('message-tags') && env.bot === true) tags.set('bot', '');
  if (rc.caps.has('message-tags')) {
    tags.set('msgid', index === 0 ? env.id : `${env.id}/${index}`);
    if (CARRY_CLIENT_TAGS.has(env.command)) {
      for (const [k, v] of clientTagsFromMeta(env.meta, SERVER_TAG_BYTES)) tags.set(k, v);
    }
  }
  return tags.size === 0 ? undefined : tags;
}

function untagged(env: RenderableEnvelope, rc: RenderContext, src: string): OutgoingMessage[] {
  const command = env.command.toUpperCase();
  const params = stringsOf(env.params);
  const lines = textLines(env.body);
  if (NUMERIC.test(command)) {
    // docs/envelope-and-delivery.md: `to` is the recipient, then params, the last one in body[0]
    return one(src, command, [env.to || '*', ...params], lines[0]);
  }
  switch (command) {
    case 'TAGMSG':
      // nothing but tags: only for a client that negotiated message-tags
      return rc.caps.has('message-tags') ? one(src, command, [env.to]) : [];
    case 'PRIVMSG':
    case 'NOTICE':
      return texts(src, command, [env.to], lines, env.meta?.action === true);
    case 'WALLOPS':
      return texts(src, command, [], lines, false);
    case 'JOIN':
      // extended-join: `JOIN #c <account> :<realname>`, `*` for a session without an account; a
      // JOIN stored before real names existed has none, and the nick was the real name then.
      return rc.caps.has('extended-join')
        ? one(src, command, [env.to, env.account || '*'], env.realname || env.from)
        : one(src, command, [env.to]);
    case 'PART':
      return one(src, command, [env.to], lines[0] || undefined);
    case 'KICK':
      // stored as `to` #chan, params [kicked nick], body [reason] (the core fills an empty one)
      return params[0] ? one(src, command, [env.to, params[0]], lines[0]) : [];
    case 'TOPIC':
      // the core stores one line; joined as the core joins a multi-line TOPIC, "" clears
      return one(src, command, [env.to], lines.join(' '));
    case 'MODE':
      return mode(env, src, params, lines);
    case 'NICK':
      // the new nick is in both `to` and body[0] (docs/envelope-and-delivery.md)
      return one(src, command, [], lines[0] || env.to);
    case 'QUIT':
      return one(src, command, [], lines[0]);
    case 'AWAY':
      // away-notify: others' changes only (a client learns its own from 305/306)
      if (!rc.caps.has('away-notify') || fold(env.from) === fold(rc.nick)) {
        return [];
      }
      return lines[0] ? one(src, command, [], lines[0]) : one(src, command, []);
    case 'SETNAME':
      // setname: to everyone who asked, the sender's own connections included (the spec's
      // confirmation); without the capability a client hears nothing (WHOIS shows it)
      return rc.caps.has('setname') && lines[0] ? one(src, command, [], lines[0]) : [];
    case 'ACCOUNT':
      // account-notify: the session got a password, so an account (an account is never dropped)
      return rc.caps.has('account-notify') && lines[0] ? one(src, command, [lines[0]]) : [];
    case 'INVITE':
      // invite-notify: someone else's invite reaches channel members that asked for it
      if (fold(env.to) !== fold(rc.nick) && !rc.caps.has('invite-notify')) return [];
      return params[0] ? one(src, command, [env.to, params[0]]) : [];
    case 'PONG':
      // the core's answer to PING: params [server], body [token]
      return one(src, command, [params[0] || src], lines[0]);
    case 'PUBKEY':
      // A signing key announcement (docs/signing.md) is for clients that verify signatures, and
      // only HTTP clients can: an IRC line carries no signature to check it against, and the
      // JSON key shown as text would be noise in a channel. IRC has no word for it.
      return [];
    default:
      return generic(env, src, command, params);
  }
}

/**
 * A channel MODE carries the applied changes in `params` (`+ov-k alice bob *`); a user MODE has
 * the user as `to` and the change in body[0] (docs/envelope-and-delivery.md). An empty change is
 * no event.
 */
function mode(
  env: RenderableEnvelope,
  src: string,
  params: string[],
  lines: string[],
): OutgoingMessage[] {
  const change = env.to.startsWith('#') || params.length > 0 ? params : lines.slice(0, 1);
  if (change.length === 0 || change[0] === '') return [];
  return one(src, 'MODE', [env.to, ...change]);
}

/**
 * Any other envelope the core may one day store: `:src CMD <to> <params…> :<body[0]>`, as long as
 * it is text that IRC can carry. An object body, or a command that is not an IRC word, sends nothing.
 */
function generic(
  env: RenderableEnvelope,
  src: string,
  command: string,
  params: string[],
): OutgoingMessage[] {
  if (!WORD.test(command) || !Array.isArray(env.body)) return [];
  const middles = env.to ? [env.to, ...params] : params;
  return one(src, command, middles, textLines(env.body)[0]);
}

/**
 * One IRC line per body line, each split so that it fits, with nothing lost: the chunks of a line
 * join back to it exactly. Empty lines are skipped: IRC cannot carry them (an empty trailing is
 * an empty message, which clients drop or refuse). An action wraps every chunk in CTCP ACTION, so
 * each line still shows as an action.
 */
function texts(
  src: string,
  command: string,
  middles: string[],
  lines: string[],
  action: boolean,
): OutgoingMessage[] {
  const base: OutgoingMessage = { source: src, command, params: middles };
  const overhead = textOverheadBytes(base) + (action ? ACTION_BYTES : 0);
  if (overhead > IRC_MESSAGE_MAX_BYTES - MIN_TEXT_BYTES) return [];
  const out: OutgoingMessage[] = [];
  for (const line of lines) {
    if (line === '') continue;
    for (const chunk of splitText(overhead, line)) {
      const text = action ? ACTION_OPEN + chunk + ACTION_CLOSE : chunk;
      out.push({ ...base, params: [...middles, text], trailing: true });
    }
  }
  return out;
}

/**
 * One line: `middles`, then the free `text` when there is one, cut at the end if the line would
 * not fit (after the last whole grapheme that fits). [] when even the parameters before the text
 * leave no room.
 */
function one(
  src: string | undefined,
  command: string,
  middles: string[],
  text?: string,
): OutgoingMessage[] {
  let params = middles;
  let last = text;
  // More than 15 parameters cannot be written: what is past the 14th becomes the last one, with
  // spaces, which is exactly how an IRC parser reads the rest of the line.
  const count = middles.length + (text === undefined ? 0 : 1);
  if (count > IRC_MAX_PARAMS) {
    params = middles.slice(0, IRC_MAX_PARAMS - 1);
    last = [...middles.slice(IRC_MAX_PARAMS - 1), ...(text === undefined ? [] : [text])].join(' ');
  }
  const base: OutgoingMessage = src ? { source: src, command, params } : { command, params };
  if (last === undefined) {
    return lineBytesWithoutTags(base) <= IRC_MESSAGE_MAX_BYTES ? [base] : [];
  }
  const overhead = textOverheadBytes(base);
  if (overhead > IRC_MESSAGE_MAX_BYTES - MIN_TEXT_BYTES) return [];
  const withText = [...params, cut(last, IRC_MESSAGE_MAX_BYTES - overhead)];
  // free text after ':' always, as servers write it; a numeric's last param only when needed
  // (`004 … iow biklmnostv`, `324 #c +nt`), as servers write those
  return [{ ...base, params: withText, trailing: !NUMERIC.test(command) }];
}

// Grapheme segmentation does not depend on the locale; one segmenter serves every call.
const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/**
 * The longest start of `text` made of whole graphemes within `budget` bytes. Not splitText's
 * first chunk: that one ends at the last space that fits, which for a cut could drop nearly all
 * of a text with one early space. Byte counts match what serializeLine writes: CR, LF and NUL
 * become one space each, and a lone surrogate U+FFFD, which Buffer.byteLength counts as 3 too.
 */
function cut(text: string, budget: number): string {
  if (Buffer.byteLength(text, 'utf8') <= budget) return text;
  let used = 0;
  let end = 0;
  for (const { index, segment } of graphemes.segment(text)) {
    used += Buffer.byteLength(segment, 'utf8');
    if (used > budget) break;
    end = index + segment.length;
  }
  return text.slice(0, end);
}

/** A body's text lines: an object body (PUBKEY) or a stray non-string holds no text for IRC. */
function textLines(body: Body | undefined): string[] {
  return Array.isArray(body) ? stringsOf(body) : [];
}

function stringsOf(values: unknown): string[] {
  if (!Array.isArray(values)) return [];
  return values.filter((v): v is string => typeof v === 'string');
}
