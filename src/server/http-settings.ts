// The HTTP transport's settings, taken from the configuration (the transport never sees Config).
import type { HttpSettings } from '../transports/http/route-def.js';
import type { Config } from './config.js';

export function httpSettings(config: Config): HttpSettings {
  const { METRICS_USERNAME: username, METRICS_PASSWORD: password } = config;
  return {
    serverName: config.SERVER_NAME,
    version: config.version,
    maxBodyBytes: config.MAX_BODY_BYTES,
    maxMetaBytes: config.MAX_META_BYTES,
    trustProxyHops: config.TRUST_PROXY,
    historyPageMax: config.HISTORY_PAGE_MAX,
    longPollTimeoutSeconds: config.LONG_POLL_TIMEOUT,
    sseHeartbeatSeconds: config.SSE_HEARTBEAT_SECONDS,
    metricsLogin: config.metricsEnabled && username && password ? { username, password } : null,
  };
}
