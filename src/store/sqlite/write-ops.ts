// Tx = ReadOps + WriteOps on the writer connection, inside one transaction of SqliteStore.
import { StoreConflict } from '../errors.js';
import type { Envelope, NewEnvelope } from '../../model/envelope.js';
import type { Folded } from '../../model/casefold.js';
import type {
  BanRow,
  ChannelPatch,
  ChannelRow,
  ClientRow,
  EventAddress,
  MemberRow,
  NewChannel,
  NewClient,
  NewSession,
  SessionPatch,
  SessionRow,
  StoredTxn,
  Tx,
} from '../store.js';
import { SqliteReadOps } from './read-ops.js';
import { ANSWERED, REFUSED } from './rows.js';
import { isUniqueViolation } from './sql-errors.js';

const SESSION_PATCH_COLUMNS: Record<keyof SessionPatch, string> = {
  nick: 'nick',
  nickFolded: 'nick_folded',
  away: 'away',
  modes: 'modes',
  passwordHash: 'password_hash',
  lastMessageAt: 'last_message_at',
  pubkey: 'pubkey',
  realname: 'realname',
  account: 'account',
};
const CHANNEL_PATCH_COLUMNS: Record<keyof ChannelPatch, string> = {
  topic: 'topic',
  topicSetBy: 'topic_set_by',
  topicSetAt: 'topic_set_at',
  modes: 'modes',
  key: 'key',
  limit: 'lim',
};

const INSERT_EVENT = `INSERT INTO events
  (command, ts, channel_id, session_id, sender_session_id, client_id, dm_pair, data)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?)`;

/** a rethrow helper: a UNIQUE violation becomes the typed conflict the core handles */
function conflictOn<T>(what: StoreConflict['what'], body: () => T): T {
  try {
    return body();
  } catch (err) {
    if (isUniqueViolation(err)) throw new StoreConflict(what);
    throw err;
  }
}

export class SqliteTxOps extends SqliteReadOps implements Tx {
  async createSession(s: NewSession): Promise<SessionRow> {
    return this.run(() => {
      const sql = `INSERT INTO sessions (nick, nick_folded, user, password_hash, modes,
          created_at, last_message_at, last_seen, realname, account)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;
      const t = s.createdAt;
      const realname = s.realname ?? s.nick;
      const account = s.account ?? null;
      const r = conflictOn('nick', () =>
        this.st
          .get(sql)
          .run(s.nick, s.nickFolded, s.user, s.passwordHash, s.modes, t, t, t, realname, account),
      );
      const id = Number(r.lastInsertRowid);
      const row = { ...s, id, away: null, lastMessageAt: t, lastSeen: t, pubkey: null };
      return { ...row, realname, account };
    });
  }

  async updateSession(id: number, patch: SessionPatch): Promise<void> {
    return this.run(() => {
      conflictOn('nick', () => this.patchRow('sessions', id, patch, SESSION_PATCH_COLUMNS));
    });
  }

  /**
   * The session's clients (and so their txns) go with it. Its membership intervals, open or
   * closed, are deleted rather than closed at endSeq: with no client left nobody can read the
   * session's queue again, and session ids are never reused, so the intervals serve no one.
   */
  async deleteSession(id: number, _endSeq: number): Promise<void> {
    return this.run(() => {
      this.st.get('DELETE FROM memberships WHERE session_id = ?').run(id);
      this.st.get('DELETE FROM channel_invites WHERE session_id = ?').run(id);
      this.st.get('DELETE FROM sessions WHERE id = ?').run(id);
    });
  }

  async createClient(c: NewClient): Promise<ClientRow> {
    return this.run(() => {
      // the queue of a new client starts after the newest row (it gets state, not backlog)
      const seqSql = `SELECT coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'events'), 0)`;
      const startSeq = this.st.get(seqSql).pluck().get() as number;
      // a device's saved cursor starts there too: resuming before any delivery gives it all
      const device = c.device ?? null;
      const cursor = device === null ? null : startSeq;
      const sql = `INSERT INTO clients
        (session_id, token_hash, created_at, last_seen, start_seq, device, cursor)
        VALUES (?, ?, ?, ?, ?, ?, ?)`;
      const t = c.createdAt;
      const r = conflictOn('device', () =>
        this.st.get(sql).run(c.sessionId, c.tokenHash, t, t, startSeq, device, cursor),
      );
      const id = Number(r.lastInsertRowid);
      return { id, sessionId: c.sessionId, createdAt: t, lastSeen: t, startSeq, device, cursor };
    });
  }

  async deleteClient(id: number): Promise<void> {
    return this.run(() => {
      this.st.get('DELETE FROM clients WHERE id = ?').run(id);
    });
  }

  async setClientToken(id: number, tokenHash: string): Promise<void> {
    return this.run(() => {
      this.st.get('UPDATE clients SET token_hash = ? WHERE id = ?').run(tokenHash, id);
    });
  }

  async advanceClientCursor(id: number, after: number): Promise<void> {
    return this.run(() => {
      // one statement: only device clients have a cursor here, and it only moves forward
      const sql = 'UPDATE clients SET cursor = ? WHERE id = ? AND cursor < ?';
      this.st.get(sql).run(after, id, after);
    });
  }

  async touchClient(id: number, lastSeen: number): Promise<void> {
    return this.run(() => {
      this.st.get('UPDATE clients SET last_seen = ? WHERE id = ?').run(lastSeen, id);
      const sql = `UPDATE sessions SET last_seen = ?
        WHERE id = (SELECT session_id FROM clients WHERE id = ?)`;
      this.st.get(sql).run(lastSeen, id);
    });
  }

  async createChannel(c: NewChannel): Promise<ChannelRow> {
    return this.run(() => {
      const sql = `INSERT INTO channels (name, name_folded, modes, created_at) VALUES (?, ?, ?, ?)`;
      const r = conflictOn('channel', () =>
        this.st.get(sql).run(c.name, c.nameFolded, c.modes, c.createdAt),
      );
      return {
        ...c,
        id: Number(r.lastInsertRowid),
        topic: null,
        topicSetBy: null,
        topicSetAt: null,
        key: null,
        limit: null,
      };
    });
  }

  async updateChannel(id: number, patch: ChannelPatch): Promise<void> {
    return this.run(() => {
      this.patchRow('channels', id, patch, CHANNEL_PATCH_COLUMNS);
    });
  }

  async removeChannel(id: number, at: number): Promise<void> {
    return this.run(() => {
      const sql = 'UPDATE channels SET removed_at = ? WHERE id = ? AND removed_at IS NULL';
      this.st.get(sql).run(at, id);
      this.st.get('DELETE FROM channel_bans WHERE channel_id = ?').run(id);
      this.st.get('DELETE FROM channel_invites WHERE channel_id = ?').run(id);
    });
  }

  async addBan(b: BanRow): Promise<boolean> {
    return this.run(() => {
      const sql = `INSERT OR IGNORE INTO channel_bans (channel_id, mask_folded, mask, set_by, set_at)
        VALUES (?, ?, ?, ?, ?)`;
      return this.st.get(sql).run(b.channelId, b.maskFolded, b.mask, b.setBy, b.setAt).changes > 0;
    });
  }

  async removeBan(channelId: number, maskFolded: Folded): Promise<boolean> {
    return this.run(() => {
      const sql = 'DELETE FROM channel_bans WHERE channel_id = ? AND mask_folded = ?';
      return this.st.get(sql).run(channelId, maskFolded).changes > 0;
    });
  }

  async addInvite(channelId: number, sessionId: number, at: number): Promise<void> {
    return this.run(() => {
      const sql = `INSERT INTO channel_invites (channel_id, session_id, created_at) VALUES (?, ?, ?)
        ON CONFLICT (channel_id, session_id) DO UPDATE SET created_at = excluded.created_at`;
      this.st.get(sql).run(channelId, sessionId, at);
    });
  }

  async deleteInvite(channelId: number, sessionId: number): Promise<void> {
    return this.run(() => {
      const sql = 'DELETE FROM channel_invites WHERE channel_id = ? AND session_id = ?';
      this.st.get(sql).run(channelId, sessionId);
    });
  }

  async addMember(m: MemberRow): Promise<void> {
    return this.run(() => {
      const sql = `INSERT INTO memberships (session_id, channel_id, joined_seq, modes)
        VALUES (?, ?, ?, ?)`;
      this.st.get(sql).run(m.sessionId, m.channelId, m.joinedSeq, m.modes);
    });
  }

  async setMemberModes(sessionId: number, channelId: number, modes: string): Promise<void> {
    return this.run(() => {
      const sql = `UPDATE memberships SET modes = ?
        WHERE session_id = ? AND channel_id = ? AND parted_seq IS NULL`;
      this.st.get(sql).run(modes, sessionId, channelId);
    });
  }

  async closeMembership(sessionId: number, channelId: number, partedSeq: number): Promise<void> {
    return this.run(() => {
      const sql = `UPDATE memberships SET parted_seq = ?
        WHERE session_id = ? AND channel_id = ? AND parted_seq IS NULL`;
      this.st.get(sql).run(partedSeq, sessionId, channelId);
    });
  }

  async appendEvent(e: NewEnvelope, address: EventAddress): Promise<Envelope> {
    return this.run(() => {
      const a = addressColumns(address);
      // The core stamps every envelope with its injected clock; the store never invents a time.
      const ts = Date.parse(e.ts);
      if (Number.isNaN(ts))
        throw new TypeError(`appendEvent: ts ${JSON.stringify(e.ts)} is not a time`);
      // data never holds a seq: it is the row's primary key, put back on read
      const data = JSON.stringify('seq' in e ? { ...e, seq: undefined } : e);
      const r = this.st.get(INSERT_EVENT).run(e.command, ts, a[0], a[1], a[2], a[3], a[4], data);
      const seq = Number(r.lastInsertRowid);
      const also = address.kind === 'client' ? undefined : address.alsoChannels;
      if (also !== undefined && also.length > 0) {
        const link = this.st.get(
          'INSERT OR IGNORE INTO event_channels (channel_id, seq) VALUES (?, ?)',
        );
        for (const ch of also) if (ch !== a[0]) link.run(ch, seq);
      }
      return { ...e, seq };
    });
  }

  async saveTxn(clientId: number, txn: string, value: StoredTxn, createdAt: number): Promise<void> {
    return this.run(() => {
      const sql = `INSERT INTO txns (client_id, txn, status, response, created_at)
        VALUES (?, ?, ?, ?, ?)`;
      const response = JSON.stringify(value.response ?? null);
      conflictOn('txn', () =>
        this.st
          .get(sql)
          .run(clientId, txn, value.refused ? REFUSED : ANSWERED, response, createdAt),
      );
    });
  }

  async spendStamp(stamp: string, expiresAt: number): Promise<void> {
    return this.run(() => {
      const sql = `INSERT INTO spent_stamps (stamp, expires_at) VALUES (?, ?)`;
      conflictOn('stamp', () => this.st.get(sql).run(stamp, expiresAt));
    });
  }

  async spendSignature(digest: string, expiresAt: number): Promise<void> {
    return this.run(() => {
      const sql = `INSERT INTO spent_signatures (digest, expires_at) VALUES (?, ?)`;
      conflictOn('signature', () => this.st.get(sql).run(digest, expiresAt));
    });
  }

  /** inside a transaction: the heartbeat write is part of it */
  override async canWrite(): Promise<boolean> {
    try {
      this.run(() => writeHeartbeat(this.st.get(HEARTBEAT_SQL)));
      return true;
    } catch {
      return false;
    }
  }

  /** UPDATE of the given patch fields; one cached statement per combination of fields */
  private patchRow<P extends object>(
    table: string,
    id: number,
    patch: P,
    columns: Record<keyof P, string>,
  ): void {
    const keys = (Object.keys(patch) as (keyof P)[]).filter((k) => patch[k] !== undefined);
    if (keys.length === 0) return;
    const cols = keys.map((k) => columns[k]);
    const stmt = this.st.keyed(`patch:${table}:${cols.join(',')}`, () => {
      const sets = cols.map((c) => `${c} = ?`).join(', ');
      return `UPDATE ${table} SET ${sets} WHERE id = ?`;
    });
    stmt.run(...keys.map((k) => patch[k]), id);
  }
}

export const HEARTBEAT_SQL = `INSERT INTO meta (key, value) VALUES ('heartbeat', ?)
  ON CONFLICT (key) DO UPDATE SET value = excluded.value`;

export function writeHeartbeat(stmt: { run(...args: unknown[]): unknown }): void {
  stmt.run(Date.now());
}

/** [channel_id, session_id, sender_session_id, client_id, dm_pair] of an address */
function addressColumns(
  a: EventAddress,
): [number | null, number | null, number | null, number | null, string | null] {
  switch (a.kind) {
    case 'channel':
      return [a.channelId, null, null, null, null];
    case 'session':
      return [null, a.sessionId, a.senderSessionId ?? null, null, a.dmPair ?? null];
    case 'client':
      return [null, null, null, a.clientId, null];
  }
}
