// Commands with several targets (JOIN #a,#b; PRIVMSG a,b) succeed if any target does; each
// refusal becomes a numeric among the replies (docs/commands.md).
import type { Context } from './context.js';
import { ChatError } from './errors.js';

export async function eachTarget(
  ctx: Context,
  targets: string[],
  fn: (target: string) => Promise<void>,
): Promise<void> {
  let succeeded = 0;
  let firstRefusal: ChatError | null = null;
  for (const target of targets) {
    try {
      await fn(target);
      succeeded++;
    } catch (err) {
      if (!(err instanceof ChatError)) throw err;
      firstRefusal ??= err;
      await ctx.refuse(err);
    }
  }
  if (succeeded === 0 && firstRefusal) ctx.out.failure = firstRefusal;
}
