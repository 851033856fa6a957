// The store's own failures, typed so the core and the transports can tell them apart with
// `instanceof`: a broken invariant (a conflict the core turns into an IRC refusal) and a store that
// cannot write at all (each transport answers "try again shortly").

/** A typed conflict the store raises when a UNIQUE invariant would break. */
export class StoreConflict extends Error {
  constructor(readonly what: 'nick' | 'channel' | 'txn' | 'stamp' | 'signature' | 'device') {
    super(`store conflict on ${what}`);
    this.name = 'StoreConflict';
  }
}

/** The store cannot write (disk full, read-only, database down). */
export class StoreUnavailable extends Error {
  constructor(cause: unknown) {
    super('store unavailable', { cause });
    this.name = 'StoreUnavailable';
  }
}
