// B6 (CI): read-only database. The database lives on a tmpfs; three senders POST steadily while
// the store becomes read-only for about 4.5 s and then writable again, without a chatd restart.
// Meanwhile the test probes reads (history, state, a poll), a held long-poll and the health check.
// Pass: writes get 503 (or 507) with Retry-After, never 500; reads 200; the health check answers
// 503 "degraded"; afterwards writes are acknowledged again and health is "ok" without a restart;
// no 200 without a stored row, nothing refused stored; integrity_check = ok.
//
// How the store becomes read-only: first `mount -o remount,ro` of the tmpfs, as the plan says.
// Linux refuses that (EBUSY) while a process holds a file of the filesystem open for writing, and
// SQLite always keeps chat.db and its WAL open read-write, so on Linux the test falls back to
// lib/erofs-shim.c: loaded into chatd with LD_PRELOAD, it makes SQLite's writes (write, pwrite64,
// ftruncate64, fsync) to files in the database folder fail with EROFS, which is what a read-only
// filesystem answers. Recorded in the notes. Without a C compiler nothing is tested: that fails
// under CI=true.
import path from 'node:path';
import { buildErofsShim, type ErofsShim } from '../lib/erofs.js';
import { sleep } from '../lib/http.js';
import { startServer, type Proc } from '../lib/server.js';
import {
  buildFaultWorld,
  checkDb,
  histogramText,
  pollMark,
  pollSince,
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

const PAD_BYTES = 200;

export const b6: ReliabilityTest = {
  id: 'B6',
  title: 'Read-only database: 503 + Retry-After, reads 200, health degraded, recovery',
  tiers: ['ci', 'soak'],
  budgetSeconds: { ci: 60, soak: 60 },
  async run(ctx) {
    const c = new Criteria();
    const notes: string[] = [];
    const disk = mountTmpfs(16, 'chat-b6-');
    if (!disk.mounted) notes.push(`tmpfs mount failed (${disk.error}): database on the usual disk`);
    let shim: ErofsShim | null = null;
    {
      const built = buildErofsShim(disk.dir);
      shim = built.shim;
      if (!shim) notes.push(`EROFS shim not built: ${built.error}`);
    }
    let server: Proc | null = null;
    let w: FaultWorld | null = null;
    let method: 'remount' | 'erofs-shim' | 'none' = 'none';
    let remounted = false;
    try {
      server = await startServer({ dir: disk.dir, env: shim?.env ?? {} });
      const srv = server;
      w = await buildFaultWorld(srv.port, 'ro', 3, 2);
      const world = w;
      world.poller.start(ctx.deadline);
      // three senders, 10 msg/s each, through all phases until the recovery check
      const loop = sendLoop(world, {
        intervalMs: 100,
        padBytes: PAD_BYTES,
        deadline: ctx.deadline,
        maxMessages: 1_000,
      });
      await sleep(2_000);
      // answers that came back other than 200 (a POST still in flight has no answer yet: it is
      // not a failure, and counting it made this check race the 2 s mark)
      const warmNot200 = world.refusals.length;

      // the fault: the real remount first
      if (disk.mounted) {
        const err = disk.remount('ro');
        if (err === null) {
          method = 'remount';
          remounted = true;
        } else {
          notes.push(
            `mount -o remount,ro refused (${err}): Linux refuses a read-only remount while a ` +
              'process holds a file open for writing, and SQLite keeps chat.db and its WAL open ' +
              'read-write; EROFS injected with lib/erofs-shim.c (LD_PRELOAD) instead',
          );
        }
      }
      if (method === 'none' && shim) {
        shim.on();
        method = 'erofs-shim';
        await sleep(20); // the shim looks at its flag at most every 5 ms
      }
      if (method === 'none') {
        await loop.stop();
        notes.push('read-only database NOT tested (no remount, no shim)');
        if (process.env.CI === 'true') c.check(false, 'read-only database tested');
        return { figures: { method }, failures: c.failures, notes };
      }
      const tFault = performance.now();
      const refusedBefore = world.refusals.length;
      const mark = pollMark(world);
      const probes = await probeReads(world, [...world.senders, world.reader], 4_500, 300);
      const polls = pollSince(world, mark);
      const firstRefusal = world.refusals[refusedBefore];
      const timeToFirstFailureMs = firstRefusal ? Math.round(firstRefusal.at - tFault) : null;
      const refusedDuringFault = world.refusals.length - refusedBefore;
      c.check(!srv.exited(), 'chatd still running while the database is read-only');

      // read-write again, no restart
      if (method === 'remount') {
        const err = disk.remount('rw');
        c.check(err === null, `remount rw (${err})`);
        remounted = err !== null;
      } else shim!.off();
      const tRelease = performance.now();
      await loop.stop();
      ctx.log(`while read-only: ${refusedDuringFault} refused; ${histogramText(world.statuses)}`);
      const { recoveryMs, healthRecoveryMs } = await checkRecovered(
        world,
        c,
        tRelease,
        PAD_BYTES,
        'read-write',
      );

      const report = await finishReader(world, ctx.deadline);
      w = null;
      const exitCode = await srv.stop();
      const db = checkDb(path.join(disk.dir, 'chat.db'), world);
      const refusals = refusalSummary(world.refusals);
      const healthNotDegraded = Object.entries(probes.health)
        .filter(([k]) => k !== '503 degraded')
        .reduce((n, [, v]) => n + v, 0);

      c.equal('POSTs not 200 before the fault', warmNot200, 0);
      c.check(refusedDuringFault > 0, 'writes refused while read-only (else nothing was tested)');
      refusalCriteria(c, refusals);
      c.equal('reads (history, state, poll) not 200 while read-only', readsNot200(probes), 0);
      c.equal('health answers other than 503 "degraded" while read-only', healthNotDegraded, 0);
      c.equal('long-poll errors while read-only', polls.errorCount, 0);
      c.check(polls.polls > 0, 'the long-poll answered while read-only');
      storedAndDeliveredCriteria(c, db, report);
      for (const e of [...db.examples, ...report.examples]) ctx.log(e);
      if (refusals.badStatus.length)
        ctx.log(`first bad refusal: ${JSON.stringify(refusals.badStatus[0])}`);

      return {
        figures: {
          method,
          time_to_first_failure_ms: timeToFirstFailureMs,
          refused_while_read_only: refusedDuringFault,
          sent: world.sent.length,
          acknowledged: world.sent.filter((s) => s.ack).length,
          acknowledged_missing: db.ackedMissing,
          refused_stored: db.refusedStored,
          recovery_ms: recoveryMs,
          health_recovery_ms: healthRecoveryMs,
          integrity: db.integrity,
          lost: report.lost,
          duplicated: report.duplicated,
          post_statuses: world.statuses,
          refusal_codes: refusals.codes,
          read_probes_while_read_only: probes.statuses,
          health_while_read_only: probes.health,
          polls_while_read_only: polls.polls,
          poll_errors_while_read_only: polls.errors,
          unanswered_stored: db.unansweredStored,
          exit_code_on_sigterm: exitCode,
        },
        failures: c.failures,
        notes,
      };
    } finally {
      shim?.off();
      if (remounted) disk.remount('rw');
      if (w) await w.close().catch(() => undefined);
      if (server) await server.stop();
      disk.unmount();
    }
  },
};
