// A small tmpfs for the storage fault tests (reliability/README.md B5, B6): the database lives on it, so the
// test can fill it (ENOSPC) without touching the machine's real disks. Mounting needs root (CI
// runs as root); when it fails the caller falls back as reliability/README.md says and records why.
//
// The mount point is NOT one of bench/lib/proc.ts's temp folders: its cleanup removes folders with
// rmSync, which fails on a mount point (EBUSY). Unmount with unmount() in a finally, after the
// chatd using it has stopped; a process exit unmounts lazily whatever is left.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface Tmpfs {
  dir: string;
  /** false when the mount failed: `dir` is then a plain (empty) folder on the usual disk */
  mounted: boolean;
  /** why the mount failed */
  error?: string;
  /** bytes still free for an unprivileged writer (statfs bavail) */
  freeBytes(): number;
  /** `mount -o remount,<mode>`; answers the error text when the kernel refused */
  remount(mode: 'ro' | 'rw'): string | null;
  /** writes a filler file until only `leaveBytes` are free (or the disk is full); answers its path */
  fill(leaveBytes: number): string;
  /** unmounts (lazily if busy) and removes the folder; safe to call twice */
  unmount(): void;
}

const mounted = new Set<string>();

process.once('exit', () => {
  // a test that died before its finally: detach the mount so the folder can go
  for (const dir of mounted) {
    try {
      execFileSync('umount', ['-l', dir], { stdio: 'ignore' });
      fs.rmdirSync(dir);
    } catch {
      // nothing more we can do at exit
    }
  }
});

function errText(err: unknown): string {
  const e = err as { stderr?: Buffer | string; message?: string };
  const stderr = e.stderr ? String(e.stderr).trim() : '';
  // mount(8) adds a line pointing at dmesg; the first line says what happened
  return (stderr || e.message || String(err)).split('\n')[0]!;
}

/**
 * Mounts a tmpfs of `sizeMiB` on a new folder. Set RELIABILITY_NO_MOUNT=1 to pretend the mount
 * failed (to exercise a test's fallback path).
 */
export function mountTmpfs(sizeMiB: number, prefix = 'chat-tmpfs-'): Tmpfs {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  let ok = false;
  let error: string | undefined;
  if (process.env.RELIABILITY_NO_MOUNT === '1') {
    error = 'RELIABILITY_NO_MOUNT=1';
  } else {
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeMiB}m,mode=0700`, 'tmpfs', dir], {
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      ok = true;
      mounted.add(dir);
    } catch (err) {
      error = errText(err);
    }
  }
  let gone = false;
  return {
    dir,
    mounted: ok,
    ...(error !== undefined ? { error } : {}),
    freeBytes() {
      const s = fs.statfsSync(dir);
      return s.bavail * s.bsize;
    },
    remount(mode) {
      if (!ok) return 'not mounted';
      try {
        execFileSync('mount', ['-o', `remount,${mode}`, dir], {
          stdio: ['ignore', 'ignore', 'pipe'],
        });
        return null;
      } catch (err) {
        return errText(err);
      }
    },
    fill(leaveBytes) {
      const file = path.join(dir, 'filler.bin');
      const chunk = Buffer.alloc(1 << 20, 0xa5);
      const fd = fs.openSync(file, 'a');
      try {
        // bounded: at most the free space in 1 MiB steps (tmpfs allocates on write, so the bytes
        // must really be written; a sparse file would take no space)
        for (let i = 0; i < 100_000; i++) {
          const free = this.freeBytes();
          const want = Math.min(chunk.length, free - leaveBytes);
          if (want <= 0) break;
          try {
            fs.writeSync(fd, chunk, 0, want);
          } catch (err) {
            if ((err as NodeJS.ErrnoException).code === 'ENOSPC') break;
            throw err;
          }
        }
      } finally {
        fs.closeSync(fd);
      }
      return file;
    },
    unmount() {
      if (gone) return;
      gone = true;
      if (ok) {
        try {
          execFileSync('umount', [dir], { stdio: 'ignore' });
        } catch {
          // still busy (a process we could not stop?): detach it now, the kernel frees it later
          execFileSync('umount', ['-l', dir], { stdio: 'ignore' });
        }
        mounted.delete(dir);
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
