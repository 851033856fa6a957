// Background jobs (docs/sessions.md): idle-client expiry, orphaned-session expiry (ended exactly like QUIT),
// queue pruning and history rotation. Every step is idempotent, so several instances may run it.
// A device client (IRC's `nick@device`) is kept while its account is: it waits for its
// connection to come back, as the always-on session does.
import { ChatError } from '../protocol/errors.js';
import type { CoreHousekeeping } from '../protocol/core-contract.js';
import type { PruneResult, Store } from '../store/store.js';

export interface JobSettings {
  intervalMs: number;
  sessionIdleMs: number;
  accountIdleMs: number;
  queueMaxAgeMs: number;
  maxHistory: number;
}

export interface JobReport extends PruneResult {
  clientsExpired: number;
  sessionsEnded: number;
}

const TXN_MAX_AGE_MS = 24 * 3_600_000;

export class Jobs {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<JobReport> | null = null;

  constructor(
    private readonly core: CoreHousekeeping,
    private readonly store: Store,
    private readonly settings: JobSettings,
    private readonly onError: (err: unknown) => void,
    private readonly now: () => number = Date.now,
  ) {}

  start(): void {
    this.timer = setInterval(() => {
      this.runOnce().catch(this.onError);
    }, this.settings.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running?.catch(() => undefined);
  }

  /** One pass of every job; concurrent calls share the pass in progress. */
  runOnce(): Promise<JobReport> {
    this.running ??= this.pass().finally(() => (this.running = null));
    return this.running;
  }

  private async pass(): Promise<JobReport> {
    const now = this.now();
    const s = this.settings;
    let clientsExpired = 0;
    const idle = await this.store.listIdleClients(now - s.sessionIdleMs, now - s.accountIdleMs);
    for (const client of idle) {
      await tolerateGone(() =>
        this.core.removeClient(
          { sessionId: client.sessionId, clientId: client.id },
          client.id,
          'Idle timeout',
        ),
      );
      clientsExpired++;
    }
    let sessionsEnded = 0;
    for (const session of await this.store.listOrphanSessions(now - s.accountIdleMs)) {
      await this.core.endSessionById(session.id, 'Idle timeout');
      sessionsEnded++;
    }
    const pruned = await this.store.prune({
      now,
      queueMaxAgeMs: s.queueMaxAgeMs,
      maxHistory: s.maxHistory,
      txnMaxAgeMs: TXN_MAX_AGE_MS,
    });
    return { ...pruned, clientsExpired, sessionsEnded };
  }
}

/** Another instance (or the user) may have ended the session first: that is fine. */
async function tolerateGone(fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (err) {
    if (!(err instanceof ChatError && err.code === 'invalid_token')) throw err;
  }
}
