// OPER (docs/commands.md): `params` [name, password] against OPER_NAME/OPER_PASSWORD. Success gives
// user mode +o (381 and a MODE event to the session's clients); server operators may KILL,
// WALLOPS and act as channel op. Unset credentials answer 491, wrong ones 464. Failures are
// limited per session, per client address and on the whole server (docs/limits.md); while any of them
// is used up, every OPER answers 464 without a comparison.
import { createHash, timingSafeEqual } from 'node:crypto';
import { Allowances, FailureLimits, type AllowanceSpec } from '../allowance.js';
import type { Context } from '../context.js';
import { ircError } from '../errors.js';
import { ERR, RPL } from '../../model/numerics.js';
import type { CommandInput } from '../../model/envelope.js';

/** OPER failures allowed per session: 3, then one more a minute (a minute's wait after 3). */
const PER_SESSION: AllowanceSpec = { capacity: 3, windowMs: 3 * 60_000 };
/** per client address, whatever the session: 10, then one a minute */
const PER_ADDRESS: AllowanceSpec = { capacity: 10, windowMs: 10 * 60_000 };
/** on the whole server: 30, then one every 20 s, so guessing from many sessions and addresses
 * gets no further than from one */
const OVERALL: AllowanceSpec = { capacity: 30, windowMs: 10 * 60_000 };

interface OperLimits {
  bySession: Allowances<number>;
  elsewhere: FailureLimits;
}

/** Per core (a module global would mix test harnesses). */
const limitsByEnv = new WeakMap<object, OperLimits>();

export async function oper(ctx: Context, input: CommandInput): Promise<void> {
  const [name, password] = input.params ?? [];
  if (!name || !password) throw ircError(ERR.NEEDMOREPARAMS, ['OPER']);
  const { operName, operPassword } = ctx.env.settings;
  if (!operName || !operPassword) throw ircError(ERR.NOOPERHOST);
  const address = ctx.address;
  const limits = limitsOf(ctx);
  const now = ctx.now();
  const wait = Math.max(
    limits.bySession.waitMs(ctx.session.id, now),
    limits.elsewhere.waitMs(address, now),
  );
  // While any limit is used up, even the right password is refused: repeated guesses learn nothing.
  if (wait > 0) {
    throw ircError(ERR.PASSWDMISMATCH, [], 'Too many failed OPER attempts; try again later');
  }
  // Both compared, in constant time, so neither the timing nor the answer tells which was wrong.
  const nameOk = sameSecret(name, operName);
  const passwordOk = sameSecret(password, operPassword);
  if (!(nameOk && passwordOk)) {
    limits.bySession.take(ctx.session.id, now);
    limits.elsewhere.failed(address, now);
    throw ircError(ERR.PASSWDMISMATCH);
  }
  if (!ctx.session.modes.includes('o')) {
    const modes = [...new Set(ctx.session.modes + 'o')].sort().join('');
    await ctx.tx.updateSession(ctx.session.id, { modes });
    ctx.session = { ...ctx.session, modes };
    // as a user MODE change: to every client of the session
    await ctx.emit(ctx.fromMe('MODE', ctx.session.nick, ['+o']), {
      kind: 'session',
      sessionId: ctx.session.id,
    });
  }
  await ctx.reply(RPL.YOUREOPER, [], 'You are now an IRC operator');
}

/** KILL and WALLOPS: server operators only (481). */
export function requireOper(ctx: Context): void {
  if (!ctx.session.modes.includes('o')) throw ircError(ERR.NOPRIVILEGES);
}

/** Hashing first gives equal-length inputs, so timingSafeEqual applies to any two strings. */
function sameSecret(given: string, expected: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();
  return timingSafeEqual(digest(given), digest(expected));
}

function limitsOf(ctx: Context): OperLimits {
  let limits = limitsByEnv.get(ctx.env);
  if (!limits) {
    limits = {
      bySession: new Allowances<number>(PER_SESSION),
      elsewhere: new FailureLimits(PER_ADDRESS, OVERALL),
    };
    limitsByEnv.set(ctx.env, limits);
  }
  return limits;
}
