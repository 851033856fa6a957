// ReadOps on one connection: the reader (top-level store reads, committed data only) or the
// writer inside a transaction (sees the transaction's own writes).
import type { Folded } from '../../model/casefold.js';
import type {
  BanRow,
  ChannelRow,
  ChannelWithCount,
  ChannelWithMembership,
  ClientRow,
  Counts,
  HistoryPage,
  HistoryTarget,
  MemberRow,
  MemberWithSession,
  QueueRead,
  QueueReadOptions,
  ReadOps,
  SessionRow,
  StoredTxn,
} from '../store.js';
import { readHistory } from './history.js';
import { OpsBase } from './ops-base.js';
import { readQueue, type QueueHints } from './queue.js';
import {
  ANSWERED,
  CHANNEL_COLS,
  CLIENT_COLS,
  MEMBER_COLS,
  SESSION_COLS,
  toChannel,
  toClient,
  toMember,
  toSession,
  type RawChannel,
  type RawClient,
  type RawMember,
  type RawSession,
} from './rows.js';

type RawChannelCount = RawChannel & { member_count: number };
interface RawBan {
  channel_id: number;
  mask: string;
  mask_folded: string;
  set_by: string;
  set_at: number;
}
type RawMemberSession = RawMember & RawSession;
type RawChannelMember = RawChannel & RawMember;

export class SqliteReadOps extends OpsBase implements ReadOps {
  /** set by the store for top-level reads; reads inside a transaction do without */
  protected queueHints: QueueHints | null = null;

  async getSession(id: number): Promise<SessionRow | null> {
    return this.run(() => {
      const r = this.st.get(`SELECT ${SESSION_COLS} FROM sessions s WHERE s.id = ?`).get(id);
      return r === undefined ? null : toSession(r as RawSession);
    });
  }

  async getSessionByNick(nick: Folded): Promise<SessionRow | null> {
    return this.run(() => {
      const sql = `SELECT ${SESSION_COLS} FROM sessions s WHERE s.nick_folded = ?`;
      const r = this.st.get(sql).get(nick);
      return r === undefined ? null : toSession(r as RawSession);
    });
  }

  /** every session, by id (WHO with a mask) */
  async listSessions(): Promise<SessionRow[]> {
    return this.run(() => {
      const sql = `SELECT ${SESSION_COLS} FROM sessions s ORDER BY s.id`;
      return (this.st.get(sql).all() as RawSession[]).map(toSession);
    });
  }

  async getClient(id: number): Promise<ClientRow | null> {
    return this.run(() => {
      const r = this.st.get(`SELECT ${CLIENT_COLS} FROM clients WHERE id = ?`).get(id);
      return r === undefined ? null : toClient(r as RawClient);
    });
  }

  async getClientByTokenHash(tokenHash: string): Promise<ClientRow | null> {
    return this.clientByTokenHashNow(tokenHash);
  }

  /** the same, synchronously (the store's token cache puts what it read in the same step) */
  protected clientByTokenHashNow(tokenHash: string): ClientRow | null {
    return this.run(() => {
      const r = this.st
        .get(`SELECT ${CLIENT_COLS} FROM clients WHERE token_hash = ?`)
        .get(tokenHash);
      return r === undefined ? null : toClient(r as RawClient);
    });
  }

  async getClientByDevice(sessionId: number, device: string): Promise<ClientRow | null> {
    return this.run(() => {
      const sql = `SELECT ${CLIENT_COLS} FROM clients WHERE session_id = ? AND device = ?`;
      const r = this.st.get(sql).get(sessionId, device);
      return r === undefined ? null : toClient(r as RawClient);
    });
  }

  async listClients(sessionId: number): Promise<ClientRow[]> {
    return this.run(() => {
      const sql = `SELECT ${CLIENT_COLS} FROM clients WHERE session_id = ? ORDER BY id`;
      return (this.st.get(sql).all(sessionId) as RawClient[]).map(toClient);
    });
  }

  /** Live channels only: a removed channel answers null (the core only asks for live ids). */
  async getChannel(id: number): Promise<ChannelRow | null> {
    return this.run(() => {
      const sql = `SELECT ${CHANNEL_COLS} FROM channels c WHERE c.id = ? AND c.removed_at IS NULL`;
      const r = this.st.get(sql).get(id);
      return r === undefined ? null : toChannel(r as RawChannel);
    });
  }

  async getChannelByName(name: Folded): Promise<ChannelRow | null> {
    return this.run(() => {
      const sql = `SELECT ${CHANNEL_COLS} FROM channels c
        WHERE c.name_folded = ? AND c.removed_at IS NULL`;
      const r = this.st.get(sql).get(name);
      return r === undefined ? null : toChannel(r as RawChannel);
    });
  }

  async listChannels(): Promise<ChannelWithCount[]> {
    return this.run(() => {
      const sql = `SELECT ${CHANNEL_COLS},
          (SELECT count(*) FROM memberships m
            WHERE m.channel_id = c.id AND m.parted_seq IS NULL) AS member_count
        FROM channels c WHERE c.removed_at IS NULL ORDER BY c.name_folded`;
      const rows = this.st.get(sql).all() as RawChannelCount[];
      return rows.map((r) => ({ ...toChannel(r), memberCount: r.member_count }));
    });
  }

  async getMembership(sessionId: number, channelId: number): Promise<MemberRow | null> {
    return this.run(() => {
      const sql = `SELECT ${MEMBER_COLS} FROM memberships m
        WHERE m.session_id = ? AND m.channel_id = ? AND m.parted_seq IS NULL`;
      const r = this.st.get(sql).get(sessionId, channelId);
      return r === undefined ? null : toMember(r as RawMember);
    });
  }

  async listMembers(channelId: number): Promise<MemberWithSession[]> {
    return this.run(() => {
      const sql = `SELECT ${MEMBER_COLS}, ${SESSION_COLS}
        FROM memberships m JOIN sessions s ON s.id = m.session_id
        WHERE m.channel_id = ? AND m.parted_seq IS NULL ORDER BY m.joined_seq, m.id`;
      const rows = this.st.get(sql).all(channelId) as RawMemberSession[];
      return rows.map((r) => ({ ...toMember(r), session: toSession(r) }));
    });
  }

  async countMembers(channelId: number): Promise<number> {
    return this.run(() => {
      const sql = `SELECT count(*) FROM memberships WHERE channel_id = ? AND parted_seq IS NULL`;
      return this.st.get(sql).pluck().get(channelId) as number;
    });
  }

  async listSessionChannels(sessionId: number): Promise<ChannelWithMembership[]> {
    return this.run(() => {
      const sql = `SELECT ${MEMBER_COLS}, ${CHANNEL_COLS}
        FROM memberships m JOIN channels c ON c.id = m.channel_id
        WHERE m.session_id = ? AND m.parted_seq IS NULL AND c.removed_at IS NULL
        ORDER BY c.name_folded`;
      const rows = this.st.get(sql).all(sessionId) as RawChannelMember[];
      return rows.map((r) => ({ ...toMember(r), channel: toChannel(r) }));
    });
  }

  async listBans(channelId: number): Promise<BanRow[]> {
    return this.run(() => {
      const sql = `SELECT channel_id, mask, mask_folded, set_by, set_at FROM channel_bans
        WHERE channel_id = ? ORDER BY set_at, mask_folded`;
      const rows = this.st.get(sql).all(channelId) as RawBan[];
      return rows.map((r) => ({
        channelId: r.channel_id,
        mask: r.mask,
        maskFolded: r.mask_folded as Folded,
        setBy: r.set_by,
        setAt: r.set_at,
      }));
    });
  }

  async hasInvite(channelId: number, sessionId: number): Promise<boolean> {
    return this.run(() => {
      const sql = 'SELECT 1 FROM channel_invites WHERE channel_id = ? AND session_id = ?';
      return this.st.get(sql).get(channelId, sessionId) !== undefined;
    });
  }

  async listChannelPeers(sessionId: number): Promise<number[]> {
    return this.run(() => {
      const sql = `SELECT DISTINCT o.session_id
        FROM memberships m JOIN memberships o
          ON o.channel_id = m.channel_id AND o.parted_seq IS NULL AND o.session_id <> m.session_id
        WHERE m.session_id = ? AND m.parted_seq IS NULL ORDER BY o.session_id`;
      return this.st.get(sql).pluck().all(sessionId) as number[];
    });
  }

  async listDmPeers(sessionId: number, limit: number): Promise<string[]> {
    return this.run(() => {
      // DM rows are addressed to the recipient's session and carry the sender's, so the
      // session's DM pairs are found on its two partial indexes; the most recent `limit` pairs.
      const sql = `SELECT dm_pair FROM (
          SELECT dm_pair, seq FROM events WHERE session_id = ? AND dm_pair IS NOT NULL
          UNION ALL SELECT dm_pair, seq FROM events WHERE sender_session_id = ? AND dm_pair IS NOT NULL)
        GROUP BY dm_pair ORDER BY max(seq) DESC LIMIT ?`;
      const pairs = this.st.get(sql).pluck().all(sessionId, sessionId, limit) as string[];
      const peers = new Set<number>();
      for (const pair of pairs) {
        const [a, b] = pair.split(':').map(Number);
        if (a === undefined || b === undefined) continue;
        peers.add(a === sessionId ? b : a);
      }
      const nickOf = this.st.get('SELECT nick FROM sessions WHERE id = ?').pluck();
      const nicks: string[] = [];
      for (const id of peers) {
        const nick = nickOf.get(id) as string | undefined;
        if (nick !== undefined) nicks.push(nick);
      }
      return nicks.sort();
    });
  }

  async latestSeq(): Promise<number> {
    return this.run(() => {
      const sql = `SELECT seq FROM sqlite_sequence WHERE name = 'events'`;
      const v = this.st.get(sql).pluck().get() as number | undefined;
      return v ?? 0;
    });
  }

  async readQueue(opts: QueueReadOptions): Promise<QueueRead> {
    return this.run(() => this.snapshot(() => readQueue(this.st, opts, this.queueHints)));
  }

  async readHistory(
    target: HistoryTarget,
    before: number | null,
    limit: number,
    commands: readonly string[],
  ): Promise<HistoryPage> {
    return this.run(() => readHistory(this.st, target, before, limit, commands));
  }

  async getTxn(clientId: number, txn: string): Promise<StoredTxn | null> {
    return this.run(() => {
      const sql = 'SELECT status, response FROM txns WHERE client_id = ? AND txn = ?';
      const r = this.st.get(sql).get(clientId, txn) as
        { status: number; response: string } | undefined;
      return r === undefined
        ? null
        : { refused: r.status !== ANSWERED, response: JSON.parse(r.response) as unknown };
    });
  }

  async counts(): Promise<Counts> {
    return this.run(() => {
      const sql = `SELECT
          (SELECT count(*) FROM sessions) AS sessions,
          (SELECT count(*) FROM sessions WHERE instr(modes, 'i') > 0) AS invisible,
          (SELECT count(*) FROM clients) AS clients,
          (SELECT count(*) FROM channels WHERE removed_at IS NULL) AS channels,
          (SELECT count(*) FROM sessions WHERE instr(modes, 'o') > 0) AS opers`;
      return this.st.get(sql).get() as Counts;
    });
  }

  async listIdleClients(
    lastSeenBefore: number,
    deviceLastSeenBefore: number,
  ): Promise<ClientRow[]> {
    return this.run(() => {
      // one range on the last_seen index up to the later bound, then each row's own bound
      const sql = `SELECT ${CLIENT_COLS} FROM clients
        WHERE last_seen < max(?, ?)
          AND ((device IS NULL AND last_seen < ?) OR (device IS NOT NULL AND last_seen < ?))
        ORDER BY last_seen, id`;
      const args = [lastSeenBefore, deviceLastSeenBefore, lastSeenBefore, deviceLastSeenBefore];
      return (this.st.get(sql).all(...args) as RawClient[]).map(toClient);
    });
  }

  async listOrphanSessions(accountIdleBefore: number): Promise<SessionRow[]> {
    return this.run(() => {
      const sql = `SELECT ${SESSION_COLS} FROM sessions s
        WHERE NOT EXISTS (SELECT 1 FROM clients c WHERE c.session_id = s.id)
          AND (s.password_hash IS NULL OR s.last_seen < ?)
        ORDER BY s.id`;
      return (this.st.get(sql).all(accountIdleBefore) as RawSession[]).map(toSession);
    });
  }

  /** Overridden by the store: a real write needs the writer and the transaction lock. */
  async canWrite(): Promise<boolean> {
    return false;
  }
}
