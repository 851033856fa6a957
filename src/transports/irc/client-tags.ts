// Client-only message tags (IRCv3 message-tags: keys that start with '+', such as `+typing` or
// `+draft/react`), carried through the core in the envelope's `meta.tags` so that HTTP clients
// may send and read them too. Only well-formed client tags pass either way: a client can never
// make the server write a server tag (`time`, `msgid`, `account`…) on someone else's line.
import { IRC_TAG_DATA_MAX_BYTES } from './line-codec.js';

/** `+` then an optional vendor (`example.com/`) and a name: letters, digits, '-', '.', '/'. */
const CLIENT_TAG_KEY = /^\+[A-Za-z0-9][A-Za-z0-9.\-/]{0,99}$/;
/** A client sends at most this many client tags on one message; more are dropped. */
export const CLIENT_TAGS_MAX = 16;

/** The client tags of an incoming line, for `meta.tags`; null when it carries none. */
export function clientTagsFromLine(
  tags: ReadonlyMap<string, string>,
): Record<string, string> | null {
  const out: Record<string, string> = {};
  let n = 0;
  for (const [key, value] of tags) {
    if (!CLIENT_TAG_KEY.test(key) || n >= CLIENT_TAGS_MAX) continue;
    out[key] = value;
    n++;
  }
  return n === 0 ? null : out;
}

/**
 * The client tags stored with an envelope (`meta.tags`), as written on a line: well-formed keys
 * with string values only, and only as many as fit the tag budget beside `reserved` bytes the
 * server's own tags take.
 */
export function clientTagsFromMeta(meta: unknown, reserved: number): [string, string][] {
  const tags = (meta as { tags?: unknown } | null)?.tags;
  if (typeof tags !== 'object' || tags === null || Array.isArray(tags)) return [];
  const out: [string, string][] = [];
  let bytes = reserved;
  for (const [key, value] of Object.entries(tags as Record<string, unknown>)) {
    if (!CLIENT_TAG_KEY.test(key) || typeof value !== 'string') continue;
    // escaping can double a value's bytes; ';' and '=' around it
    const cost = Buffer.byteLength(key) + 2 * Buffer.byteLength(value) + 2;
    if (bytes + cost > IRC_TAG_DATA_MAX_BYTES || out.length >= CLIENT_TAGS_MAX) break;
    bytes += cost;
    out.push([key, value]);
  }
  return out;
}
