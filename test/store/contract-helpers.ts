// Helpers for the store contract suite: a fixture that creates sessions, clients, channels and
// log rows the way the core does, with a fake clock. Not a test file itself.
import { fold } from '../../src/model/casefold.js';
import { StoreConflict } from '../../src/store/errors.js';
import type { Envelope, NewEnvelope } from '../../src/model/envelope.js';
import type {
  ChannelRow,
  ClientRow,
  EventAddress,
  QueueRead,
  SessionRow,
  Store,
} from '../../src/store/store.js';

/** What a store implementation hands the contract suite. The optional parts enable more tests. */
export interface StoreHandle {
  store: Store;
  cleanup(): Promise<void>;
  /** closes the store and opens the same database again (seq is never reused across restarts) */
  reopen?(): Promise<Store>;
  /** makes every write fail the way a full or read-only database does; repairWrites undoes it */
  breakWrites?(): void | Promise<void>;
  repairWrites?(): void | Promise<void>;
}

export type MakeStore = () => Promise<StoreHandle>;

export const T0 = Date.parse('2026-01-01T00:00:00.000Z');

/** assert.rejects check: the store's typed conflict on `what` */
export const isConflict = (what: StoreConflict['what']) => (err: unknown) =>
  err instanceof StoreConflict && err.what === what;
export const HOUR = 3_600_000;
export const MESSAGES = ['PRIVMSG', 'NOTICE'] as const;

export interface User {
  session: SessionRow;
  client: ClientRow;
}

/** Builds state through the public Store API only. `now` advances one ms per stored row. */
export class Fixture {
  now = T0;
  private ids = 0;

  constructor(public store: Store) {}

  envelope(command: string, to: string, body: string[] = []): NewEnvelope {
    this.now += 1;
    return {
      id: `id-${++this.ids}`,
      command,
      from: 'server',
      to,
      params: [],
      body,
      ts: new Date(this.now).toISOString(),
      meta: {},
    };
  }

  async session(
    nick: string,
    opts: { password?: string; modes?: string } = {},
  ): Promise<SessionRow> {
    return this.store.transaction((tx) =>
      tx.createSession({
        nick,
        nickFolded: fold(nick),
        user: `~${nick.slice(0, 9)}`,
        passwordHash: opts.password ?? null,
        modes: opts.modes ?? '',
        createdAt: this.now,
      }),
    );
  }

  async client(sessionId: number): Promise<ClientRow> {
    const tokenHash = `token-${++this.ids}`;
    return this.store.transaction((tx) =>
      tx.createClient({ sessionId, tokenHash, createdAt: this.now }),
    );
  }

  async user(nick: string, opts: { password?: string; modes?: string } = {}): Promise<User> {
    const session = await this.session(nick, opts);
    return { session, client: await this.client(session.id) };
  }

  async channel(name: string): Promise<ChannelRow> {
    return this.store.transaction((tx) =>
      tx.createChannel({ name, nameFolded: fold(name), modes: 'nt', createdAt: this.now }),
    );
  }

  async append(env: NewEnvelope, address: EventAddress): Promise<Envelope> {
    return this.store.transaction((tx) => tx.appendEvent(env, address));
  }

  /** a JOIN row and the interval opening at it, in one transaction (as the core does) */
  async join(sessionId: number, channel: ChannelRow, modes = ''): Promise<Envelope> {
    const env = this.envelope('JOIN', channel.name);
    return this.store.transaction(async (tx) => {
      const joined = await tx.appendEvent(env, { kind: 'channel', channelId: channel.id });
      await tx.addMember({ sessionId, channelId: channel.id, joinedSeq: joined.seq, modes });
      return joined;
    });
  }

  /** a PART row and the interval closing at it */
  async part(sessionId: number, channel: ChannelRow): Promise<Envelope> {
    const env = this.envelope('PART', channel.name);
    return this.store.transaction(async (tx) => {
      const parted = await tx.appendEvent(env, { kind: 'channel', channelId: channel.id });
      await tx.closeMembership(sessionId, channel.id, parted.seq);
      return parted;
    });
  }

  async say(channel: ChannelRow, text: string, command = 'PRIVMSG'): Promise<Envelope> {
    const env = this.envelope(command, channel.name, [text]);
    return this.append(env, { kind: 'channel', channelId: channel.id });
  }

  /** a DM from one session to another (sender's other clients see it too) */
  async dm(from: SessionRow, to: SessionRow, text: string, command = 'PRIVMSG'): Promise<Envelope> {
    const pair = `${Math.min(from.id, to.id)}:${Math.max(from.id, to.id)}`;
    return this.append(this.envelope(command, to.nick, [text]), {
      kind: 'session',
      sessionId: to.id,
      senderSessionId: from.id,
      dmPair: pair,
    });
  }

  async toSession(sessionId: number, text: string, alsoChannels?: number[]): Promise<Envelope> {
    const address: EventAddress = { kind: 'session', sessionId };
    if (alsoChannels) address.alsoChannels = alsoChannels;
    return this.append(this.envelope('NOTICE', 'x', [text]), address);
  }

  async toClient(clientId: number, text: string): Promise<Envelope> {
    return this.append(this.envelope('001', 'x', [text]), { kind: 'client', clientId });
  }

  async read(u: User, after: number | null, limit = 500, maxEntries = 100_000): Promise<QueueRead> {
    return this.store.readQueue({
      clientId: u.client.id,
      sessionId: u.session.id,
      after,
      limit,
      maxEntries,
    });
  }

  /** every entry after `after`, following the cursor in pages of `limit` */
  async readAll(u: User, after: number | null, limit: number): Promise<number[]> {
    const seen: number[] = [];
    let cursor = after;
    for (;;) {
      const { entries } = await this.read(u, cursor, limit);
      if (entries.length === 0) return seen;
      seen.push(...entries.map((e) => e.seq));
      cursor = entries[entries.length - 1]!.seq;
    }
  }
}

export function seqs(r: QueueRead | { messages: Envelope[] }): number[] {
  return ('entries' in r ? r.entries : r.messages).map((e) => e.seq);
}

export function texts(r: QueueRead | { messages: Envelope[] }): string[] {
  return ('entries' in r ? r.entries : r.messages).map((e) => (e.body as string[])[0] ?? '');
}
