// Opening, closing and switching windows, and adding lines to them (kept in order, without
// duplicates, with unread counts for windows not in view: another window, or any window while the
// page is hidden).
//
// Windows are shown in the order they were opened (joined, or the query started), after the
// server window, and that order is kept in localStorage: a reload, which rebuilds the windows
// from the server's state (channels by name), shows them in the same places, so Alt+N always
// picks the same window.
import { signal } from '@preact/signals';
import { fold } from '../../../src/model/casefold.js';
import {
  activeKey,
  keyOf,
  localKey,
  localOrder,
  newWindow,
  noteSeq,
  serverWindow,
  SERVER_KEY,
  windows,
  type ChatWindow,
  type Line,
  type LineKind,
  type WindowKind,
} from './model.js';
import { stored } from './persist.js';

/** Lines kept per window; older ones are dropped (and can be loaded again from history). */
const MAX_LINES = 2000;

export const isChannelName = (name: string): boolean => name.startsWith('#');

export function findWindow(name: string): ChatWindow | undefined {
  const key = keyOf(name);
  return windows.value.find((w) => w.key === key && w.kind !== 'server');
}

export function openWindow(name: string, kind: WindowKind = kindOf(name)): ChatWindow {
  const existing = findWindow(name);
  if (existing) return existing;
  const win = newWindow(name, kind);
  const order = rememberedOrder();
  if (!order.includes(win.key)) saveOrder([...order, win.key]);
  const rank = new Map(rememberedOrder().map((key, i) => [key, i]));
  // stable sort: windows the order does not know (storage unavailable) keep their opening order
  const rest = [...windows.value.filter((w) => w.kind !== 'server'), win].sort(
    (a, b) => (rank.get(a.key) ?? Infinity) - (rank.get(b.key) ?? Infinity),
  );
  windows.value = [serverWindow, ...rest];
  return win;
}

/** Folded window names in the order they were opened; at most this many are remembered. */
const ORDER_MAX = 200;
const rememberedOrder = (): string[] => {
  const order = stored.json<unknown>('windowOrder', []);
  return Array.isArray(order) ? order.filter((k): k is string => typeof k === 'string') : [];
};
const saveOrder = (order: string[]): void => stored.setJson('windowOrder', order.slice(-ORDER_MAX));

const kindOf = (name: string): WindowKind => (isChannelName(name) ? 'channel' : 'query');

/** whether the page is shown (false while another tab or a minimised window hides it) */
export const pageVisible = signal(true);

/** The window is what the user looks at now: its new lines are read as they come. */
export const inView = (win: ChatWindow): boolean =>
  activeKey.value === win.key && pageVisible.value;

/** Lines that arrived out of view, after they were counted (desktop notifications listen here). */
type ActivityListener = (win: ChatWindow, lines: Line[]) => void;
let activityListener: ActivityListener | null = null;
export const onActivity = (listener: ActivityListener): void => void (activityListener = listener);

export function activate(win: ChatWindow): void {
  activeKey.value = win.key;
  // Coming back to a window with unread lines keeps the "new messages" divider above the first
  // of them; a window read before loses its old divider.
  if (win.unread.value === 0) win.divider.value = null;
  win.unread.value = 0;
  win.mentions.value = 0;
  win.highlight.value = false;
}

export function closeWindow(win: ChatWindow): void {
  if (win.kind === 'server') return;
  const list = windows.value;
  const index = list.indexOf(win);
  windows.value = list.filter((w) => w !== win);
  // reopened later, it goes to the end, like any window opened then
  saveOrder(rememberedOrder().filter((key) => key !== win.key));
  if (activeKey.value === win.key) {
    const next = windows.value[Math.max(0, index - 1)] ?? serverWindow;
    activate(next);
  }
}

export function renameWindow(win: ChatWindow, name: string): void {
  const key = keyOf(name);
  if (windows.value.some((w) => w !== win && w.key === key)) return;
  const wasActive = activeKey.value === win.key;
  saveOrder(rememberedOrder().map((k) => (k === win.key ? key : k)));
  win.name.value = name;
  win.key = key;
  windows.value = [...windows.value];
  if (wasActive) activeKey.value = key;
}

/** Inserts lines (any order) into the window by `order`; lines of an envelope already shown are dropped. */
export function addLines(
  win: ChatWindow,
  incoming: Line[],
  opts: { countUnread?: boolean } = {},
): void {
  const fresh = incoming.filter((l) => l.id === null || !win.seen.has(l.key));
  if (fresh.length === 0) return;
  for (const l of fresh) {
    if (l.id === null) continue;
    win.seen.add(l.key);
    // history lines count too: a note written after a reload goes below the history shown
    noteSeq(l.order);
  }
  const lines = win.lines.value;
  let next: Line[];
  const last = lines[lines.length - 1];
  if (fresh.every((l) => !last || l.order >= last.order)) {
    next = lines.concat(fresh);
  } else {
    next = lines.concat(fresh);
    // stable: equal orders keep their insertion order
    next.sort((a, b) => a.order - b.order);
  }
  if (next.length > MAX_LINES) {
    next = next.slice(next.length - MAX_LINES);
    win.hasMore.value = win.kind !== 'server';
  }
  win.lines.value = next;
  if (opts.countUnread !== false && !inView(win)) {
    // Our own lines (sent from this or another device) are read already.
    const counted = fresh.filter(
      (l) => !l.self && (l.kind === 'message' || l.kind === 'action' || l.kind === 'notice'),
    );
    if (counted.length === 0) return;
    if (win.unread.value === 0) win.divider.value = counted[0]!.key;
    win.unread.value += counted.length;
    const notable = counted.filter((l) => l.mention || win.kind === 'query');
    if (notable.length > 0) {
      win.mentions.value += notable.length;
      win.highlight.value = true;
    }
    activityListener?.(win, counted);
  }
}

/** A line the client writes itself (help, errors, connection notes). */
export function note(win: ChatWindow, text: string, kind: LineKind = 'info'): void {
  addLines(
    win,
    [
      {
        key: localKey(),
        order: localOrder(),
        id: null,
        time: new Date(),
        kind,
        nick: null,
        text,
        self: false,
        mention: false,
        verdict: null,
      },
    ],
    { countUnread: false },
  );
}

export function clearWindow(win: ChatWindow): void {
  win.lines.value = [];
  win.hasMore.value = win.kind !== 'server';
}

export const sameNick = (a: string, b: string): boolean => fold(a) === fold(b);

export { SERVER_KEY };
