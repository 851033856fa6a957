// The channel browser's data: the LIST replies (321 start, 322 one channel each, 323 end) that
// answer a /list typed on this page. Replies to another tab's /list (the tabs share one queue)
// only print their lines, as before; they do not open a browser here.
import { signal } from '@preact/signals';
import type { Envelope } from '../../../src/model/api.js';

export interface ListedChannel {
  name: string;
  users: number;
  topic: string;
}

export interface Listing {
  /** the mask typed after /list, if any */
  mask: string;
  channels: ListedChannel[];
  /** the 323 (end of list) has arrived */
  done: boolean;
}

/** The open channel browser, or null. */
export const listing = signal<Listing | null>(null);

/** /list was typed here: open the browser, empty until the replies come. */
export function startListing(mask: string): void {
  listing.value = { mask, channels: [], done: false };
}

export const closeListing = (): void => void (listing.value = null);

/** Feeds a 321, 322 or 323 to an open browser that still waits for its replies. */
export function noteListReply(env: Envelope): void {
  const open = listing.value;
  if (!open || open.done) return;
  if (env.command === '322') {
    const [name = '', users = '0'] = env.params;
    if (!name) return;
    const topic = Array.isArray(env.body)
      ? (env.body.find((b) => typeof b === 'string') ?? '')
      : '';
    const entry = { name, users: Number(users) || 0, topic };
    listing.value = { ...open, channels: [...open.channels, entry] };
  } else if (env.command === '323') {
    listing.value = { ...open, done: true };
  }
}
