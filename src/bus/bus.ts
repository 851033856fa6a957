// The bus only wakes readers (docs/DEVELOPING.md): a note says which channels, sessions and clients got new
// rows, or which clients were revoked. Losing a note costs latency, never data: a woken reader
// re-reads the store by cursor.

export interface BusNote {
  /** the highest seq written by the transaction this note follows (0 for revocations only) */
  seq: number;
  channels?: number[];
  sessions?: number[];
  clients?: number[];
  /** clients whose tokens stopped working: their held polls end with 401 */
  revoked?: number[];
}

export type BusListener = (note: BusNote) => void;

export interface Bus {
  publish(note: BusNote): Promise<void>;
  /** returns an unsubscribe function */
  subscribe(listener: BusListener): () => void;
  close(): Promise<void>;
}
