// Server text as Preact text nodes, with http(s) URLs as links opening in a new tab. Nothing here
// ever becomes markup: a "<b>" in a message is shown as the characters < b >.
import { linkify } from '../util/linkify.js';

export function RichText({ text }: { text: string }) {
  return (
    <>
      {linkify(text).map((seg, i) =>
        seg.href ? (
          <a key={i} href={seg.href} target="_blank" rel="noopener noreferrer">
            {seg.text}
          </a>
        ) : (
          seg.text
        ),
      )}
    </>
  );
}
