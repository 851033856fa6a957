// Input line helpers for the terminal UI (pure): the history of sent lines, nick completion and
// the filter that keeps control characters out of the line being edited.
import { COMMAND_NAMES } from './commands.js';

/** Lines sent, newest last, walked with Up/Down; what was being typed is kept as the bottom. */
export class InputHistory {
  private readonly items: string[] = [];
  private index = 0;
  private draft = '';

  constructor(private readonly max = 200) {}

  push(line: string): void {
    if (line.trim() !== '' && this.items[this.items.length - 1] !== line) {
      this.items.push(line);
      if (this.items.length > this.max) this.items.shift();
    }
    this.index = this.items.length;
    this.draft = '';
  }

  /** Up: the previous line (or the current one when at the oldest). */
  up(current: string): string {
    if (this.index === this.items.length) this.draft = current;
    if (this.index > 0) this.index--;
    return this.items[this.index] ?? current;
  }

  /** Down: the next line, or back to the draft. */
  down(current: string): string {
    if (this.index >= this.items.length) return current;
    this.index++;
    return this.index === this.items.length ? this.draft : this.items[this.index]!;
  }
}

/**
 * Completes the last word of `line`: a `/command` at the start of the line, otherwise a nick of
 * `nicks` (first match in alphabetical order; `nick: ` at the start of a line, as IRC users
 * address someone). Returns null when nothing matches.
 */
export function complete(line: string, nicks: readonly string[]): string | null {
  const m = /(\S*)$/.exec(line);
  const word = m?.[1] ?? '';
  if (word === '') return null;
  const head = line.slice(0, line.length - word.length);
  if (head === '' && word.startsWith('/')) {
    const cmd = COMMAND_NAMES.find((c) => c.startsWith(word.slice(1).toLowerCase()));
    return cmd ? `/${cmd} ` : null;
  }
  const lower = word.toLowerCase();
  const match = [...nicks]
    .sort((a, b) => a.localeCompare(b))
    .find((n) => n.toLowerCase().startsWith(lower));
  if (!match) return null;
  return head === '' ? `${match}: ` : `${head}${match} `;
}

/**
 * The line being edited never holds control characters: a paste with ESC or a newline would
 * otherwise be drawn raw by the input field (or split a message). Tabs become spaces.
 */
export function cleanInput(value: string): string {
  // eslint-disable-next-line no-control-regex
  return value.replace(/\t/g, ' ').replace(/[\u0000-\u001f\u007f-\u009f]/g, '');
}
