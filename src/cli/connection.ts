// chat-cli's network loop: the session (setup, saved token and cursor), the long-poll loop with
// reconnect and backoff, an ordered send queue with `txn` retries, signing of outgoing messages,
// and lag. Its helpers session-setup.ts (getting a session) and verify.ts (signature marks) are
// the only other code that talks to chatd. Everything it hands on (envelopes, members, state,
// errors) has been through sanitizeDeep, so no string from the network reaches the model or the
// screen unescaped.
import { createPrivateKey, randomUUID } from 'node:crypto';
import type {
  CommandInput,
  CommandResult,
  Envelope,
  MemberView,
  PollResult,
  QueuedEnvelope,
  ServerInfo,
  StateView,
} from '../model/api.js';
import { Backoff, retryDelay } from '../shared/backoff.js';
import { ApiError, ChatClient } from '../shared/client.js';
import { exportPublicKey, generateSigningKey } from '../shared/signing.js';
import { TofuStore } from '../shared/tofu.js';
import type { ConnectionState } from './model.js';
import { sanitize, sanitizeDeep } from './sanitize.js';
import { OutgoingSigner, SIGNING_REFUSALS } from './signer.js';
import { setupSession, type SessionOrigin, type SetupHooks } from './session-setup.js';
import { Verifier, type Incoming } from './verify.js';
import type { SavedSession, StateStore } from './state-store.js';

export type { Incoming } from './verify.js';

export type BatchHandler = (batch: Incoming[], gap: boolean) => void;

export type SendOutcome = { ok: true; result: CommandResult } | { ok: false; error: Error };

export interface ConnectionHooks extends SetupHooks {
  onStatus?(state: ConnectionState, detail: string): void;
  onLag?(ms: number): void;
  /** a nick announced a signing key different from the one pinned for it */
  onKeyChanged?(nick: string): void;
  /** the token stopped working (session ended, client revoked) */
  onSignedOut?(reason: string): void;
}

export interface ConnectionOptions {
  server: string;
  nick: string;
  password: string | null;
  store: StateStore;
  hooks?: ConnectionHooks;
  /** seconds a poll is held (default 25) */
  pollTimeout?: number;
  fetch?: typeof fetch;
  /** the jitter of retry waits (default Math.random; tests pin it) */
  random?: () => number;
}

/** The Retry-After an error carries (429, 503), in seconds, or null. */
const retryAfterOf = (err: unknown): number | null =>
  err instanceof ApiError ? err.retryAfter : null;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** How often the last look at end of input asks again after a 429 or 503 (waits 1, 2, 4 s…). */
const DRAIN_RETRIES = 4;

/** A fetch whose requests cannot hang forever (a poll gets its hold plus a margin). */
function boundedFetch(base: typeof fetch, pollTimeout: number): typeof fetch {
  return (input, init = {}) => {
    const limit = AbortSignal.timeout(init.signal ? (pollTimeout + 20) * 1000 : 30_000);
    const signal = init.signal ? AbortSignal.any([init.signal, limit]) : limit;
    return base(input, { ...init, signal });
  };
}

export class Connection {
  readonly client: ChatClient;
  info!: ServerInfo;
  origin: SessionOrigin = 'new';
  private verifier!: Verifier;
  private saved!: SavedSession;
  private readonly hooks: ConnectionHooks;
  private readonly pollTimeout: number;
  private readonly random: () => number;
  private sendChain: Promise<unknown> = Promise.resolve();
  private pending = 0;
  private pollAbort: AbortController | null = null;
  private pollLoop: Promise<void> | null = null;
  private stopped = false;
  private signedOut = false;
  private lastSend = 0;
  private readonly signer: OutgoingSigner;
  private pinger: NodeJS.Timeout | null = null;
  private shownState: ConnectionState | null = null;
  private shownDetail = '';

  constructor(private readonly o: ConnectionOptions) {
    this.hooks = o.hooks ?? {};
    this.pollTimeout = o.pollTimeout ?? 25;
    this.random = o.random ?? Math.random;
    this.client = new ChatClient({
      baseUrl: o.server,
      fetch: boundedFetch(o.fetch ?? ((i, n) => fetch(i, n)), this.pollTimeout),
    });
    this.signer = new OutgoingSigner({
      nick: () => this.nick,
      refreshNick: async () => {
        const state = await this.client.state().catch(() => null);
        if (state) this.setNick(sanitize(state.nick));
      },
      onNote: (text) => this.hooks.onNote?.(text),
    });
  }

  get nick(): string {
    return this.saved.sessionNick;
  }

  get cursor(): number | null {
    return this.saved.cursor;
  }

  get target(): string | null {
    return this.saved.target;
  }

  /** the buffer order saved by the last run (names) */
  get layout(): string[] {
    return this.saved.buffers ?? [];
  }

  /** Server info, then the session (resumed, logged in, registered or new), then the key. */
  async open(): Promise<void> {
    this.status('connecting', this.o.server);
    this.info = sanitizeDeep(await this.client.server());
    this.o.store.lock();
    const { saved, origin } = await setupSession(
      this.client,
      this.info,
      this.o.store,
      this.o.nick,
      this.o.password,
      {
        onMint: (bits, tries) => {
          this.status('minting', `${bits} bits, ${tries} of ~${2 ** bits} tries`);
          this.hooks.onMint?.(bits, tries);
        },
        onNote: (t) => this.hooks.onNote?.(t),
      },
    );
    this.saved = saved;
    this.origin = origin;
    const tofu = new TofuStore(this.o.store.keyPersistence());
    this.verifier = new Verifier(this.client, tofu, (nick) => this.hooks.onKeyChanged?.(nick));
    // A session found through /login may be signing on another device with its own key; ours
    // would replace it there (PUBKEY replaces), so only sessions made here sign.
    if (saved.signingKey) {
      this.signer.key = createPrivateKey({
        key: Buffer.from(saved.signingKey, 'base64'),
        format: 'der',
        type: 'pkcs8',
      });
    } else if (origin === 'new' || origin === 'register') {
      const key = generateSigningKey().privateKey;
      this.signer.key = key;
      saved.signingKey = key.export({ format: 'der', type: 'pkcs8' }).toString('base64');
    }
    this.save();
    if (this.signer.key) {
      const publicKey = exportPublicKey(this.signer.key);
      tofu.remember(this.nick, publicKey);
      tofu.trust(this.nick);
      if (!saved.pubkeyAnnounced) {
        const out = await this.send({
          command: 'PUBKEY',
          body: { alg: 'ed25519', key: publicKey },
        });
        if (out.ok) {
          this.saved.pubkeyAnnounced = true;
          this.save();
        }
      }
    }
    this.status('online', '');
  }

  // ---- reading ----

  /** Long-polls in the background, handing each batch to `handler`, until stopPolling(). */
  startPolling(handler: BatchHandler): void {
    this.stopped = false;
    this.pollLoop = this.pollForever(handler);
  }

  async stopPolling(): Promise<void> {
    this.stopped = true;
    this.pollAbort?.abort();
    await this.pollLoop;
    this.pollLoop = null;
  }

  /**
   * Reads whatever is queued now, without waiting (plain mode's last look before exit). A poll
   * the server cannot take at the moment is asked again a few times, after its Retry-After: 429
   * `too_many_polls` (the poll just aborted still counts as held until the server notices) or 503.
   */
  async drain(handler: BatchHandler, maxRounds = 20): Promise<void> {
    const backoff = new Backoff(this.random);
    let retries = 0;
    for (let i = 0; i < maxRounds && !this.signedOut; i++) {
      let res: PollResult;
      try {
        res = await this.client.poll(this.saved.cursor, 0);
      } catch (err) {
        const busy = err instanceof ApiError && (err.status === 429 || err.status === 503);
        if (!busy || retries++ >= DRAIN_RETRIES) throw err;
        await sleep(backoff.next(retryAfterOf(err)));
        continue;
      }
      await this.deliver(res.messages, res.gap === true, res.last_id, handler);
      if (res.messages.length === 0) return;
    }
  }

  private async pollForever(handler: BatchHandler): Promise<void> {
    const backoff = new Backoff(this.random);
    while (!this.stopped && !this.signedOut) {
      this.pollAbort = new AbortController();
      try {
        const res = await this.client.poll(
          this.saved.cursor,
          this.pollTimeout,
          this.pollAbort.signal,
        );
        this.status('online', '');
        backoff.reset();
        await this.deliver(res.messages, res.gap === true, res.last_id, handler);
      } catch (err) {
        if (this.stopped) return;
        if (err instanceof ApiError && err.signedOut) {
          this.lostSession(err);
          return;
        }
        // the shared policy (src/shared/backoff.ts): at least the server's Retry-After
        const wait = backoff.next(retryAfterOf(err));
        this.status('reconnecting', `${describe(err)}; retrying in ${Math.ceil(wait / 1000)} s`);
        await this.sleepUnlessStopped(wait);
      }
    }
  }

  private async deliver(
    messages: QueuedEnvelope[],
    gap: boolean,
    lastId: number,
    handler: BatchHandler,
  ): Promise<void> {
    const batch = await this.verifyAll(messages);
    handler(batch, gap);
    // The cursor moves only after the batch was handled: a crash before this line re-reads it.
    this.saved.cursor = lastId;
    this.save();
  }

  /** Marks each message with its signature verdict, then sanitizes it. */
  verifyAll(messages: Envelope[]): Promise<Incoming[]> {
    return this.verifier.verifyAll(messages);
  }

  /** A channel's members, their signing keys pinned on the way. */
  learnKeys(channel: string): Promise<MemberView[]> {
    return this.verifier.learnKeys(channel);
  }

  async state(): Promise<StateView> {
    return sanitizeDeep(await this.client.state());
  }

  /** Messages of a channel or conversation before `before` (exclusive), oldest first. */
  async history(
    target: string,
    before: number | null,
    limit = 50,
  ): Promise<{ batch: Incoming[]; more: boolean }> {
    const res = await this.client.history({ target, before, limit });
    return { batch: await this.verifyAll(res.messages), more: res.has_more };
  }

  // ---- writing ----

  /**
   * Sends one command after every earlier one was answered (so they arrive in order). Network
   * trouble, 429 and 503 are retried with the same `txn`, so a retry never stores twice.
   */
  send(command: CommandInput): Promise<SendOutcome> {
    this.pending++;
    const run = this.sendChain.then(() => this.sendNow(command));
    this.sendChain = run.catch(() => undefined);
    return run.finally(() => this.pending--);
  }

  /** Resolves when every command sent so far was answered. */
  async idle(): Promise<void> {
    while (this.pending > 0) await this.sendChain;
  }

  private async sendNow(command: CommandInput): Promise<SendOutcome> {
    let txn = randomUUID();
    let signingFixes = 0;
    for (let attempt = 0; ; attempt++) {
      if (this.signedOut) return { ok: false, error: new Error('signed out') };
      // signed afresh each attempt (a current meta.ts); a retried txn still gets the first answer
      const input = this.signer.sign(command);
      const started = Date.now();
      try {
        const result = await this.client.send({ ...input, txn });
        this.lastSend = Date.now();
        this.hooks.onLag?.(this.lastSend - started);
        // its replies are shown: no string from the network reaches the screen unescaped
        return { ok: true, result: sanitizeDeep(result) };
      } catch (err) {
        if (err instanceof ApiError) {
          if (err.signedOut) {
            this.lostSession(err);
            return { ok: false, error: sanitizedError(err) };
          }
          if (input !== command && SIGNING_REFUSALS.has(err.code) && signingFixes++ < 2) {
            await this.signer.refused(err.code);
            // the refusal is remembered under the old txn and stored nothing: a new one
            txn = randomUUID();
            continue;
          }
          if (err.status !== 429 && err.status !== 503)
            return { ok: false, error: sanitizedError(err) };
        }
        if (this.stopped && !(err instanceof ApiError))
          return { ok: false, error: sanitizedError(err) };
        const wait = retryDelay(attempt, retryAfterOf(err), this.random);
        if (!(err instanceof ApiError)) {
          this.status('reconnecting', `${describe(err)}; retrying in ${Math.ceil(wait / 1000)} s`);
        }
        await sleep(wait);
      }
    }
  }

  /** PING now and then while idle, so the lag shown stays current. */
  startPinging(everyMs = 30_000): void {
    this.pinger = setInterval(() => {
      if (Date.now() - this.lastSend >= everyMs && this.pending === 0 && !this.signedOut) {
        void this.send({ command: 'PING', body: ['lag'] });
      }
    }, everyMs);
    this.pinger.unref();
  }

  // ---- saved state ----

  setTarget(target: string | null): void {
    if (this.saved.target === target) return;
    this.saved.target = target;
    this.save();
  }

  setLayout(names: string[]): void {
    if (JSON.stringify(this.saved.buffers ?? []) === JSON.stringify(names)) return;
    this.saved.buffers = [...names];
    this.save();
  }

  /** Accept the nick's newly announced key. */
  trust(nick: string): void {
    this.verifier.tofu.trust(nick);
  }

  /** The session ended (QUIT): forget its token so the next start makes a new one. */
  endSession(): void {
    this.signedOut = true;
    this.o.store.clear();
  }

  setNick(nick: string): void {
    if (this.saved.sessionNick === nick) return;
    this.saved.sessionNick = nick;
    this.save();
  }

  async close(): Promise<void> {
    if (this.pinger) clearInterval(this.pinger);
    await this.stopPolling();
    this.status('closed', '');
    this.o.store.unlock();
  }

  private save(): void {
    if (!this.signedOut) this.o.store.save(this.saved);
  }

  private lostSession(err: ApiError): void {
    if (this.signedOut) return;
    this.signedOut = true;
    this.o.store.clear();
    const reason = sanitize(err.message);
    this.status('signed-out', reason);
    this.hooks.onSignedOut?.(reason);
  }

  private status(state: ConnectionState, detail: string): void {
    if (state === this.shownState && detail === this.shownDetail) return;
    this.shownState = state;
    this.shownDetail = detail;
    this.hooks.onStatus?.(state, detail);
  }

  private sleepUnlessStopped(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.pollAbort?.signal.addEventListener('abort', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}

/** The error with its server text sanitized (it is shown to the user). */
function sanitizedError(err: unknown): Error {
  if (err instanceof ApiError) {
    return new ApiError(err.status, sanitizeDeep(err.body), err.retryAfter);
  }
  return new Error(describe(err));
}

export function describe(err: unknown): string {
  if (err instanceof ApiError) return sanitize(`${err.status} ${err.message}`);
  if (err instanceof Error) {
    // fetch says only "fetch failed"; the reason (ECONNREFUSED, bad port…) is its cause
    const cause = (err as Error & { cause?: { code?: string; message?: string } }).cause;
    const why = cause?.code ?? cause?.message;
    return sanitize(why ? `${err.message} (${why})` : err.message);
  }
  return sanitize(String(err));
}
