// What the IRC listener is given by the composition root: its settings (taken from the
// configuration by src/server/irc-settings.ts), the core, delivery and a few metrics hooks.
import type { ChatCore, ConnectedClients } from '../../protocol/core-contract.js';
import type { DeliveryApi } from '../../delivery/delivery-api.js';

export interface IrcTlsSettings {
  port: number;
  /** PEM file paths */
  certFile: string;
  keyFile: string;
}

export interface IrcSettings {
  serverName: string;
  networkName: string;
  host: string;
  /** IRC_PORT; 0: no plain listener */
  port: number;
  /** null unless IRC_TLS_CERT and IRC_TLS_KEY are set and IRC_TLS_PORT is not 0 */
  tls: IrcTlsSettings | null;
  /** IRC_SENDQ_BYTES: bytes held for a client that does not read before it is disconnected */
  sendqBytes: number;
  /** IRC_SESSIONS_PER_ADDRESS: new sessions per address (refilled over 10 minutes); 0: no limit */
  sessionsPerAddress: number;
  registrationTimeoutMs: number;
  /** a PING after this long without a line from the client */
  pingIntervalMs: number;
  /** and the connection closes when nothing came within this long after the PING */
  pingTimeoutMs: number;
  maxConnections: number;
  /** FLOOD_BURST: lines a client may send before fake lag; far beyond it is Excess Flood */
  floodBurst: number;
  /** FLOOD_RATE (per second); 0: flood control off */
  floodRate: number;
}

/** Reasons a connection ended, as counted in metrics (the ERROR text says more). */
export type DisconnectReason =
  | 'quit'
  | 'closed'
  | 'ping_timeout'
  | 'registration_timeout'
  | 'excess_flood'
  | 'sendq_exceeded'
  | 'session_ended'
  | 'shutdown'
  | 'refused'
  | 'error';

export interface IrcMetrics {
  connectionOpened(): void;
  connectionClosed(reason: DisconnectReason): void;
  /** how a connection became a client: a new session, a login, a named device (new or resumed) */
  registered(kind: 'session' | 'login' | 'device' | 'resume'): void;
  linesIn(n: number): void;
  linesOut(n: number): void;
}

export interface IrcLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
  debug(obj: object, msg: string): void;
}

export interface IrcDeps {
  settings: IrcSettings;
  core: ChatCore & ConnectedClients;
  delivery: DeliveryApi;
  metrics: IrcMetrics;
  log: IrcLog;
}
