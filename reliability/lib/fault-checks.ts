// The half of the store-fault tests (B5 disk full, B6 read-only) that does not depend on the
// fault: once it is lifted, writes must come back without a restart, the reader must have every
// acknowledged message once and in order, and the database must hold exactly what was answered.
import { checkDelivery, type DeliveryReport } from './checker.js';
import { sleep } from './http.js';
import {
  awaitHealthy,
  awaitRecovery,
  postNext,
  type DbCheck,
  type FaultWorld,
  type refusalSummary,
} from './store-fault.js';
import type { Criteria } from './types.js';

/** After the fault was lifted at `since`: a POST and the health check recover, then 5 more
 * POSTs per sender all answer 200. `what` names the lifting in the criteria ("freeing the disk"). */
export async function checkRecovered(
  world: FaultWorld,
  c: Criteria,
  since: number,
  padBytes: number,
  what: string,
): Promise<{ recoveryMs: number | null; healthRecoveryMs: number | null }> {
  const recoveryMs = await awaitRecovery(world, since, padBytes, 15_000);
  c.check(recoveryMs !== null, `a POST is acknowledged within 15 s of ${what}`);
  const healthRecoveryMs = await awaitHealthy(world.port, since, 5_000);
  c.check(healthRecoveryMs !== null, `health answers 200 ok within 5 s of ${what}`);
  const afterFrom = world.sent.length;
  for (const m of world.senders) for (let i = 0; i < 5; i++) await postNext(world, m, padBytes);
  c.equal(
    'POSTs after recovery not 200',
    world.sent.slice(afterFrom).filter((s) => !s.ack).length,
    0,
  );
  return { recoveryMs, healthRecoveryMs };
}

/** Waits (bounded) until the reader has every acknowledged message, closes the world, and
 * answers the checker's report for the reader. */
export async function finishReader(world: FaultWorld, deadline: number): Promise<DeliveryReport> {
  const acked = world.sent.filter((s) => s.ack);
  for (let i = 0; i < 200 && Date.now() < deadline; i++) {
    const have = new Set(world.poller.received.map((r) => r.id));
    if (acked.every((s) => have.has(s.ack!.id))) break;
    await sleep(50);
  }
  await world.close();
  return checkDelivery(world.sent, [
    {
      name: world.reader.name,
      memberships: [{ channel: world.channel, joined: world.reader.joined, left: null }],
      received: world.poller.received,
    },
  ]);
}

/** Refusals must be 503/507 with Retry-After. */
export function refusalCriteria(c: Criteria, refusals: ReturnType<typeof refusalSummary>): void {
  c.equal('refused POSTs answered other than 503/507', refusals.badStatus.length, 0);
  c.equal('503/507 answers without Retry-After', refusals.noRetryAfter.length, 0);
}

/** The database holds exactly what was acknowledged; the reader got it once, in order. */
export function storedAndDeliveredCriteria(c: Criteria, db: DbCheck, report: DeliveryReport): void {
  c.equal('acknowledged but missing from the database', db.ackedMissing, 0);
  c.equal('refused but stored', db.refusedStored, 0);
  c.equal('stored twice', db.storedTwice, 0);
  c.equal('integrity_check', db.integrity, 'ok');
  c.equal('lost (reader)', report.lost, 0);
  c.equal('duplicated (reader)', report.duplicated, 0);
  c.equal('reordered (reader)', report.reordered, 0);
  c.equal('refused but delivered', report.unacknowledgedDelivered, 0);
}
