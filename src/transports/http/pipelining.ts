// A cap on requests in flight per connection. Node parses every pipelined request of a chunk at
// once and runs them all, queueing their answers in memory when the client does not read: a few
// hundred pipelined polls on one socket that never reads cost tens of MiB (reliability test C2).
// Browsers and curl never pipeline, and a client holds at most 2 polls anyway, so more than a
// handful at once on one connection is refused and the connection closed.
import type { Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { retryLater } from '../../protocol/errors.js';

export const MAX_IN_FLIGHT_PER_CONNECTION = 4;

export function installPipeliningLimit(app: FastifyInstance): void {
  const inFlight = new WeakMap<Socket, number>();
  app.addHook('onRequest', async (request, reply) => {
    const socket = request.raw.socket;
    const n = (inFlight.get(socket) ?? 0) + 1;
    inFlight.set(socket, n);
    reply.raw.once('close', () => inFlight.set(socket, (inFlight.get(socket) ?? 1) - 1));
    if (n > MAX_IN_FLIGHT_PER_CONNECTION) {
      throw retryLater(
        'too_many_pipelined_requests',
        `at most ${MAX_IN_FLIGHT_PER_CONNECTION} requests in flight per connection`,
        1000,
      );
    }
  });
}
