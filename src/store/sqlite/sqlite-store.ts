/** The embedded SQLite store (better-sqlite3 12.x; WAL, synchronous commits). */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { KlinkContact } from '../../klink/events';
import { type Filters, canonicalFilters, filtersFromJson, filtersKey } from '../../subscriptions/filters';
import type {
  Conversation, ConversationType, Delivery, DeliveryState, DueDelivery, NewEvent, Store, StoredEvent, Subscription,
} from '../store';
import { MIGRATIONS } from './migrations';

interface ConversationRow {
  id: string; type: ConversationType; tenant_id: string; service_url: string; channel_id: string;
  team_id: string | null; bot_id: string; bot_name: string; active: number; removed_reason: string | null;
}
interface SubscriptionRow {
  id: number; conversation_id: string; filters: string; created_by: string | null; created_at: number; number: number;
}
interface EventRow {
  id: number; connection_id: string; event_type: string; data_id: string; payload: string; received_at: number;
}
interface DeliveryRow {
  id: number; event_id: number; conversation_id: string; state: DeliveryState; attempts: number;
  next_attempt_at: number; last_error: string | null; activity_id: string | null;
}

/** Opens (creating if needed) the database file and applies pending migrations. */
export function openSqliteStore(file: string): Store {
  if (file !== ':memory:') fs.mkdirSync(path.dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  migrate(db);
  return new SqliteStore(db);
}

function migrate(db: Database.Database): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)');
  const row = db.prepare('SELECT MAX(version) AS v FROM schema_migrations').get() as { v: number | null };
  const current = row.v ?? 0;
  for (let version = current + 1; version <= MIGRATIONS.length; version++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[version - 1]);
      db.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)').run(version, Date.now());
    })();
  }
}

const SUBSCRIPTION_SELECT = `
  SELECT s.id, s.conversation_id, s.filters, s.created_by, s.created_at,
         ROW_NUMBER() OVER (PARTITION BY s.conversation_id ORDER BY s.id) AS number
  FROM subscriptions s JOIN conversations c ON c.id = s.conversation_id
  WHERE s.removed_at IS NULL`;

class SqliteStore implements Store {
  constructor(private readonly db: Database.Database) {}

  async recordEvent(event: NewEvent): Promise<{ eventId: number; duplicate: boolean }> {
    return this.db.transaction(() => {
      const inserted = this.db.prepare(`
        INSERT INTO events (connection_id, event_type, data_id, kind, payload, received_at, dispatched_at)
        VALUES (?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (connection_id, event_type, data_id) DO NOTHING`)
        .run(event.connectionId, event.eventType, event.dataId, event.kind, event.payload, event.receivedAt,
          event.kind === 'contact' ? event.receivedAt : null);
      if (inserted.changes === 0) {
        const existing = this.db.prepare('SELECT id FROM events WHERE connection_id = ? AND event_type = ? AND data_id = ?')
          .get(event.connectionId, event.eventType, event.dataId) as { id: number };
        return { eventId: existing.id, duplicate: true };
      }
      if (event.contact) this.upsertContact(event.contact, event.receivedAt);
      return { eventId: Number(inserted.lastInsertRowid), duplicate: false };
    })();
  }

  /** Keeps the newest version of a contact: klink does not promise ordering. */
  private upsertContact(contact: KlinkContact, now: number): void {
    this.db.prepare(`
      INSERT INTO contacts (id, name, tags, contact_updated_at, stored_at) VALUES (?, ?, ?, ?, ?)
      ON CONFLICT (id) DO UPDATE SET name = excluded.name, tags = excluded.tags,
        contact_updated_at = excluded.contact_updated_at, stored_at = excluded.stored_at
      WHERE contacts.contact_updated_at IS NULL OR excluded.contact_updated_at IS NULL
        OR excluded.contact_updated_at >= contacts.contact_updated_at`)
      .run(contact.id, contact.name, JSON.stringify(contact.tags), contact.updatedAt, now);
  }

  async getContact(id: string): Promise<KlinkContact | null> {
    const row = this.db.prepare('SELECT id, name, tags, contact_updated_at FROM contacts WHERE id = ?').get(id) as
      | { id: string; name: string; tags: string; contact_updated_at: string | null } | undefined;
    if (!row) return null;
    return { id: row.id, name: row.name, tags: JSON.parse(row.tags) as string[], updatedAt: row.contact_updated_at };
  }

  async upsertConversation(c: Omit<Conversation, 'active' | 'removedReason'>, now: number): Promise<void> {
    this.db.prepare(`
      INSERT INTO conversations (id, type, tenant_id, service_url, channel_id, team_id, bot_id, bot_name, active, removed_reason, created_at, updated_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, NULL, ?, ?)
      ON CONFLICT (id) DO UPDATE SET type = excluded.type, tenant_id = excluded.tenant_id,
        service_url = excluded.service_url, channel_id = excluded.channel_id,
        team_id = COALESCE(excluded.team_id, conversations.team_id), bot_id = excluded.bot_id,
        bot_name = excluded.bot_name, active = 1, removed_reason = NULL, updated_at = excluded.updated_at`)
      .run(c.id, c.type, c.tenantId, c.serviceUrl, c.channelId, c.teamId, c.botId, c.botName, now, now);
  }

  async getConversation(id: string): Promise<Conversation | null> {
    const row = this.db.prepare('SELECT * FROM conversations WHERE id = ?').get(id) as ConversationRow | undefined;
    return row ? toConversation(row) : null;
  }

  async deactivateConversation(id: string, reason: string, now: number): Promise<void> {
    this.db.transaction(() => {
      this.db.prepare('UPDATE conversations SET active = 0, removed_reason = ?, updated_at = ? WHERE id = ?').run(reason, now, id);
      this.db.prepare('UPDATE subscriptions SET removed_at = ?, removed_reason = ? WHERE conversation_id = ? AND removed_at IS NULL')
        .run(now, reason, id);
    })();
  }

  async addSubscription(conversationId: string, filters: Filters, createdBy: string | null, now: number) {
    const canonical = canonicalFilters(filters);
    const key = filtersKey(canonical);
    return this.db.transaction(() => {
      const inserted = this.db.prepare(`
        INSERT INTO subscriptions (conversation_id, filters, filters_key, created_by, created_at) VALUES (?, ?, ?, ?, ?)
        ON CONFLICT (conversation_id, filters_key) WHERE removed_at IS NULL DO NOTHING`)
        .run(conversationId, JSON.stringify(canonical), key, createdBy, now);
      const row = this.db.prepare(`SELECT * FROM (${SUBSCRIPTION_SELECT} AND s.conversation_id = ?) WHERE filters = ?`)
        .get(conversationId, JSON.stringify(canonical)) as SubscriptionRow;
      return { created: inserted.changes > 0, subscription: toSubscription(row) };
    })();
  }

  async listSubscriptions(conversationId: string): Promise<Subscription[]> {
    const rows = this.db.prepare(`${SUBSCRIPTION_SELECT} AND s.conversation_id = ? ORDER BY s.id`).all(conversationId) as SubscriptionRow[];
    return rows.map(toSubscription);
  }

  async removeSubscriptions(conversationId: string, ids: number[], reason: string, now: number): Promise<Subscription[]> {
    return this.db.transaction(() => {
      const current = this.db.prepare(`${SUBSCRIPTION_SELECT} AND s.conversation_id = ? ORDER BY s.id`).all(conversationId) as SubscriptionRow[];
      const removed = current.filter((row) => ids.includes(row.id));
      const update = this.db.prepare('UPDATE subscriptions SET removed_at = ?, removed_reason = ? WHERE id = ? AND removed_at IS NULL');
      for (const row of removed) update.run(now, reason, row.id);
      return removed.map(toSubscription);
    })();
  }

  async activeSubscriptions(): Promise<Subscription[]> {
    const rows = this.db.prepare(`${SUBSCRIPTION_SELECT} AND c.active = 1 ORDER BY s.id`).all() as SubscriptionRow[];
    return rows.map(toSubscription);
  }

  async undispatchedEvents(limit: number): Promise<StoredEvent[]> {
    const rows = this.db.prepare(`
      SELECT id, connection_id, event_type, data_id, payload, received_at FROM events
      WHERE dispatched_at IS NULL AND kind = 'message' ORDER BY id LIMIT ?`).all(limit) as EventRow[];
    return rows.map(toEvent);
  }

  async dispatchEvent(eventId: number, conversationIds: string[], now: number): Promise<void> {
    this.db.transaction(() => {
      const insert = this.db.prepare(`
        INSERT INTO deliveries (event_id, conversation_id, state, attempts, next_attempt_at, created_at, updated_at)
        VALUES (?, ?, 'pending', 0, ?, ?, ?) ON CONFLICT (event_id, conversation_id) DO NOTHING`);
      for (const conversationId of new Set(conversationIds)) insert.run(eventId, conversationId, now, now, now);
      this.db.prepare('UPDATE events SET dispatched_at = ? WHERE id = ?').run(now, eventId);
    })();
  }

  async dueDeliveries(now: number, limit: number): Promise<DueDelivery[]> {
    const rows = this.db.prepare(`
      SELECT d.id AS d_id, d.event_id, d.conversation_id, d.state, d.attempts, d.next_attempt_at, d.last_error, d.activity_id,
             e.id AS e_id, e.connection_id, e.event_type, e.data_id, e.payload, e.received_at,
             c.id, c.type, c.tenant_id, c.service_url, c.channel_id, c.team_id, c.bot_id, c.bot_name, c.active, c.removed_reason
      FROM deliveries d JOIN events e ON e.id = d.event_id JOIN conversations c ON c.id = d.conversation_id
      WHERE d.state = 'pending' AND d.next_attempt_at <= ? ORDER BY d.next_attempt_at, d.id LIMIT ?`)
      .all(now, limit) as Array<DeliveryRow & EventRow & ConversationRow & { d_id: number; e_id: number }>;
    return rows.map((row) => ({
      delivery: toDelivery({ ...row, id: row.d_id }),
      event: toEvent({ ...row, id: row.e_id }),
      conversation: toConversation(row),
    }));
  }

  async nextDueAt(): Promise<number | null> {
    const row = this.db.prepare("SELECT MIN(next_attempt_at) AS t FROM deliveries WHERE state = 'pending'").get() as { t: number | null };
    return row.t;
  }

  async markDelivered(deliveryId: number, activityId: string | null, now: number): Promise<void> {
    this.db.prepare(`UPDATE deliveries SET state = 'delivered', attempts = attempts + 1, activity_id = ?, last_error = NULL, updated_at = ? WHERE id = ?`)
      .run(activityId, now, deliveryId);
  }

  async markRetry(deliveryId: number, error: string, nextAttemptAt: number, now: number): Promise<void> {
    this.db.prepare('UPDATE deliveries SET attempts = attempts + 1, last_error = ?, next_attempt_at = ?, updated_at = ? WHERE id = ?')
      .run(error, nextAttemptAt, now, deliveryId);
  }

  async markDead(deliveryId: number, error: string, now: number): Promise<void> {
    this.db.prepare(`UPDATE deliveries SET state = 'dead', attempts = attempts + 1, last_error = ?, updated_at = ? WHERE id = ?`)
      .run(error, now, deliveryId);
  }

  async listDeliveries(filter: { state?: DeliveryState; conversationId?: string }, limit: number): Promise<Delivery[]> {
    const rows = this.db.prepare(`
      SELECT * FROM deliveries WHERE (@state IS NULL OR state = @state) AND (@conversationId IS NULL OR conversation_id = @conversationId)
      ORDER BY id LIMIT @limit`)
      .all({ state: filter.state ?? null, conversationId: filter.conversationId ?? null, limit }) as DeliveryRow[];
    return rows.map(toDelivery);
  }

  async ping(): Promise<void> {
    this.db.prepare('SELECT 1').get();
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}

function toConversation(row: ConversationRow): Conversation {
  return {
    id: row.id, type: row.type, tenantId: row.tenant_id, serviceUrl: row.service_url, channelId: row.channel_id,
    teamId: row.team_id, botId: row.bot_id, botName: row.bot_name, active: row.active === 1, removedReason: row.removed_reason,
  };
}

function toSubscription(row: SubscriptionRow): Subscription {
  return {
    id: row.id, conversationId: row.conversation_id, number: row.number, filters: filtersFromJson(row.filters),
    createdBy: row.created_by, createdAt: row.created_at,
  };
}

function toEvent(row: EventRow): StoredEvent {
  return {
    id: row.id, connectionId: row.connection_id, eventType: row.event_type, dataId: row.data_id,
    payload: row.payload, receivedAt: row.received_at,
  };
}

function toDelivery(row: DeliveryRow): Delivery {
  return {
    id: row.id, eventId: row.event_id, conversationId: row.conversation_id, state: row.state, attempts: row.attempts,
    nextAttemptAt: row.next_attempt_at, lastError: row.last_error, activityId: row.activity_id,
  };
}
