// What a reload must not lose beyond the token and cursor: each window's unread state (per tab,
// in sessionStorage, since each tab has its own active window) and its context — the join, part,
// topic, mode, kick and nick lines and server replies it showed (in localStorage, shared by the
// tabs that all see the same events). History (GET /history) only keeps PRIVMSG and NOTICE, so
// without this a reload would show a channel's messages without the events between them.
import { effect } from '@preact/signals';
import { windows, type ChatWindow, type Line, type LineKind } from './model.js';
import { stored } from './persist.js';

interface Unread {
  unread: number;
  mentions: number;
  highlight: boolean;
  divider: string | null;
}

/** a context line as stored */
interface Kept {
  key: string;
  order: number;
  id: string;
  time: number;
  kind: LineKind;
  text: string;
}

const UNREAD_KEY = 'chatd.unread';
const CONTEXT_KEY = 'context';
/** context lines kept per window */
const KEEP = 200;
const CONTEXT_KINDS: ReadonlySet<LineKind> = new Set(['event', 'server', 'error']);

function readUnread(): Record<string, Unread> {
  try {
    const parsed: unknown = JSON.parse(sessionStorage.getItem(UNREAD_KEY) ?? '{}');
    return parsed && typeof parsed === 'object' ? (parsed as Record<string, Unread>) : {};
  } catch {
    return {};
  }
}

function isKept(v: unknown): v is Kept {
  const k = v as Kept;
  return (
    typeof k === 'object' &&
    k !== null &&
    typeof k.key === 'string' &&
    typeof k.id === 'string' &&
    typeof k.order === 'number' &&
    typeof k.time === 'number' &&
    typeof k.text === 'string' &&
    CONTEXT_KINDS.has(k.kind)
  );
}

const count = (n: unknown): number => (typeof n === 'number' && n >= 0 ? Math.floor(n) : 0);

/** Puts back what the window showed before the reload (call once its window is built). */
export function restoreView(win: ChatWindow): void {
  const saved = readUnread()[win.key];
  if (saved) {
    win.unread.value += count(saved.unread);
    win.mentions.value += count(saved.mentions);
    win.highlight.value ||= saved.highlight === true;
    if (typeof saved.divider === 'string' && win.divider.value === null)
      win.divider.value = saved.divider;
  }
  const context = (stored.json<Record<string, unknown[]> | null>(CONTEXT_KEY, {}) ?? {})[win.key];
  if (!Array.isArray(context)) return;
  const lines: Line[] = context.filter(isKept).map((k) => ({
    key: k.key,
    order: k.order,
    id: k.id,
    time: new Date(k.time),
    kind: k.kind,
    nick: null,
    text: k.text,
    self: false,
    mention: false,
    verdict: null,
  }));
  const fresh = lines.filter((l) => !win.seen.has(l.key));
  for (const l of fresh) win.seen.add(l.key);
  if (fresh.length === 0) return;
  win.lines.value = [...win.lines.value, ...fresh].sort((a, b) => a.order - b.order);
}

let timer: ReturnType<typeof setTimeout> | null = null;

function saveContext(): void {
  timer = null;
  const all: Record<string, Kept[]> = {};
  for (const win of windows.value) {
    const kept: Kept[] = [];
    for (const l of win.lines.value) {
      if (l.id === null || !CONTEXT_KINDS.has(l.kind)) continue;
      kept.push({
        key: l.key,
        order: l.order,
        id: l.id,
        time: l.time.getTime(),
        kind: l.kind,
        text: l.text,
      });
    }
    if (kept.length > 0) all[win.key] = kept.slice(-KEEP);
  }
  stored.setJson(CONTEXT_KEY, all);
}

/** Keeps the stored view up to date from now on; until `stop()` (signing out). */
export function keepView(): () => void {
  const stopUnread = effect(() => {
    const all: Record<string, Unread> = {};
    for (const win of windows.value) {
      const u: Unread = {
        unread: win.unread.value,
        mentions: win.mentions.value,
        highlight: win.highlight.value,
        divider: win.divider.value,
      };
      if (u.unread > 0 || u.divider !== null) all[win.key] = u;
    }
    try {
      sessionStorage.setItem(UNREAD_KEY, JSON.stringify(all));
    } catch {
      // no storage: unread counts last for the page's life
    }
  });
  // The lines change with every batch: their context is written a moment later, at most once.
  const stopContext = effect(() => {
    for (const win of windows.value) void win.lines.value;
    timer ??= setTimeout(saveContext, 300);
  });
  const flush = () => {
    if (timer !== null) {
      clearTimeout(timer);
      saveContext();
    }
  };
  addEventListener('pagehide', flush);
  return () => {
    stopUnread();
    stopContext();
    removeEventListener('pagehide', flush);
    if (timer !== null) clearTimeout(timer);
    timer = null;
  };
}

/** Forgets the stored view (signing out). */
export function forgetView(): void {
  try {
    sessionStorage.removeItem(UNREAD_KEY);
  } catch {
    // nothing stored
  }
  stored.setJson(CONTEXT_KEY, {});
}
