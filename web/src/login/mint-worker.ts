// A dedicated worker that mints a hashcash stamp (docs/hashcash.md) off the page's main thread, reporting
// how many hashes it has tried so the page can show progress. SHA-256 is the pure-JS one of
// src/shared (incremental, synchronous), which works on any origin, https or not.
import { mintStamp } from '../../../src/shared/hashcash.js';

export interface MintRequest {
  bits: number;
  resource: string;
}

export type MintReply =
  | { type: 'progress'; tries: number }
  | { type: 'stamp'; stamp: string }
  | { type: 'error'; message: string };

interface WorkerScope {
  onmessage: ((event: MessageEvent<MintRequest>) => void) | null;
  postMessage(message: MintReply): void;
}
const scope = globalThis as unknown as WorkerScope;

scope.onmessage = (event) => {
  const { bits, resource } = event.data;
  mintStamp({
    bits,
    resource,
    sliceMs: 100,
    onProgress: (tries) => scope.postMessage({ type: 'progress', tries }),
  }).then(
    (stamp) => scope.postMessage({ type: 'stamp', stamp }),
    (err: unknown) => scope.postMessage({ type: 'error', message: String(err) }),
  );
};
