// The EROFS shim (erofs-shim.c) for the read-only database test (reliability/README.md B6): compiled here
// with the system C compiler, loaded into chatd with LD_PRELOAD, switched on and off by creating
// and removing a flag file. Why it exists: Linux refuses `mount -o remount,ro` (EBUSY) while a
// process holds a file of that filesystem open for writing, which SQLite always does.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeTempDir } from './server.js';

const SOURCE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'erofs-shim.c');

export interface ErofsShim {
  /** environment for chatd: LD_PRELOAD and the shim's settings */
  env: Record<string, string>;
  /** writes to files under the watched folder fail with EROFS from now on (within ~5 ms) */
  on(): void;
  off(): void;
}

/**
 * Builds the shim for files under `watchDir`; answers null and the reason when no C compiler
 * works (.ci/run installs g++, which brings gcc).
 */
export function buildErofsShim(watchDir: string): { shim: ErofsShim | null; error?: string } {
  const work = makeTempDir('chat-erofs-');
  const lib = path.join(work, 'erofs-shim.so');
  const flag = path.join(work, 'read-only.flag');
  const errors: string[] = [];
  for (const cc of ['cc', 'gcc', 'clang']) {
    try {
      execFileSync(cc, ['-shared', '-fPIC', '-O2', '-o', lib, SOURCE, '-ldl'], {
        stdio: ['ignore', 'ignore', 'pipe'],
        timeout: 60_000,
      });
      break;
    } catch (err) {
      const e = err as { code?: string; stderr?: Buffer };
      errors.push(
        `${cc}: ${e.code === 'ENOENT' ? 'not installed' : String(e.stderr ?? err).trim()}`,
      );
    }
  }
  if (!fs.existsSync(lib)) return { shim: null, error: errors.join('; ') };
  // the shim compares readlink(/proc/self/fd/N) with this prefix: use the resolved path
  const real = fs.realpathSync(watchDir);
  return {
    shim: {
      env: { LD_PRELOAD: lib, CHAOS_EROFS_DIR: real, CHAOS_EROFS_FLAG: flag },
      on: () => fs.writeFileSync(flag, ''),
      off: () => fs.rmSync(flag, { force: true }),
    },
  };
}
