// The channel's nick list: ops, voiced, others, each by name. A nick opens a query with it.
// Away members are marked (and say so on hover, with their message); hovering a nick shows the
// real name when a JOIN, WHO or WHOIS told it.
import { prefixOf, sortedMembers } from '../state/members.js';
import type { ChatWindow, Member } from '../state/model.js';
import { activate, openWindow } from '../state/windows.js';
import { nickColour } from '../util/format.js';

function describe(m: Member): string {
  const name = m.realname && m.realname !== m.nick ? `${m.nick} (${m.realname})` : m.nick;
  const away = m.away ? ` — away${m.awayMessage ? `: ${m.awayMessage}` : ''}` : '';
  return `${name}${away}. Press to talk privately.`;
}

export function NickList({ win, onPick }: { win: ChatWindow; onPick: () => void }) {
  const members = sortedMembers(win);
  const away = members.filter((m) => m.away).length;
  return (
    <aside class="nicks" aria-label={`People in ${win.name.value}`}>
      <h2>
        {members.length} in {win.name.value}
        {away > 0 && `, ${away} away`}
      </h2>
      <ul>
        {members.map((m) => (
          <li key={m.nick}>
            <button
              type="button"
              class={`nick ${nickColour(m.nick)}${m.away ? ' away' : ''}`}
              title={describe(m)}
              data-nick={m.nick}
              onClick={() => {
                activate(openWindow(m.nick, 'query'));
                onPick();
              }}
            >
              <span class="prefix">{prefixOf(m)}</span>
              {m.nick}
              {m.away && <span class="away-mark"> (away)</span>}
            </button>
          </li>
        ))}
      </ul>
    </aside>
  );
}
