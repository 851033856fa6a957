// OPER (SPEC §4, §8): `params` [name, password] against OPER_NAME/OPER_PASSWORD. Success gives
// user mode +o (381 and a MODE event to the session's clients); server operators may KILL,
// WALLOPS and act as channel op. Unset credentials answer 491, wrong ones 464.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Context } from '../context.js';
import { ircError } from '../errors.js';
import { ERR, RPL } from '../numerics.js';
import type { CommandInput } from '../types.js';

/** Failed attempts a session may make before OPER stops checking for a while. */
const FAILURES_BEFORE_LOCK = 3;
const LOCK_MS = 60_000;
/** Sessions tracked before expired entries are swept, so memory follows recent failures only. */
const SWEEP_ABOVE = 10_000;

interface Failures {
  /** failures in a row, each less than LOCK_MS after the previous one */
  count: number;
  lastAt: number;
  /** until then (ms) every OPER from this session is refused without a check */
  lockedUntil: number;
}

/** Per core (a module global would mix test harnesses): session id → recent failures. */
const failuresByEnv = new WeakMap<object, Map<number, Failures>>();

export async function oper(ctx: Context, input: CommandInput): Promise<void> {
  const [name, password] = input.params ?? [];
  if (!name || !password) throw ircError(ERR.NEEDMOREPARAMS, ['OPER']);
  const { operName, operPassword } = ctx.env.settings;
  if (!operName || !operPassword) throw ircError(ERR.NOOPERHOST);
  const failures = failuresOf(ctx);
  const now = ctx.now();
  const mine = failures.get(ctx.session.id);
  // While locked, even the right password is refused: repeated guesses learn nothing.
  if (mine && mine.lockedUntil > now) {
    throw ircError(ERR.PASSWDMISMATCH, [], 'Too many failed OPER attempts; try again later');
  }
  // Both compared, in constant time, so neither the timing nor the answer tells which was wrong.
  const nameOk = sameSecret(name, operName);
  const passwordOk = sameSecret(password, operPassword);
  if (!(nameOk && passwordOk)) {
    noteFailure(failures, ctx.session.id, now);
    throw ircError(ERR.PASSWDMISMATCH);
  }
  failures.delete(ctx.session.id);
  if (!ctx.session.modes.includes('o')) {
    const modes = [...new Set(ctx.session.modes + 'o')].sort().join('');
    await ctx.tx.updateSession(ctx.session.id, { modes });
    ctx.session = { ...ctx.session, modes };
    // as a user MODE change: to every client of the session
    await ctx.emit(
      { command: 'MODE', from: ctx.session.nick, to: ctx.session.nick, body: ['+o'] },
      { kind: 'session', sessionId: ctx.session.id },
    );
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

function failuresOf(ctx: Context): Map<number, Failures> {
  let map = failuresByEnv.get(ctx.env);
  if (!map) {
    map = new Map<number, Failures>();
    failuresByEnv.set(ctx.env, map);
  }
  return map;
}

function noteFailure(failures: Map<number, Failures>, sessionId: number, now: number): void {
  const prior = failures.get(sessionId);
  const recent = prior !== undefined && now - prior.lastAt < LOCK_MS;
  const count = (recent ? prior.count : 0) + 1;
  const locked = count >= FAILURES_BEFORE_LOCK;
  failures.set(sessionId, {
    count: locked ? 0 : count,
    lastAt: now,
    lockedUntil: locked ? now + LOCK_MS : 0,
  });
  if (failures.size > SWEEP_ABOVE) {
    for (const [id, f] of failures) {
      if (f.lockedUntil <= now && now - f.lastAt >= LOCK_MS) failures.delete(id);
    }
  }
}
