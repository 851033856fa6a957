// What the core needs from the outside world: the store, the bus, a clock, an id source, and the
// handful of settings that shape IRC behaviour. Injected, so tests control time and ids.
import type { Bus } from '../bus/bus.js';
import type { Store } from '../store/store.js';
import type { LoginLimitSettings } from './login-limits.js';
import type { CoreObserver } from './observer.js';

export interface CoreSettings {
  serverName: string;
  networkName: string;
  version: string;
  motd: string;
  maxChannels: number;
  /** clients (devices) per session (MAX_CLIENTS) */
  maxClients: number;
  /** failed /login attempts allowed per nick and per address; successful ones per account */
  loginLimits: LoginLimitSettings;
  maxMessageSize: number;
  maxLines: number;
  /** PAGE_MAX_BYTES: a history page holds at most this much JSON (at least one message) */
  pageMaxBytes: number;
  hashcashBits: number;
  /** per-session command bucket: burst, then refills per second (0 = off) */
  floodBurst: number;
  floodRate: number;
  /** per-session read budget in pages of PAGE_MAX_BYTES: burst, then pages per second (0 = off) */
  readBurst: number;
  readRate: number;
  /** MAX_TARGETS: the most entries any list in one command may hold (TARGMAX caps per verb) */
  maxTargets: number;
  /** POLL_BATCH_MAX: the most replies one request may queue to its caller (one poll page) */
  pollBatchMax: number;
  /** OPER credentials (OPER_NAME/OPER_PASSWORD); OPER answers 491 unless both are set */
  operName?: string;
  operPassword?: string;
}

export interface CoreEnv {
  store: Store;
  bus: Bus;
  settings: CoreSettings;
  observer: CoreObserver;
  /** ms since epoch */
  now(): number;
  /** a fresh UUID for an envelope */
  newId(): string;
  /** when this server process started (RPL_CREATED) */
  startedAt: number;
}
