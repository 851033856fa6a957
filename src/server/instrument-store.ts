// Times every store call for the `chatd_store_seconds{op}` histogram, without the store or the
// core knowing about metrics: a proxy around the Store (a transaction counts as one op).
import type { Store } from '../store/store.js';
import type { Metrics } from './metrics.js';

const UNTIMED = new Set(['kind', 'close', 'then']);

export function instrumentStore(store: Store, metrics: Metrics): Store {
  return new Proxy(store, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function' || typeof prop !== 'string' || UNTIMED.has(prop)) {
        return typeof value === 'function' ? (value as () => unknown).bind(target) : value;
      }
      const fn = value as (...args: unknown[]) => Promise<unknown>;
      return (...args: unknown[]) => metrics.timeStore(prop, () => fn.apply(target, args));
    },
  });
}
