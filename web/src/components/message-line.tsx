// One line of a window: `[HH:MM:SS] <nick> text`, `* nick action`, `-nick- notice`, or a system
// line, plus a signature badge for signed messages; a date separator above the first line of
// each day. Narrow screens hide the seconds (styles.css), and wrapped lines are indented past
// the time so the times stay a clean column.
import type { Line, Verdict } from '../state/model.js';
import { clock, dayLabel, newDay, nickColour, stamp } from '../util/format.js';
import { RichText } from './rich-text.js';
import { ServerText } from './server-text.js';

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

/** `[HH:MM:SS]`, the seconds in their own element so narrow screens can leave them out. */
function Time({ time }: { time: Date }) {
  const [hm, sec] = [clock(time).slice(0, 5), clock(time).slice(5)];
  return (
    <time class="ts" dateTime={time.toISOString()} title={stamp(time)}>
      [{hm}
      <span class="sec">{sec}</span>]
    </time>
  );
}

export function MessageLine({ line, prev }: { line: Line; prev?: Line | undefined }) {
  const verdict = line.verdict?.value ?? null;
  const classes = ['line', `k-${line.kind}`, line.mention && 'mention', line.self && 'self'];
  return (
    <>
      {newDay(prev?.time, line.time) && (
        <div class="day" role="separator" data-day={line.time.toDateString()}>
          <span>{dayLabel(line.time)}</span>
        </div>
      )}
      <div
        class={classes.filter(Boolean).join(' ')}
        data-sig={verdict ?? undefined}
        data-seq={line.id ? line.order : undefined}
      >
        <Time time={line.time} /> <Who line={line} />{' '}
        <span class="text">
          {line.numeric ? (
            <ServerText numeric={line.numeric} text={line.text} />
          ) : (
            <RichText text={line.text} />
          )}
        </span>
        {verdict && <Badge verdict={verdict} />}
      </div>
    </>
  );
}
