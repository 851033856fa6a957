// Crash tooling for the fault tests (reliability/README.mdb): a way to land a kill -9 *inside* a write
// transaction (a plain kill -9 by PID and the wait for the exit are the harness's proc.kill(),
// test/helpers/chatd.ts). SIGSTOP freezes chatd at some instant; /proc/locks then shows whether it holds SQLite's WAL write lock (an fcntl lock on byte 120 of
// the -shm file, WAL_WRITE_LOCK), which it holds exactly from BEGIN IMMEDIATE to the end of
// COMMIT. Frozen with the lock held, SIGKILL interrupts that transaction for certain.
import fs from 'node:fs';
import type { Proc } from './server.js';

/** the state letter of /proc/PID/stat (R, S, D, T, Z…), or null when the process is gone */
export function procState(pid: number): string | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.charAt(stat.lastIndexOf(')') + 2);
  } catch {
    return null;
  }
}

/** SIGSTOP, then wait (briefly, spinning) until the kernel shows the process stopped. */
export function freeze(pid: number, timeoutMs = 500): boolean {
  process.kill(pid, 'SIGSTOP');
  const until = performance.now() + timeoutMs;
  while (performance.now() < until) {
    const s = procState(pid);
    if (s === 'T' || s === 't') return true;
    if (s === null || s === 'Z') return false;
  }
  return false;
}

export function thaw(pid: number): void {
  try {
    process.kill(pid, 'SIGCONT');
  } catch {
    // gone
  }
}

/** inode of the database's -shm file (where SQLite keeps its WAL locks) */
export function shmInode(dbFile: string): number {
  return fs.statSync(`${dbFile}-shm`).ino;
}

/** true when `pid` holds WAL_WRITE_LOCK (byte 120 of the -shm file): a write transaction is open */
export function holdsWalWriteLock(pid: number, inode: number): boolean {
  for (const line of fs.readFileSync('/proc/locks', 'utf8').split('\n')) {
    // "3: POSIX  ADVISORY  WRITE 1561 fe:00:2149521 120 120" ("->" lines are blocked waiters)
    const f = line.trim().split(/\s+/);
    if (f[1] !== 'POSIX' || f[3] !== 'WRITE' || Number(f[4]) !== pid) continue;
    if (f[5]?.split(':')[2] === String(inode) && f[6] === '120') return true;
  }
  return false;
}

export interface InsideKill {
  /** true when the process was killed while it held the write lock */
  killed: boolean;
  /** freeze-and-look probes made */
  probes: number;
}

/**
 * Probes chatd (freeze, look at its locks, thaw) at short random intervals while `pending()`
 * holds, and SIGKILLs it the first time it is frozen holding the write lock. Gives up without
 * killing when `pending()` turns false (the request finished first) or after `maxMs`.
 *
 * The probes come in bursts of a few milliseconds without yielding (chatd runs on the other core
 * meanwhile), so a transaction lasting a fraction of a millisecond can still be caught; between
 * bursts one event-loop turn lets our own request be written and its answer read.
 */
export async function killInsideWrite(
  proc: Proc,
  inode: number,
  pending: () => boolean,
  maxMs = 5_000,
): Promise<InsideKill> {
  const until = Date.now() + maxMs;
  let probes = 0;
  while (pending() && Date.now() < until && probes < 1_000_000) {
    await new Promise<void>((resolve) => setImmediate(resolve));
    const burstEnd = performance.now() + 0.5 + Math.random() * 2.5;
    while (pending() && performance.now() < burstEnd) {
      if (!freeze(proc.pid)) {
        thaw(proc.pid);
        if (proc.exited() || procState(proc.pid) === null) return { killed: false, probes };
        continue;
      }
      probes++;
      let locked = false;
      try {
        locked = holdsWalWriteLock(proc.pid, inode);
      } finally {
        if (locked) process.kill(proc.pid, 'SIGKILL');
        else thaw(proc.pid);
      }
      if (locked) {
        if (!(await proc.waitExit()))
          throw new Error(`chatd ${proc.pid} still running after SIGKILL`);
        return { killed: true, probes };
      }
      // a random gap (spinning: a timer would yield far longer) varies where the next probe lands
      const gapEnd = performance.now() + Math.random() * 0.2;
      while (performance.now() < gapEnd) {
        // spin
      }
    }
  }
  return { killed: false, probes };
}
