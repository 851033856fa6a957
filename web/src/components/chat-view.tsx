// The chat screen: status line, window list, topic bar, message log, nick list and input line,
// and the channel browser over the pane after /list.
// Alt+1…9 and Alt+0 (the tenth) and Alt+←/→ switch windows from anywhere on the page, in the
// order the window list shows (the order they were opened, kept across reloads).
import { useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import { activeWindow, windows } from '../state/model.js';
import { rememberActive } from '../state/session.js';
import { activate } from '../state/windows.js';
import { ChannelBrowser } from './channel-browser.js';
import { InputLine } from './input-line.js';
import { MessageLog } from './message-log.js';
import { NickList } from './nick-list.js';
import { StatusLine } from './status-line.js';
import { TopicBar } from './topic-bar.js';
import { WindowList } from './window-list.js';

function switchBy(event: KeyboardEvent): boolean {
  if (!event.altKey || event.ctrlKey || event.metaKey) return false;
  const list = windows.value;
  const current = list.indexOf(activeWindow.value);
  let next: number | null = null;
  if (/^Digit[1-9]$/.test(event.code)) next = Number(event.code.slice(5)) - 1;
  else if (event.code === 'Digit0') next = 9;
  else if (event.key === 'ArrowLeft') next = (current - 1 + list.length) % list.length;
  else if (event.key === 'ArrowRight') next = (current + 1) % list.length;
  const win = next === null ? undefined : list[next];
  if (!win) return false;
  activate(win);
  return true;
}

export function ChatView() {
  const showNicks = useSignal(false);
  const win = activeWindow.value;

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (switchBy(event)) event.preventDefault();
    };
    addEventListener('keydown', onKey);
    return () => removeEventListener('keydown', onKey);
  }, []);

  // (the tab's title, with the unread counts, is notify/activity.ts's)
  useEffect(() => rememberActive(win.key), [win]);

  return (
    <div
      class={`chat${showNicks.value ? ' nicks-open' : ''}${win.kind === 'channel' ? '' : ' no-nicks'}`}
    >
      <StatusLine showNicks={showNicks} />
      <WindowList />
      <main class="pane" aria-label={win.name.value}>
        <TopicBar win={win} />
        <MessageLog win={win} />
        <InputLine win={win} />
      </main>
      <ChannelBrowser />
      {win.kind === 'channel' && <NickList win={win} onPick={() => (showNicks.value = false)} />}
    </div>
  );
}
