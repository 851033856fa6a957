// Activity outside the page: the unread and mention counts in the tab's title and on the favicon,
// and desktop notifications for lines that mention you and for private messages while the page is
// hidden or not focused (unless the window is muted). The browser's permission is asked for only
// from a click (the bell by the input line), never at load.
import { computed, effect, signal } from '@preact/signals';
import { activeWindow, token, windows, type ChatWindow, type Line } from '../state/model.js';
import { activate, onActivity, pageVisible } from '../state/windows.js';
import { setFaviconBadge } from './favicon.js';
import { isMuted } from './mute.js';

type Permission = NotificationPermission | 'unsupported';

const supported = (): boolean => typeof Notification === 'function';

/** the browser's answer about desktop notifications, kept current for the bell button */
export const permission = signal<Permission>('unsupported');

/** Asks for the permission; call from a click or key press only. */
export async function askPermission(): Promise<void> {
  if (!supported()) return;
  try {
    permission.value = await Notification.requestPermission();
  } catch {
    permission.value = Notification.permission;
  }
}

/** unread lines and mentions over all windows */
export const totals = computed(() => {
  let unread = 0;
  let mentions = 0;
  for (const win of windows.value) {
    unread += win.unread.value;
    mentions += win.mentions.value;
  }
  return { unread, mentions };
});

/** "(5) #web — chat", "(5, 2 mentions) #web — chat" */
export function titleFor(win: ChatWindow | null, unread: number, mentions: number): string {
  const base = !win || win.kind === 'server' ? 'chat' : `${win.name.value} — chat`;
  if (unread === 0) return base;
  const also = mentions > 0 ? `, ${mentions} mention${mentions === 1 ? '' : 's'}` : '';
  return `(${unread}${also}) ${base}`;
}

function notify(win: ChatWindow, lines: Line[]): void {
  if (!supported() || Notification.permission !== 'granted') return;
  if (pageVisible.value && document.hasFocus()) return;
  if (isMuted(win.key)) return;
  const notable = lines.filter((l) => l.mention || win.kind === 'query');
  const last = notable[notable.length - 1];
  if (!last) return;
  const who = last.nick ?? win.name.value;
  const title = win.kind === 'query' ? `${who} (private message)` : `${who} in ${win.name.value}`;
  const more = notable.length > 1 ? ` (+${notable.length - 1} more)` : '';
  try {
    // One notification per window (its tag): a newer one replaces it, and the copies that other
    // tabs of this browser raise for the same line replace each other too.
    const shown = new Notification(title, { body: last.text + more, tag: `chatd:${win.key}` });
    shown.onclick = () => {
      window.focus();
      if (windows.value.includes(win)) activate(win);
      shown.close();
    };
  } catch (err) {
    console.warn('could not show a notification', err);
  }
}

/** Wires the page's visibility, title, favicon and notifications; once, at start-up. */
export function startActivity(): void {
  if (supported()) permission.value = Notification.permission;
  const visible = () => document.visibilityState === 'visible';
  pageVisible.value = visible();
  document.addEventListener('visibilitychange', () => {
    pageVisible.value = visible();
    // Back on the page: what the active window got meanwhile is read now (the divider stays).
    if (pageVisible.value) activate(activeWindow.value);
  });
  onActivity(notify);
  effect(() => {
    const { unread, mentions } = totals.value;
    const signedIn = token.value !== null;
    document.title = titleFor(signedIn ? activeWindow.value : null, unread, mentions);
    setFaviconBadge(signedIn ? unread : 0, mentions > 0);
  });
}
