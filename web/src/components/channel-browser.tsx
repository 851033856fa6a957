// The channel browser that /list opens over the message pane: every channel the server listed,
// with its member count and topic, filterable by name or topic; pressing a channel joins it
// (as /join would). Escape or "Close" puts it away; the LIST lines stay in the log as well.
import { useSignal } from '@preact/signals';
import { useLayoutEffect, useRef } from 'preact/hooks';
import { runInput } from '../commands/slash.js';
import { closeListing, listing } from '../state/listing.js';
import { findWindow } from '../state/windows.js';

export function ChannelBrowser() {
  const open = listing.value;
  const filter = useSignal('');
  const box = useRef<HTMLInputElement>(null);
  const isOpen = open !== null;
  // a layout effect: Escape works as soon as the browser is on the screen
  useLayoutEffect(() => {
    if (!isOpen) return;
    filter.value = '';
    box.current?.focus();
    // Escape closes it from anywhere on the page (a search field would only clear itself)
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape') closeListing();
    };
    addEventListener('keydown', onKey);
    return () => removeEventListener('keydown', onKey);
  }, [isOpen]);
  if (!open) return null;

  const wanted = filter.value.trim().toLowerCase();
  const shown = open.channels
    .filter((c) => !wanted || `${c.name} ${c.topic}`.toLowerCase().includes(wanted))
    .sort((a, b) => b.users - a.users || a.name.localeCompare(b.name));
  const join = (name: string) => {
    closeListing();
    void runInput(`/join ${name}`);
  };
  const status = !open.done
    ? 'Listing channels…'
    : open.channels.length === 0
      ? 'No channels to show.'
      : `${shown.length} of ${open.channels.length} channels${open.mask ? ` matching ${open.mask}` : ''}. Press a channel to join it.`;

  return (
    <section class="browser" aria-label="Channel list">
      <header>
        <h2>Channels</h2>
        <input
          ref={box}
          type="search"
          aria-label="Filter channels"
          placeholder="Filter by name or topic"
          value={filter.value}
          onInput={(e) => (filter.value = e.currentTarget.value)}
        />
        <button type="button" onClick={closeListing}>
          Close
        </button>
      </header>
      <p class="browser-status" role="status">
        {status}
      </p>
      <ul>
        {shown.map((c) => {
          const here = findWindow(c.name)?.joined.value === true;
          return (
            <li key={c.name}>
              <button
                type="button"
                class="channel"
                data-channel={c.name}
                title={here ? `You are in ${c.name}` : `Join ${c.name}`}
                onClick={() => join(c.name)}
              >
                <span class="cname">{c.name}</span>
                <span class="users">
                  {c.users} {c.users === 1 ? 'user' : 'users'}
                  {here ? ', joined' : ''}
                </span>
                <span class={c.topic ? 'ctopic' : 'ctopic none'}>{c.topic || 'No topic'}</span>
              </button>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
