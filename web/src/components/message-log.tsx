// The scrolling log of the active window. It stays at the bottom while you are there, keeps its
// place when older history is added above, and loads an older page when scrolled to the top (or
// when "Load older messages" is pressed, for keyboards and short windows).
import { useLayoutEffect, useRef } from 'preact/hooks';
import type { ChatWindow } from '../state/model.js';
import { client } from '../state/session.js';
import { loadOlder } from '../state/history.js';
import { MessageLine } from './message-line.js';

let logElement: HTMLElement | null = null;

/** PageUp/PageDown from the input line. */
export function scrollLog(pages: number): void {
  logElement?.scrollBy({ top: pages * logElement.clientHeight * 0.9 });
}

export function MessageLog({ win }: { win: ChatWindow }) {
  const ref = useRef<HTMLDivElement>(null);
  const atBottom = useRef(true);
  const seen = useRef<{ win: ChatWindow | null; first: string | null; height: number }>({
    win: null,
    first: null,
    height: 0,
  });
  const lines = win.lines.value;

  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    logElement = el;
    const first = lines[0]?.key ?? null;
    const last = seen.current;
    if (last.win !== win) {
      atBottom.current = true;
      el.scrollTop = el.scrollHeight;
    } else if (!atBottom.current && last.first !== null && first !== last.first) {
      // Older lines were added above: keep what the reader looks at in place.
      el.scrollTop += el.scrollHeight - last.height;
    } else if (atBottom.current) {
      el.scrollTop = el.scrollHeight;
    }
    seen.current = { win, first, height: el.scrollHeight };
  }, [win, lines]);

  const onScroll = () => {
    const el = ref.current;
    if (!el) return;
    atBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 40;
    if (el.scrollTop < 80 && win.hasMore.value) void loadOlder(client, win);
  };

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
      {lines.map((line, i) => (
        <MessageLine key={line.key} line={line} prev={lines[i - 1]} />
      ))}
    </div>
  );
}
