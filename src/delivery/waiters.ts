// Which held polls wait on what: indexed by client, session and channel, so a bus note wakes only
// the polls it concerns (docs/envelope-and-delivery.md "Waking").

export interface Waiter {
  clientId: number;
  sessionId: number;
  /** something may have arrived: re-read the store */
  wake(): void;
  /** the token was revoked */
  revoke(): void;
  /** the server is shutting down: answer now */
  finish(): void;
}

export class WaiterIndex {
  private readonly byClient = new Map<number, Set<Waiter>>();
  private readonly bySession = new Map<number, Set<Waiter>>();
  private readonly byChannel = new Map<number, Set<Waiter>>();
  /** each waiter's channels once placed; absent = not placed yet, woken by every note */
  private readonly channelsOf = new Map<Waiter, readonly number[]>();
  private readonly unplaced = new Set<Waiter>();
  private count = 0;

  get size(): number {
    return this.count;
  }

  heldBy(clientId: number): number {
    return this.byClient.get(clientId)?.size ?? 0;
  }

  /** registers a waiter whose channels are not known yet: every note wakes it until place() */
  add(w: Waiter): void {
    this.count++;
    put(this.byClient, w.clientId, w);
    put(this.bySession, w.sessionId, w);
    this.unplaced.add(w);
  }

  /** from now on only notes for its client, its session or these channels wake the waiter */
  place(w: Waiter, channels: readonly number[]): void {
    if (!this.byClient.get(w.clientId)?.has(w)) return;
    const old = this.channelsOf.get(w);
    if (old !== undefined && sameIds(old, channels)) return;
    for (const c of old ?? []) drop(this.byChannel, c, w);
    for (const c of channels) put(this.byChannel, c, w);
    this.channelsOf.set(w, channels);
    this.unplaced.delete(w);
  }

  remove(w: Waiter): void {
    if (!this.byClient.get(w.clientId)?.has(w)) return;
    this.count--;
    drop(this.byClient, w.clientId, w);
    drop(this.bySession, w.sessionId, w);
    for (const c of this.channelsOf.get(w) ?? []) drop(this.byChannel, c, w);
    this.channelsOf.delete(w);
    this.unplaced.delete(w);
  }

  /** the waiters that any note must wake (their channels are still being read) */
  forUnplaced(fn: (w: Waiter) => void): void {
    for (const w of [...this.unplaced]) fn(w);
  }

  forClients(ids: readonly number[] | undefined, fn: (w: Waiter) => void): void {
    for (const id of ids ?? []) for (const w of [...(this.byClient.get(id) ?? [])]) fn(w);
  }

  forSessions(ids: readonly number[] | undefined, fn: (w: Waiter) => void): void {
    for (const id of ids ?? []) for (const w of [...(this.bySession.get(id) ?? [])]) fn(w);
  }

  forChannels(ids: readonly number[] | undefined, fn: (w: Waiter) => void): void {
    for (const id of ids ?? []) for (const w of [...(this.byChannel.get(id) ?? [])]) fn(w);
  }

  all(): Waiter[] {
    return [...this.byClient.values()].flatMap((s) => [...s]);
  }
}

function sameIds(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((id, i) => id === b[i]);
}

function put(map: Map<number, Set<Waiter>>, key: number, w: Waiter): void {
  let set = map.get(key);
  if (!set) map.set(key, (set = new Set()));
  set.add(w);
}

function drop(map: Map<number, Set<Waiter>>, key: number, w: Waiter): void {
  const set = map.get(key);
  if (!set) return;
  set.delete(w);
  if (set.size === 0) map.delete(key);
}
