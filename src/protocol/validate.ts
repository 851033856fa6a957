// IRC meaning checks shared by every command, whatever transport it came from: no string may
// smuggle a line break or NUL into an IRC line, and texts respect the configured caps.
import { badRequest } from './errors.js';
import type { CoreSettings } from './core-env.js';
import type { CommandInput } from './types.js';

const LINE_BREAKERS = /[\r\n\0]/;

function checkString(field: string, value: string): void {
  if (LINE_BREAKERS.test(value)) {
    throw badRequest('invalid_characters', `${field} contains CR, LF or NUL`);
  }
  if (!value.isWellFormed())
    throw badRequest('bad_encoding', `${field} is not well-formed Unicode`);
}

export function validateInput(input: CommandInput, s: CoreSettings): void {
  checkString('command', input.command);
  if (input.to !== undefined) checkString('to', input.to);
  input.params?.forEach((p, i) => checkString(`params[${i}]`, p));
  const body = input.body;
  if (Array.isArray(body)) {
    if (body.length > s.maxLines) {
      throw badRequest(
        'too_many_lines',
        `body has ${body.length} lines; the limit is ${s.maxLines}`,
      );
    }
    let bytes = 0;
    body.forEach((line, i) => {
      checkString(`body[${i}]`, line);
      bytes += Buffer.byteLength(line, 'utf8') + (i > 0 ? 1 : 0);
    });
    if (bytes > s.maxMessageSize) {
      throw badRequest(
        'message_too_long',
        `body is ${bytes} bytes; the limit is ${s.maxMessageSize} (MAX_MESSAGE_SIZE)`,
      );
    }
  }
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
