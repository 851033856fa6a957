// Numeric replies as readable lines (SPEC §2: `params` hold the IRC parameters after the target
// nick except the last, which is `body[0]`): "alice is ~alice@s1.chat", "Topic for #c: …".
import type { Envelope } from '../../../src/model/api.js';

const bodyText = (env: Envelope): string =>
  Array.isArray(env.body) ? env.body.filter((b) => typeof b === 'string').join(' ') : '';

/** unix seconds as a local date and time */
function when(seconds: string | undefined): string {
  const n = Number(seconds);
  return Number.isFinite(n) && n > 0 ? new Date(n * 1000).toLocaleString() : String(seconds ?? '');
}

function duration(seconds: string | undefined): string {
  let s = Number(seconds);
  if (!Number.isFinite(s)) return String(seconds ?? '');
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

type Formatter = (p: readonly string[], text: string) => string | null;

const FORMATS: Record<string, Formatter> = {
  '005': (p, text) => `${p.join(' ')} ${text}`,
  '221': (_p, text) => `Your user modes: ${text}`,
  '301': (p, text) => `${p[0]} is away: ${text}`,
  '302': (_p, text) => `Userhost: ${text || '(none)'}`,
  '303': (_p, text) => `Online: ${text || '(none)'}`,
  '311': (p, text) => `${p[0]} is ${p[1]}@${p[2]} (${text})`,
  '312': (p, text) => `${p[0]} is on ${p[1]} (${text})`,
  '313': (p, text) => `${p[0]} ${text}`,
  '315': () => null,
  '317': (p) => `${p[0]} has been idle ${duration(p[1])}, signed on ${when(p[2])}`,
  '318': () => null,
  '319': (p, text) => `${p[0]} is on ${text}`,
  '321': () => 'Channels (name, users, topic):',
  '322': (p, text) => `${p[0]}  ${p[1]}  ${text}`,
  '324': (p, text) => `Modes of ${p[0]}: ${[text, ...p.slice(1)].join(' ')}`,
  '329': (p, text) => `${p[0]} was created ${when(text)}`,
  '331': (p) => `No topic is set for ${p[0]}`,
  '332': (p, text) => `Topic for ${p[0]}: ${text}`,
  '333': (p, text) => `Topic set by ${p[1]} on ${when(text)}`,
  '341': (p, text) => `Invited ${p[0]} to ${text}`,
  '352': (p, text) => `${p[0]} ${p[4]} ${p[5]} ${p[1]}@${p[2]} (${text.replace(/^\d+ /, '')})`,
  '353': (p, text) => `Names on ${p[1]}: ${text}`,
  '366': () => null,
  '367': (p, text) => `Ban on ${p[0]}: ${p[1]} set by ${p[2]} on ${when(text)}`,
  '391': (p, text) => `Time on ${p[0]}: ${text}`,
};

/** The readable text of a numeric, or null for one that is shown as nothing (end-of-list markers). */
export function formatNumeric(env: Envelope): string | null {
  const text = bodyText(env);
  const format = FORMATS[env.command];
  if (format) return format(env.params, text);
  // Errors and everything else: the parameters (a nick, a channel…) then the text.
  return env.params.length > 0 ? `${env.params.join(' ')}: ${text}` : text;
}

export const isErrorNumeric = (command: string): boolean => /^[45]\d\d$/.test(command);

/** Replies about one channel (named in the first param, or the second for 353): shown in its window. */
export const isChannelNumeric = (command: string): boolean =>
  /^(324|329|331|332|333|341|353|366|367|368|404|442|467|471|473|474|475|477|478|482|696)$/.test(
    command,
  );

/** Numerics of the welcome burst, LUSERS and MOTD belong in the server window. */
export const isServerNumeric = (command: string): boolean =>
  /^(00[1-5]|2[5-6]\d|37[256]|422)$/.test(command);
