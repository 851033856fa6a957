// Small display helpers.

const pad = (n: number) => String(n).padStart(2, '0');

/** `HH:MM:SS` in local time */
export const clock = (d: Date): string =>
  `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;

/** One of 8 colour classes for a nick, the same on every page. */
export function nickColour(nick: string): string {
  let h = 0;
  for (const c of nick.toLowerCase()) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  return `c${h % 8}`;
}
