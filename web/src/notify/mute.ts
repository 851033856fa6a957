// Windows whose desktop notifications are muted (by folded window key), kept in localStorage so
// the choice holds for every tab and after a reload. Unread counts still show for them.
import { signal } from '@preact/signals';
import { stored } from '../state/persist.js';

export const mutedKeys = signal<ReadonlySet<string>>(
  new Set(stored.json<unknown[]>('muted', []).filter((k): k is string => typeof k === 'string')),
);

export function setMuted(key: string, muted: boolean): void {
  const next = new Set(mutedKeys.value);
  if (muted) next.add(key);
  else next.delete(key);
  mutedKeys.value = next;
  stored.setJson('muted', [...next]);
}

export const isMuted = (key: string): boolean => mutedKeys.value.has(key);
