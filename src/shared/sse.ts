// Server-Sent Events framing (the WHATWG "event stream" format), both ends: the server writes
// events and comments with the two formatters, and clients that cannot use EventSource (it sends
// no Authorization header) read the stream with SseParser. Pure: no I/O, no timers.

export interface SseEvent {
  /** the `event:` field; '' when absent (an EventSource reports it as "message") */
  event: string;
  /** the `data:` lines joined with '\n' */
  data: string;
  /** the `id:` field of this event, or null when it had none */
  id: string | null;
}

/**
 * One event as text. `data` may hold line breaks (each line becomes its own `data:` line);
 * `id` and `event` may not, since a line break would end the field early.
 */
export function formatEvent(e: { data: string; id?: string | number; event?: string }): string {
  let out = '';
  if (e.event !== undefined) out += `event: ${oneLine(e.event, 'event')}\n`;
  if (e.id !== undefined) out += `id: ${oneLine(String(e.id), 'id')}\n`;
  for (const line of e.data.split(/\r\n|\r|\n/)) out += `data: ${line}\n`;
  return `${out}\n`;
}

/** A comment line (ignored by readers; a heartbeat that keeps proxies and clients sure). */
export function formatComment(text: string): string {
  return `: ${oneLine(text, 'comment')}\n\n`;
}

function oneLine(value: string, what: string): string {
  if (/[\r\n\0]/.test(value)) throw new Error(`an SSE ${what} cannot hold a line break or NUL`);
  return value;
}

/**
 * Incremental reader: push() the stream's text as it arrives (chunks split anywhere, also inside
 * a CRLF) and get the events completed so far. `comments` counts comment lines seen, so a client
 * can tell a live stream (heartbeats) from a silent one.
 */
export class SseParser {
  comments = 0;
  private buffer = '';
  /** a chunk ended in '\r': a '\n' starting the next one belongs to the same line break */
  private pendingCr = false;
  private data: string[] = [];
  private event = '';
  private id: string | null = null;
  /** as in the standard, an event is dispatched only when it had a `data:` line */
  private hasData = false;

  push(chunk: string): SseEvent[] {
    let text = chunk;
    if (this.pendingCr && text.startsWith('\n')) text = text.slice(1);
    this.pendingCr = false;
    this.buffer += text;
    const out: SseEvent[] = [];
    for (;;) {
      const m = /\r\n|\r|\n/.exec(this.buffer);
      if (!m) break;
      // a lone '\r' at the very end may be the first half of a CRLF: wait for more
      if (m[0] === '\r' && m.index === this.buffer.length - 1) {
        this.pendingCr = true;
        const line = this.buffer.slice(0, m.index);
        this.buffer = '';
        this.line(line, out);
        break;
      }
      const line = this.buffer.slice(0, m.index);
      this.buffer = this.buffer.slice(m.index + m[0].length);
      this.line(line, out);
    }
    return out;
  }

  private line(line: string, out: SseEvent[]): void {
    if (line === '') {
      if (this.hasData) out.push({ event: this.event, data: this.data.join('\n'), id: this.id });
      this.data = [];
      this.event = '';
      this.id = null;
      this.hasData = false;
      return;
    }
    if (line.startsWith(':')) {
      this.comments++;
      return;
    }
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    switch (field) {
      case 'data':
        this.data.push(value);
        this.hasData = true;
        return;
      case 'event':
        this.event = value;
        return;
      case 'id':
        if (!value.includes('\0')) this.id = value;
        return;
      default:
        return; // `retry` and unknown fields: nothing this client uses
    }
  }
}
