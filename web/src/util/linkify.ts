// Splits message text into plain runs and http(s) links. The result is rendered as text nodes
// and <a> elements (never as HTML), so a link can only ever be an http(s) URL.

export interface Segment {
  text: string;
  /** set for a link: the URL to open */
  href?: string;
}

const URL_PATTERN = /\bhttps?:\/\/[^\s<>"'`]+/gi;
// Punctuation that usually ends the sentence rather than the URL.
const TRAILING = /[.,;:!?)\]}]+$/;

export function linkify(text: string): Segment[] {
  const out: Segment[] = [];
  let last = 0;
  for (const match of text.matchAll(URL_PATTERN)) {
    let url = match[0];
    const start = match.index;
    const trailing = TRAILING.exec(url);
    // Keep a closing parenthesis that has its opening one inside the URL (Wikipedia links).
    if (trailing && !(trailing[0] === ')' && url.includes('(')))
      url = url.slice(0, -trailing[0].length);
    let href: string | null = null;
    try {
      const parsed = new URL(url);
      if (parsed.protocol === 'http:' || parsed.protocol === 'https:') href = parsed.href;
    } catch {
      href = null;
    }
    if (href === null) continue;
    if (start > last) out.push({ text: text.slice(last, start) });
    out.push({ text: url, href });
    last = start + url.length;
  }
  if (last < text.length) out.push({ text: text.slice(last) });
  return out;
}
