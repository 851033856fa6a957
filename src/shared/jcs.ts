// RFC 8785 JSON Canonicalization Scheme (JCS), written from the RFC's text. Pure (no Node
// APIs) so the web client can bundle it. Used for the signed form of messages (docs/signing.md).
//
// - objects: members sorted by their names as arrays of UTF-16 code units (§3.2.3);
// - strings: only `"`, `\` and U+0000–U+001F are escaped, with the short forms \b \t \n \f \r
//   and lowercase \u00xx otherwise; everything else is written as is (§3.2.2.2);
// - numbers: ECMAScript Number::toString, so -0 is "0" (§3.2.2.3);
// - no whitespace; arrays keep their order.
//
// Refused with a JcsError: undefined (also inside arrays and as a member value), functions,
// bigints, symbols, NaN and ±Infinity, strings (values or member names) with lone surrogates,
// objects other than plain ones (Date, Map, boxed primitives, class instances), and nesting
// deeper than the bound (which also catches cycles). The walk is iterative, so no input can
// overflow the stack.

/** Default bound on nested arrays/objects; `[]` is depth 1. */
export const JCS_MAX_DEPTH = 64;

export type JcsErrorReason =
  | 'undefined'
  | 'function'
  | 'bigint'
  | 'symbol'
  | 'non-finite-number'
  | 'lone-surrogate'
  | 'not-plain-object'
  | 'too-deep';

export class JcsError extends Error {
  override readonly name = 'JcsError';
  constructor(
    readonly reason: JcsErrorReason,
    /** Where in the input, e.g. `$.meta.tags[3]`. */
    readonly path: string,
  ) {
    super(`cannot canonicalize ${path}: ${reason}`);
  }
}

export interface CanonicalizeOptions {
  /** Maximum nesting of arrays/objects (default JCS_MAX_DEPTH). */
  maxDepth?: number;
}

type Frame =
  | { kind: 'array'; items: readonly unknown[]; next: number }
  | { kind: 'object'; obj: Record<string, unknown>; keys: string[]; next: number };

/** The canonical JSON text of `value` (encode it as UTF-8 for hashing or signing). */
export function canonicalize(value: unknown, options: CanonicalizeOptions = {}): string {
  const maxDepth = options.maxDepth ?? JCS_MAX_DEPTH;
  const stack: Frame[] = [];
  const fail = (reason: JcsErrorReason): never => {
    throw new JcsError(reason, pathOf(stack));
  };
  let out = '';
  let current: unknown = value;
  for (;;) {
    // Write `current`: a primitive completely, a container's opening bracket.
    if (typeof current === 'object' && current !== null) {
      if (stack.length >= maxDepth) fail('too-deep');
      if (Array.isArray(current)) {
        out += '[';
        stack.push({ kind: 'array', items: current, next: 0 });
      } else {
        if (!isPlainObject(current)) fail('not-plain-object');
        const obj = current as Record<string, unknown>;
        const keys = Object.keys(obj);
        for (const key of keys) if (!key.isWellFormed()) fail('lone-surrogate');
        keys.sort(compareCodeUnits);
        out += '{';
        stack.push({ kind: 'object', obj, keys, next: 0 });
      }
    } else {
      out += primitive(current, fail);
    }
    // Move to the next value to write, closing every container that is done.
    let more = false;
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      if (top.kind === 'array') {
        if (top.next < top.items.length) {
          if (top.next > 0) out += ',';
          current = top.items[top.next++];
          more = true;
          break;
        }
        out += ']';
      } else {
        if (top.next < top.keys.length) {
          if (top.next > 0) out += ',';
          const key = top.keys[top.next++]!;
          out += quote(key) + ':';
          current = top.obj[key];
          more = true;
          break;
        }
        out += '}';
      }
      stack.pop();
    }
    if (!more) return out;
  }
}

function primitive(value: unknown, fail: (reason: JcsErrorReason) => never): string {
  switch (typeof value) {
    case 'string':
      if (!value.isWellFormed()) fail('lone-surrogate');
      return quote(value);
    case 'number':
      if (!Number.isFinite(value)) fail('non-finite-number');
      // ECMAScript Number::toString is the serialization RFC 8785 §3.2.2.3 prescribes; it
      // already writes -0 as "0".
      return String(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object': // only null reaches here
      return 'null';
    case 'undefined':
      return fail('undefined');
    case 'function':
      return fail('function');
    case 'bigint':
      return fail('bigint');
    case 'symbol':
      return fail('symbol');
  }
}

function isPlainObject(value: object): boolean {
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Order by UTF-16 code units, as unsigned integers (RFC 8785 §3.2.3); `<` on strings does that. */
function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

// Characters that need escaping: `"`, `\` and the C0 controls.
// eslint-disable-next-line no-control-regex
const NEEDS_ESCAPE = /["\\\u0000-\u001f]/;

const SHORT_ESCAPES: Readonly<Record<number, string>> = {
  0x08: '\\b',
  0x09: '\\t',
  0x0a: '\\n',
  0x0c: '\\f',
  0x0d: '\\r',
  0x22: '\\"',
  0x5c: '\\\\',
};

/** A well-formed string as a JSON string literal (RFC 8785 §3.2.2.2). */
function quote(s: string): string {
  if (!NEEDS_ESCAPE.test(s)) return '"' + s + '"';
  let out = '"';
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x20 && c !== 0x22 && c !== 0x5c) continue;
    out += s.slice(start, i) + (SHORT_ESCAPES[c] ?? '\\u00' + c.toString(16).padStart(2, '0'));
    start = i + 1;
  }
  return out + s.slice(start) + '"';
}

function pathOf(stack: readonly Frame[]): string {
  let path = '$';
  for (const frame of stack) {
    if (frame.kind === 'array') path += `[${frame.next - 1}]`;
    else {
      const key = frame.keys[frame.next - 1] ?? '';
      path += /^[A-Za-z_$][\w$]*$/.test(key) ? '.' + key : '[' + JSON.stringify(key) + ']';
    }
  }
  return path;
}
