// The input line: Enter sends, ↑/↓ walk the last 100 lines typed (kept across reloads),
// PageUp/PageDown scroll the log, Tab completes nicks. The bell beside it turns desktop
// notifications on (the browser asks only after a click) and mutes or unmutes this window.
import { useRef } from 'preact/hooks';
import { runInput } from '../commands/slash.js';
import { askPermission, permission } from '../notify/activity.js';
import { isMuted, setMuted } from '../notify/mute.js';
import { candidates, complete, type CompletionState } from '../state/complete.js';
import { myNick, type ChatWindow } from '../state/model.js';
import { stored } from '../state/persist.js';
import { scrollLog } from './message-log.js';

const HISTORY_SIZE = 100;
const history: string[] = stored.json<string[]>('inputs', []).slice(-HISTORY_SIZE);
/** recent speakers looked at for completion */
const SPEAKERS = 200;

/** The names Tab offers in this window (state/complete.ts orders them). */
function namesFor(win: ChatWindow): string[] {
  const members = [...win.members.value.values()].map((m) => m.nick);
  const speakers: string[] = [];
  const lines = win.lines.value;
  for (let i = lines.length - 1; i >= 0 && i >= lines.length - SPEAKERS; i--) {
    const l = lines[i]!;
    if (l.nick && (l.kind === 'message' || l.kind === 'action' || l.kind === 'notice'))
      speakers.push(l.nick);
  }
  if (win.kind === 'query') speakers.push(win.name.value);
  return candidates(members, speakers, myNick.value);
}

/**
 * A bell drawn in SVG (an emoji bell needs an emoji font, which many Linux desktops and headless
 * browsers lack: it showed as an empty box); struck through when notifications are off.
 */
function BellIcon({ off }: { off: boolean }) {
  return (
    <svg
      viewBox="0 0 16 16"
      width="16"
      height="16"
      aria-hidden="true"
      class="bell-icon"
      data-icon="bell"
    >
      <path
        d="M8 1.5a1 1 0 0 1 1 1v.6a4.5 4.5 0 0 1 3.5 4.4v2.8l1.3 1.9H2.2l1.3-1.9V7.5A4.5 4.5 0 0 1 7 3.1v-.6a1 1 0 0 1 1-1zM6.3 13.5h3.4a1.7 1.7 0 0 1-3.4 0z"
        fill="currentColor"
      />
      {off && <path d="M2 2l12 12" stroke="currentColor" stroke-width="1.6" />}
    </svg>
  );
}

function Bell({ win }: { win: ChatWindow }) {
  const state = permission.value;
  if (state === 'unsupported' || win.kind === 'server') return null;
  if (state !== 'granted') {
    const blocked = state === 'denied';
    // An icon only: on a phone the input line has little room.
    return (
      <button
        type="button"
        class="bell ask"
        disabled={blocked}
        aria-label={blocked ? 'Notifications are blocked' : 'Notify me'}
        title={
          blocked
            ? 'Notifications are blocked in this browser’s site settings'
            : 'Notify me of mentions and private messages while this page is in the background'
        }
        onClick={() => void askPermission()}
      >
        <BellIcon off={blocked} />
      </button>
    );
  }
  const muted = isMuted(win.key);
  return (
    <button
      type="button"
      class="bell"
      aria-pressed={muted}
      title={muted ? `Notifications for ${win.name.value} are muted` : `Mute ${win.name.value}`}
      aria-label={muted ? `Unmute ${win.name.value}` : `Mute ${win.name.value}`}
      onClick={() => setMuted(win.key, !muted)}
    >
      <BellIcon off={muted} />
    </button>
  );
}

export function InputLine({ win }: { win: ChatWindow }) {
  const input = useRef<HTMLInputElement>(null);
  // position in `history` while browsing it (history.length = the line being typed)
  const position = useRef(history.length);
  const draft = useRef('');
  const completion = useRef<CompletionState | null>(null);

  const submit = (event: Event) => {
    event.preventDefault();
    const el = input.current;
    if (!el || !el.value) return;
    const text = el.value;
    if (history[history.length - 1] !== text) {
      history.push(text);
      if (history.length > HISTORY_SIZE) history.splice(0, history.length - HISTORY_SIZE);
      stored.setJson('inputs', history);
    }
    position.current = history.length;
    el.value = '';
    void runInput(text);
  };

  const onKeyDown = (event: KeyboardEvent) => {
    const el = input.current;
    if (!el) return;
    if (event.key === 'Tab' && !event.altKey && !event.ctrlKey && !event.metaKey) {
      const done = complete(
        el.value,
        el.selectionStart ?? el.value.length,
        namesFor(win),
        completion.current,
        event.shiftKey,
      );
      // Nothing to complete: Tab moves the focus on as usual (the keyboard must not be trapped).
      if (!done) return;
      completion.current = done.state;
      el.value = done.completion.value;
      el.setSelectionRange(done.completion.caret, done.completion.caret);
      event.preventDefault();
      return;
    }
    if (event.key === 'PageUp' || event.key === 'PageDown') {
      scrollLog(event.key === 'PageUp' ? -1 : 1);
      event.preventDefault();
      return;
    }
    if (event.key !== 'ArrowUp' && event.key !== 'ArrowDown') return;
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    if (position.current === history.length) draft.current = el.value;
    const next = position.current + (event.key === 'ArrowUp' ? -1 : 1);
    if (next < 0 || next > history.length) return;
    position.current = next;
    el.value = next === history.length ? draft.current : (history[next] ?? '');
    event.preventDefault();
  };

  const placeholder =
    win.kind === 'server' ? 'Type /join #channel or /help' : `Message ${win.name.value}`;
  return (
    <form class="input" onSubmit={submit}>
      <input
        ref={input}
        aria-label={placeholder}
        placeholder={placeholder}
        autoComplete="off"
        autoCapitalize="off"
        spellcheck={false}
        enterKeyHint="send"
        maxLength={4000}
        onKeyDown={onKeyDown}
        autoFocus
      />
      <Bell win={win} />
      <button type="submit">Send</button>
    </form>
  );
}
