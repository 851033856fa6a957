// PASS (docs/commands.md, docs/sessions.md): sets the session's password — `body: [new]` — or changes it — `body: [old,
// new]`. A session with a password can attach devices with /login and stays (always-on) when
// its last client leaves. Hashing happens in `preparePass`, outside the write transaction.
import type { Context } from '../context.js';
import type { CoreEnv } from '../environment.js';
import { ircError } from '../errors.js';
import { ERR } from '../../model/numerics.js';
import { hashPassword, passwordProblem, verifyPassword } from '../passwords.js';
import type { Caller, CommandInput } from '../../model/envelope.js';
import { textLines, validateInput } from '../validate.js';
import { announce } from './simple.js';

interface PreparedPass {
  /** the hash the session had when the old password was checked */
  expected: string | null;
  newHash: string;
}

const mismatch = (text: string) => ircError(ERR.PASSWDMISMATCH, [], text);

export async function preparePass(
  env: CoreEnv,
  caller: Caller,
  input: CommandInput,
): Promise<PreparedPass | null> {
  validateInput(input, env.settings);
  const lines = textLines(input.body);
  if (lines.length < 1 || lines.length > 2) {
    throw ircError(ERR.NEEDMOREPARAMS, ['PASS'], 'PASS needs body [new] or [old, new]');
  }
  const session = await env.store.getSession(caller.sessionId);
  if (!session) return null; // the transaction answers "session ended"
  const next = lines[lines.length - 1] ?? '';
  const old = lines.length === 2 ? (lines[0] ?? '') : null;
  const problem = passwordProblem(next);
  if (problem) throw ircError(ERR.NEEDMOREPARAMS, ['PASS'], problem);
  const expected = session.passwordHash;
  if (expected !== null && old === null) {
    throw mismatch('This session has a password: send body [old, new] to change it');
  }
  if (expected === null && old !== null) {
    throw mismatch('This session has no password yet: send body [new]');
  }
  if (old !== null && !(await verifyPassword(old, expected))) {
    throw mismatch('Password incorrect');
  }
  return { expected, newHash: await hashPassword(next) };
}

export async function pass(ctx: Context, _input: CommandInput, prepared: unknown): Promise<void> {
  const p = prepared as PreparedPass;
  // Another device changed it between the check and now: the old password proved nothing.
  if (ctx.session.passwordHash !== p.expected) throw mismatch('Password incorrect');
  const first = p.expected === null;
  // The first password makes the session an account, named after its nick now (kept across NICK).
  const account = first ? ctx.session.nick : ctx.session.account;
  await ctx.tx.updateSession(ctx.session.id, { passwordHash: p.newHash, account });
  ctx.session = { ...ctx.session, passwordHash: p.newHash, account };
  const what = first ? 'set' : 'changed';
  await ctx.reply(
    'NOTICE',
    [],
    `Password ${what}: other devices can log in with POST /api/v1/login; this session now stays when its last device leaves`,
  );
  // IRCv3 account-notify: the new account goes where AWAY goes (commands/simple.ts)
  if (first && account !== null) await announce(ctx, 'ACCOUNT', [account]);
}
