// The outbox: every command the user sends goes through here, one at a time and in the order
// typed (as chat-cli's send queue does). Each has a `txn` from the moment it is typed, so when the
// server cannot be reached the command stays queued, shows as a pending line, and is sent again
// with the same `txn` once the connection is back: chatd stores it once however often it is
// retried. The queue is kept in sessionStorage, so a reload while the server is away keeps it; it
// is per tab, so another tab never sends this tab's lines.
import { signal } from '@preact/signals';
import type { CommandInput } from '../../../src/model/api.js';
import { Backoff } from '../../../src/shared/backoff.js';
import { ApiError } from '../../../src/shared/client.js';
import { connection } from './model.js';

export interface Queued {
  /** sent with every attempt, so a retry is never stored twice */
  txn: string;
  command: CommandInput;
  /** key of the window the line was typed in (where its pending line shows) */
  window: string;
  /** epoch ms when it was typed */
  typed: number;
}

export type Outcome = 'sent' | 'refused' | 'signed-out';

export interface OutboxHooks {
  /** sends one attempt (the session signs it when signing is on) */
  send(command: CommandInput): Promise<unknown>;
  /** an answer other than success (the session layer shows it) */
  refused(command: CommandInput, err: ApiError): void;
  signedOut(): void;
  /** the server could not be reached: ask the poll engine to try now too */
  unreachable(): void;
}

const STORAGE_KEY = 'chatd.outbox';

/** the commands not answered yet, oldest first (what the log shows as pending) */
export const queued = signal<Queued[]>([]);
/** the queue is waiting for the server to come back */
export const stalled = signal(false);

let hooks: OutboxHooks | null = null;
let running = false;
const waiting = new Map<string, (outcome: Outcome) => void>();
const backoff = new Backoff();

function save(): void {
  try {
    if (queued.value.length === 0) sessionStorage.removeItem(STORAGE_KEY);
    else sessionStorage.setItem(STORAGE_KEY, JSON.stringify(queued.value));
  } catch {
    // no storage: the queue lasts as long as the page
  }
}

function isQueued(v: unknown): v is Queued {
  const q = v as Queued;
  return (
    typeof q === 'object' &&
    q !== null &&
    typeof q.txn === 'string' &&
    typeof q.window === 'string' &&
    typeof q.typed === 'number' &&
    typeof q.command === 'object' &&
    q.command !== null &&
    typeof q.command.command === 'string'
  );
}

function load(): Queued[] {
  try {
    const parsed: unknown = JSON.parse(sessionStorage.getItem(STORAGE_KEY) ?? '[]');
    return Array.isArray(parsed) ? parsed.filter(isQueued) : [];
  } catch {
    return [];
  }
}

function newTxn(): string {
  return typeof crypto.randomUUID === 'function'
    ? crypto.randomUUID()
    : `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
}

/** Starts sending for a session: picks up what a reload of this tab left unsent. */
export function startOutbox(h: OutboxHooks): void {
  hooks = h;
  const left = load().filter((q) => !queued.value.some((o) => o.txn === q.txn));
  if (left.length > 0) queued.value = [...left, ...queued.value];
  void pump();
}

/** The session ended: what is still queued can no longer be sent. */
export function dropOutbox(): void {
  hooks = null;
  queued.value = [];
  stalled.value = false;
  save();
  for (const resolve of waiting.values()) resolve('signed-out');
  waiting.clear();
}

/** Queues a command; resolves once the server has answered it (however long that takes). */
export function enqueue(command: CommandInput, window: string): Promise<Outcome> {
  const item: Queued = { txn: newTxn(), command, window, typed: Date.now() };
  queued.value = [...queued.value, item];
  save();
  const answered = new Promise<Outcome>((resolve) => waiting.set(item.txn, resolve));
  void pump();
  return answered;
}

async function pump(): Promise<void> {
  if (running) return;
  running = true;
  try {
    while (hooks && queued.value.length > 0) {
      const item = queued.value[0]!;
      const outcome = await attempt(hooks, item);
      if (outcome === 'retry') {
        stalled.value = true;
        await waitForServer(backoff.next(null));
        continue;
      }
      stalled.value = false;
      backoff.reset();
      queued.value = queued.value.filter((q) => q !== item);
      save();
      waiting.get(item.txn)?.(outcome);
      waiting.delete(item.txn);
    }
  } finally {
    running = false;
  }
}

async function attempt(h: OutboxHooks, item: Queued): Promise<Outcome | 'retry'> {
  try {
    await h.send({ ...item.command, txn: item.txn });
    return 'sent';
  } catch (err) {
    if (err instanceof ApiError) {
      if (err.signedOut) {
        h.signedOut();
        return 'signed-out';
      }
      // 503: chatd is shutting down or busy; the same txn is safe to send again
      if (err.status === 503) return 'retry';
      h.refused(item.command, err);
      return 'refused';
    }
    h.unreachable();
    return 'retry';
  }
}

/** Waits `ms`, or until the poll engine reports it is connected again after being down. */
function waitForServer(ms: number): Promise<void> {
  return new Promise((resolve) => {
    let wasDown = false;
    let stop: (() => void) | null = null;
    const done = () => {
      clearTimeout(timer);
      stop?.();
      resolve();
    };
    const timer = setTimeout(done, ms);
    stop = connection.subscribe((c) => {
      if (c.state !== 'connected') wasDown = true;
      else if (wasDown) queueMicrotask(done);
    });
  });
}
