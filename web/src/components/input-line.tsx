// The input line: Enter sends, ↑/↓ walk the last 100 lines typed (kept across reloads),
// PageUp/PageDown scroll the log.
import { useRef } from 'preact/hooks';
import { runInput } from '../commands/slash.js';
import type { ChatWindow } from '../state/model.js';
import { stored } from '../state/persist.js';
import { scrollLog } from './message-log.js';

const HISTORY_SIZE = 100;
const history: string[] = stored.json<string[]>('inputs', []).slice(-HISTORY_SIZE);

export function InputLine({ win }: { win: ChatWindow }) {
  const input = useRef<HTMLInputElement>(null);
  // position in `history` while browsing it (history.length = the line being typed)
  const position = useRef(history.length);
  const draft = useRef('');

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
      <button type="submit">Send</button>
    </form>
  );
}
