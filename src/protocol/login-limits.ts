// Login limits (docs/limits.md). Failed logins: a bucket of allowed failures per client address and
// per nick. While either is empty, /login answers 429 before looking at the password at all, so
// guessing stops even for the right password. Unknown nicks have buckets too: answering them
// differently would reveal which nicks exist. An attempt takes its failure up front and gets it
// back when the password was right (or was never looked at), so a hundred parallel guesses cannot
// all pass the check while the first ones are still hashing.
// Successful logins: a bucket per account (session with a password), so that logging in again and
// again cannot mint clients — each a device with a queue to fill — faster than a person adds
// devices. Taken before the password is hashed, given back when the login does not succeed.
import { Allowances } from './allowance.js';
import { retryLater } from './errors.js';

export interface LoginLimitSettings {
  /** failures allowed per nick before waiting; refilled over `windowMs` */
  perNick: number;
  /** failures allowed per address before waiting; refilled over `windowMs` */
  perAddress: number;
  windowMs: number;
  /** successful logins allowed per account at once (LOGINS_PER_ACCOUNT); refilled over
   * ACCOUNT_LOGIN_WINDOW_MS */
  perAccount: number;
}

/** An account's login allowance refills completely in 10 minutes (one a minute at the default
 * of 10): a person adding devices never notices, a script minting clients stalls. */
export const ACCOUNT_LOGIN_WINDOW_MS = 10 * 60_000;

export class LoginLimiter {
  private readonly byNick: Allowances<string>;
  private readonly byAddress: Allowances<string>;
  private readonly byAccount: Allowances<number>;

  constructor(settings: LoginLimitSettings) {
    const { windowMs } = settings;
    this.byNick = new Allowances({ capacity: settings.perNick, windowMs });
    this.byAddress = new Allowances({ capacity: settings.perAddress, windowMs });
    this.byAccount = new Allowances({
      capacity: settings.perAccount,
      windowMs: ACCOUNT_LOGIN_WINDOW_MS,
    });
  }

  /** Throws 429 when this nick or this address used up its failures; else counts a failure
   * until `release` gives it back. */
  begin(nickKey: string, address: string, now: number): void {
    const wait = Math.max(this.byNick.waitMs(nickKey, now), this.byAddress.waitMs(address, now));
    if (wait > 0) {
      throw retryLater(
        'too_many_failed_logins',
        'too many failed logins for this nick or from this address; try again later',
        wait,
      );
    }
    this.byNick.take(nickKey, now);
    this.byAddress.take(address, now);
  }

  /** The attempt begun for this nick and address was no failed guess: the password was right,
   * or it was refused before the password was looked at. */
  release(nickKey: string, address: string, now: number): void {
    this.byNick.giveBack(nickKey, now);
    this.byAddress.giveBack(address, now);
  }

  /** Throws 429 when the account used up its logins; else takes one until `unclaim`. */
  claimLogin(sessionId: number, now: number): void {
    const wait = this.byAccount.waitMs(sessionId, now);
    if (wait > 0) {
      throw retryLater(
        'too_many_logins',
        'too many new logins to this account; try again later or use a device already logged in',
        wait,
      );
    }
    this.byAccount.take(sessionId, now);
  }

  /** The login claimed for this account did not attach a client: it does not count. */
  unclaim(sessionId: number, now: number): void {
    this.byAccount.giveBack(sessionId, now);
  }
}
