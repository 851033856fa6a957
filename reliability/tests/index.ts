// Every reliability test, in the order the runner runs them (QUALITY.md §4 ids).
import type { ReliabilityTest } from '../lib/types.js';
import { a1 } from './a1-steady-load.js';

export const TESTS: readonly ReliabilityTest[] = [a1];
