// The scrolling log of the active window. It stays at the bottom while you are there, keeps its
// place when older history is added above, and loads an older page when scrolled to the top (or
// when "Load older messages" is pressed, for keyboards and short windows). A divider marks the
// first line that came while you were elsewhere; while scrolled up, a button jumps to the latest
// line. Lines still waiting for the server (typed while it was unreachable) show at the end.
import { useLayoutEffect, useRef } from 'preact/hooks';
import { useSignal } from '@preact/signals';
import type { ChatWindow, Line } from '../state/model.js';
import { keyOf, myNick } from '../state/model.js';
import { queued, stalled, type Queued } from '../state/outbox.js';
import { client } from '../state/session.js';
import { loadOlder } from '../state/history.js';
import { clock } from '../util/format.js';
import { MessageLine } from './message-line.js';

let logElement: HTMLElement | null = null;

/** PageUp/PageDown from the input line. */
export function scrollLog(pages: number): void {
  logElement?.scrollBy({ top: pages * logElement.clientHeight * 0.9 });
}

/** How a queued command reads: as the message it will be, or as the command typed. */
function pendingText(q: Queued): { who: string; text: string } {
  const c = q.command;
  const body = Array.isArray(c.body)
    ? c.body.filter((b): b is string => typeof b === 'string').join(' ')
    : '';
  // a /msg typed here for another conversation
  if (c.command === 'PRIVMSG' && c.to !== undefined && keyOf(c.to) !== q.window)
    return { who: `→ ${c.to}:`, text: body };
  if (c.command === 'PRIVMSG' && c.meta?.action === true)
    return { who: `* ${myNick.value}`, text: body };
  if (c.command === 'PRIVMSG') return { who: `<${myNick.value}>`, text: body };
  const words = [c.command, c.to, ...(c.params ?? []), body].filter((w) => w);
  return { who: '--', text: `/${words.join(' ')}` };
}

function PendingLine({ q }: { q: Queued }) {
  const { who, text } = pendingText(q);
  return (
    <div class="line pending self" title="Not sent yet: waiting for the server">
      <time class="ts" dateTime={new Date(q.typed).toISOString()}>
        {`[${clock(new Date(q.typed))}]`}
      </time>{' '}
      <span class="nick">{who}</span> <span class="text">{text}</span>{' '}
      <span class="state">(waiting for the server)</span>
    </div>
  );
}

function emptyText(win: ChatWindow): string | null {
  if (win.kind === 'channel') return `No messages in ${win.name.value} yet.`;
  if (win.kind === 'query') return `No messages with ${win.name.value} yet.`;
  return null;
}

const isTalk = (l: Line) => l.kind === 'message' || l.kind === 'action' || l.kind === 'notice';

export function MessageLog({ win }: { win: ChatWindow }) {
  const ref = useRef<HTMLDivElement>(null);
  const atBottom = useRef(true);
  /** scrolled up: the jump button shows, with how many lines came since */
  const scrolledUp = useSignal(false);
  const newBelow = useSignal(0);
  const seen = useRef<{
    win: ChatWindow | null;
    first: string | null;
    height: number;
    count: number;
  }>({
    win: null,
    first: null,
    height: 0,
    count: 0,
  });
  const lines = win.lines.value;
  // Shown once the server could not be reached: a line on its way normally shows up from the
  // poll a moment later, and a pending copy in between would only flicker.
  const pending = stalled.value ? queued.value.filter((q) => q.window === win.key) : [];
  const divider = win.divider.value;

  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    logElement = el;
    const first = lines[0]?.key ?? null;
    const last = seen.current;
    if (last.win !== win) {
      atBottom.current = true;
      scrolledUp.value = false;
      newBelow.value = 0;
      // Coming back to unread lines: start at the divider rather than the bottom.
      const mark = divider ? el.querySelector('.new-divider') : null;
      const top = mark
        ? mark.getBoundingClientRect().top - el.getBoundingClientRect().top + el.scrollTop
        : 0;
      if (mark && top > el.scrollHeight - el.clientHeight) {
        el.scrollTop = el.scrollHeight;
      } else if (mark) {
        el.scrollTop = top - el.clientHeight / 3;
        atBottom.current = false;
        scrolledUp.value = true;
      } else {
        el.scrollTop = el.scrollHeight;
      }
    } else if (!atBottom.current && last.first !== null && first !== last.first) {
      // Older lines were added above: keep what the reader looks at in place.
      el.scrollTop += el.scrollHeight - last.height;
    } else if (atBottom.current) {
      el.scrollTop = el.scrollHeight;
    } else if (lines.length > last.count && first === last.first) {
      newBelow.value += lines.slice(last.count).filter(isTalk).length;
    }
    seen.current = { win, first, height: el.scrollHeight, count: lines.length };
  }, [win, lines, pending.length]);

  const onScroll = () => {
    const el = ref.current;
    if (!el) return;
    atBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 40;
    scrolledUp.value = !atBottom.current;
    if (atBottom.current) newBelow.value = 0;
    if (el.scrollTop < 80 && win.hasMore.value) void loadOlder(client, win);
  };

  const jump = () => {
    const el = ref.current;
    if (!el) return;
    el.scrollTop = el.scrollHeight;
    atBottom.current = true;
    scrolledUp.value = false;
    newBelow.value = 0;
  };

  const empty =
    !win.hasMore.value && !win.loadingHistory.value && !lines.some(isTalk) ? emptyText(win) : null;

  return (
    <div
      class="log"
      ref={ref}
      onScroll={onScroll}
      tabIndex={0}
      role="log"
      aria-label={`Messages in ${win.name.value}`}
    >
      {win.kind !== 'server' && win.hasMore.value && (
        <button
          type="button"
          class="older"
          disabled={win.loadingHistory.value}
          onClick={() => void loadOlder(client, win)}
        >
          {win.loadingHistory.value ? 'Loading…' : 'Load older messages'}
        </button>
      )}
      {empty && <p class="empty">{empty}</p>}
      {lines.flatMap((line, i) => {
        const shown = <MessageLine key={line.key} line={line} prev={lines[i - 1]} />;
        if (line.key !== divider) return [shown];
        return [
          <div class="new-divider" role="separator" key="new-divider">
            <span>new messages</span>
          </div>,
          shown,
        ];
      })}
      {pending.map((q) => (
        <PendingLine key={q.txn} q={q} />
      ))}
      {scrolledUp.value && (
        <button type="button" class="jump" onClick={jump}>
          {newBelow.value > 0 ? `↓ ${newBelow.value} new — jump to latest` : '↓ Jump to latest'}
        </button>
      )}
    </div>
  );
}
