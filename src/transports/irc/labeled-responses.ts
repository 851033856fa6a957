// IRCv3 labeled-response (with batch): a client tags a command with `label`, and everything the
// server answers to it carries that label — one line tagged, several lines in a
// `BATCH +ref labeled-response`, nothing at all as `ACK`. Our answers are rows of the client's
// queue (the command's replies, and its own message echoed back with echo-message), delivered
// after the command; so the connection tells this class which queue ids answer which label, and
// wraps the lines it renders for them.
import type { OutgoingMessage } from './line-codec.js';

/** A label is at most 64 bytes (labeled-response); longer ones are ignored. */
export const LABEL_MAX_BYTES = 64;
/** queue ids waiting for their label at most (a connection runs one command at a time) */
const MAX_WAITING = 10_000;

interface Group {
  label: string;
  ref: string;
  /** queue ids still to come */
  remaining: Set<number>;
  total: number;
  opened: boolean;
}

export class LabeledResponses {
  private readonly bySeq = new Map<number, Group>();
  private refs = 0;

  constructor(private readonly server: string) {}

  /**
   * The queue ids that answer `label`. Nothing to wait for: the `ACK` line to send now.
   * A queue id already claimed by another label stays with it.
   */
  expect(label: string, seqs: readonly number[]): OutgoingMessage | null {
    // ids that never arrive (pruned in between) would pile up: a bound, not a leak
    if (this.bySeq.size > MAX_WAITING) this.bySeq.clear();
    const own = [...new Set(seqs)].filter((s) => !this.bySeq.has(s));
    if (own.length === 0) return this.ack(label);
    const group: Group = {
      label,
      ref: `L${++this.refs}`,
      remaining: new Set(own),
      total: own.length,
      opened: false,
    };
    for (const seq of own) this.bySeq.set(seq, group);
    return null;
  }

  /** The lines to send for the entry `seq`, rendered as `lines`, labelled where they answer. */
  wrap(seq: number, lines: OutgoingMessage[]): OutgoingMessage[] {
    const g = this.bySeq.get(seq);
    if (!g) return lines;
    this.bySeq.delete(seq);
    g.remaining.delete(seq);
    if (g.total === 1 && !g.opened) {
      if (lines.length === 0) return [this.ack(g.label)];
      if (lines.length === 1) return [tagged(lines[0]!, 'label', g.label)];
    }
    const out: OutgoingMessage[] = [];
    if (!g.opened) {
      g.opened = true;
      out.push(
        tagged(
          { source: this.server, command: 'BATCH', params: [`+${g.ref}`, 'labeled-response'] },
          'label',
          g.label,
        ),
      );
    }
    for (const line of lines) out.push(tagged(line, 'batch', g.ref));
    if (g.remaining.size === 0) {
      out.push({ source: this.server, command: 'BATCH', params: [`-${g.ref}`] });
    }
    return out;
  }

  /** Labels waiting for their lines (bounded by the connection's own commands in flight). */
  get waiting(): number {
    return this.bySeq.size;
  }

  private ack(label: string): OutgoingMessage {
    return tagged({ source: this.server, command: 'ACK', params: [] }, 'label', label);
  }
}

/** `line` with one more tag (server tags such as `time` stay). */
export function tagged(line: OutgoingMessage, key: string, value: string): OutgoingMessage {
  const tags = new Map(line.tags ?? []);
  tags.set(key, value);
  return { ...line, tags };
}
