/** Versioned schema migrations for the SQLite store; applied in order, each exactly once. */
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
];
