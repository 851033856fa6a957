// The SharedWorker every tab of this browser connects to: one PollEngine, so however many tabs are
// open the session holds one long-poll (chatd allows two per client), and each entry is fetched
// once and passed to every tab.
import { PollEngine } from './engine.js';
import type { FromEngine, ToEngine } from './protocol.js';

// The worker's global scope, typed here because the page's tsconfig uses the DOM library.
interface SharedWorkerScope {
  onconnect: ((event: MessageEvent) => void) | null;
  addEventListener(type: 'error', listener: (event: ErrorEvent) => void): void;
}
const scope = globalThis as unknown as SharedWorkerScope;

const ports = new Set<MessagePort>();
let lastStatus: FromEngine | null = null;

function broadcast(message: FromEngine): void {
  if (message.type === 'status') lastStatus = message;
  for (const port of ports) port.postMessage(message);
}

const engine = new PollEngine(broadcast);

scope.onconnect = (event: MessageEvent) => {
  const port = event.ports[0];
  if (!port) return;
  ports.add(port);
  port.onmessage = (e: MessageEvent<ToEngine>) => {
    if (e.data.type === 'bye') {
      ports.delete(port);
      port.close();
      return;
    }
    try {
      engine.handle(e.data);
    } catch (err) {
      broadcast({ type: 'problem', message: `poll worker: ${String(err)}` });
    }
  };
  port.start();
  if (lastStatus) port.postMessage(lastStatus);
};

scope.addEventListener('error', (event) => {
  broadcast({ type: 'problem', message: `poll worker: ${event.message}` });
});
