// The one gate between strings from the network and the terminal. A terminal interprets control
// characters: ESC starts sequences that retitle the window (OSC 0), clear the screen (CSI 2J),
// move the cursor or remap keys; C1 controls (U+0080–U+009F) are the same sequences in one code
// point on terminals that honour them; BEL rings; BS and CR overwrite what was shown. Bidi
// overrides reorder the text a user reads. So every such character is shown as inert, visible
// text instead: C0 and DEL in caret notation (`^[`, `^G`, `^?`, as `cat -v`), C1 as `\x9b`,
// and the invisible formatting characters as `\u202e`.
//
// The output holds only printable characters, so sanitize(sanitize(s)) === sanitize(s): applying
// it again on the way to the screen is harmless.

// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\p{Bidi_Control}\u2028\u2029\ud800-\udfff]/u;
// every bidi control (U+061C, U+200E/F, U+202A–E, U+2066–9) and the line/paragraph separators
const SHOWN_AS_ESCAPE = /^[\p{Bidi_Control}\u2028\u2029]$/u;

/** `s` with every control, bidi-formatting and lone-surrogate code unit made visible. */
export function sanitize(s: string): string {
  if (!UNSAFE.test(s)) return s;
  let out = '';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (c < 0x20) out += '^' + String.fromCharCode(c + 0x40);
    else if (c === 0x7f) out += '^?';
    else if (c >= 0x80 && c <= 0x9f) out += '\\x' + c.toString(16);
    else if (
      SHOWN_AS_ESCAPE.test(ch) ||
      (c >= 0xd800 && c <= 0xdfff) // a lone surrogate (a pair iterates as one code point)
    ) {
      out += '\\u' + c.toString(16).padStart(4, '0');
    } else out += ch;
  }
  return out;
}

/**
 * A copy of a JSON value with every string sanitized (object keys too). Objects are rebuilt with
 * Object.fromEntries so a `__proto__` member stays a member and never becomes a prototype.
 */
export function sanitizeDeep<T>(value: T): T {
  return deep(value) as T;
}

function deep(value: unknown): unknown {
  if (typeof value === 'string') return sanitize(value);
  if (Array.isArray(value)) return value.map(deep);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [sanitize(k), deep(v)]));
  }
  return value;
}
