// The window list: server, channels, queries in the order they were opened (Alt+1…9, Alt+0 pick
// them by place), with unread counts and a highlight for mentions. On a phone it is a strip that
// scrolls sideways; windows scrolled out of sight with unread lines are announced by an arrow at
// that edge ("‹ 3" / "2 ›", marked when one mentions you), which scrolls them into view.
import { useLayoutEffect, useRef, useState } from 'preact/hooks';
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
  const name = win.kind === 'server' ? 'server' : win.name.value;
  const key = index < 9 ? `Alt+${index + 1}` : index === 9 ? 'Alt+0' : null;
  return (
    <li>
      <button
        type="button"
        class={classes.filter(Boolean).join(' ')}
        aria-current={active ? 'page' : undefined}
        title={key ? `${name} (${key})` : name}
        onClick={() => activate(win)}
        data-window={win.name.value}
      >
        <span class="name">{name}</span>
        {unread > 0 && (
          <span class="badge" aria-label={`${unread} unread`}>
            {unread}
          </span>
        )}
      </button>
    </li>
  );
}

/** Unread windows out of sight on one side of the scrolling list. */
interface Hidden {
  count: number;
  mention: boolean;
  /** the nearest such window's index, scrolled to when the arrow is pressed */
  nearest: number;
}
type Side = Hidden | null;

function sameSide(a: Side, b: Side): boolean {
  return (
    a === b ||
    (!!a && !!b && a.count === b.count && a.mention === b.mention && a.nearest === b.nearest)
  );
}

/** Which unread windows lie before / after the visible part of the list. */
function measure(list: HTMLElement, wins: ChatWindow[]): [Side, Side] {
  const box = list.getBoundingClientRect();
  const sideways = list.scrollWidth > list.clientWidth + 1;
  let before = null as Side;
  let after = null as Side;
  const items = [...list.children];
  for (let i = 0; i < items.length; i++) {
    const win = wins[i];
    if (!win || win.unread.value === 0) continue;
    const r = items[i]!.getBoundingClientRect();
    const isBefore = sideways ? r.right <= box.left + 4 : r.bottom <= box.top + 4;
    const isAfter = sideways ? r.left >= box.right - 4 : r.top >= box.bottom - 4;
    const mention = win.highlight.value;
    if (isBefore) {
      // the nearest one before is the last seen
      before = {
        count: (before?.count ?? 0) + 1,
        mention: (before?.mention ?? false) || mention,
        nearest: i,
      };
    } else if (isAfter) {
      after = after
        ? { ...after, count: after.count + 1, mention: after.mention || mention }
        : { count: 1, mention, nearest: i };
    }
  }
  return [before, after];
}

function Arrow({
  side,
  hidden,
  onPress,
}: {
  side: 'before' | 'after';
  hidden: Hidden;
  onPress: () => void;
}) {
  const what = `${hidden.count} ${hidden.count === 1 ? 'window' : 'windows'} with unread messages${hidden.mention ? ', mentioning you' : ''}`;
  return (
    <button
      type="button"
      class={`offscreen ${side}${hidden.mention ? ' highlight' : ''}`}
      aria-label={`${what}, ${side === 'before' ? 'before' : 'after'} the visible ones`}
      title={what}
      onClick={onPress}
    >
      {side === 'before' ? `‹ ${hidden.count}` : `${hidden.count} ›`}
    </button>
  );
}

export function WindowList() {
  const list = useRef<HTMLUListElement>(null);
  const wins = windows.value;
  // read here so that a new unread count re-measures what is out of sight
  const marks = wins.map((w) => `${w.unread.value}${w.highlight.value ? '!' : ''}`).join(',');
  const [[before, after], setHidden] = useState<[Side, Side]>([null, null]);

  const update = () => {
    const el = list.current;
    if (!el) return;
    const next = measure(el, windows.value);
    setHidden((old) => (sameSide(old[0], next[0]) && sameSide(old[1], next[1]) ? old : next));
  };
  useLayoutEffect(update, [wins, marks]);
  // the active window is always in sight (Alt+N on a phone may pick one off the strip)
  const activeIndex = wins.findIndex((w) => w.key === activeKey.value);
  useLayoutEffect(() => {
    list.current?.children[activeIndex]?.scrollIntoView({ block: 'nearest', inline: 'nearest' });
  }, [activeIndex]);
  useLayoutEffect(() => {
    addEventListener('resize', update);
    return () => removeEventListener('resize', update);
  }, []);

  const reveal = (hidden: Hidden) => {
    const item = list.current?.children[hidden.nearest];
    item?.scrollIntoView({ block: 'nearest', inline: 'nearest' });
  };

  return (
    <nav class="windows" aria-label="Windows">
      <ul ref={list} onScroll={update}>
        {wins.map((win, i) => (
          <WindowButton key={win.key} win={win} index={i} />
        ))}
      </ul>
      {before && <Arrow side="before" hidden={before} onPress={() => reveal(before)} />}
      {after && <Arrow side="after" hidden={after} onPress={() => reveal(after)} />}
    </nav>
  );
}
