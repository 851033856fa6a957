// The window list: server, channels, queries, with unread counts and a highlight for mentions.
import { activeKey, windows, type ChatWindow } from '../state/model.js';
import { activate } from '../state/windows.js';

function WindowButton({ win, index }: { win: ChatWindow; index: number }) {
  const active = activeKey.value === win.key;
  const unread = win.unread.value;
  const classes = [
    'win',
    win.kind,
    active && 'active',
    unread > 0 && 'unread',
    win.highlight.value && 'highlight',
    !win.joined.value && 'parted',
  ];
  return (
    <li>
      <button
        type="button"
        class={classes.filter(Boolean).join(' ')}
        aria-current={active ? 'page' : undefined}
        title={index < 9 ? `Alt+${index + 1}` : undefined}
        onClick={() => activate(win)}
        data-window={win.name.value}
      >
        <span class="name">{win.kind === 'server' ? 'server' : win.name.value}</span>
        {unread > 0 && (
          <span class="badge" aria-label={`${unread} unread`}>
            {unread}
          </span>
        )}
      </button>
    </li>
  );
}

export function WindowList() {
  return (
    <nav class="windows" aria-label="Windows">
      <ul>
        {windows.value.map((win, i) => (
          <WindowButton key={win.key} win={win} index={i} />
        ))}
      </ul>
    </nav>
  );
}
