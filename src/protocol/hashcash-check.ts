// Hashcash on session creation (docs/hashcash.md): the stamp must be well formed, for this server, recent
// and worth at least the required bits; it is spent in the same transaction that creates the
// session, so a refused nick does not burn it and a replay is refused on every instance.
import { checkStamp } from '../shared/hashcash.js';
import type { Tx } from '../store/store.js';
import type { CoreEnv } from './environment.js';
import { ChatError } from './errors.js';
import { StoreConflict } from '../store/errors.js';

/** A spent stamp is remembered past the date window in which it could still be accepted. */
const SPENT_KEEP_MS = 5 * 86_400_000;

const REASONS: Record<string, string> = {
  malformed: 'the stamp is not of the form 1:bits:YYMMDD:resource::rand:counter',
  wrong_version: 'the stamp version must be 1',
  too_few_bits: 'the stamp claims fewer bits than required',
  wrong_resource: 'the stamp is for another server (resource must be the server name)',
  stale_date: 'the stamp date is more than 2 days from today (UTC)',
  insufficient_work: 'the stamp hash does not have the claimed number of zero bits',
};

export function hashcashRequired(bits: number, message: string): ChatError {
  return new ChatError({
    code: 'hashcash_required',
    message,
    extra: { bits },
  });
}

/** Throws 402 unless the stamp is acceptable (spending happens in spendStamp). */
export function checkSessionStamp(env: CoreEnv, stamp: string | undefined): void {
  const bits = env.settings.hashcashBits;
  if (bits <= 0) return;
  if (!stamp) {
    throw hashcashRequired(bits, `a hashcash stamp of ${bits} bits is required (X-Hashcash)`);
  }
  const result = checkStamp(stamp, {
    requiredBits: bits,
    resource: env.settings.serverName,
    now: new Date(env.now()),
  });
  if (!result.ok) throw hashcashRequired(bits, REASONS[result.reason] ?? result.reason);
}

export async function spendSessionStamp(
  env: CoreEnv,
  tx: Tx,
  stamp: string | undefined,
): Promise<void> {
  if (env.settings.hashcashBits <= 0 || !stamp) return;
  try {
    await tx.spendStamp(stamp, env.now() + SPENT_KEEP_MS);
  } catch (err) {
    if (err instanceof StoreConflict) {
      throw hashcashRequired(env.settings.hashcashBits, 'this stamp was already used');
    }
    throw err;
  }
}
