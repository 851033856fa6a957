// Device clients (docs/sessions.md#devices): a client with a name, created by the first login as
// it, kept when its connection closes, with a cursor the server keeps for it, and found again by
// name when it logs in again (IRC's `nick@device`, whose clients cannot keep a cursor themselves).
import type { ClientRow } from '../store/store.js';
import { queueArrival } from './arrival.js';
import type { Context } from './context.js';
import type { Attached } from './core-contract.js';
import { badRequest } from './errors.js';
import { hashToken } from './tokens.js';

/** 1–32 of `A-Z a-z 0-9 _ - .`: a name safe in a login, a log line and an IRC parameter. */
const DEVICE_RE = /^[A-Za-z0-9_.-]{1,32}$/;

/** 400 `invalid_device` unless the name is acceptable. */
export function requireDeviceName(device: string): void {
  if (!DEVICE_RE.test(device)) {
    throw badRequest('invalid_device', 'a device name is 1–32 of A-Z a-z 0-9 _ - .');
  }
}

/**
 * The device's client logs in again: a new token (the old one stops working, and polls held with
 * it end), the arrival burst as a new client gets it, and where its connection may resume.
 * `ctx` is the client's own context.
 */
export async function reattachDevice(
  ctx: Context,
  client: ClientRow,
  token: string,
): Promise<Attached> {
  await ctx.tx.setClientToken(client.id, hashToken(token));
  // a login is activity: the idle expiry must not take the client it just resumed
  await ctx.tx.touchClient(client.id, ctx.now());
  ctx.out.wake.revoked.add(client.id);
  const burst = await queueArrival(ctx);
  return {
    id: ctx.session.id,
    client_id: client.id,
    nick: ctx.session.nick,
    token,
    resume: {
      after: client.cursor ?? client.startSeq,
      burstFirst: burst.first,
      burstLast: burst.last,
    },
  };
}
