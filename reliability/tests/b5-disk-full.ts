// B5 (CI): disk full. The database lives on an 8 MiB tmpfs; a filler file takes all but a few
// hundred KiB; four senders POST 3 KB messages as fast as the server answers until writes fail;
// while the disk is full the test keeps POSTing slowly and probes reads (history, state, a poll),
// the health check and a held long-poll; then it deletes the filler and measures how long until a
// POST is acknowledged again, without restarting chatd. Pass: failing POSTs get 503 (or 507) with
// Retry-After, never 500; no 200 without a stored row and no refused message stored; reads and
// long-polls answer 200 throughout; the process stays up; writes resume; integrity_check = ok.
//
// Fallback (reliability/README.md) when the tmpfs cannot be mounted (not root): RLIMIT_FSIZE, lowered on
// the running chatd with prlimit(1) (the `ulimit -f` of the plan, but its soft limit can be raised
// again, so recovery without a restart stays testable). With neither, nothing is tested: that
// fails under CI=true and is reported as a note otherwise.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { call, sleep } from '../lib/http.js';
import { startServer, type Proc } from '../lib/server.js';
import {
  buildFaultWorld,
  checkDb,
  histogramText,
  pollMark,
  pollSince,
  postNext,
  probeReads,
  readsNot200,
  refusalSummary,
  sendLoop,
  type FaultWorld,
} from '../lib/store-fault.js';
import {
  checkRecovered,
  finishReader,
  refusalCriteria,
  storedAndDeliveredCriteria,
} from '../lib/fault-checks.js';
import { mountTmpfs } from '../lib/tmpfs.js';
import { Criteria, type ReliabilityTest } from '../lib/types.js';

/** bytes left free next to the filler: a few dozen 3 KB messages */
const LEAVE_BYTES = 384 * 1024;
const PAD_BYTES = 3000;

function hasPrlimit(): boolean {
  try {
    execFileSync('prlimit', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** sets the soft RLIMIT_FSIZE of a running process ('unlimited' lifts it) */
function setFsize(pid: number, soft: number | 'unlimited'): void {
  execFileSync('prlimit', ['--pid', String(pid), `--fsize=${soft}:`], { stdio: 'ignore' });
}

function fileSize(p: string): number {
  try {
    return fs.statSync(p).size;
  } catch {
    return 0;
  }
}

export const b5: ReliabilityTest = {
  id: 'B5',
  title: 'Disk full: 503 + Retry-After, reads and polls keep working, recovery without restart',
  tiers: ['ci', 'soak'],
  budgetSeconds: { ci: 60, soak: 60 },
  async run(ctx) {
    const c = new Criteria();
    const notes: string[] = [];
    const disk = mountTmpfs(8, 'chat-b5-');
    let mode: 'tmpfs' | 'fsize' | 'none' = 'tmpfs';
    if (!disk.mounted) {
      mode = hasPrlimit() ? 'fsize' : 'none';
      notes.push(
        `tmpfs mount failed (${disk.error}); fallback: ${
          mode === 'fsize'
            ? 'RLIMIT_FSIZE lowered on the running chatd with prlimit (file size limit, not a full disk)'
            : 'none (no prlimit either): disk full NOT tested'
        }`,
      );
    }
    if (mode === 'none') {
      disk.unmount();
      if (process.env.CI === 'true') c.check(false, 'disk full tested (no tmpfs, no prlimit)');
      return { figures: { mode }, failures: c.failures, notes };
    }
    let server: Proc | null = null;
    let w: FaultWorld | null = null;
    try {
      server = await startServer({ dir: disk.dir });
      const srv = server;
      const dbPath = path.join(disk.dir, 'chat.db');
      w = await buildFaultWorld(srv.port, 'bf', 4, 2);
      const world = w;
      world.poller.start(ctx.deadline);

      // warm-up: the setup works before the fault
      for (const m of world.senders)
        for (let i = 0; i < 3; i++) await postNext(world, m, PAD_BYTES);
      c.equal('warm-up POSTs not 200', world.sent.filter((s) => !s.ack).length, 0);

      // the fault
      let filler: string | null = null;
      if (mode === 'tmpfs') {
        filler = disk.fill(LEAVE_BYTES);
        ctx.log(`filler written: ${Math.round(disk.freeBytes() / 1024)} KiB left free`);
      } else {
        const limit =
          Math.max(fileSize(dbPath), fileSize(`${dbPath}-wal`), fileSize(`${dbPath}-shm`)) +
          LEAVE_BYTES;
        setFsize(srv.pid, limit);
        ctx.log(`RLIMIT_FSIZE of chatd set to ${limit} bytes`);
      }
      const tFault = performance.now();
      const refusedBefore = world.refusals.length;
      const sentBefore = world.sent.length;
      const fillUntil = Math.min(ctx.deadline, Date.now() + 20_000);
      const fillLoop = sendLoop(world, {
        intervalMs: 0,
        padBytes: PAD_BYTES,
        deadline: fillUntil,
        maxMessages: 4_000,
      });
      // until writes fail steadily: 20 refusals and a second since the first one
      for (let i = 0; i < 400; i++) {
        const first = world.refusals[refusedBefore];
        if (
          first &&
          world.refusals.length - refusedBefore >= 20 &&
          performance.now() - first.at > 1000
        )
          break;
        if (Date.now() > fillUntil) break;
        await sleep(50);
      }
      await fillLoop.stop();
      const firstRefusal = world.refusals[refusedBefore];
      const timeToFirstFailureMs = firstRefusal ? Math.round(firstRefusal.at - tFault) : null;
      const ackedDuringFill = world.sent.slice(sentBefore).filter((s) => s.ack).length;
      c.check(
        firstRefusal !== undefined,
        'writes failed once the disk was full (else nothing was tested)',
      );
      ctx.log(
        `first refusal after ${timeToFirstFailureMs} ms (${ackedDuringFill} acknowledged after the filler); ${histogramText(world.statuses)}`,
      );

      // while full: slow POSTs, read probes, the held long-poll (the poller) and a new session
      const mark = pollMark(world);
      const slow = sendLoop(world, {
        intervalMs: 250,
        padBytes: PAD_BYTES,
        deadline: ctx.deadline,
        maxMessages: 200,
      });
      const probes = await probeReads(world, [...world.senders, world.reader], 4_500, 300);
      await slow.stop();
      const newSession = await sessionStatus(srv.port);
      const polls = pollSince(world, mark);
      c.check(!srv.exited(), 'chatd still running while the disk is full');

      // recovery: free the space; no restart
      if (filler) fs.rmSync(filler, { force: true });
      else setFsize(srv.pid, 'unlimited');
      const tRelease = performance.now();
      const { recoveryMs, healthRecoveryMs } = await checkRecovered(
        world,
        c,
        tRelease,
        PAD_BYTES,
        'freeing the disk',
      );

      // the reader got every acknowledged message, once, in order; nothing refused
      const report = await finishReader(world, ctx.deadline);
      w = null;
      const exitCode = await srv.stop();
      const db = checkDb(dbPath, world);
      const refusals = refusalSummary(world.refusals);

      refusalCriteria(c, refusals);
      c.equal('reads (history, state, poll) not 200 while full', readsNot200(probes), 0);
      c.equal('long-poll errors while full', polls.errorCount, 0);
      c.check(polls.polls > 0, 'the long-poll answered while the disk was full');
      storedAndDeliveredCriteria(c, db, report);
      for (const e of [...db.examples, ...report.examples]) ctx.log(e);
      if (refusals.badStatus.length)
        ctx.log(`first bad refusal: ${JSON.stringify(refusals.badStatus[0])}`);

      return {
        figures: {
          mode,
          time_to_first_failure_ms: timeToFirstFailureMs,
          acknowledged_after_filler: ackedDuringFill,
          sent: world.sent.length,
          acknowledged: world.sent.filter((s) => s.ack).length,
          refused: world.refusals.length,
          acknowledged_missing: db.ackedMissing,
          refused_stored: db.refusedStored,
          recovery_ms: recoveryMs,
          integrity: db.integrity,
          lost: report.lost,
          duplicated: report.duplicated,
          post_statuses: world.statuses,
          refusal_codes: refusals.codes,
          read_probes_while_full: probes.statuses,
          health_while_full: probes.health,
          new_session_while_full: newSession,
          polls_while_full: polls.polls,
          poll_errors_while_full: polls.errors,
          health_recovery_ms: healthRecoveryMs,
          unanswered_stored: db.unansweredStored,
          exit_code_on_sigterm: exitCode,
        },
        failures: c.failures,
        notes,
      };
    } finally {
      if (w) await w.close().catch(() => undefined);
      if (server) await server.stop();
      disk.unmount();
    }
  },
};

async function sessionStatus(port: number): Promise<string> {
  try {
    const r = await call<{ error?: string }>(port, 'POST', '/api/v1/session', {
      json: { nick: `bfnew${Date.now() % 100000}` },
    });
    return `${r.status} ${r.body?.error ?? ''}`.trim();
  } catch (err) {
    return `error ${(err as NodeJS.ErrnoException).code ?? ''}`;
  }
}
