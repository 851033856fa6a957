// The protocol core's facade (ChatCore): everything a transport may ask, with IRC rules applied
// here and nowhere else.
import type {
  ChannelListItem,
  ClientView,
  HistoryView,
  MemberView,
  ServerInfo,
  SessionCreated,
  StateView,
} from '../model/api.js';
import type { ClientRow, SessionRow } from '../store/store.js';
import { Accounts } from './accounts.js';
import { jsonBytes } from '../model/byte-budget.js';
import type {
  Attached,
  ChatCore,
  ConnectedClients,
  CoreHousekeeping,
  CoreLifecycle,
  ExecuteResult,
  HistoryQuery,
  SessionOptions,
} from './core-contract.js';
import type { CoreEnv } from './environment.js';
import { Dispatcher, sessionGone } from './dispatch.js';
import type { Context } from './context.js';
import { ChatError } from './errors.js';
import { StoreUnavailable } from '../store/errors.js';
import type { Page } from './listing-pages.js';
import { Listings } from './listings.js';
import { channelModeString } from './lookup.js';
import { ReadBudget } from './read-budget.js';
import { replayChannelState } from './replay.js';
import { endSession } from './session-end.js';
import { hashToken } from './tokens.js';
import type { Caller, CommandInput, ReplyStyle } from '../model/envelope.js';

/** `dms` in the state: the peers of the most recent conversations, so the answer stays small. */
export const DM_PEERS_MAX = 500;
/** last_seen is written at most this often per client: a poll loop must not be a write loop. */
const TOUCH_EVERY_MS = 2_000;

export class Core implements ChatCore, ConnectedClients, CoreHousekeeping, CoreLifecycle {
  private readonly dispatcher: Dispatcher;
  private readonly accounts: Accounts;
  private readonly reads: ReadBudget;
  private readonly listings: Listings;
  /** no last_seen writes before this time (ms): set after the store refused one */
  private touchPausedUntil = 0;

  constructor(readonly env: CoreEnv) {
    this.dispatcher = new Dispatcher(env);
    this.accounts = new Accounts(env, this.dispatcher);
    this.reads = new ReadBudget(env.settings, () => env.now());
    this.listings = new Listings(env, this.dispatcher);
  }

  private get store() {
    return this.env.store;
  }

  createSession(
    nick: string,
    hashcash?: string,
    options?: SessionOptions,
  ): Promise<SessionCreated> {
    return this.accounts.createSession(nick, null, hashcash, options);
  }

  register(nick: string, password: string, hashcash?: string): Promise<SessionCreated> {
    return this.accounts.createSession(nick, password, hashcash);
  }

  login(
    nick: string,
    password: string,
    address: string,
    style?: ReplyStyle,
  ): Promise<SessionCreated> {
    return this.accounts.login(nick, password, address, style);
  }

  loginDevice(
    nick: string,
    password: string,
    address: string,
    device: string,
    style?: ReplyStyle,
  ): Promise<Attached> {
    return this.accounts.loginDevice(nick, password, address, device, style);
  }

  async authenticate(token: string): Promise<Caller | null> {
    const client = await this.store.getClientByTokenHash(hashToken(token));
    if (!client) return null;
    await this.touch(client);
    return { sessionId: client.sessionId, clientId: client.id };
  }

  /** last_seen, at most every TOUCH_EVERY_MS per client (idle expiry needs no more). */
  private async touch(client: ClientRow): Promise<void> {
    const now = this.env.now();
    if (now - client.lastSeen < TOUCH_EVERY_MS || now < this.touchPausedUntil) return;
    try {
      await this.store.transaction((tx) => tx.touchClient(client.id, now));
    } catch (err) {
      // last_seen is bookkeeping: when the store cannot write (disk full, read-only), reads
      // and polls must go on, so the touch is skipped and not retried for a while.
      if (!(err instanceof StoreUnavailable)) throw err;
      this.touchPausedUntil = now + TOUCH_EVERY_MS;
    }
  }

  async keepAlive(caller: Caller): Promise<void> {
    const client = await this.store.getClient(caller.clientId);
    if (client?.sessionId === caller.sessionId) await this.touch(client);
  }

  async saveCursor(caller: Caller, after: number): Promise<void> {
    if (!Number.isSafeInteger(after)) throw new TypeError(`saveCursor: ${after} is not a seq`);
    try {
      // one UPDATE that itself ignores other clients and a cursor going back: no read first
      await this.store.transaction((tx) => tx.advanceClientCursor(caller.clientId, after));
    } catch (err) {
      // a cursor saved late costs a resume some entries twice, never one lost; writes may fail
      // for a while (disk full) without the connection noticing
      if (!(err instanceof StoreUnavailable)) throw err;
    }
  }

  /** The connection closed: a device client stays; any other goes as if it logged out. */
  disconnect(caller: Caller, reason: string): Promise<void> {
    return this.dispatcher.serial.run(caller.sessionId, async () => {
      try {
        await this.dispatcher.withContext(caller, async (ctx) => {
          const client = await ctx.tx.getClient(caller.clientId);
          if (!client || client.sessionId !== ctx.session.id || client.device !== null) return;
          await this.dropClient(ctx, client.id, reason);
        });
      } catch (err) {
        if (!(err instanceof ChatError && err.code === 'invalid_token')) throw err; // already gone
      }
    });
  }

  execute(caller: Caller, input: CommandInput): Promise<ExecuteResult> {
    return this.dispatcher.execute(caller, input);
  }

  async state(caller: Caller, replay: boolean): Promise<StateView> {
    // The replay writes rows (a few per channel): it counts against flood control like a command.
    if (replay) await this.dispatcher.counted(caller, replayChannelState);
    return this.reads.run(caller.sessionId, async () => {
      const value = await this.stateView(caller);
      return { value, bytes: jsonBytes(value) };
    });
  }

  private async stateView(caller: Caller): Promise<StateView> {
    const session = await this.requireSession(caller);
    const channels = await this.store.listSessionChannels(session.id);
    return {
      id: session.id,
      client_id: caller.clientId,
      nick: session.nick,
      away: session.away,
      modes: '+' + session.modes,
      channels: channels.map(({ channel }) => ({
        id: channel.id,
        name: channel.name,
        topic: channel.topic,
        modes: channelModeString(channel),
      })),
      dms: await this.store.listDmPeers(session.id, DM_PEERS_MAX),
    };
  }

  async listClients(caller: Caller): Promise<ClientView[]> {
    return (await this.store.listClients(caller.sessionId)).map((c) => ({
      client_id: c.id,
      created_at: new Date(c.createdAt).toISOString(),
      last_seen: new Date(c.lastSeen).toISOString(),
      current: c.id === caller.clientId,
    }));
  }

  async revokeClient(caller: Caller, clientId: number): Promise<void> {
    const client = await this.store.getClient(clientId);
    if (!client || client.sessionId !== caller.sessionId) {
      throw new ChatError({
        code: 'no_such_client',
        message: `no client ${clientId} in this session`,
      });
    }
    await this.removeClient(caller, clientId, 'Logged out');
  }

  logout(caller: Caller): Promise<void> {
    return this.removeClient(caller, caller.clientId, 'Logged out');
  }

  /** Deletes one client; ends the session when it was the last one (docs/api.md logout). */
  removeClient(caller: Caller, clientId: number, reason: string): Promise<void> {
    return this.dispatcher.serial.run(caller.sessionId, async () => {
      await this.dispatcher.withContext(caller, (ctx) => this.dropClient(ctx, clientId, reason));
    });
  }

  /** A session without a password ends (as QUIT with `reason`) with its last client. */
  private async dropClient(ctx: Context, clientId: number, reason: string): Promise<void> {
    const clients = await ctx.tx.listClients(ctx.session.id);
    const last = clients.length === 1 && clients[0]?.id === clientId;
    if (last && ctx.session.passwordHash === null) {
      await endSession(ctx, ctx.session, reason);
    } else {
      await ctx.tx.deleteClient(clientId);
      ctx.out.wake.revoked.add(clientId);
    }
  }

  idle(): Promise<void> {
    return this.dispatcher.serial.idle();
  }

  /** Ends a session as QUIT with the given reason (idle expiry, KILL). */
  endSessionById(sessionId: number, reason: string): Promise<void> {
    const caller = { sessionId, clientId: 0 };
    return this.dispatcher.serial.run(sessionId, async () => {
      try {
        await this.dispatcher.withContext(caller, (ctx) => endSession(ctx, ctx.session, reason));
      } catch (err) {
        if (!(err instanceof ChatError && err.code === 'invalid_token')) throw err; // already gone
      }
    });
  }

  listChannels(caller: Caller, after: string | null): Promise<Page<ChannelListItem>> {
    return this.reads.run(caller.sessionId, () => this.listings.channels(caller, after));
  }

  listMembers(caller: Caller, name: string, after: string | null): Promise<Page<MemberView>> {
    return this.reads.run(caller.sessionId, () => this.listings.members(caller, name, after));
  }

  history(caller: Caller, q: HistoryQuery): Promise<HistoryView> {
    return this.reads.run(caller.sessionId, () => this.listings.history(caller, q));
  }

  async serverInfo(): Promise<ServerInfo> {
    const s = this.env.settings;
    const counts = await this.store.counts();
    return {
      name: s.serverName,
      version: s.version,
      motd: s.motd,
      users: counts.sessions,
      hashcash_bits: s.hashcashBits,
    };
  }

  private async requireSession(caller: Caller): Promise<SessionRow> {
    const session = await this.store.getSession(caller.sessionId);
    if (!session) throw sessionGone();
    return session;
  }
}
