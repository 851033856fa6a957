// Terminal input → keys, for the terminal UI's line editor (pure). ink hands its input listeners
// one string per escape sequence and one per run of plain bytes, so a run can hold several keys
// (fast typing, a burst of Backspace, Enter typed before the last line was drawn): this splits it
// into every key in order. It also collects a bracketed paste (ESC[200~ … ESC[201~, which the UI
// turns on) into one paste. Without those brackets (a terminal that does not send them) a run of
// two line breaks or more with text after the first counts as a paste: one line break followed by
// text is more likely Enter typed ahead while chat-cli was busy, and stays keys.

/** Keys that carry nothing but their name. */
export type Named =
  | 'enter'
  | 'backspace'
  | 'delete'
  | 'left'
  | 'right'
  | 'home'
  | 'end'
  | 'up'
  | 'down'
  | 'word-left'
  | 'word-right'
  | 'kill-before'
  | 'kill-after'
  | 'kill-word-before'
  | 'kill-word-after'
  | 'yank'
  | 'tab'
  | 'shift-tab'
  | 'page-up'
  | 'page-down'
  | 'prev-buffer'
  | 'next-buffer'
  | 'escape'
  | 'interrupt';

export type Key =
  | { type: 'text'; text: string }
  | { type: 'paste'; text: string }
  | { type: 'alt-digit'; digit: number }
  | { type: Named };

const PASTE_START = '\x1b[200~';
const PASTE_END = '\x1b[201~';

/** Control bytes of a plain run (Ctrl+letter and friends). */
const CONTROL: Record<string, Named> = {
  '\r': 'enter',
  '\n': 'enter',
  '\x7f': 'backspace',
  '\x08': 'backspace',
  '\t': 'tab',
  '\x01': 'home', // Ctrl+A
  '\x05': 'end', // Ctrl+E
  '\x02': 'left', // Ctrl+B
  '\x06': 'right', // Ctrl+F
  '\x04': 'delete', // Ctrl+D
  '\x15': 'kill-before', // Ctrl+U
  '\x0b': 'kill-after', // Ctrl+K
  '\x17': 'kill-word-before', // Ctrl+W
  '\x19': 'yank', // Ctrl+Y
  '\x10': 'up', // Ctrl+P
  '\x0e': 'down', // Ctrl+N
  '\x03': 'interrupt', // Ctrl+C inside a run (ink handles it alone)
};

/** Escape sequences: xterm, VT220 and rxvt forms of the same keys. */
const SEQUENCES: Record<string, Named> = {
  '\x1b[A': 'up',
  '\x1bOA': 'up',
  '\x1b[B': 'down',
  '\x1bOB': 'down',
  '\x1b[C': 'right',
  '\x1bOC': 'right',
  '\x1b[D': 'left',
  '\x1bOD': 'left',
  '\x1b[H': 'home',
  '\x1bOH': 'home',
  '\x1b[1~': 'home',
  '\x1b[7~': 'home',
  '\x1b[F': 'end',
  '\x1bOF': 'end',
  '\x1b[4~': 'end',
  '\x1b[8~': 'end',
  '\x1b[3~': 'delete',
  '\x1b[5~': 'page-up',
  '\x1b[6~': 'page-down',
  '\x1b[Z': 'shift-tab',
  // Ctrl+←/→ move by word (as in readline's xterm bindings)
  '\x1b[1;5D': 'word-left',
  '\x1b[1;5C': 'word-right',
  '\x1bOd': 'word-left',
  '\x1bOc': 'word-right',
  // Alt+←/→ switch buffers (irssi's keys); some terminals send ESC before the arrow instead
  '\x1b[1;3D': 'prev-buffer',
  '\x1b[1;3C': 'next-buffer',
  '\x1b\x1b[D': 'prev-buffer',
  '\x1b\x1b[C': 'next-buffer',
  '\x1bb': 'word-left', // Alt+B
  '\x1bf': 'word-right', // Alt+F
  '\x1bd': 'kill-word-after', // Alt+D
  '\x1b\x7f': 'kill-word-before', // Alt+Backspace
  '\x1b\x08': 'kill-word-before',
  '\x1b': 'escape',
};

/** Lines arriving together without paste brackets: ≥ 2 line breaks (CRLF is one), text after one. */
function looksPasted(run: string): boolean {
  const breaks = run.match(/\r\n|\r|\n/g)?.length ?? 0;
  return breaks >= 2 && /[\r\n][^\r\n]/.test(run);
}

export class KeyDecoder {
  /** the text of a bracketed paste still being received, or null */
  private pasting: string[] | null = null;

  /** The keys of one input event (a run of plain bytes or one escape sequence). */
  feed(event: string): Key[] {
    if (this.pasting !== null) {
      const end = event.indexOf(PASTE_END);
      if (end === -1) {
        this.pasting.push(event);
        return [];
      }
      this.pasting.push(event.slice(0, end));
      const text = this.pasting.join('');
      this.pasting = null;
      return [{ type: 'paste', text }, ...this.feed(event.slice(end + PASTE_END.length))];
    }
    if (event === '') return [];
    if (event.startsWith(PASTE_START)) {
      this.pasting = [];
      return this.feed(event.slice(PASTE_START.length));
    }
    if (event.startsWith('\x1b')) return this.sequence(event);
    if (looksPasted(event)) return [{ type: 'paste', text: event }];
    return this.run(event);
  }

  private sequence(event: string): Key[] {
    const named = SEQUENCES[event];
    if (named) return [{ type: named }];
    if (event.length === 2 && event[1]! >= '0' && event[1]! <= '9')
      return [{ type: 'alt-digit', digit: Number(event[1]) }];
    // unknown keys (F-keys, Alt+other letters) do nothing rather than type their bytes
    return [];
  }

  private run(event: string): Key[] {
    const keys: Key[] = [];
    let text = '';
    const flush = () => {
      if (text !== '') keys.push({ type: 'text', text });
      text = '';
    };
    for (let i = 0; i < event.length; i++) {
      const ch = event[i]!;
      const named = CONTROL[ch];
      if (named) {
        flush();
        // CRLF is one Enter
        if (ch === '\r' && event[i + 1] === '\n') i++;
        keys.push({ type: named });
      } else if (/[\p{Cc}]/u.test(ch)) {
        // other control bytes are not text
        flush();
      } else {
        text += ch;
      }
    }
    flush();
    return keys;
  }
}

/** The lines of a paste: CRLF, CR or LF end a line; trailing empty lines are dropped. */
export function pasteLines(text: string): string[] {
  const lines = text.split(/\r\n|\r|\n/);
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}
