// Every reliability test, in the order the runner runs them (reliability/README.md ids).
import type { ReliabilityTest } from '../lib/types.js';
import { a1 } from './a1-steady-load.js';
import { a2 } from './a2-many-polls.js';
import { a3 } from './a3-step-up.js';
import { a4 } from './a4-idle-polls.js';
import { a5 } from './a5-churn.js';
import { b1 } from './b1-kill-9.js';
import { b2 } from './b2-multi-row-crash.js';
import { b3 } from './b3-graceful-stop.js';
import { b4 } from './b4-ids-never-reused.js';
import { b5 } from './b5-disk-full.js';
import { b6 } from './b6-read-only.js';
import { b7 } from './b7-aborted-polls.js';
import { b12 } from './b12-slow-consumer.js';
import { b13 } from './b13-irc-kill-9.js';
import { c1 } from './c1-hostile-corpus.js';
import { c2 } from './c2-slow-attacks.js';
import { c3irc } from './c3-irc-hostile.js';
import { d1 } from './d1-parser.js';
import { d2 } from './d2-irc-round-trip.js';
import { d3 } from './d3-irc-line-safety.js';
import { d4 } from './d4-folding.js';
import { d5 } from './d5-api-fuzz.js';
import { d6 } from './d6-model.js';
import { e1 } from './e1-authz-matrix.js';
import { e2 } from './e2-tokens.js';
import { e3 } from './e3-revocation.js';
import { f1 } from './f1-message-flood.js';
import { f2 } from './f2-poll-pileup.js';
import { f3 } from './f3-session-flood.js';
import { f4 } from './f4-sprawl.js';
import { f5 } from './f5-oversized-pages.js';
import { f6 } from './f6-amplification.js';
import { f7 } from './f7-budget-bypass.js';
import { f8 } from './f8-impersonation.js';

export const TESTS: readonly ReliabilityTest[] = [
  a1,
  a2,
  a3,
  a4,
  a5,
  b1,
  b2,
  b3,
  b4,
  b5,
  b6,
  b7,
  b12,
  b13,
  c1,
  c2,
  c3irc,
  d1,
  d2,
  d3,
  d4,
  d5,
  d6,
  e1,
  e2,
  e3,
  f1,
  f2,
  f3,
  f4,
  f5,
  f6,
  f7,
  f8,
];
