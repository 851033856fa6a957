// The IRC listener's settings, taken from the configuration (the transport never sees Config).
import type { IrcSettings } from '../transports/irc/irc-settings.js';
import type { Config } from './config.js';

export function ircSettings(config: Config): IrcSettings {
  const { IRC_TLS_CERT: certFile, IRC_TLS_KEY: keyFile } = config;
  return {
    serverName: config.SERVER_NAME,
    networkName: config.networkName,
    host: config.HOST,
    port: config.IRC_PORT,
    tls:
      certFile && keyFile && config.IRC_TLS_PORT !== 0
        ? { port: config.IRC_TLS_PORT, certFile, keyFile }
        : null,
    sendqBytes: config.IRC_SENDQ_BYTES,
    sessionsPerAddress: config.IRC_SESSIONS_PER_ADDRESS,
    registrationTimeoutMs: config.IRC_REGISTRATION_TIMEOUT,
    pingIntervalMs: config.IRC_PING_INTERVAL,
    pingTimeoutMs: config.IRC_PING_TIMEOUT,
    maxConnections: config.IRC_MAX_CONNECTIONS,
    floodBurst: config.FLOOD_BURST,
    floodRate: config.FLOOD_RATE,
  };
}
