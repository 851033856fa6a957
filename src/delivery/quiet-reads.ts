// "Nothing new since that read": after a poll is answered, its client polls again at once with
// the cursor it was given, and most of those first reads find nothing. Every note is counted
// here, and each client's last complete read is remembered with the count it started at; a held
// poll whose cursor is that read's end, and for whose client, session and channels no note has
// come since, skips its first store read and waits for a note.
//
// A commit is seen by any read that starts after it, and its note is counted after it, so such a
// poll misses nothing that a note will not wake it for. But notes may come late (a slow bus) or
// never (docs/DEVELOPING.md: losing one costs latency, never data), so a remembered read is used once:
// the poll after it reads the store, and a lost note costs at most one hold period. A poll with
// timeout 0 always reads: its caller wants the queue as it is now, which only the store knows.
// The maps are bounded: on overflow everything is forgotten and older reads are not trusted.
import type { BusNote } from '../bus/bus.js';

/** what one complete read left: nothing for this client after `after` as of count `at` */
export interface QuietRead {
  after: number;
  at: number;
  channels: number[];
}

const DEFAULT_CAPACITY = 100_000;

export class QuietReads {
  private count = 0;
  /** reads remembered at a count below this were made before the maps were cleared */
  private floor = 0;
  private readonly client = new Map<number, number>();
  private readonly session = new Map<number, number>();
  private readonly channel = new Map<number, number>();
  private readonly reads = new Map<number, QuietRead>();

  constructor(private readonly capacity = DEFAULT_CAPACITY) {}

  /** the count a read starting now starts at */
  now(): number {
    return this.count;
  }

  /** counts a note: everything it names is no longer quiet */
  record(note: BusNote): void {
    const at = ++this.count;
    for (const id of note.clients ?? []) this.client.set(id, at);
    for (const id of note.revoked ?? []) this.client.set(id, at);
    for (const id of note.sessions ?? []) this.session.set(id, at);
    for (const id of note.channels ?? []) this.channel.set(id, at);
    if (this.client.size + this.session.size + this.channel.size > this.capacity) this.forget();
  }

  remember(clientId: number, read: QuietRead): void {
    if (read.at < this.floor) return;
    this.reads.set(clientId, read);
    if (this.reads.size > this.capacity) this.forget();
  }

  /**
   * The remembered read, used up, when a poll from `after` can trust it; else null (and whatever
   * was remembered for this client is dropped either way).
   */
  take(clientId: number, sessionId: number, after: number | null): QuietRead | null {
    const read = this.reads.get(clientId);
    if (read === undefined) return null;
    this.reads.delete(clientId);
    if (after === null || read.after !== after || read.at < this.floor) return null;
    const since = (map: Map<number, number>, id: number) => (map.get(id) ?? 0) > read.at;
    if (since(this.client, clientId) || since(this.session, sessionId)) return null;
    for (const id of read.channels) if (since(this.channel, id)) return null;
    return read;
  }

  private forget(): void {
    this.client.clear();
    this.session.clear();
    this.channel.clear();
    this.reads.clear();
    // the note counted last was cleared too: only reads that started after it can be trusted
    this.floor = this.count;
  }
}
