// A refusal as the HTTP transport answers it: the core's ChatError plus the status and headers its
// code and facts map to (src/transports/http/refusal-status.ts). Core tests assert the statuses of
// the API's error table through this view, so the table is checked where each refusal is made.
import { ChatError } from '../../src/protocol/errors.js';
import { httpStatus, refusalHeaders } from '../../src/transports/http/refusal-status.js';

export type HttpRefusal = ChatError & { status: number; headers: Record<string, string> };

export function httpView(err: ChatError): HttpRefusal {
  return Object.assign(err, { status: httpStatus(err.code), headers: refusalHeaders(err) });
}

/** The promise, with a ChatError it rejects with seen through httpView (for assert.rejects). */
export function viaHttp<T>(p: Promise<T>): Promise<T> {
  return p.catch((err: unknown) => {
    throw err instanceof ChatError ? httpView(err) : err;
  });
}
