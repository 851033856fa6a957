// One dispatch path (docs/architecture.md): resolve the verb, run it in one transaction inside the session's
// serial queue, publish wake-ups after commit, and turn refusals into queued numerics.
import type { Caller, CommandInput, CommandResult } from '../model/envelope.js';
import type { ExecuteResult } from './core-contract.js';
import { findCommand, type CommandSpec } from './command-table.js';
import { Context, type Output, type WakeSet } from './context.js';
import type { CoreEnv } from './environment.js';
import { ChatError, chatErrorBody, chatErrorFromBody, invalidToken, ircError } from './errors.js';
import { ERR } from '../model/numerics.js';
import type { StoredTxn } from '../store/store.js';
import { extraTokensFor, FloodControl } from './flood.js';
import { SerialQueue } from './serial.js';
import { checkSignature } from './signature-check.js';
import { validateInput } from './validate.js';

export function sessionGone(): ChatError {
  return invalidToken('the session has ended');
}

export class Dispatcher {
  readonly serial = new SerialQueue();
  private readonly flood: FloodControl;

  constructor(private readonly env: CoreEnv) {
    this.flood = new FloodControl(env.settings.floodBurst, env.settings.floodRate);
  }

  async execute(caller: Caller, input: CommandInput): Promise<ExecuteResult> {
    // Checked before queueing, so a flood never piles up behind the session's serial queue. The
    // bucket is the session's: all its clients share it, so a fresh client is no fresh budget.
    this.flood.take(caller.sessionId, this.env.now());
    return this.serial.run(caller.sessionId, () => this.run(caller, input));
  }

  /**
   * Runs `fn` for the caller as a counted request (the channel-state replay of GET /state): a
   * flood token first, then what it stored, like a command.
   */
  async counted<T>(caller: Caller, fn: (ctx: Context) => Promise<T>): Promise<T> {
    this.flood.take(caller.sessionId, this.env.now());
    const done = await this.serial.run(caller.sessionId, () => this.withContext(caller, fn));
    this.chargeWrites(caller, done.out);
    return done.value;
  }

  /** Tokens beyond the first for what a request stored (flood.ts extraTokensFor). */
  private chargeWrites(caller: Caller, out: Output): void {
    this.flood.spend(caller.sessionId, this.env.now(), extraTokensFor(out.bytesWritten));
  }

  /** Runs fn in a transaction with a context for the caller; publishes wake-ups after commit. */
  async withContext<T>(
    caller: Caller,
    fn: (ctx: Context) => Promise<T>,
    silent = false,
  ): Promise<{ value: T; out: Output }> {
    const done = await this.env.store.transaction(async (tx) => {
      const session = await tx.getSession(caller.sessionId);
      if (!session) throw sessionGone();
      const ctx = new Context(this.env, tx, session, caller.clientId);
      ctx.silent = silent;
      ctx.address = caller.address;
      ctx.style = caller.style ?? {};
      const value = await fn(ctx);
      return { value, out: ctx.out };
    });
    await this.publish(done.out.wake);
    return done;
  }

  async publish(wake: WakeSet): Promise<void> {
    if (wake.isEmpty()) return;
    // The bus only wakes readers; a lost note costs latency, never data (docs/DEVELOPING.md).
    await this.env.bus.publish(wake.toNote()).catch(() => undefined);
  }

  private async run(caller: Caller, input: CommandInput): Promise<ExecuteResult> {
    if (input.txn !== undefined) {
      const prior = await this.env.store.getTxn(caller.clientId, input.txn);
      // a retry stores nothing: only the first answer's fields are remembered
      if (prior) return { ...replayTxn(prior), stored: [] };
    }
    const spec = findCommand(input.command);
    let done: { value: CommandResult | ChatError; out: Output };
    try {
      // Slow work (scrypt for PASS) runs here, in the session's queue but outside the write
      // transaction, so it never holds up other sessions' writes.
      const prepared = spec?.prepare ? await spec.prepare(this.env, caller, input) : undefined;
      done = await this.withContext(
        caller,
        (ctx) => this.handle(ctx, spec, input, prepared),
        spec?.silent,
      );
    } catch (err) {
      if (err instanceof ChatError) await this.refuse(caller, input, spec, err);
      throw err;
    }
    this.chargeWrites(caller, done.out);
    if (done.value instanceof ChatError) throw done.value;
    return { ...done.value, stored: done.out.stored };
  }

  private async handle(
    ctx: Context,
    spec: CommandSpec | undefined,
    input: CommandInput,
    prepared: unknown,
  ): Promise<CommandResult | ChatError> {
    validateInput(input, this.env.settings);
    if (!spec) throw ircError(ERR.UNKNOWNCOMMAND, [input.command]);
    // before the handler, in its transaction: a refused signature stores nothing
    await checkSignature(ctx, spec.verb, input);
    await spec.handler(ctx, input, prepared);
    const out = ctx.out;
    let answer: CommandResult | ChatError;
    if (out.failure) {
      out.failure.replies = out.replies;
      answer = out.failure;
    } else {
      answer = { id: out.first?.id ?? null, seq: out.first?.seq ?? null, replies: out.replies };
    }
    if (input.txn !== undefined && !out.ended) {
      await ctx.tx.saveTxn(ctx.clientId, input.txn, txnRecord(answer), ctx.now());
    }
    return answer;
  }

  /** Queues the refusal's numeric to the caller (not for NOTICE) and remembers the txn. */
  private async refuse(
    caller: Caller,
    input: CommandInput,
    spec: CommandSpec | undefined,
    err: ChatError,
  ): Promise<void> {
    if (err.code === 'invalid_token') return; // the session is gone: nobody to queue to
    await this.withContext(
      caller,
      async (ctx) => {
        await ctx.refuse(err);
        // set before saveTxn: a retried txn answers these same replies
        err.replies = ctx.out.replies;
        if (input.txn !== undefined) {
          await ctx.tx.saveTxn(ctx.clientId, input.txn, txnRecord(err), ctx.now());
        }
      },
      spec?.silent,
    );
  }
}

function txnRecord(answer: CommandResult | ChatError): StoredTxn {
  return answer instanceof ChatError
    ? { refused: true, response: chatErrorBody(answer) }
    : { refused: false, response: answer };
}

function replayTxn({ refused, response }: StoredTxn): CommandResult {
  if (!refused) return response as CommandResult;
  throw chatErrorFromBody(response as Record<string, unknown>);
}
