// The pieces of the terminal UI. Every string drawn here passes sanitize() once more (it is
// idempotent, and the connection sanitized it already), so no component can draw a control
// character even if a future code path forgets the intake.
import { Box, Text } from 'ink';
import type { Verdict } from '../../shared/tofu.js';
import { clock, type Line } from '../format.js';
import type { ChatBuffer, ChatModel, Member } from '../model.js';
import { sanitize } from '../sanitize.js';

const NICK_COLORS = [
  'cyan',
  'green',
  'yellow',
  'blue',
  'magenta',
  'red',
  'greenBright',
  'cyanBright',
];

export function nickColor(nick: string): string {
  let h = 0;
  for (const ch of nick.toLowerCase()) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  return NICK_COLORS[h % NICK_COLORS.length]!;
}

const MARKS: Record<Verdict, { text: string; color: string } | null> = {
  verified: { text: '✓', color: 'green' },
  bad: { text: '✗', color: 'red' },
  // signer or time does not fit the envelope: replayed, relayed or stale, whatever the key says
  invalid: { text: '⊘', color: 'magenta' },
  'key-changed': { text: '!', color: 'yellow' },
  unsigned: null,
};

export function Mark({ verdict }: { verdict: Verdict | null }) {
  const mark = verdict ? MARKS[verdict] : null;
  return mark ? <Text color={mark.color}>{mark.text}</Text> : <Text> </Text>;
}

export function LineView({ line }: { line: Line }) {
  const nick = sanitize(line.nick ?? '');
  const text = sanitize(line.text);
  const time = <Text dimColor>{clock(line.time)} </Text>;
  if (line.kind === 'system' || line.kind === 'error') {
    return (
      <Text wrap="wrap">
        {time}
        <Text color={line.kind === 'error' ? 'red' : 'gray'}> *** {text}</Text>
      </Text>
    );
  }
  const who =
    line.kind === 'action' ? (
      <Text color={nickColor(nick)}>* {nick}</Text>
    ) : line.kind === 'notice' ? (
      <Text color={nickColor(nick)}>-{nick}-</Text>
    ) : (
      <Text color={nickColor(nick)} bold={line.self}>
        &lt;{nick}&gt;
      </Text>
    );
  return (
    <Text wrap="wrap">
      {time}
      <Mark verdict={line.mark} /> {who}{' '}
      <Text color={line.mention ? 'yellowBright' : undefined} bold={line.mention}>
        {text}
      </Text>
      {/* typed offline: the server has not stored it yet */}
      {line.pending ? <Text color="yellow"> (pending)</Text> : null}
    </Text>
  );
}

/**
 * The last lines of the buffer that fit, clipped at the top (lines wrap, so rows ≥ lines); scrolled
 * up to the first line, clipped at the bottom instead, so the top of the history is in view.
 */
export function Scrollback({ buffer, height }: { buffer: ChatBuffer; height: number }) {
  const end = buffer.lines.length - buffer.scroll;
  const start = Math.max(0, end - height);
  const lines = buffer.lines.slice(start, end);
  const atTop = buffer.scroll > 0 && start === 0;
  return (
    <Box
      flexDirection="column"
      flexGrow={1}
      height={height}
      overflow="hidden"
      justifyContent={atTop ? 'flex-start' : 'flex-end'}
    >
      {lines.map((line, i) => (
        <Box key={line.id ?? `${line.time}-${end - lines.length + i}`} flexShrink={0}>
          <LineView line={line} />
        </Box>
      ))}
    </Box>
  );
}

export function bufferLabel(model: ChatModel, buf: ChatBuffer): string {
  return sanitize(buf.kind === 'server' ? model.serverName : buf.name);
}

export function BufferList({
  model,
  width,
  height,
}: {
  model: ChatModel;
  width: number;
  height: number;
}) {
  return (
    <Box flexDirection="column" width={width} height={height} overflow="hidden" flexShrink={0}>
      {model.buffers.map((buf, i) => {
        const active = buf === model.active;
        const unread = buf.unread > 0 ? ` (${buf.unread})` : buf.activity ? ' *' : '';
        const parted = buf.kind === 'channel' && !buf.joined;
        return (
          <Text
            key={buf.key}
            wrap="truncate-end"
            inverse={active}
            bold={buf.highlight}
            color={buf.highlight ? 'magenta' : buf.unread > 0 ? 'yellow' : undefined}
            dimColor={parted && !active}
          >
            {`${i + 1}.${bufferLabel(model, buf)}${unread}`}
          </Text>
        );
      })}
    </Box>
  );
}

function sortMembers(members: Iterable<Member>): Member[] {
  const rank = (m: Member) => (m.op ? 0 : m.voice ? 1 : 2);
  return [...members].sort((a, b) => rank(a) - rank(b) || a.nick.localeCompare(b.nick));
}

export function NickList({
  buffer,
  width,
  height,
}: {
  buffer: ChatBuffer;
  width: number;
  height: number;
}) {
  const members = sortMembers(buffer.members.values());
  return (
    <Box
      flexDirection="column"
      width={width}
      height={height}
      overflow="hidden"
      flexShrink={0}
      paddingLeft={1}
    >
      <Text dimColor>{`${members.length} users`}</Text>
      {members.slice(0, height - 1).map((m) => (
        <Text key={m.nick} wrap="truncate-end" color={nickColor(m.nick)}>
          {(m.op ? '@' : m.voice ? '+' : ' ') + sanitize(m.nick)}
        </Text>
      ))}
    </Box>
  );
}

export function TopicBar({ model, width }: { model: ChatModel; width: number }) {
  const buf = model.active;
  let text: string;
  if (buf.kind === 'channel') {
    const modes = buf.modes ? ` [${buf.modes}]` : '';
    const state = buf.joined ? '' : ' (not joined)';
    text = `${buf.name}${modes}${state}: ${buf.topic ?? '(no topic)'}`;
  } else if (buf.kind === 'query') {
    text = `Conversation with ${buf.name}`;
  } else {
    text = `${model.serverName} (server messages)`;
  }
  return (
    <Box width={width} height={1}>
      <Text inverse wrap="truncate-end">
        {sanitize(text).padEnd(width)}
      </Text>
    </Box>
  );
}

function connectionText(model: ChatModel): { text: string; color: string } {
  const detail = model.connectionDetail ? `: ${model.connectionDetail}` : '';
  switch (model.connection) {
    case 'online':
      return { text: 'online', color: 'green' };
    case 'minting':
      return { text: `minting hashcash${detail}`, color: 'yellow' };
    case 'connecting':
      return { text: `connecting${detail}`, color: 'yellow' };
    case 'reconnecting':
      return { text: `reconnecting${detail}`, color: 'red' };
    case 'signed-out':
      return { text: `signed out${detail}`, color: 'red' };
    default:
      return { text: model.connection, color: 'gray' };
  }
}

export function StatusLine({ model, width }: { model: ChatModel; width: number }) {
  const buf = model.active;
  const index = model.buffers.indexOf(buf) + 1;
  const modes = model.userModes ? `(${model.userModes})` : '';
  const lag = model.lagMs === null ? '' : ` [lag ${model.lagMs} ms]`;
  const away = model.away ? ' [away]' : '';
  const act = model.buffers
    .map((b, i) => (b !== buf && (b.unread > 0 || b.highlight) ? String(i + 1) : null))
    .filter(Boolean);
  const more = buf.scroll > 0 ? ` [-- more: ${buf.scroll} below --]` : '';
  const conn = connectionText(model);
  return (
    <Box width={width} height={1}>
      <Text wrap="truncate-end">
        <Text color="cyan">{`[${sanitize(model.nick)}${modes}]`}</Text>
        {` [${index}:${bufferLabel(model, buf)}]${lag}${away} `}
        <Text color={conn.color}>{`[${sanitize(conn.text)}]`}</Text>
        {act.length ? <Text color="yellow">{` [Act: ${act.join(',')}]`}</Text> : null}
        {more}
      </Text>
    </Box>
  );
}
