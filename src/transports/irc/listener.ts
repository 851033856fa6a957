// The native IRC listener (docs/irc.md): plain TCP on IRC_PORT and TLS on IRC_TLS_PORT, each
// connection one more client of a session. It owns the sockets and what is shared between
// connections: the capability offer, the per-address allowance for new sessions and the count.
import fs from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import { Allowances } from '../../protocol/allowance.js';
import { ChatError } from '../../protocol/errors.js';
import { CapabilityTable, DEFAULT_CAPABILITIES, type CapServer } from './capabilities.js';
import { IrcConnection, type ConnectionContext } from './connection.js';
import { errorLine } from './irc-replies.js';
import type { IrcDeps } from './irc-settings.js';
import { serializeLine } from './line-codec.js';

/** An empty per-address allowance for new sessions is full again after this long. */
const SESSION_ALLOWANCE_WINDOW_MS = 10 * 60_000;

/** Capabilities offered today; the rest of DEFAULT_CAPABILITIES follow as they are built. */
const NOT_YET: string[] = [];

export interface IrcPorts {
  /** the plain listener's port, null when IRC_PORT is 0 */
  port: number | null;
  tlsPort: number | null;
}

export class IrcListener {
  private readonly servers: net.Server[] = [];
  private readonly connections = new Set<IrcConnection>();
  private readonly newSessions: Allowances;
  private readonly context: ConnectionContext;
  private closing = false;

  constructor(private readonly deps: IrcDeps) {
    const s = deps.settings;
    const server: CapServer = {
      name: s.serverName,
      offered: new CapabilityTable(DEFAULT_CAPABILITIES).without(...NOT_YET),
    };
    this.newSessions = new Allowances({
      capacity: Math.max(1, s.sessionsPerAddress),
      windowMs: SESSION_ALLOWANCE_WINDOW_MS,
    });
    this.context = {
      deps,
      server,
      chargeNewSession: (address) => this.chargeNewSession(address),
      onClosed: (conn) => this.connections.delete(conn),
    };
  }

  /** Connections open now (metrics). */
  get size(): number {
    return this.connections.size;
  }

  async start(): Promise<IrcPorts> {
    const s = this.deps.settings;
    const ports: IrcPorts = { port: null, tlsPort: null };
    if (s.port !== 0) {
      ports.port = await this.listen(net.createServer(), s.port);
    }
    if (s.tls) {
      const options = {
        cert: fs.readFileSync(s.tls.certFile),
        key: fs.readFileSync(s.tls.keyFile),
      };
      ports.tlsPort = await this.listen(tls.createServer(options), s.tls.port, 'secureConnection');
    }
    return ports;
  }

  private listen(
    server: net.Server,
    port: number,
    event: 'connection' | 'secureConnection' = 'connection',
  ): Promise<number> {
    server.on(event, (socket: net.Socket) => this.accept(socket));
    // a TLS handshake that fails is that client's problem, not the server's
    server.on('tlsClientError', (_err: Error, socket: net.Socket) => socket.destroy());
    this.servers.push(server);
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, this.deps.settings.host, () => {
        server.off('error', reject);
        resolve((server.address() as net.AddressInfo).port);
      });
    });
  }

  private accept(socket: net.Socket): void {
    if (this.closing || this.connections.size >= this.deps.settings.maxConnections) {
      socket.end(serializeLine(errorLine('Closing link: server full')) + '\r\n');
      return;
    }
    this.connections.add(new IrcConnection(socket, this.context));
  }

  private chargeNewSession(address: string): void {
    const per = this.deps.settings.sessionsPerAddress;
    if (per === 0) return;
    const now = Date.now();
    const wait = this.newSessions.waitMs(address, now);
    if (wait > 0) {
      throw new ChatError({
        code: 'too_many_sessions',
        message: `too many new sessions from your address; try again in ${Math.ceil(wait / 1000)} s, or pay with PASS hashcash:<stamp>`,
      });
    }
    this.newSessions.take(address, now);
  }

  /** Stops accepting, says ERROR to every connection and ends their clients. */
  async close(): Promise<void> {
    this.closing = true;
    const stopped = this.servers.map(
      (server) => new Promise<void>((resolve) => server.close(() => resolve())),
    );
    await Promise.all([...this.connections].map((c) => c.shutdown()));
    await Promise.all(stopped);
  }
}
