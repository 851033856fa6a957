// The tab's end of the poll engine: the shared one in a SharedWorker when the browser has it,
// otherwise an engine of this tab's own (Chrome for Android has no SharedWorker; there each tab
// holds its own poll, which is fine for the one or two tabs a phone keeps). If the worker fails
// to start (its script cannot load), the tab also falls back to its own engine.
import { PollEngine } from './engine.js';
import type { FromEngine, ToEngine } from './protocol.js';

export interface EngineLink {
  post(message: ToEngine): void;
  /** 'shared' while the poll is shared with the browser's other tabs */
  readonly mode: 'shared' | 'local';
}

function localEngine(onMessage: (m: FromEngine) => void): PollEngine {
  return new PollEngine((m) => queueMicrotask(() => onMessage(m)));
}

export function connectEngine(workerUrl: string, onMessage: (m: FromEngine) => void): EngineLink {
  let worker: SharedWorker | null = null;
  if (typeof SharedWorker === 'function' && workerUrl) {
    try {
      worker = new SharedWorker(workerUrl, { name: 'chatd-poll' });
    } catch {
      worker = null; // blocked (e.g. by a privacy setting)
    }
  }
  if (!worker) {
    const engine = localEngine(onMessage);
    return { post: (m) => engine.handle(m), mode: 'local' };
  }
  let fallback: PollEngine | null = null;
  // The last hello/ask, replayed to a fallback engine so it picks up where the tab is.
  let greeting: ToEngine | null = null;
  const shared = worker;
  shared.port.onmessage = (e: MessageEvent<FromEngine>) => onMessage(e.data);
  shared.port.start();
  shared.onerror = (event) => {
    event.preventDefault();
    if (fallback) return;
    console.warn('poll worker failed to start; this tab polls on its own');
    fallback = localEngine(onMessage);
    if (greeting) fallback.handle(greeting);
  };
  const link = {
    mode: 'shared' as 'shared' | 'local',
    post(m: ToEngine) {
      if (m.type === 'hello' || m.type === 'ask') greeting = m;
      if (m.type === 'logout') greeting = null;
      if (fallback) {
        link.mode = 'local';
        fallback.handle(m);
      } else {
        shared.port.postMessage(m);
      }
    },
  };
  addEventListener('pagehide', () => shared.port.postMessage({ type: 'bye' } satisfies ToEngine));
  return link;
}
