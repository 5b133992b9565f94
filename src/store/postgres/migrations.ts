/**
 * Versioned schema migrations for the PostgreSQL store, each in its own transaction, applied in
 * order under an advisory lock: instances starting at once against an empty database come up
 * with one schema. Tables live in the connection's current schema (search_path), so several
 * installations (or test runs) can share a database.
 */
import { SchemaTooNewError, StoreOpenError } from '../errors';
import type { PgDb } from './db';

export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE events (
    id BIGSERIAL PRIMARY KEY,
    connection_id TEXT NOT NULL,
    event_type TEXT NOT NULL,
    data_id TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('message', 'contact')),
    payload TEXT NOT NULL,
    received_at BIGINT NOT NULL,
    dispatched_at BIGINT,
    room_id TEXT,
    contact_id TEXT,
    purged_at BIGINT,
    UNIQUE (connection_id, event_type, data_id)
  );
  CREATE INDEX events_undispatched ON events (id) WHERE dispatched_at IS NULL AND kind = 'message';
  CREATE INDEX events_text_kept ON events (received_at) WHERE kind = 'message' AND purged_at IS NULL;

  CREATE TABLE contacts (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    tags TEXT NOT NULL,
    contact_updated_at TEXT,
    contact_updated_ms DOUBLE PRECISION,
    stored_at BIGINT NOT NULL
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
    active BOOLEAN NOT NULL DEFAULT TRUE,
    removed_reason TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    paused_until BIGINT,
    claimed_by TEXT,
    claimed_until BIGINT
  );
  CREATE INDEX conversations_team ON conversations (team_id) WHERE active;
  CREATE INDEX conversations_tenant ON conversations (lower(tenant_id)) WHERE active;

  CREATE TABLE subscriptions (
    id BIGSERIAL PRIMARY KEY,
    conversation_id TEXT NOT NULL REFERENCES conversations (id),
    filters TEXT NOT NULL,
    filters_key TEXT NOT NULL,
    created_by TEXT,
    created_at BIGINT NOT NULL,
    removed_at BIGINT,
    removed_reason TEXT
  );
  CREATE UNIQUE INDEX subscriptions_active_unique ON subscriptions (conversation_id, filters_key) WHERE removed_at IS NULL;

  CREATE TABLE deliveries (
    id BIGSERIAL PRIMARY KEY,
    event_id BIGINT NOT NULL REFERENCES events (id),
    conversation_id TEXT NOT NULL REFERENCES conversations (id),
    state TEXT NOT NULL CHECK (state IN ('pending', 'delivered', 'dead')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    last_error TEXT,
    activity_id TEXT,
    subscription_ids TEXT NOT NULL DEFAULT '[]',
    shrink INTEGER NOT NULL DEFAULT 0,
    via TEXT,
    delivered_at BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (event_id, conversation_id)
  );
  CREATE INDEX deliveries_due ON deliveries (next_attempt_at) WHERE state = 'pending';
  CREATE INDEX deliveries_conversation_pending ON deliveries (conversation_id, id) WHERE state = 'pending';
  CREATE INDEX deliveries_dead ON deliveries (id) WHERE state = 'dead';

  CREATE TABLE room_threads (
    conversation_id TEXT NOT NULL REFERENCES conversations (id),
    room_id TEXT NOT NULL,
    root_activity_id TEXT NOT NULL,
    root_event_id BIGINT NOT NULL REFERENCES events (id),
    started_at BIGINT NOT NULL,
    last_posted_at BIGINT NOT NULL,
    message_count INTEGER NOT NULL,
    latest_event_id BIGINT NOT NULL REFERENCES events (id),
    root_updated_at BIGINT NOT NULL,
    root_stale BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (conversation_id, room_id)
  );
  CREATE INDEX room_threads_stale ON room_threads (root_updated_at) WHERE root_stale;

  CREATE TABLE room_mutes (
    conversation_id TEXT NOT NULL REFERENCES conversations (id),
    room_id TEXT NOT NULL,
    until BIGINT NOT NULL,
    muted_by TEXT,
    PRIMARY KEY (conversation_id, room_id)
  );

  CREATE TABLE teams_slots (
    id BIGSERIAL PRIMARY KEY,
    conversation_id TEXT NOT NULL,
    tenant_id TEXT NOT NULL,
    taken_at BIGINT NOT NULL,
    answered_at BIGINT,
    expires_at BIGINT NOT NULL
  );
  CREATE INDEX teams_slots_conversation ON teams_slots (conversation_id, (COALESCE(answered_at, expires_at)));
  CREATE INDEX teams_slots_tenant ON teams_slots (tenant_id, (COALESCE(answered_at, expires_at)));
  CREATE INDEX teams_slots_taken ON teams_slots (taken_at);

  CREATE TABLE leases (
    name TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    expires_at BIGINT NOT NULL
  );

  CREATE TABLE tenant_consents (
    tenant_id TEXT PRIMARY KEY,
    granted_by TEXT,
    scopes TEXT NOT NULL,
    granted_at BIGINT NOT NULL,
    revoked_at BIGINT,
    revoked_reason TEXT
  );

  CREATE TABLE klink_connections (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL,
    name TEXT NOT NULL,
    secret_encrypted TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    removed_at BIGINT
  );

  -- Teams' budget (src/store/budget.ts), computed where the slots are: one round trip per request.
  -- Answered slot times, ascending, and per window how many lie inside it.
  CREATE FUNCTION teams_window_counts(p_times BIGINT[], p_now BIGINT, p_spans BIGINT[]) RETURNS INTEGER[]
  LANGUAGE sql IMMUTABLE AS $fn$
    SELECT array_agg((SELECT count(*) FROM unnest(p_times) t WHERE t > p_now - s)::INTEGER ORDER BY i)
    FROM unnest(p_spans) WITH ORDINALITY AS w(s, i)
  $fn$;

  -- Milliseconds until one more request is allowed: windowWait in src/store/budget.ts.
  CREATE FUNCTION teams_window_wait(p_times BIGINT[], p_in_flight INTEGER, p_now BIGINT, p_limits INTEGER[], p_spans BIGINT[],
    p_counts INTEGER[], p_recheck BIGINT) RETURNS BIGINT
  LANGUAGE plpgsql IMMUTABLE AS $fn$
  DECLARE
    v_wait BIGINT := 0;
    v_allowed INTEGER;
    v_n INTEGER := COALESCE(array_length(p_times, 1), 0);
  BEGIN
    FOR i IN 1 .. array_length(p_limits, 1) LOOP
      CONTINUE WHEN p_counts[i] + p_in_flight < p_limits[i];
      v_allowed := p_limits[i] - p_in_flight;
      IF v_allowed <= 0 THEN
        v_wait := GREATEST(v_wait, p_recheck);
      ELSE
        v_wait := GREATEST(v_wait, p_times[v_n - v_allowed + 1] + p_spans[i] - p_now + 1);
      END IF;
    END LOOP;
    RETURN v_wait;
  END
  $fn$;

  -- Takes a slot when the conversation's and the tenant's windows (and any 429 pause) allow it;
  -- the caller holds the advisory locks of the conversation and its tenant (teams_budget_take).
  CREATE FUNCTION teams_budget_take_one(
    p_conversation TEXT, p_tenant TEXT, p_now BIGINT, p_expires BIGINT, p_force BOOLEAN,
    p_spare_headroom INTEGER, p_spare_hourly DOUBLE PRECISION,
    p_conversation_limits INTEGER[], p_conversation_spans BIGINT[], p_tenant_limits INTEGER[], p_tenant_spans BIGINT[],
    p_recheck BIGINT)
  RETURNS TABLE (slot BIGINT, wait_ms BIGINT, blocked_by TEXT, headroom INTEGER, hourly_use DOUBLE PRECISION)
  LANGUAGE plpgsql AS $fn$
  DECLARE
    v_paused BIGINT;
    v_c_in_flight INTEGER; v_c_times BIGINT[]; v_c_counts INTEGER[]; v_c_wait BIGINT;
    v_t_in_flight INTEGER; v_t_times BIGINT[]; v_t_counts INTEGER[]; v_t_wait BIGINT;
    v_c_longest BIGINT := (SELECT max(s) FROM unnest(p_conversation_spans) s);
    v_t_longest BIGINT := (SELECT max(s) FROM unnest(p_tenant_spans) s);
    v_last INTEGER := array_length(p_conversation_limits, 1);
    v_headroom INTEGER;
    v_hourly DOUBLE PRECISION;
    v_slot BIGINT;
  BEGIN
    SELECT c.paused_until INTO v_paused FROM conversations c WHERE c.id = p_conversation;
    IF NOT p_force AND v_paused IS NOT NULL AND v_paused > p_now THEN
      RETURN QUERY SELECT NULL::BIGINT, v_paused - p_now, 'paused'::TEXT, 0, 0::DOUBLE PRECISION;
      RETURN;
    END IF;

    SELECT count(*) FILTER (WHERE s.answered_at IS NULL AND s.expires_at > p_now)::INTEGER,
           COALESCE(array_agg(COALESCE(s.answered_at, s.expires_at) ORDER BY COALESCE(s.answered_at, s.expires_at))
             FILTER (WHERE NOT (s.answered_at IS NULL AND s.expires_at > p_now)), '{}')
      INTO v_c_in_flight, v_c_times
      FROM teams_slots s WHERE s.conversation_id = p_conversation AND COALESCE(s.answered_at, s.expires_at) > p_now - v_c_longest;
    SELECT count(*) FILTER (WHERE s.answered_at IS NULL AND s.expires_at > p_now)::INTEGER,
           COALESCE(array_agg(COALESCE(s.answered_at, s.expires_at) ORDER BY COALESCE(s.answered_at, s.expires_at))
             FILTER (WHERE NOT (s.answered_at IS NULL AND s.expires_at > p_now)), '{}')
      INTO v_t_in_flight, v_t_times
      FROM teams_slots s WHERE s.tenant_id = p_tenant AND COALESCE(s.answered_at, s.expires_at) > p_now - v_t_longest;

    v_c_counts := teams_window_counts(v_c_times, p_now, p_conversation_spans);
    v_t_counts := teams_window_counts(v_t_times, p_now, p_tenant_spans);
    IF NOT p_force THEN
      v_c_wait := teams_window_wait(v_c_times, v_c_in_flight, p_now, p_conversation_limits, p_conversation_spans, v_c_counts, p_recheck);
      v_t_wait := teams_window_wait(v_t_times, v_t_in_flight, p_now, p_tenant_limits, p_tenant_spans, v_t_counts, p_recheck);
      IF v_c_wait > 0 OR v_t_wait > 0 THEN
        RETURN QUERY SELECT NULL::BIGINT, GREATEST(v_c_wait, v_t_wait),
          CASE WHEN v_t_wait >= v_c_wait THEN 'tenant' ELSE 'conversation' END, 0, 0::DOUBLE PRECISION;
        RETURN;
      END IF;
    END IF;

    SELECT min(p_conversation_limits[i] - v_c_in_flight - v_c_counts[i]) INTO v_headroom
      FROM generate_subscripts(p_conversation_limits, 1) AS i;
    v_hourly := v_c_counts[v_last]::DOUBLE PRECISION / p_conversation_limits[v_last];
    IF p_spare_headroom IS NOT NULL AND (v_headroom < p_spare_headroom OR v_hourly >= p_spare_hourly) THEN
      RETURN QUERY SELECT NULL::BIGINT, 0::BIGINT, 'spare'::TEXT, 0, 0::DOUBLE PRECISION;
      RETURN;
    END IF;
    INSERT INTO teams_slots (conversation_id, tenant_id, taken_at, expires_at) VALUES (p_conversation, p_tenant, p_now, p_expires)
      RETURNING id INTO v_slot;
    RETURN QUERY SELECT v_slot, 0::BIGINT, NULL::TEXT, v_headroom - 1, v_hourly;
  END
  $fn$;

  -- Takes slots for several requests at once (what several workers' turns asked for in one moment):
  -- one round trip, one commit. Advisory locks serialize takers of one conversation and of one
  -- tenant on every instance; they are taken in one order (conversations, then tenants, each sorted
  -- by key), so concurrent batches never wait on each other in a circle.
  CREATE FUNCTION teams_budget_take(
    p_conversations TEXT[], p_tenants TEXT[], p_forces BOOLEAN[], p_spare_headrooms INTEGER[], p_spare_hourlies DOUBLE PRECISION[],
    p_now BIGINT, p_expires BIGINT,
    p_conversation_limits INTEGER[], p_conversation_spans BIGINT[], p_tenant_limits INTEGER[], p_tenant_spans BIGINT[],
    p_recheck BIGINT)
  RETURNS TABLE (ord INTEGER, slot BIGINT, wait_ms BIGINT, blocked_by TEXT, headroom INTEGER, hourly_use DOUBLE PRECISION)
  LANGUAGE plpgsql AS $fn$
  DECLARE
    v_key BIGINT;
  BEGIN
    FOR v_key IN SELECT DISTINCT hashtextextended(current_schema() || ' teams conversation ' || c, 0) FROM unnest(p_conversations) c ORDER BY 1 LOOP
      PERFORM pg_advisory_xact_lock(v_key);
    END LOOP;
    FOR v_key IN SELECT DISTINCT hashtextextended(current_schema() || ' teams tenant ' || t, 0) FROM unnest(p_tenants) t ORDER BY 1 LOOP
      PERFORM pg_advisory_xact_lock(v_key);
    END LOOP;
    FOR i IN 1 .. array_length(p_conversations, 1) LOOP
      RETURN QUERY SELECT i, r.* FROM teams_budget_take_one(p_conversations[i], p_tenants[i], p_now, p_expires, p_forces[i],
        p_spare_headrooms[i], p_spare_hourlies[i], p_conversation_limits, p_conversation_spans, p_tenant_limits, p_tenant_spans, p_recheck) r;
    END LOOP;
  END
  $fn$;
  `,
  // Admin consent: each consent state is accepted once (a replayed callback is refused).
  `
  CREATE TABLE consent_states (
    nonce TEXT PRIMARY KEY,
    expires_at BIGINT NOT NULL
  );
  `,
  // Contact enrichment: contacts learned from klink's API (when fetched), and the ones it does not know.
  `
  ALTER TABLE contacts ADD COLUMN source TEXT NOT NULL DEFAULT 'webhook' CHECK (source IN ('webhook', 'api'));
  ALTER TABLE contacts ADD COLUMN fetched_at BIGINT;
  CREATE TABLE contact_misses (
    id TEXT PRIMARY KEY,
    checked_at BIGINT NOT NULL
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
    id BIGSERIAL PRIMARY KEY,
    action_key TEXT NOT NULL,
    conversation_id TEXT NOT NULL REFERENCES conversations (id),
    event_id BIGINT NOT NULL REFERENCES events (id),
    connection_id TEXT NOT NULL,
    contact_id TEXT NOT NULL,
    room_id TEXT NOT NULL,
    user_id TEXT,
    user_name TEXT,
    text TEXT,
    created_at BIGINT NOT NULL,
    outcome TEXT NOT NULL CHECK (outcome IN ('sending', 'sent', 'failed', 'unknown')),
    klink_message_id TEXT,
    error_code TEXT,
    error TEXT,
    finished_at BIGINT,
    UNIQUE (conversation_id, action_key)
  );
  CREATE INDEX card_replies_card ON card_replies (conversation_id, event_id);
  CREATE INDEX card_replies_text ON card_replies (created_at) WHERE text IS NOT NULL;
  `,
];

/** Brings the schema up to date; refuses a schema from a newer klink-teams. */
export async function migrate(db: PgDb): Promise<void> {
  const schema = (await db.row<{ schema: string | null }>('SELECT current_schema() AS schema'))?.schema ?? null;
  if (schema === null) {
    throw new StoreOpenError(
      'the database has no schema to create tables in: the search_path names none that exists; ' +
        'create the schema or fix options=-c search_path=… in DATABASE_URL',
    );
  }
  await db.transaction(async (tx) => {
    // Waits for another instance that is migrating the same schema, then sees its work.
    await tx.run('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`klink-teams migrations ${schema}`]);
    await tx.run('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)');
    const [{ version }] = await tx.rows<{ version: number | null }>('SELECT MAX(version) AS version FROM schema_migrations');
    const current = version ?? 0;
    if (current > MIGRATIONS.length) throw new SchemaTooNewError(current, MIGRATIONS.length);
    for (let next = current + 1; next <= MIGRATIONS.length; next++) {
      await tx.run(MIGRATIONS[next - 1]);
      await tx.run('INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)', [next, Date.now()]);
    }
  });
}
