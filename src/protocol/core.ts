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
} from '../shared/api-types.js';
import type { SessionRow } from '../store/store.js';
import { Accounts } from './accounts.js';
import { tailWithin } from './byte-budget.js';
import { fold } from './casefold.js';
import type { ChatCore, HistoryQuery } from './chat-core.js';
import type { CoreEnv } from './core-env.js';
import { Dispatcher, sessionGone } from './dispatch.js';
import { ChatError, ircError, StoreUnavailable } from './errors.js';
import { channelModeString, dmPair, isSecret, prefixOf } from './lookup.js';
import { ERR } from './numerics.js';
import { replayChannelState } from './replay.js';
import { endSession } from './session-end.js';
import { hashToken } from './tokens.js';
import type { Caller, CommandInput, CommandResult } from './types.js';
import { visibleChannels } from './commands/names.js';

/** last_seen is written at most this often per client: a poll loop must not be a write loop. */
const TOUCH_EVERY_MS = 2_000;
const HISTORY_COMMANDS = ['PRIVMSG', 'NOTICE'] as const;

export class Core implements ChatCore {
  readonly dispatcher: Dispatcher;
  private readonly accounts: Accounts;
  /** no last_seen writes before this time (ms): set after the store refused one */
  private touchPausedUntil = 0;

  constructor(readonly env: CoreEnv) {
    this.dispatcher = new Dispatcher(env);
    this.accounts = new Accounts(env, this.dispatcher);
  }

  private get store() {
    return this.env.store;
  }

  createSession(nick: string, hashcash?: string): Promise<SessionCreated> {
    return this.accounts.createSession(nick, null, hashcash);
  }

  register(nick: string, password: string, hashcash?: string): Promise<SessionCreated> {
    return this.accounts.createSession(nick, password, hashcash);
  }

  login(nick: string, password: string, address: string): Promise<SessionCreated> {
    return this.accounts.login(nick, password, address);
  }

  async authenticate(token: string): Promise<Caller | null> {
    const client = await this.store.getClientByTokenHash(hashToken(token));
    if (!client) return null;
    const now = this.env.now();
    if (now - client.lastSeen >= TOUCH_EVERY_MS && now >= this.touchPausedUntil) {
      try {
        await this.store.transaction((tx) => tx.touchClient(client.id, now));
      } catch (err) {
        // last_seen is bookkeeping: when the store cannot write (disk full, read-only), reads
        // and polls must go on, so the touch is skipped and not retried for a while.
        if (!(err instanceof StoreUnavailable)) throw err;
        this.touchPausedUntil = now + TOUCH_EVERY_MS;
      }
    }
    return { sessionId: client.sessionId, clientId: client.id };
  }

  execute(caller: Caller, input: CommandInput): Promise<CommandResult> {
    return this.dispatcher.execute(caller, input);
  }

  async state(caller: Caller, replay: boolean): Promise<StateView> {
    if (replay) {
      await this.dispatcher.serial.run(caller.sessionId, () =>
        this.dispatcher.withContext(caller, replayChannelState),
      );
    }
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
      dms: await this.store.listDmPeers(session.id),
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
        status: 404,
        message: `no client ${clientId} in this session`,
      });
    }
    await this.removeClient(caller, clientId, 'Logged out');
  }

  logout(caller: Caller): Promise<void> {
    return this.removeClient(caller, caller.clientId, 'Logged out');
  }

  /** Deletes one client; ends the session when it was the last one (SPEC §3 logout). */
  removeClient(caller: Caller, clientId: number, reason: string): Promise<void> {
    return this.dispatcher.serial.run(caller.sessionId, async () => {
      await this.dispatcher.withContext(caller, async (ctx) => {
        const clients = await ctx.tx.listClients(ctx.session.id);
        const last = clients.length === 1 && clients[0]?.id === clientId;
        if (last && ctx.session.passwordHash === null) {
          await endSession(ctx, ctx.session, reason);
        } else {
          await ctx.tx.deleteClient(clientId);
          ctx.out.wake.revoked.add(clientId);
        }
      });
    });
  }

  /** Ends a session as QUIT with the given reason (idle expiry, KILL). */
  endSessionById(sessionId: number, reason: string): Promise<void> {
    const caller = { sessionId, clientId: 0 };
    return this.dispatcher.serial.run(sessionId, async () => {
      try {
        await this.dispatcher.withContext(caller, (ctx) => endSession(ctx, ctx.session, reason));
      } catch (err) {
        if (!(err instanceof ChatError && err.status === 401)) throw err; // already gone
      }
    });
  }

  async listChannels(caller: Caller): Promise<ChannelListItem[]> {
    const { value } = await this.dispatcher.withContext(caller, visibleChannels);
    return value.map((c) => ({ name: c.name, topic: c.topic, members: c.memberCount }));
  }

  async listMembers(caller: Caller, channelName: string): Promise<MemberView[]> {
    const channel = await this.visibleChannel(caller, channelName);
    const members = await this.store.listMembers(channel.id);
    return members
      .map((m) => ({
        nick: m.session.nick,
        prefix: prefixOf(m.modes),
        away: m.session.away,
        // so a client that joins later learns the keys of those already present (SPEC §11)
        pubkey: m.session.pubkey,
      }))
      .sort((a, b) => rank(a.prefix) - rank(b.prefix) || cmp(fold(a.nick), fold(b.nick)));
  }

  async history(caller: Caller, q: HistoryQuery): Promise<HistoryView> {
    let page;
    if (q.target.startsWith('#')) {
      const channel = await this.visibleChannel(caller, q.target);
      if (!(await this.store.getMembership(caller.sessionId, channel.id))) {
        throw ircError(ERR.NOTONCHANNEL, [channel.name]);
      }
      const target = { kind: 'channel' as const, channelId: channel.id };
      page = await this.store.readHistory(target, q.before, q.limit, HISTORY_COMMANDS);
    } else {
      const peer = await this.store.getSessionByNick(fold(q.target));
      if (!peer) throw ircError(ERR.NOSUCHNICK, [q.target]);
      const target = { kind: 'dm' as const, dmPair: dmPair(caller.sessionId, peer.id) };
      page = await this.store.readHistory(target, q.before, q.limit, HISTORY_COMMANDS);
    }
    // Paging goes backwards, so a page cut by bytes keeps its newest messages and says more exist.
    const messages = tailWithin(page.messages, this.env.settings.pageMaxBytes);
    return { messages, has_more: page.hasMore || messages.length < page.messages.length };
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

  /** A channel the caller may know exists: 404 for unknown and for secret ones it is not in. */
  private async visibleChannel(caller: Caller, name: string) {
    const channel = name.startsWith('#') ? await this.store.getChannelByName(fold(name)) : null;
    if (
      !channel ||
      (isSecret(channel) && !(await this.store.getMembership(caller.sessionId, channel.id)))
    ) {
      throw ircError(ERR.NOSUCHCHANNEL, [name]);
    }
    return channel;
  }

  private async requireSession(caller: Caller): Promise<SessionRow> {
    const session = await this.store.getSession(caller.sessionId);
    if (!session) throw sessionGone();
    return session;
  }
}

function rank(prefix: string): number {
  return prefix === '@' ? 0 : prefix === '+' ? 1 : 2;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
