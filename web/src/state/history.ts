// Scrollback from GET /api/v1/history: the newest page when a window opens, then older pages
// (`before` = the oldest seq shown) when the user scrolls to the top.
import { ApiError, type ChatClient } from '../../../src/shared/client.js';
import { messageLines } from './apply.js';
import type { ChatWindow } from './model.js';
import { addLines, note } from './windows.js';

const PAGE = 50;

/**
 * The oldest message seq this window shows, or null when it shows none. Only messages count: the
 * events kept over a reload (view-state.ts) are older than the history page may reach.
 */
function oldestSeq(win: ChatWindow): number | null {
  for (const l of win.lines.value) {
    const message = l.kind === 'message' || l.kind === 'action' || l.kind === 'notice';
    if (message && l.id !== null && Number.isInteger(l.order)) return l.order;
  }
  return null;
}

/** Loads one page older than what the window shows (or the newest page). */
export async function loadOlder(client: ChatClient, win: ChatWindow): Promise<void> {
  if (win.kind === 'server' || win.loadingHistory.value || !win.hasMore.value) return;
  win.loadingHistory.value = true;
  try {
    const page = await client.history({
      target: win.name.value,
      before: oldestSeq(win),
      limit: PAGE,
    });
    addLines(win, page.messages.flatMap(messageLines), { countUnread: false });
    win.hasMore.value = page.has_more;
  } catch (err) {
    win.hasMore.value = false;
    // 403/404: not (or no longer) a member, or the nick is gone: nothing to show, not an error.
    if (!(err instanceof ApiError && (err.status === 403 || err.status === 404))) {
      note(
        win,
        `Could not load history: ${err instanceof Error ? err.message : String(err)}`,
        'error',
      );
    }
  } finally {
    win.loadingHistory.value = false;
  }
}
