// Which held polls wait on what: indexed by client, session and channel, so a bus note wakes only
// the polls it concerns (DESIGN §6 "Waking").

export interface Waiter {
  clientId: number;
  sessionId: number;
  channels: number[];
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
  private count = 0;

  get size(): number {
    return this.count;
  }

  heldBy(clientId: number): number {
    return this.byClient.get(clientId)?.size ?? 0;
  }

  add(w: Waiter): void {
    this.count++;
    put(this.byClient, w.clientId, w);
    put(this.bySession, w.sessionId, w);
    for (const c of w.channels) put(this.byChannel, c, w);
  }

  remove(w: Waiter): void {
    if (!this.byClient.get(w.clientId)?.has(w)) return;
    this.count--;
    drop(this.byClient, w.clientId, w);
    drop(this.bySession, w.sessionId, w);
    for (const c of w.channels) drop(this.byChannel, c, w);
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
