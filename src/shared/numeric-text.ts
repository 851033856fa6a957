// Numeric replies as the clients show them, for the web client and chat-cli alike (pure): which
// numerics are errors (derived from the server's own table, src/model/numerics.ts, so the two
// cannot drift apart), which belong to the server window and which to a channel's, and each one
// as one readable line. docs/envelope-and-delivery.md: `params` hold the IRC parameters after the target nick except
// the last, which is `body[0]`.
import type { ApiError, Envelope } from '../model/api.js';
import { ERR, ERR_TEXT } from '../model/numerics.js';

/** Every error numeric the server sends (its ERR table). */
export const ERROR_NUMERICS: ReadonlySet<string> = new Set(
  Object.values(ERR).map((spec): string => spec[0]),
);

/**
 * Whether a numeric reports a refusal: one of the server's error numerics (696 among them, outside
 * the 4xx/5xx range), or any other 4xx or 5xx, which IRC reserves for errors.
 */
export function isErrorNumeric(command: string): boolean {
  return ERROR_NUMERICS.has(command) || /^[45]\d\d$/.test(command);
}

/** Numerics the server sends unasked (welcome burst, LUSERS, MOTD): the server window's. */
export const SERVER_NUMERICS: ReadonlySet<string> = new Set([
  '001', '002', '003', '004', '005',
  '251', '252', '253', '254', '255', '265', '266',
  '372', '375', '376', '422',
]); // prettier-ignore

/** Where each numeric about one channel names it: an IRC parameter, or the text (341). */
const CHANNEL_AT: Readonly<Record<string, number | 'text'>> = {
  '324': 0, '329': 0, '331': 0, '332': 0, '333': 0, '341': 'text', '353': 1, '366': 0,
  '367': 0, '368': 0, '404': 0, '441': 1, '442': 0, '443': 1, '467': 0, '471': 0, '473': 0,
  '474': 0, '475': 0, '477': 0, '478': 0, '482': 0, '696': 0,
}; // prettier-ignore

/** The channel a numeric is about (shown in that channel's window), or null. */
export function numericChannel(env: Envelope): string | null {
  const at = CHANNEL_AT[env.command];
  if (at === undefined) return null;
  const name = at === 'text' ? bodyLines(env.body)[0] : env.params[at];
  return name !== undefined && name.startsWith('#') ? name : null;
}

/**
 * Whether a refused command's numeric also arrives through the queue, so a client shows it from
 * there and must not print the refusal a second time. Every refusal with a numeric is queued to
 * the caller except NOTICE's (NOTICE never produces replies); a refusal without one (flood
 * control, a bad request) exists only in the HTTP answer.
 */
export function refusalIsQueued(command: string, error: Pick<ApiError, 'numeric'>): boolean {
  return error.numeric !== undefined && command.toUpperCase() !== 'NOTICE';
}

/** The text lines of a body (an object body, such as PUBKEY's, has none). */
function bodyLines(body: Envelope['body']): string[] {
  return Array.isArray(body) ? body.filter((b): b is string => typeof b === 'string') : [];
}

const pad = (v: number) => String(v).padStart(2, '0');

/** A unix time in seconds (as numerics carry it) → `YYYY-MM-DD HH:MM:SS` in local time. */
export function unixDate(seconds: string | undefined): string {
  const n = Number(seconds);
  if (!seconds || !Number.isFinite(n)) return seconds ?? '?';
  const d = new Date(n * 1000);
  return (
    `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ` +
    `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`
  );
}

/** Seconds as `1d 2h 3m 4s` (largest unit first; seconds always). */
export function duration(seconds: string | undefined): string {
  let s = Number(seconds);
  if (seconds === undefined || seconds === '' || !Number.isFinite(s) || s < 0) {
    return seconds ?? '?';
  }
  s = Math.floor(s);
  const parts: string[] = [];
  for (const [unit, size] of [
    ['d', 86400],
    ['h', 3600],
    ['m', 60],
  ] as const) {
    if (s >= size) {
      parts.push(`${Math.floor(s / size)}${unit}`);
      s %= size;
    }
  }
  parts.push(`${s}s`);
  return parts.join(' ');
}

/** p: the params; text: the body lines joined; null: the numeric prints nothing. */
type Formatter = (p: readonly string[], text: string) => string | null;

const FORMATS: Readonly<Record<string, Formatter>> = {
  '005': (p, text) => `${p.join(' ')} ${text}`.trim(),
  '221': (p, text) => `Your user modes: ${text || p[0] || '+'}`,
  '265': (_p, text) => text,
  '266': (_p, text) => text,
  '301': (p, text) => `${p[0]} is away: ${text}`,
  '302': (_p, text) => `Userhost: ${text || '(none)'}`,
  '303': (_p, text) => `Online: ${text || '(none)'}`,
  '311': (p, text) => `${p[0]} is ${p[1]}@${p[2]}${text ? ` (${text})` : ''}`,
  '312': (p, text) => `${p[0]} is on ${p[1]}${text ? ` (${text})` : ''}`,
  '313': (p, text) => `${p[0]} ${text || 'is an IRC operator'}`,
  '315': (p) => `End of WHO for ${p[0]}`,
  '317': (p) => `${p[0]} has been idle ${duration(p[1])}, signed on ${unixDate(p[2])}`,
  '318': (p) => `End of WHOIS for ${p[0]}`,
  '319': (p, text) => `${p[0]} is on ${text}`,
  '321': () => null,
  '322': (p, text) => `${p[0]} (${p[1]} users)${text ? `: ${text}` : ''}`,
  '324': (p, text) => `Modes of ${p[0]}: ${[text, ...p.slice(1)].join(' ').trim()}`,
  '329': (p, text) => `${p[0]} was created on ${unixDate(text)}`,
  '331': (p) => `No topic is set for ${p[0]}`,
  '332': (p, text) => `Topic for ${p[0]}: ${text}`,
  '333': (p, text) => `Topic set by ${p[1]} on ${unixDate(text)}`,
  '341': (p, text) => `Invited ${p[0]} to ${text}`,
  '352': (p, text) => `${p[0]} ${p[4]} ${p[5]} ${p[1]}@${p[2]} (${text.replace(/^\d+ /, '')})`,
  '353': (p, text) => `Users on ${p[1]}: ${text}`,
  '366': () => null,
  '367': (p, text) => `Ban on ${p[0]}: ${p[1]} set by ${p[2]} on ${unixDate(text)}`,
  '391': (p, text) => `Time on ${p[0]}: ${text}`,
};

/**
 * The readable line of a numeric, or null for one that prints nothing (it only feeds state: the
 * end of a names list, the start of a channel list). An error reads `params: text` (the server's
 * RFC text when it sent none); any other numeric without a format of its own reads as its
 * parameters then its text.
 */
export function numericText(env: Envelope): string | null {
  const p = env.params;
  const body = bodyLines(env.body);
  const text = body.join(' ');
  const format = FORMATS[env.command];
  if (format) return format(p, text);
  if (isErrorNumeric(env.command)) {
    const said = text || ERR_TEXT[env.command] || '';
    return p.length > 0 ? `${p.join(' ')}: ${said}` : said;
  }
  return [...p, ...body].join(' ');
}
