// Page side of stamp minting: runs mint-worker.ts and reports progress; where workers cannot be
// started it mints on the page with the same shared code (in slices, so the page still repaints).
import { mintStamp } from '../../../src/shared/hashcash.js';
import type { MintReply, MintRequest } from './mint-worker.js';

export function mint(
  workerUrl: string,
  request: MintRequest,
  onProgress: (tries: number) => void,
): Promise<string> {
  let worker: Worker;
  try {
    worker = new Worker(workerUrl, { name: 'chatd-mint' });
  } catch {
    return mintStamp({ ...request, onProgress });
  }
  return new Promise((resolve, reject) => {
    worker.onmessage = (event: MessageEvent<MintReply>) => {
      const reply = event.data;
      if (reply.type === 'progress') return onProgress(reply.tries);
      worker.terminate();
      if (reply.type === 'stamp') resolve(reply.stamp);
      else reject(new Error(reply.message));
    };
    worker.onerror = (event) => {
      worker.terminate();
      event.preventDefault();
      // The worker script failed to load: mint here instead.
      mintStamp({ ...request, onProgress }).then(resolve, reject);
    };
    worker.postMessage(request);
  });
}
