// The one request-body parser: strict JSON in UTF-8, nothing else (docs/api.md, reliability/README.mdc).
//
// Fastify's own parsers are removed. `application/json` (optionally `charset=utf-8`) is decoded
// with a fatal UTF-8 decoder and parsed with JSON.parse (own properties only, so `__proto__`
// cannot change a prototype); a single iterative pass over the text then refuses duplicate keys
// (JSON.parse silently keeps the last one) and strings that are not well-formed UTF-16 (lone
// surrogates written as `\ud800` escapes) and nesting deeper than MAX_JSON_DEPTH (no request
// needs it, and recursive code further on — JSON.stringify, canonical JSON for signatures —
// must never meet 30,000 levels). Any other media type is 415; a body-less POST needs no
// Content-Type.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ChatError } from '../../protocol/errors.js';

const badJson = (message: string) => new ChatError({ code: 'bad_json', message });
const badEncoding = (message: string) => new ChatError({ code: 'bad_encoding', message });
const unsupportedMediaType = () =>
  new ChatError({
    code: 'unsupported_media_type',
    message: 'request bodies must be application/json (UTF-8)',
  });

export function installJsonBodyParser(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(
    'application/json',
    { parseAs: 'buffer' },
    (
      request: FastifyRequest,
      raw: Buffer | string,
      done: (err: Error | null, body?: unknown) => void,
    ) => {
      // An unknown route or wrong method (404/405) does not care what the body holds.
      if (request.is404) return done(null, undefined);
      try {
        if (!isUtf8Json(request.headers['content-type'])) throw unsupportedMediaType();
        done(null, parseJsonBody(Buffer.isBuffer(raw) ? raw : Buffer.from(raw)));
      } catch (err) {
        done(err as Error);
      }
    },
  );
  // Everything else, including a body sent without any Content-Type. Read (bounded by
  // bodyLimit) so that an empty chunked body without a type is still accepted.
  app.addContentTypeParser(
    '*',
    { parseAs: 'buffer' },
    (
      request: FastifyRequest,
      raw: Buffer | string,
      done: (err: Error | null, body?: unknown) => void,
    ) => {
      if (request.is404) done(null, undefined);
      else if (request.headers['content-type'] === undefined && raw.length === 0)
        done(null, undefined);
      else done(unsupportedMediaType());
    },
  );
}

/** `application/json` with no parameter but an optional `charset=utf-8` (any case, quoted or not). */
export function isUtf8Json(header: string | undefined): boolean {
  if (header === undefined) return false;
  const [type, ...params] = header.split(';').map((p) => p.trim().toLowerCase());
  if (type !== 'application/json') return false;
  for (const p of params) {
    if (p === '') continue;
    const m = /^charset\s*=\s*"?([a-z0-9_-]+)"?$/.exec(p);
    if (!m || (m[1] !== 'utf-8' && m[1] !== 'utf8')) return false;
  }
  return true;
}

/** Parses a request body; `undefined` for an empty body. Throws a 400 ChatError otherwise. */
export function parseJsonBody(bytes: Uint8Array): unknown {
  if (bytes.length === 0) return undefined;
  let text: string;
  try {
    // ignoreBOM keeps a leading BOM in the text, where JSON.parse refuses it.
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    throw badEncoding('request body is not valid UTF-8');
  }
  if (text.charCodeAt(0) === 0xfeff) throw badJson('request body starts with a byte order mark');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw badJson(`request body is not valid JSON: ${(err as Error).message}`);
  }
  checkJsonText(text);
  return value;
}

/** Deepest nesting of arrays and objects a request body may have. */
export const MAX_JSON_DEPTH = 64;

interface ObjectFrame {
  keys: Set<string>;
  expectKey: boolean;
}

/**
 * One pass over text JSON.parse already accepted: refuses duplicate keys in any object and
 * strings (keys or values) that decode to ill-formed UTF-16, and nesting deeper than
 * MAX_JSON_DEPTH. Iterative with an explicit stack: deep input never costs call stack.
 */
export function checkJsonText(text: string): void {
  const stack: (ObjectFrame | null)[] = []; // null marks an array
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      if (stack.length >= MAX_JSON_DEPTH) {
        throw badJson(`request body is nested deeper than ${MAX_JSON_DEPTH} levels`);
      }
      stack.push(c === 0x7b ? { keys: new Set(), expectKey: true } : null);
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      stack.pop();
    } else if (c === 0x2c /* , */) {
      const top = stack[stack.length - 1];
      if (top) top.expectKey = true;
    } else if (c === 0x22 /* " */) {
      const end = stringEnd(text, i);
      const raw = text.slice(i, end + 1);
      const decoded = raw.includes('\\') ? (JSON.parse(raw) as string) : raw.slice(1, -1);
      if (!decoded.isWellFormed()) throw badEncoding('a string contains a lone surrogate');
      const top = stack[stack.length - 1];
      if (top?.expectKey) {
        if (top.keys.has(decoded)) throw badJson(`duplicate key ${JSON.stringify(decoded)}`);
        top.keys.add(decoded);
        top.expectKey = false;
      }
      i = end;
    }
  }
}

/** Index of the closing quote of the string opening at `start` (the text is valid JSON). */
function stringEnd(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5c /* \ */) i++;
    else if (c === 0x22) return i;
  }
  return text.length - 1;
}
