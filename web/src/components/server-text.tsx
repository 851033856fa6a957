// Numerics in the server window read as chat-cli prints them (the shared texts of
// src/shared/numeric-text.ts); this only lays some of them out so they read well at any width.
// RPL_ISUPPORT (005) is a run of KEY=value tokens: each token is kept whole on a line, and a long
// one (TARGMAX=…) may break only after its commas, never in the middle of a word.
import { Fragment } from 'preact';
import { RichText } from './rich-text.js';

const SUPPORTED = ' are supported by this server';

function Token({ token }: { token: string }) {
  const parts = token.split(',');
  return (
    <span class="token">
      {parts.map((part, i) => (
        <Fragment key={i}>
          {i > 0 && <wbr />}
          <span class="part">{i < parts.length - 1 ? `${part},` : part}</span>
        </Fragment>
      ))}
    </span>
  );
}

export function ServerText({ numeric, text }: { numeric: string; text: string }) {
  if (numeric !== '005') return <RichText text={text} />;
  const tail = text.endsWith(SUPPORTED) ? SUPPORTED : '';
  const tokens = text
    .slice(0, text.length - tail.length)
    .split(' ')
    .filter(Boolean);
  return (
    <span class="isupport">
      {tokens.map((token, i) => (
        <Fragment key={i}>
          {i > 0 && ' '}
          <Token token={token} />
        </Fragment>
      ))}
      {tail}
    </span>
  );
}
