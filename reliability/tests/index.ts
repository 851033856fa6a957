// Every reliability test, in the order the runner runs them (QUALITY.md §4 ids).
import type { ReliabilityTest } from '../lib/types.js';
import { a1 } from './a1-steady-load.js';
import { a4 } from './a4-idle-polls.js';
import { a5 } from './a5-churn.js';
import { b1 } from './b1-kill-9.js';
import { b2 } from './b2-multi-row-crash.js';
import { b5 } from './b5-disk-full.js';
import { b6 } from './b6-read-only.js';
import { b12 } from './b12-slow-consumer.js';
import { c1 } from './c1-hostile-corpus.js';
import { c2 } from './c2-slow-attacks.js';
import { d6 } from './d6-model.js';
import { f5 } from './f5-oversized-pages.js';

export const TESTS: readonly ReliabilityTest[] = [a1, a4, a5, b1, b2, b5, b6, b12, c1, c2, d6, f5];
