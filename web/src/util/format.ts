// Small display helpers. One time format everywhere: `HH:MM:SS` (24 h, local time) on lines,
// `YYYY-MM-DD` for days (the date separators, tooltips and the dates numerics carry, which
// src/shared/numeric-text.ts writes as `YYYY-MM-DD HH:MM:SS`).

const pad = (n: number) => String(n).padStart(2, '0');

/** `HH:MM:SS` in local time */
export const clock = (d: Date): string =>
  `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;

/** `YYYY-MM-DD` in local time */
export const day = (d: Date): string =>
  `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;

/** `YYYY-MM-DD HH:MM:SS` in local time (a line's time on hover) */
export const stamp = (d: Date): string => `${day(d)} ${clock(d)}`;

const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

/** The date separator's text: `YYYY-MM-DD, Weekday`, with today and yesterday named. */
export function dayLabel(d: Date, now: Date = new Date()): string {
  const label = `${day(d)}, ${WEEKDAYS[d.getDay()]}`;
  const yesterday = new Date(now.getFullYear(), now.getMonth(), now.getDate() - 1);
  if (day(d) === day(now)) return `Today, ${label}`;
  if (day(d) === day(yesterday)) return `Yesterday, ${label}`;
  return label;
}

/** Whether two times fall on different local days (a date separator goes between them). */
export const newDay = (before: Date | undefined, after: Date): boolean =>
  before === undefined || day(before) !== day(after);

/**
 * One of 8 colour classes for a nick, the same on every page. The palette (styles.css) keeps
 * clear of the error red, so a nick never reads as an error.
 */
export function nickColour(nick: string): string {
  let h = 0;
  for (const c of nick.toLowerCase()) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  return `c${h % 8}`;
}
