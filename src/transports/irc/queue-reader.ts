// Reading one IRC client's queue: the same long-poll delivery HTTP clients use (one store read per
// wake-up, bus notes, never busy polling), driven by the connection instead of by requests.
// A named device that reattaches reads in three stretches so that IRC's order holds — the welcome
// burst first (a client needs 001 before anything), then what it missed while away, then live
// traffic: see docs/irc.md "Devices".
import type { Attached } from '../../protocol/core-contract.js';
import type { DeliveryApi } from '../../delivery/delivery-api.js';
import type { QueuedEnvelope } from '../../model/api.js';
import type { Caller } from '../../model/envelope.js';

/** Entries with queue id in (after, until]; `until` Infinity: live, held polls. */
export interface Stretch {
  after: number | null;
  until: number;
  /** whether reading this stretch moves the device's saved cursor */
  saves: boolean;
  /**
   * A backlog (bounded) is read only as fast as the client takes it: the store holds it, not
   * the send queue. Live traffic is not paced: a client slower than it fills its send queue and
   * is disconnected (SendQ exceeded), as IRC servers do.
   */
  paced: boolean;
}

/** How long one poll is held when nothing is waiting (the connection's own PINGs keep it alive). */
export const HOLD_MS = 30_000;

export function stretchesFor(created: Attached): Stretch[] {
  const r = created.resume;
  if (!r) return [{ after: null, until: Infinity, saves: true, paced: false }];
  const out: Stretch[] = [
    { after: r.burstFirst - 1, until: r.burstLast, saves: false, paced: true },
  ];
  if (r.after < r.burstFirst - 1) {
    out.push({ after: r.after, until: r.burstFirst - 1, saves: true, paced: true });
  }
  out.push({ after: r.burstLast, until: Infinity, saves: true, paced: false });
  return out;
}

export interface QueueReaderHooks {
  /** resolves when the connection can take more lines (its send queue is not backed up) */
  writable(): Promise<void>;
  /**
   * Renders and sends the entries; `gap`: entries were lost before these (docs: gaps);
   * `paced`: wait for room in the send queue between entries.
   */
  deliver(entries: QueuedEnvelope[], gap: boolean, paced: boolean): Promise<void>;
  /** the last queue id handed to the socket, for a device's saved cursor */
  delivered(after: number): void;
}

export async function readQueue(
  delivery: DeliveryApi,
  caller: Caller,
  stretches: readonly Stretch[],
  hooks: QueueReaderHooks,
  signal: AbortSignal,
): Promise<void> {
  for (const stretch of stretches) {
    let after = stretch.after;
    const bounded = stretch.until !== Infinity;
    while (!signal.aborted) {
      if (stretch.paced) await hooks.writable();
      if (signal.aborted) return;
      const answer = await delivery.poll({
        caller,
        after,
        timeoutMs: bounded ? 0 : HOLD_MS,
        signal,
      });
      const inside = bounded
        ? answer.messages.filter((m) => m.queue_id <= stretch.until)
        : answer.messages;
      if (inside.length > 0 || answer.gap) {
        await hooks.deliver(inside, answer.gap === true, stretch.paced);
      }
      const last = inside.at(-1);
      if (bounded) {
        if (!last || inside.length < answer.messages.length) break;
        after = last.queue_id;
      } else {
        after = answer.last_id;
      }
      if (stretch.saves && last) hooks.delivered(last.queue_id);
    }
  }
}
