// The IRC line codec for the native listener: one line's bytes in, one message out, and back.
// Pure functions with no sockets, so every rule about the wire format is tested here on its own.
// Sources: RFC 1459 §2.3 / RFC 2812 §2.3 (message format, 512 bytes, 15 params), IRCv3
// message-tags (tag syntax, escaping, the 4094-byte tag data limit), the Modern IRC client protocol
// document (spaces, source, empty lines, ERR_INPUTTOOLONG) and IRCv3 UTF8ONLY (INVALID_UTF8).
import { Buffer, isUtf8 } from 'node:buffer';

/** One IRC message. The command is uppercase letters or a three-digit numeric. */
export interface IrcMessage {
  /** tag key → unescaped value; a tag sent without a value has the value '' */
  tags: Map<string, string>;
  /** absent when the line had none (clients send none; an empty one counts as none) */
  source?: string;
  command: string;
  params: string[];
}

/** What the serializer accepts: tags may be left out, and params may be a read-only array. */
export interface OutgoingMessage {
  tags?: ReadonlyMap<string, string>;
  source?: string;
  command: string;
  params: readonly string[];
  /**
   * The last param is free text: write it after ':' even when IRC would not need one (a text of
   * one word), as servers do — some clients and scripts read a message's text only from there.
   */
  trailing?: boolean;
}

/** Bytes of everything but the tags, CRLF included (RFC 1459 §2.3, message-tags "Size limit"). */
export const IRC_MESSAGE_MAX_BYTES = 512;
/** Tag data, the bytes between '@' and the space, for client-sent tags and server-added tags. */
export const IRC_TAG_DATA_MAX_BYTES = 4094;
/** RFC 1459 §2.3: at most 15 parameters; the 15th takes the rest of the line. */
export const IRC_MAX_PARAMS = 15;
/**
 * The longest line a client may send ('@' + tag data + ' ' + message + CRLF): the listener's
 * read buffer can stop buffering (and answer 417) past this many bytes without an LF.
 */
export const IRC_CLIENT_LINE_MAX_BYTES = 1 + IRC_TAG_DATA_MAX_BYTES + 1 + IRC_MESSAGE_MAX_BYTES;

/**
 * Why a line was refused, and what the listener answers (the codec only decides the reason):
 * - `empty`: nothing but spaces. Ignore silently (Modern IRC, section on incorrect software).
 * - `too_long` / `tags_too_long`: `417 <client> :Input line was too long` (ERR_INPUTTOOLONG; the
 *   message-tags spec makes it a MUST for tags, and Modern IRC prefers it to truncating).
 * - `forbidden_char`: a NUL, or a CR or LF inside the line — bytes no IRC message may hold (a
 *   lone CR is not taken as a line end: Modern IRC allows it, nothing needs it). No numeric
 *   describes this; drop the line without an answer.
 * - `invalid_utf8`: we advertise UTF8ONLY, so answer the standard reply
 *   `FAIL <command> INVALID_UTF8 :…` with the failure's `command`, or `FAIL * INVALID_UTF8 :…`
 *   when the command itself could not be read. Never relay the line.
 * - `no_command`: tags and/or a source with no command after them. Ignore, like an empty line.
 * - `bad_command`: a command that is neither letters nor a three-digit numeric:
 *   `421 <client> <command> :Unknown command` (ERR_UNKNOWNCOMMAND) with the failure's `command`
 *   as it was sent (the serializer makes it a safe middle parameter; a client can make it up to
 *   ~500 bytes long, so the listener should shorten it to keep the reply within 512).
 */
export type ParseFailureReason =
  | 'empty'
  | 'too_long'
  | 'tags_too_long'
  | 'forbidden_char'
  | 'invalid_utf8'
  | 'no_command'
  | 'bad_command';

export type ParseResult =
  { ok: true; message: IrcMessage } | { ok: false; reason: ParseFailureReason; command?: string };

const SPACE = 0x20;
const CR = 0x0d;
const LF = 0x0a;
const NUL = 0x00;
const AT = 0x40;
const VALID_COMMAND = /^(?:[A-Za-z]+|[0-9]{3})$/;

function fail(reason: ParseFailureReason, command?: string): ParseResult {
  return command === undefined ? { ok: false, reason } : { ok: false, reason, command };
}

/**
 * Parses one line: the bytes before an LF, without it. A trailing CR is dropped here, so the
 * listener may split the stream on LF alone and accept both CRLF and a bare LF (Modern IRC,
 * "Compatibility with incorrect software"). Never throws: every malformed input is a typed
 * failure (see ParseFailureReason for the answer each one gets).
 *
 * Limits are checked on bytes before decoding. The line ending counts as the two bytes of CRLF
 * even when a client sent a bare LF, so the same line is refused either way.
 */
export function parseLine(line: Uint8Array): ParseResult {
  let bytes = Buffer.from(line.buffer, line.byteOffset, line.byteLength);
  if (bytes[bytes.length - 1] === CR) bytes = bytes.subarray(0, bytes.length - 1);
  if (bytes.every((b) => b === SPACE)) return fail('empty');
  if (bytes.includes(NUL) || bytes.includes(CR) || bytes.includes(LF)) {
    return fail('forbidden_char');
  }
  // The tag section exists only when '@' is the very first byte (Modern IRC: MUST be first).
  let tagData: Buffer | undefined;
  let rest = bytes;
  if (bytes[0] === AT) {
    const space = bytes.indexOf(SPACE);
    const end = space < 0 ? bytes.length : space;
    if (end - 1 > IRC_TAG_DATA_MAX_BYTES) return fail('tags_too_long');
    tagData = bytes.subarray(1, end);
    rest = bytes.subarray(space < 0 ? end : end + 1);
  }
  if (rest.length + 2 > IRC_MESSAGE_MAX_BYTES) return fail('too_long');

  // Decode leniently first so that even a line with bad bytes yields its command for the
  // FAIL reply; the UTF8ONLY check then refuses it (replacement characters never get through).
  const parts = splitMessage(rest.toString('utf8'));
  if (parts === undefined) return fail('no_command');
  const commandOk = VALID_COMMAND.test(parts.command);
  if (!isUtf8(bytes)) {
    return fail('invalid_utf8', commandOk ? parts.command.toUpperCase() : undefined);
  }
  if (!commandOk) return fail('bad_command', parts.command);

  const message: IrcMessage = {
    tags: tagData === undefined ? new Map<string, string>() : parseTags(tagData.toString('utf8')),
    command: parts.command.toUpperCase(),
    params: parts.params,
  };
  if (parts.source !== undefined && parts.source !== '') message.source = parts.source;
  return { ok: true, message };
}

interface MessageParts {
  source: string | undefined;
  command: string;
  params: string[];
}

function skipSpaces(text: string, pos: number): number {
  while (pos < text.length && text.charCodeAt(pos) === SPACE) pos++;
  return pos;
}

function tokenEnd(text: string, pos: number): number {
  const space = text.indexOf(' ', pos);
  return space < 0 ? text.length : space;
}

/** `[':' source SPACE] command params`; parts may be separated by several spaces (Modern IRC). */
function splitMessage(text: string): MessageParts | undefined {
  let pos = skipSpaces(text, 0);
  let source: string | undefined;
  if (text.charCodeAt(pos) === 0x3a) {
    const end = tokenEnd(text, pos);
    source = text.slice(pos + 1, end);
    pos = skipSpaces(text, end);
  }
  if (pos >= text.length) return undefined;
  const end = tokenEnd(text, pos);
  return { source, command: text.slice(pos, end), params: splitParams(text, end) };
}

/**
 * RFC 2812 §2.3.1: up to 14 middle params, then a trailing one that is the rest of the line. The
 * trailing one starts with ':' (stripped, and may be empty or hold spaces and colons), or, once
 * 14 params are read, is simply whatever follows. Extra spaces between params are tolerated.
 */
function splitParams(text: string, pos: number): string[] {
  const params: string[] = [];
  for (;;) {
    pos = skipSpaces(text, pos);
    if (pos >= text.length) return params;
    if (text.charCodeAt(pos) === 0x3a) {
      params.push(text.slice(pos + 1));
      return params;
    }
    if (params.length === IRC_MAX_PARAMS - 1) {
      params.push(text.slice(pos));
      return params;
    }
    const end = tokenEnd(text, pos);
    params.push(text.slice(pos, end));
    pos = end;
  }
}

/**
 * message-tags "Format": `key[=value]` separated by ';'. Keys are opaque and never validated (the
 * spec forbids rejecting a message for an invalid key name); empty segments and empty keys carry
 * nothing and are skipped. A repeated key keeps its last value, as the spec asks.
 */
function parseTags(data: string): Map<string, string> {
  const tags = new Map<string, string>();
  for (const segment of data.split(';')) {
    const eq = segment.indexOf('=');
    const key = eq < 0 ? segment : segment.slice(0, eq);
    if (key === '') continue;
    tags.set(key, eq < 0 ? '' : unescapeTagValue(segment.slice(eq + 1)));
  }
  return tags;
}

const UNESCAPES: Readonly<Record<string, string>> = {
  ':': ';',
  s: ' ',
  '\\': '\\',
  r: '\r',
  n: '\n',
};

/** message-tags "Escaping values": a lone trailing '\' is dropped, '\x' for unknown x is 'x'. */
export function unescapeTagValue(escaped: string): string {
  if (!escaped.includes('\\')) return escaped;
  let out = '';
  for (let i = 0; i < escaped.length; i++) {
    const ch = escaped.charAt(i);
    if (ch !== '\\') {
      out += ch;
      continue;
    }
    i++;
    if (i >= escaped.length) break;
    const next = escaped.charAt(i);
    out += UNESCAPES[next] ?? next;
  }
  return out;
}

const REPLACEMENT = '\uFFFD';

const ESCAPES: Readonly<Record<string, string>> = {
  ';': '\\:',
  ' ': '\\s',
  '\\': '\\\\',
  '\r': '\\r',
  '\n': '\\n',
};

/**
 * The inverse of unescapeTagValue. NUL has no escape sequence, so it becomes U+FFFD; lone
 * surrogates become U+FFFD too (what a UTF-8 encoder writes for them anyway).
 */
export function escapeTagValue(value: string): string {
  return value.toWellFormed().replace(/[; \\\r\n\0]/g, (ch) => ESCAPES[ch] ?? REPLACEMENT);
}

/** a key the line could not carry unambiguously: such a tag is left out rather than renamed */
const UNSAFE_KEY = /[ ;=\r\n\0]/;

function tagData(tags: ReadonlyMap<string, string> | undefined): string {
  if (tags === undefined || tags.size === 0) return '';
  // message-tags: server tags go before client-only ('+') tags, so that a size limit applied
  // from the end would never push the server's own tags out.
  const server: string[] = [];
  const client: string[] = [];
  for (const [key, value] of tags) {
    if (key === '' || UNSAFE_KEY.test(key)) continue;
    // An empty value is sent in the missing form, which the spec allows (never the reverse).
    const tag =
      value === '' ? key.toWellFormed() : `${key.toWellFormed()}=${escapeTagValue(value)}`;
    (key.startsWith('+') ? client : server).push(tag);
  }
  return [...server, ...client].join(';');
}

/** A source or non-last param: no SPACE, CR, LF or NUL; a non-last param may not start with ':'. */
function middle(value: string, leadingColonAllowed: boolean): string {
  let safe = value.toWellFormed().replace(/[ \r\n\0]/g, REPLACEMENT);
  if (!leadingColonAllowed && safe.startsWith(':')) safe = REPLACEMENT + safe.slice(1);
  return safe;
}

/** The free-text last param: CR, LF and NUL become spaces, one byte for one byte. */
function trailing(value: string, always: boolean): string {
  const safe = value.toWellFormed().replace(/[\r\n\0]/g, ' ');
  return always || safe === '' || safe.includes(' ') || safe.startsWith(':') ? `:${safe}` : safe;
}

/** `[':' source ' '] command {' ' param}` — the line without tags and without CRLF. */
function messagePart(msg: OutgoingMessage): string {
  if (!VALID_COMMAND.test(msg.command)) {
    throw new TypeError(
      `IRC command must be letters or a 3-digit numeric: ${JSON.stringify(msg.command)}`,
    );
  }
  if (msg.params.length > IRC_MAX_PARAMS) {
    throw new RangeError(`an IRC message carries at most ${IRC_MAX_PARAMS} params`);
  }
  const words: string[] = [];
  const source = msg.source === undefined ? '' : middle(msg.source, true);
  if (source !== '') words.push(`:${source}`);
  words.push(msg.command.toUpperCase());
  const last = msg.params.length - 1;
  msg.params.forEach((param, i) => {
    // An empty middle param cannot be written at all; '*' is IRC's usual "nothing here".
    words.push(i === last ? trailing(param, msg.trailing === true) : middle(param, false) || '*');
  });
  return words.join(' ');
}

/**
 * One line, without CRLF (the writer adds it). Never emits CR, LF or NUL, whatever the strings
 * hold: CR/LF/NUL in the last param become spaces (it is free text: the listener should split
 * multi-line text into several messages first, this is the backstop); in the source and in the
 * other params any SPACE/CR/LF/NUL, and a leading ':' of a non-last param, become U+FFFD, and an
 * empty non-last param becomes '*' — so stored text can never reshape the line, and callers put
 * free text last. Tag values are escaped; tags whose key is empty or holds a space, ';', '=', CR,
 * LF or NUL are left out. Lone surrogates become U+FFFD everywhere.
 *
 * Throws only on programming errors: a command that is not letters or a 3-digit numeric, or more
 * than 15 params. Sizes are not enforced here (the data is never cut silently): check them with
 * lineBytesWithoutTags / tagDataBytes, and cut free text with splitText.
 */
export function serializeLine(msg: OutgoingMessage): string {
  const head = messagePart(msg);
  const tags = tagData(msg.tags);
  return tags === '' ? head : `@${tags} ${head}`;
}

/** Bytes of the serialized line without its tag section, CRLF included (compare with 512). */
export function lineBytesWithoutTags(msg: OutgoingMessage): number {
  return Buffer.byteLength(messagePart(msg), 'utf8') + 2;
}

/** Bytes of the serialized tag data, without '@' and the space (compare with 4094); 0 = none. */
export function tagDataBytes(msg: OutgoingMessage): number {
  return Buffer.byteLength(tagData(msg.tags), 'utf8');
}

/**
 * What a line built from `msg` plus one more, free-text param takes besides that text: the
 * `prefixBytes` for splitText. Counts the ' :' before the text and the CRLF, not the tags.
 */
export function textOverheadBytes(msg: OutgoingMessage): number {
  return lineBytesWithoutTags({ ...msg, params: [...msg.params, ''] });
}

// Grapheme segmentation does not depend on the locale; one segmenter serves every call.
const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

function utf8Length(codePoint: number): number {
  if (codePoint < 0x80) return 1;
  if (codePoint < 0x800) return 2;
  // A lone surrogate counts 3 bytes: it is written as U+FFFD.
  return codePoint < 0x10000 ? 3 : 4;
}

/** The UTF-16 length of the longest run of whole code points from the start within `budget`. */
function codePointFit(text: string, budget: number): number {
  let bytes = 0;
  let i = 0;
  while (i < text.length) {
    const cp = text.codePointAt(i) ?? 0;
    bytes += utf8Length(cp);
    if (bytes > budget) break;
    i += cp > 0xffff ? 2 : 1;
  }
  return i;
}

/**
 * Where to cut `text` so the head fits `budget`: just after the last space that fits (a word
 * boundary), else after the last whole grapheme that fits, else (one grapheme larger than the
 * budget, e.g. a long run of combining marks) after the last whole code point.
 */
function cutPoint(text: string, budget: number): number {
  const fit = codePointFit(text, budget);
  let lastGrapheme = 0;
  let lastSpace = 0;
  for (const { index, segment } of graphemes.segment(text)) {
    const end = index + segment.length;
    if (end > fit) break;
    lastGrapheme = end;
    if (segment === ' ') lastSpace = end;
  }
  return lastSpace || lastGrapheme || fit;
}

/**
 * Splits free text into chunks so that each line (`prefixBytes` of everything else — see
 * textOverheadBytes — plus the chunk) fits in `maxBytes`. A split at a word boundary keeps the
 * space at the end of the earlier chunk, as IRCv3 multiline recommends for its split lines, so
 * `chunks.join('')` is the text exactly. Never cuts a code point, and avoids cutting a grapheme. Always returns at least one chunk ('' gives ['']).
 * Line breaks are not split on here: that is the caller's choice.
 */
export function splitText(
  prefixBytes: number,
  text: string,
  maxBytes: number = IRC_MESSAGE_MAX_BYTES,
): string[] {
  const budget = maxBytes - prefixBytes;
  // Below 4 bytes one code point may not fit, and no chunk could ever move forward.
  if (!Number.isSafeInteger(budget) || budget < 4) {
    throw new RangeError(`no room for text: ${prefixBytes} of ${maxBytes} bytes used`);
  }
  const chunks: string[] = [];
  let rest = text;
  while (Buffer.byteLength(rest, 'utf8') > budget) {
    const cut = cutPoint(rest, budget);
    chunks.push(rest.slice(0, cut));
    rest = rest.slice(cut);
  }
  chunks.push(rest);
  return chunks;
}
