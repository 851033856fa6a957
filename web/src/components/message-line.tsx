// One line of a window: `[HH:MM:SS] <nick> text`, `* nick action`, `-nick- notice`, or a system
// line, plus a signature badge for signed messages.
import type { Line, Verdict } from '../state/model.js';
import { clock, nickColour } from '../util/format.js';
import { RichText } from './rich-text.js';

const BADGES: Record<Exclude<Verdict, 'unsigned'>, [string, string]> = {
  verified: ['✓', 'Signature verified with the key first seen for this nick'],
  'key-changed': [
    '⚠',
    'Signed with a key that differs from the one first seen (/trust nick accepts it)',
  ],
  bad: ['✗', 'Bad signature: this message was not signed by the key known for this nick'],
  invalid: [
    '⊘',
    'Invalid signature: it names another sender or a time far from when the server delivered it (replayed or stale)',
  ],
  pending: ['…', 'Checking the signature'],
};

function Badge({ verdict }: { verdict: Verdict }) {
  if (verdict === 'unsigned') return null;
  const [mark, title] = BADGES[verdict];
  return (
    <span class={`sig sig-${verdict}`} title={title} aria-label={title}>
      {mark}
    </span>
  );
}

function Who({ line }: { line: Line }) {
  const nick = line.nick ?? '';
  const colour = nickColour(nick);
  switch (line.kind) {
    case 'message':
      return <span class={`nick ${colour}`}>{`<${nick}>`}</span>;
    case 'action':
      return <span class={`nick ${colour}`}>{`* ${nick}`}</span>;
    case 'notice':
      return <span class={`nick ${colour}`}>{`-${nick}-`}</span>;
    case 'error':
      return <span class="mark">!!</span>;
    default:
      return <span class="mark">{line.kind === 'info' ? '--' : '*'}</span>;
  }
}

export function MessageLine({ line }: { line: Line }) {
  const verdict = line.verdict?.value ?? null;
  const classes = ['line', `k-${line.kind}`, line.mention && 'mention', line.self && 'self'];
  return (
    <div
      class={classes.filter(Boolean).join(' ')}
      data-sig={verdict ?? undefined}
      data-seq={line.id ? line.order : undefined}
    >
      <time class="ts" dateTime={line.time.toISOString()}>{`[${clock(line.time)}]`}</time>{' '}
      <Who line={line} />{' '}
      <span class="text">
        <RichText text={line.text} />
      </span>
      {verdict && <Badge verdict={verdict} />}
    </div>
  );
}
