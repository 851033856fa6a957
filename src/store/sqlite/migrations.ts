// Versioned schema migrations. Each runs once, in its own write transaction, and is recorded in
// `schema_migrations`; the version check happens inside the transaction, so two processes
// opening the same file at once cannot both apply a migration.
import type { Db } from './connection.js';

interface Migration {
  version: number;
  name: string;
  sql: string;
}

// Delivery storage follows docs/envelope-and-delivery.md: one log (`events`) with one addressing column per row,
// partial indexes per addressing column (they halve the write cost compared to full indexes),
// and membership intervals instead of per-recipient rows.
const INITIAL_SCHEMA = `
CREATE TABLE sessions (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  nick TEXT NOT NULL,
  nick_folded TEXT NOT NULL UNIQUE,
  user TEXT NOT NULL,
  password_hash TEXT,
  away TEXT,
  modes TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  last_message_at INTEGER NOT NULL,
  last_seen INTEGER NOT NULL,
  -- highest seq of this session's DM rows deleted by history rotation (gap detection)
  rotated_upto INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE clients (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
  token_hash TEXT NOT NULL UNIQUE,
  created_at INTEGER NOT NULL,
  last_seen INTEGER NOT NULL,
  start_seq INTEGER NOT NULL
);
CREATE INDEX clients_session ON clients(session_id);
CREATE INDEX clients_last_seen ON clients(last_seen);

CREATE TABLE channels (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL,
  name_folded TEXT NOT NULL,
  topic TEXT,
  topic_set_by TEXT,
  topic_set_at INTEGER,
  modes TEXT NOT NULL DEFAULT '',
  key TEXT,
  lim INTEGER,
  created_at INTEGER NOT NULL,
  removed_at INTEGER,
  -- highest seq of this channel's rows deleted by history rotation (gap detection)
  rotated_upto INTEGER NOT NULL DEFAULT 0,
  -- rotation bookkeeping: PRIVMSG/NOTICE kept as of seq hist_checked, so that each prune
  -- run counts only the messages added since instead of walking the whole history
  hist_count INTEGER NOT NULL DEFAULT 0,
  hist_checked INTEGER NOT NULL DEFAULT 0
);
-- A removed channel frees its name at once; its rows wait for prune().
CREATE UNIQUE INDEX channels_live_name ON channels(name_folded) WHERE removed_at IS NULL;
CREATE INDEX channels_removed ON channels(removed_at) WHERE removed_at IS NOT NULL;

-- Membership intervals: entitled to the channel's rows with joined_seq <= seq <= parted_seq.
-- No foreign key to sessions: a session's intervals are removed by deleteSession itself.
CREATE TABLE memberships (
  id INTEGER PRIMARY KEY,
  session_id INTEGER NOT NULL,
  channel_id INTEGER NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
  joined_seq INTEGER NOT NULL,
  parted_seq INTEGER,
  modes TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX memberships_open ON memberships(session_id, channel_id)
  WHERE parted_seq IS NULL;
CREATE INDEX memberships_session ON memberships(session_id);
CREATE INDEX memberships_channel ON memberships(channel_id);
CREATE INDEX memberships_parted ON memberships(parted_seq) WHERE parted_seq IS NOT NULL;

-- The log. data = the whole envelope as JSON without seq (one column reads 2.5x faster);
-- AUTOINCREMENT so a seq is never reused, also after deleting every row.
CREATE TABLE events (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  command TEXT NOT NULL,
  ts INTEGER NOT NULL,
  channel_id INTEGER,
  session_id INTEGER,
  sender_session_id INTEGER,
  client_id INTEGER,
  dm_pair TEXT,
  data TEXT NOT NULL,
  CHECK ((channel_id IS NOT NULL) + (session_id IS NOT NULL) + (client_id IS NOT NULL) = 1)
);
CREATE INDEX events_channel ON events(channel_id, seq) WHERE channel_id IS NOT NULL;
CREATE INDEX events_session ON events(session_id, seq) WHERE session_id IS NOT NULL;
CREATE INDEX events_sender ON events(sender_session_id, seq) WHERE sender_session_id IS NOT NULL;
CREATE INDEX events_client ON events(client_id, seq) WHERE client_id IS NOT NULL;
CREATE INDEX events_dm ON events(dm_pair, seq) WHERE dm_pair IS NOT NULL;

-- Further channels whose members are entitled to a row (NICK, QUIT): stored once, listed here.
CREATE TABLE event_channels (
  channel_id INTEGER NOT NULL,
  seq INTEGER NOT NULL,
  PRIMARY KEY (channel_id, seq)
) WITHOUT ROWID;
CREATE INDEX event_channels_seq ON event_channels(seq);

CREATE TABLE txns (
  client_id INTEGER NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
  txn TEXT NOT NULL,
  status INTEGER NOT NULL,
  response TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (client_id, txn)
) WITHOUT ROWID;
CREATE INDEX txns_created ON txns(created_at);

-- Watermarks (age floor, prune progress) and the health-check heartbeat.
CREATE TABLE meta (
  key TEXT PRIMARY KEY,
  value INTEGER NOT NULL
) WITHOUT ROWID;
`;

export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: 'initial schema', sql: INITIAL_SCHEMA },
  {
    version: 2,
    name: 'spent hashcash stamps',
    // a stamp is only valid within a few days of its date, so it is remembered until then
    sql: `CREATE TABLE spent_stamps (
      stamp TEXT PRIMARY KEY,
      expires_at INTEGER NOT NULL
    ) WITHOUT ROWID;
    CREATE INDEX spent_stamps_expiry ON spent_stamps(expires_at);`,
  },
  {
    version: 3,
    name: 'session signing keys',
    // the raw Ed25519 public key (base64) a session announced with PUBKEY (docs/signing.md)
    sql: 'ALTER TABLE sessions ADD COLUMN pubkey TEXT;',
  },
  {
    version: 4,
    name: 'channel bans and invites',
    // Both belong to one live channel: removeChannel deletes them, so a channel re-created under
    // the same name starts without them (and the cascade covers the purge of removed channels).
    sql: `CREATE TABLE channel_bans (
      channel_id INTEGER NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
      mask_folded TEXT NOT NULL,
      mask TEXT NOT NULL,
      set_by TEXT NOT NULL,
      set_at INTEGER NOT NULL,
      PRIMARY KEY (channel_id, mask_folded)
    ) WITHOUT ROWID;
    CREATE TABLE channel_invites (
      channel_id INTEGER NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
      session_id INTEGER NOT NULL,
      created_at INTEGER NOT NULL,
      PRIMARY KEY (channel_id, session_id)
    ) WITHOUT ROWID;
    CREATE INDEX channel_invites_session ON channel_invites(session_id);`,
  },
  {
    version: 5,
    name: 'spent message signatures',
    // SHA-256 of each accepted message signature, kept while its `meta.ts` is fresh enough to
    // pass the check again (docs/signing.md): a second use is refused on every instance
    sql: `CREATE TABLE spent_signatures (
      digest TEXT PRIMARY KEY,
      expires_at INTEGER NOT NULL
    ) WITHOUT ROWID;
    CREATE INDEX spent_signatures_expiry ON spent_signatures(expires_at);`,
  },
  {
    version: 6,
    name: 'device clients',
    // A named device (an IRC connection's `nick@device`) is one client kept across connections:
    // one per name and session, so logging in as it again finds it. Its cursor is kept by the
    // server, since an IRC client cannot tell the server where it stopped reading.
    sql: `ALTER TABLE clients ADD COLUMN device TEXT;
    ALTER TABLE clients ADD COLUMN cursor INTEGER;
    CREATE UNIQUE INDEX clients_device ON clients(session_id, device) WHERE device IS NOT NULL;`,
  },
  {
    version: 7,
    name: 'real names and account names',
    // IRCv3 setname and account-*: the real name defaults to the nick (what WHOIS showed before);
    // a session that already has a password is an account named after its current nick.
    sql: `ALTER TABLE sessions ADD COLUMN realname TEXT NOT NULL DEFAULT '';
    ALTER TABLE sessions ADD COLUMN account TEXT;
    UPDATE sessions SET realname = nick;
    UPDATE sessions SET account = nick WHERE password_hash IS NOT NULL;`,
  },
];

/** Applies the migrations not yet recorded; returns the versions applied now. */
export function migrate(db: Db, migrations: readonly Migration[] = MIGRATIONS): number[] {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    applied_at INTEGER NOT NULL
  )`);
  const applied: number[] = [];
  const isApplied = db.prepare('SELECT 1 FROM schema_migrations WHERE version = ?').pluck();
  const record = db.prepare(
    'INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)',
  );
  for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
    db.exec('BEGIN IMMEDIATE');
    try {
      if (isApplied.get(m.version) === undefined) {
        db.exec(m.sql);
        record.run(m.version, m.name, Date.now());
        applied.push(m.version);
      }
      db.exec('COMMIT');
    } catch (err) {
      if (db.inTransaction) db.exec('ROLLBACK');
      throw err;
    }
  }
  return applied;
}
