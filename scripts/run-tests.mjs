#!/usr/bin/env node
// Lists the test files (Node 20's --test takes no globs) and runs them with node:test via tsx.
// Usage: node scripts/run-tests.mjs [folder-or-file …]   (default: every *.test.ts(x) under test/)
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

function collect(target, out) {
  const stat = fs.statSync(target);
  if (stat.isFile()) {
    if (target.endsWith('.test.ts') || target.endsWith('.test.tsx')) out.push(target);
    return out;
  }
  for (const name of fs.readdirSync(target).sort()) collect(path.join(target, name), out);
  return out;
}

const targets = process.argv.slice(2);
const files = (targets.length ? targets : ['test']).flatMap((t) => collect(t, []));
if (files.length === 0) {
  console.error('run-tests: no test files found');
  process.exit(1);
}
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-reporter=spec', ...files],
  { stdio: 'inherit' },
);
process.exit(result.status ?? 1);
