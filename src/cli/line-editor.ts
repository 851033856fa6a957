// The input line of the terminal UI as a pure model: the text as grapheme clusters (so an emoji,
// a CJK character or a letter with combining marks is one step of the cursor and never split),
// the cursor, a kill buffer (Ctrl+U/K/W, Alt+D, yanked back with Ctrl+Y) and the horizontal
// window that keeps the cursor on screen when the line is wider than the pane. Every operation
// leaves the cursor valid; set() (history, completion) puts it at the end.

const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** The line split into grapheme clusters. */
export function clusters(text: string): string[] {
  return Array.from(segmenter.segment(text), (s) => s.segment);
}

// East Asian wide and fullwidth blocks plus the emoji planes: two terminal cells each.
const WIDE: [number, number][] = [
  [0x1100, 0x115f],
  [0x2e80, 0x303e],
  [0x3041, 0x33ff],
  [0x3400, 0x4dbf],
  [0x4e00, 0x9fff],
  [0xa000, 0xa4cf],
  [0xac00, 0xd7a3],
  [0xf900, 0xfaff],
  [0xfe30, 0xfe4f],
  [0xff00, 0xff60],
  [0xffe0, 0xffe6],
  [0x1f300, 0x1f64f],
  [0x1f900, 0x1f9ff],
  [0x20000, 0x3fffd],
];

/** Terminal cells a cluster takes: 2 for wide characters and emoji, else 1. */
export function cellWidth(cluster: string): number {
  for (const ch of cluster) {
    const cp = ch.codePointAt(0)!;
    if (WIDE.some(([lo, hi]) => cp >= lo && cp <= hi)) return 2;
    if (cp === 0xfe0f) return 2; // emoji presentation of a narrow symbol
  }
  return 1;
}

const isWordChar = (c: string) => /[\p{L}\p{N}_]/u.test(c);
const isSpace = (c: string) => /^\s$/u.test(c);

/** What the input field draws: the visible text before, at and after the cursor. */
export interface EditorView {
  before: string;
  /** the cluster under the cursor, '' at the end of the line (drawn as a space) */
  at: string;
  after: string;
}

export class LineEditor {
  private chars: string[] = [];
  private pos = 0;
  private killed = '';
  /** first cluster shown when the line is wider than the field */
  private offset = 0;

  get text(): string {
    return this.chars.join('');
  }

  /** The cursor as a cluster index (0 … length). */
  get cursor(): number {
    return this.pos;
  }

  get length(): number {
    return this.chars.length;
  }

  get beforeCursor(): string {
    return this.chars.slice(0, this.pos).join('');
  }

  get afterCursor(): string {
    return this.chars.slice(this.pos).join('');
  }

  /** Replaces the text before the cursor (a completion); the cursor ends after it. */
  setBeforeCursor(text: string): void {
    const before = clusters(text);
    this.chars = [...before, ...this.chars.slice(this.pos)];
    this.pos = before.length;
  }

  /** Replaces the line (history, completion); the cursor goes to the end. */
  set(text: string): void {
    this.chars = clusters(text);
    this.pos = this.chars.length;
  }

  clear(): void {
    this.set('');
    this.offset = 0;
  }

  /** Inserts at the cursor; the cursor ends after the text. */
  insert(text: string): void {
    if (text === '') return;
    // re-segment with the cluster before the cursor: a combining mark typed after a letter (or
    // a joiner after an emoji) joins it
    const from = Math.max(0, this.pos - 1);
    const joined = clusters(this.chars.slice(from, this.pos).join('') + text);
    this.chars.splice(from, this.pos - from, ...joined);
    this.pos = from + joined.length;
  }

  left(): void {
    this.pos = Math.max(0, this.pos - 1);
  }

  right(): void {
    this.pos = Math.min(this.chars.length, this.pos + 1);
  }

  home(): void {
    this.pos = 0;
  }

  end(): void {
    this.pos = this.chars.length;
  }

  backspace(): void {
    if (this.pos === 0) return;
    this.chars.splice(this.pos - 1, 1);
    this.pos--;
  }

  delete(): void {
    this.chars.splice(this.pos, 1);
  }

  /** Alt+B: to the start of this or the previous word. */
  wordLeft(): void {
    this.pos = this.wordStart(this.pos);
  }

  /** Alt+F: to the end of this or the next word. */
  wordRight(): void {
    this.pos = this.wordEnd(this.pos);
  }

  /** Ctrl+U: removes everything before the cursor. */
  killBefore(): void {
    this.kill(0, this.pos);
  }

  /** Ctrl+K: removes everything from the cursor on. */
  killAfter(): void {
    this.kill(this.pos, this.chars.length);
  }

  /** Ctrl+W: removes the whitespace-separated word before the cursor (as a shell does). */
  killWordBefore(): void {
    let i = this.pos;
    while (i > 0 && isSpace(this.chars[i - 1]!)) i--;
    while (i > 0 && !isSpace(this.chars[i - 1]!)) i--;
    this.kill(i, this.pos);
  }

  /** Alt+D: removes up to the end of the next word. */
  killWordAfter(): void {
    this.kill(this.pos, this.wordEnd(this.pos));
  }

  /** Ctrl+Y: inserts what was killed last. */
  yank(): void {
    this.insert(this.killed);
  }

  /**
   * The part of the line that fits `width` cells with the cursor in view. The window moves only
   * as far as needed, and slides back left when text after it was removed.
   */
  view(width: number): EditorView {
    const w = Math.max(1, width);
    const cw = (i: number) => cellWidth(this.chars[i]!);
    const len = this.chars.length;
    const atWidth = this.pos < len ? cw(this.pos) : 1;
    if (this.offset > this.pos) this.offset = this.pos;
    // running sums, so a long pasted line costs one pass per draw
    let used = atWidth;
    for (let i = this.offset; i < this.pos; i++) used += cw(i);
    while (this.offset < this.pos && used > w) used -= cw(this.offset++);
    // room at the right end (text was deleted): show more of what precedes
    let tail = 1;
    for (let i = this.offset; i < len; i++) tail += cw(i);
    while (this.offset > 0 && tail + cw(this.offset - 1) <= w) tail += cw(--this.offset);
    used = atWidth;
    for (let i = this.offset; i < this.pos; i++) used += cw(i);
    let end = this.pos + 1;
    while (end < len && used + cw(end) <= w) used += cw(end++);
    return {
      before: this.chars.slice(this.offset, this.pos).join(''),
      at: this.chars[this.pos] ?? '',
      after: this.chars.slice(this.pos + 1, end).join(''),
    };
  }

  private kill(from: number, to: number): void {
    if (to <= from) return;
    this.killed = this.chars.slice(from, to).join('');
    this.chars.splice(from, to - from);
    this.pos = from;
  }

  private wordStart(from: number): number {
    let i = from;
    while (i > 0 && !isWordChar(this.chars[i - 1]!)) i--;
    while (i > 0 && isWordChar(this.chars[i - 1]!)) i--;
    return i;
  }

  private wordEnd(from: number): number {
    let i = from;
    while (i < this.chars.length && !isWordChar(this.chars[i]!)) i++;
    while (i < this.chars.length && isWordChar(this.chars[i]!)) i++;
    return i;
  }
}
