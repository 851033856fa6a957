// The channel's nick list: ops, voiced, others, each by name. A nick opens a query with it.
import { prefixOf, sortedMembers } from '../state/members.js';
import type { ChatWindow } from '../state/model.js';
import { activate, openWindow } from '../state/windows.js';
import { nickColour } from '../util/format.js';

export function NickList({ win, onPick }: { win: ChatWindow; onPick: () => void }) {
  const members = sortedMembers(win);
  return (
    <aside class="nicks" aria-label={`People in ${win.name.value}`}>
      <h2>
        {members.length} in {win.name.value}
      </h2>
      <ul>
        {members.map((m) => (
          <li key={m.nick}>
            <button
              type="button"
              class={`nick ${nickColour(m.nick)}${m.away ? ' away' : ''}`}
              title={`Talk privately with ${m.nick}`}
              onClick={() => {
                activate(openWindow(m.nick, 'query'));
                onPick();
              }}
            >
              <span class="prefix">{prefixOf(m)}</span>
              {m.nick}
            </button>
          </li>
        ))}
      </ul>
    </aside>
  );
}
