// Preloaded into every test process by scripts/run-tests.mjs (node --import): a default timeout for
// each test and each hook, so a test that hangs fails instead of holding up the run. Node 22's
// --test-timeout does this per test; Node 20's applies to a whole file only (the runner passes it
// too, as a backstop for a file whose process does not end). A test or hook that sets its own
// timeout keeps it; a suite (describe) gets none: its tests have theirs.
// TEST_TIMEOUT_MS (set by the runner; 0 = none) is the default.
import { createRequire, syncBuiltinESMExports } from 'node:module';

const require = createRequire(import.meta.url);
const nodeTest = require('node:test');
const ms = Number(process.env.TEST_TIMEOUT_MS ?? '0');

const isOptions = (a) => a !== null && typeof a === 'object';

/** test([name][, options][, fn]) with `timeout: ms` in its options unless they have one */
function withTimeout(args) {
  const at = isOptions(args[0]) ? 0 : isOptions(args[1]) ? 1 : -1;
  if (at >= 0) {
    if (args[at].timeout !== undefined) return args;
    const out = [...args];
    out[at] = { ...args[at], timeout: ms };
    return out;
  }
  if (typeof args[0] === 'function') return [{ timeout: ms }, ...args];
  return [args[0], { timeout: ms }, ...args.slice(1)];
}

/** hook(fn[, options]) with `timeout: ms` unless given */
function hookWithTimeout(args) {
  if (isOptions(args[1]) && args[1].timeout !== undefined) return args;
  return [args[0], { ...(isOptions(args[1]) ? args[1] : {}), timeout: ms }];
}

function wrap(original, adjust) {
  const wrapped = function (...args) {
    return original.apply(this, adjust(args));
  };
  for (const key of Object.keys(original)) wrapped[key] = original[key];
  Object.defineProperty(wrapped, 'name', { value: original.name });
  return wrapped;
}

if (Number.isFinite(ms) && ms > 0) {
  for (const name of ['test', 'it']) nodeTest[name] = wrap(nodeTest[name], withTimeout);
  for (const name of ['before', 'after', 'beforeEach', 'afterEach']) {
    nodeTest[name] = wrap(nodeTest[name], hookWithTimeout);
  }
  syncBuiltinESMExports();
}
