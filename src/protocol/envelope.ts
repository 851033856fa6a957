// Building envelopes and mapping IRC numerics onto them (docs/envelope-and-delivery.md).
import type { Body, NewEnvelope } from '../model/envelope.js';

export interface EnvelopeFields {
  command: string;
  from: string;
  to: string;
  params?: string[];
  body?: Body;
  meta?: Record<string, unknown>;
  /** the sender's `nick!user@host`, for events a session originates (lookup.ts identityOf) */
  source?: string;
  /** the sender's account, when it has one (lookup.ts senderOf) */
  account?: string;
  /** JOIN only: the joining session's real name */
  realname?: string;
  /** the sender is a bot (user mode +B) */
  bot?: true;
}

export function makeEnvelope(f: EnvelopeFields, id: string, nowMs: number): NewEnvelope {
  const envelope: NewEnvelope = {
    id,
    command: f.command,
    from: f.from,
    to: f.to,
    params: f.params ?? [],
    body: f.body ?? [],
    ts: new Date(nowMs).toISOString(),
    meta: f.meta ?? {},
  };
  // absent, not null, on the server's own envelopes
  if (f.source !== undefined) envelope.source = f.source;
  if (f.account !== undefined) envelope.account = f.account;
  if (f.realname !== undefined) envelope.realname = f.realname;
  if (f.bot === true) envelope.bot = true;
  return envelope;
}

/** Seconds since epoch as IRC prints them (333, 317, 329). */
export function unixSeconds(ms: number): string {
  return String(Math.floor(ms / 1000));
}
