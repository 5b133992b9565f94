/** Versioned schema migrations for the SQLite store; applied in order, each exactly once. */
import { SchemaTooNewError } from '../errors';
import type { SqliteDb } from './database';

export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    connection_id TEXT NOT NULL,
    event_type TEXT NOT NULL,
    data_id TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('message', 'contact')),
    payload TEXT NOT NULL,
    received_at INTEGER NOT NULL,
    dispatched_at INTEGER,
    UNIQUE (connection_id, event_type, data_id)
  );
  CREATE INDEX events_undispatched ON events (id) WHERE dispatched_at IS NULL AND kind = 'message';

  CREATE TABLE contacts (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    tags TEXT NOT NULL,
    contact_updated_at TEXT,
    stored_at INTEGER NOT NULL
  );

  CREATE TABLE conversations (
    id TEXT PRIMARY KEY,
    type TEXT NOT NULL CHECK (type IN ('channel', 'groupChat', 'personal')),
    tenant_id TEXT NOT NULL,
    service_url TEXT NOT NULL,
    channel_id TEXT NOT NULL,
    team_id TEXT,
    bot_id TEXT NOT NULL,
    bot_name TEXT NOT NULL,
    active INTEGER NOT NULL DEFAULT 1,
    removed_reason TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  );

  CREATE TABLE subscriptions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    conversation_id TEXT NOT NULL REFERENCES conversations (id),
    filters TEXT NOT NULL,
    filters_key TEXT NOT NULL,
    created_by TEXT,
    created_at INTEGER NOT NULL,
    removed_at INTEGER,
    removed_reason TEXT
  );
  CREATE UNIQUE INDEX subscriptions_active_unique ON subscriptions (conversation_id, filters_key) WHERE removed_at IS NULL;

  CREATE TABLE deliveries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id INTEGER NOT NULL REFERENCES events (id),
    conversation_id TEXT NOT NULL REFERENCES conversations (id),
    state TEXT NOT NULL CHECK (state IN ('pending', 'delivered', 'dead')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    last_error TEXT,
    activity_id TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (event_id, conversation_id)
  );
  CREATE INDEX deliveries_due ON deliveries (next_attempt_at) WHERE state = 'pending';
  `,
  // Delivery under Teams' limits: request log for pacing, 429 pauses, threads per klink room,
  // digests, room mutes, smaller cards after 413, message text retention.
  `
  ALTER TABLE conversations ADD COLUMN paused_until INTEGER;
  ALTER TABLE events ADD COLUMN room_id TEXT;
  ALTER TABLE events ADD COLUMN purged_at INTEGER;
  ALTER TABLE deliveries ADD COLUMN subscription_ids TEXT NOT NULL DEFAULT '[]';
  ALTER TABLE deliveries ADD COLUMN shrink INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE deliveries ADD COLUMN via TEXT;
  ALTER TABLE deliveries ADD COLUMN delivered_at INTEGER;
  CREATE INDEX deliveries_conversation_pending ON deliveries (conversation_id, next_attempt_at) WHERE state = 'pending';

  CREATE TABLE teams_requests (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    conversation_id TEXT NOT NULL,
    tenant_id TEXT NOT NULL,
    at INTEGER NOT NULL
  );
  CREATE INDEX teams_requests_at ON teams_requests (at);

  CREATE TABLE room_threads (
    conversation_id TEXT NOT NULL REFERENCES conversations (id),
    room_id TEXT NOT NULL,
    root_activity_id TEXT NOT NULL,
    root_event_id INTEGER NOT NULL REFERENCES events (id),
    started_at INTEGER NOT NULL,
    last_posted_at INTEGER NOT NULL,
    message_count INTEGER NOT NULL,
    latest_event_id INTEGER NOT NULL REFERENCES events (id),
    root_updated_at INTEGER NOT NULL,
    root_stale INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (conversation_id, room_id)
  );

  CREATE TABLE room_mutes (
    conversation_id TEXT NOT NULL REFERENCES conversations (id),
    room_id TEXT NOT NULL,
    until INTEGER NOT NULL,
    muted_by TEXT,
    PRIMARY KEY (conversation_id, room_id)
  );
  `,
  // Tenants: admin consent as a tenant's opt-in; further klink connections, each of one tenant.
  `
  CREATE TABLE tenant_consents (
    tenant_id TEXT PRIMARY KEY,
    granted_by TEXT,
    scopes TEXT NOT NULL,
    granted_at INTEGER NOT NULL,
    revoked_at INTEGER,
    revoked_reason TEXT
  );

  CREATE TABLE klink_connections (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL,
    name TEXT NOT NULL,
    secret_encrypted TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    removed_at INTEGER
  );
  `,
  // Finding out-of-date thread roots without reading every thread.
  `
  CREATE INDEX room_threads_stale ON room_threads (root_updated_at) WHERE root_stale = 1;
  `,
  // Several workers: claims on conversations, Teams' budget as slots (taken, answered), leases.
  `
  ALTER TABLE conversations ADD COLUMN claimed_by TEXT;
  ALTER TABLE conversations ADD COLUMN claimed_until INTEGER;

  CREATE TABLE teams_slots (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    conversation_id TEXT NOT NULL,
    tenant_id TEXT NOT NULL,
    taken_at INTEGER NOT NULL,
    answered_at INTEGER,
    expires_at INTEGER NOT NULL
  );
  CREATE INDEX teams_slots_conversation ON teams_slots (conversation_id, COALESCE(answered_at, expires_at));
  CREATE INDEX teams_slots_tenant ON teams_slots (tenant_id, COALESCE(answered_at, expires_at));
  CREATE INDEX teams_slots_taken ON teams_slots (taken_at);
  INSERT INTO teams_slots (conversation_id, tenant_id, taken_at, answered_at, expires_at)
    SELECT conversation_id, tenant_id, at, at, at FROM teams_requests ORDER BY at, id;
  DROP TABLE teams_requests;

  CREATE TABLE leases (
    name TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    expires_at INTEGER NOT NULL
  );

  -- A message's contact, read with the event and its deliveries (set for the events still needed).
  ALTER TABLE events ADD COLUMN contact_id TEXT;
  UPDATE events SET contact_id = json_extract(payload, '$.data.contactId')
    WHERE kind = 'message' AND (dispatched_at IS NULL OR id IN (SELECT event_id FROM deliveries WHERE state = 'pending'));
  `,
  // Admin consent: each consent state is accepted once (a replayed callback is refused).
  `
  CREATE TABLE consent_states (
    nonce TEXT PRIMARY KEY,
    expires_at INTEGER NOT NULL
  );
  `,
  // Contact enrichment: contacts learned from klink's API (when fetched), and the ones it does not know.
  `
  ALTER TABLE contacts ADD COLUMN source TEXT NOT NULL DEFAULT 'webhook' CHECK (source IN ('webhook', 'api'));
  ALTER TABLE contacts ADD COLUMN fetched_at INTEGER;
  CREATE TABLE contact_misses (
    id TEXT PRIMARY KEY,
    checked_at INTEGER NOT NULL
  );
  `,
  // The klink tab: names of channels, teams and chats as Teams tells the bot, and whose personal
  // chat a personal conversation is (the user's Entra object id), so the tab can list them.
  `
  ALTER TABLE conversations ADD COLUMN name TEXT;
  ALTER TABLE conversations ADD COLUMN team_name TEXT;
  ALTER TABLE conversations ADD COLUMN user_aad_object_id TEXT;
  CREATE INDEX conversations_personal_user ON conversations (user_aad_object_id) WHERE user_aad_object_id IS NOT NULL;
  `,
  // Replies from cards: a connection's own klink API token (sealed) and reply setting; every reply
  // recorded, one per card action (claimed before klink is called).
  `
  ALTER TABLE klink_connections ADD COLUMN api_token_encrypted TEXT;
  ALTER TABLE klink_connections ADD COLUMN reply TEXT CHECK (reply IN ('on', 'off'));

  CREATE TABLE card_replies (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    action_key TEXT NOT NULL,
    conversation_id TEXT NOT NULL REFERENCES conversations (id),
    event_id INTEGER NOT NULL REFERENCES events (id),
    connection_id TEXT NOT NULL,
    contact_id TEXT NOT NULL,
    room_id TEXT NOT NULL,
    user_id TEXT,
    user_name TEXT,
    text TEXT,
    created_at INTEGER NOT NULL,
    outcome TEXT NOT NULL CHECK (outcome IN ('sending', 'sent', 'failed', 'unknown')),
    klink_message_id TEXT,
    error_code TEXT,
    error TEXT,
    finished_at INTEGER,
    UNIQUE (conversation_id, action_key)
  );
  CREATE INDEX card_replies_card ON card_replies (conversation_id, event_id);
  CREATE INDEX card_replies_text ON card_replies (created_at) WHERE text IS NOT NULL;
  `,
];

/** Applies the migrations the database does not have yet, each in its own transaction. */
export function migrate(db: SqliteDb): void {
  db.db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)');
  // Read and applied under the write lock: two processes opening one file at once (the server and
  // an operator command) never apply a migration twice.
  db.transaction(() => {
    const row = db.stmt('SELECT MAX(version) AS v FROM schema_migrations').get() as { v: number | null };
    const current = row.v ?? 0;
    if (current > MIGRATIONS.length) throw new SchemaTooNewError(current, MIGRATIONS.length);
    for (let version = current + 1; version <= MIGRATIONS.length; version++) {
      db.db.exec(MIGRATIONS[version - 1]);
      db.stmt('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)').run(version, Date.now());
    }
  });
}
