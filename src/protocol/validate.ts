// IRC meaning checks shared by every command, whatever transport it came from: no string may
// smuggle a line break or NUL into an IRC line, and texts respect the configured caps.
import { badRequest } from './errors.js';
import type { CoreSettings } from './environment.js';
import type { CommandInput } from '../model/envelope.js';

const LINE_BREAKERS = /[\r\n\0]/;

function checkString(field: string, value: string): void {
  if (LINE_BREAKERS.test(value)) {
    throw badRequest('invalid_characters', `${field} contains CR, LF or NUL`);
  }
  if (!value.isWellFormed())
    throw badRequest('bad_encoding', `${field} is not well-formed Unicode`);
}

/** The longest `to` (a target or a comma list of them), as an IRC parameter can carry. */
export const TO_MAX_BYTES = 512;

export function validateInput(input: CommandInput, s: CoreSettings): void {
  checkString('command', input.command);
  if (input.to !== undefined) {
    checkString('to', input.to);
    if (Buffer.byteLength(input.to, 'utf8') > TO_MAX_BYTES) {
      throw badRequest('to_too_long', `to is longer than ${TO_MAX_BYTES} bytes`);
    }
  }
  input.params?.forEach((p, i) => checkString(`params[${i}]`, p));
  const body = input.body;
  if (Array.isArray(body)) {
    if (body.length > s.maxLines) {
      throw badRequest(
        'too_many_lines',
        `body has ${body.length} lines; the limit is ${s.maxLines} (MAX_LINES)`,
      );
    }
    body.forEach((line, i) => checkString(`body[${i}]`, line));
  }
  const bytes = relayedTextBytes(input);
  if (bytes > s.maxMessageSize) {
    throw badRequest(
      'message_too_long',
      `body, params and meta text are ${bytes} bytes together; the limit is ${s.maxMessageSize} (MAX_MESSAGE_SIZE)`,
    );
  }
}

/**
 * The bytes of text a command carries and a relay would copy to every reader (docs/limits.md): the
 * body's lines (joined by newlines; an object body as JSON), every param, and every string in
 * `meta`. Counting only the body let ~60 KB ride in `params` past the cap.
 */
export function relayedTextBytes(input: CommandInput): number {
  let bytes = 0;
  const body = input.body;
  if (Array.isArray(body)) {
    body.forEach((line, i) => (bytes += Buffer.byteLength(line, 'utf8') + (i > 0 ? 1 : 0)));
  } else if (body !== undefined) {
    bytes += Buffer.byteLength(JSON.stringify(body), 'utf8');
  }
  for (const p of input.params ?? []) bytes += Buffer.byteLength(p, 'utf8');
  if (input.meta !== undefined) bytes += stringBytes(input.meta, 0);
  return bytes;
}

/** UTF-8 bytes of every string (keys included) in a JSON value; meta is already size-capped. */
function stringBytes(value: unknown, depth: number): number {
  if (typeof value === 'string') return Buffer.byteLength(value, 'utf8');
  if (value === null || typeof value !== 'object' || depth > 64) return 0;
  let n = 0;
  for (const [k, v] of Object.entries(value)) {
    if (!Array.isArray(value)) n += Buffer.byteLength(k, 'utf8');
    n += stringBytes(v, depth + 1);
  }
  return n;
}

/** The text lines of a body; an object body (PUBKEY) where text is expected is refused. */
export function textLines(body: CommandInput['body']): string[] {
  if (body === undefined) return [];
  if (!Array.isArray(body)) throw badRequest('invalid_body', 'body must be an array of text lines');
  return body;
}

/** First text argument: body[0], else params[0] (NICK, AWAY, QUIT reasons…). */
export function firstText(input: CommandInput): string | undefined {
  const lines = textLines(input.body);
  return lines[0] ?? input.params?.[0];
}
