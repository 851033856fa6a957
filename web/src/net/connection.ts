// The tab's end of the poll engine: the shared one in a SharedWorker when the browser has it,
// otherwise an engine of this tab's own (Chrome for Android has no SharedWorker; there each tab
// holds its own poll, which is fine for the one or two tabs a phone keeps).
import { PollEngine } from './engine.js';
import type { FromEngine, ToEngine } from './protocol.js';

export interface EngineLink {
  post(message: ToEngine): void;
  /** 'shared' when the poll is shared with the browser's other tabs */
  readonly mode: 'shared' | 'local';
}

export function connectEngine(workerUrl: string, onMessage: (m: FromEngine) => void): EngineLink {
  if (typeof SharedWorker === 'function' && workerUrl) {
    try {
      const worker = new SharedWorker(workerUrl, { name: 'chatd-poll' });
      worker.port.onmessage = (e: MessageEvent<FromEngine>) => onMessage(e.data);
      worker.port.start();
      const post = (m: ToEngine) => worker.port.postMessage(m);
      addEventListener('pagehide', () => post({ type: 'bye' }));
      return { post, mode: 'shared' };
    } catch {
      // blocked (e.g. by a privacy setting): fall through to a local engine
    }
  }
  const engine = new PollEngine((m) => queueMicrotask(() => onMessage(m)));
  return { post: (m) => engine.handle(m), mode: 'local' };
}
