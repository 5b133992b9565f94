/** Conversations, subscriptions, pauses and room mutes in SQLite. */
import { type Filters, canonicalFilters, filtersKey } from '../../subscriptions/filters';
import type { Conversation, ConversationStore, MutedRoom, NamedConversation, NewConversation, Subscription } from '../conversations';
import { checkLimit } from '../limit';
import {
  type ConversationRow,
  MUTE_COLUMNS,
  type MuteRow,
  type NamedConversationRow,
  SUBSCRIPTION_SELECT,
  type SubscriptionRow,
  conversationColumns,
  toConversation,
  toMutedRoom,
  toNamedConversation,
  toSubscription,
} from '../rows';
import type { SqliteDb } from './database';

export class SqliteConversations implements ConversationStore {
  constructor(private readonly db: SqliteDb) {}

  async upsertConversation(c: NewConversation, now: number): Promise<void> {
    this.db
      .stmt(
        `
      INSERT INTO conversations (id, type, tenant_id, service_url, channel_id, team_id, bot_id, bot_name, active, removed_reason,
        created_at, updated_at, name, team_name, user_aad_object_id)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, NULL, ?, ?, ?, ?, ?)
      ON CONFLICT (id) DO UPDATE SET type = excluded.type, tenant_id = excluded.tenant_id,
        service_url = excluded.service_url, channel_id = excluded.channel_id,
        team_id = COALESCE(excluded.team_id, conversations.team_id), bot_id = excluded.bot_id,
        bot_name = excluded.bot_name, active = 1, removed_reason = NULL, updated_at = excluded.updated_at,
        name = COALESCE(excluded.name, conversations.name), team_name = COALESCE(excluded.team_name, conversations.team_name),
        user_aad_object_id = COALESCE(excluded.user_aad_object_id, conversations.user_aad_object_id)`,
      )
      .run(
        c.id,
        c.type,
        c.tenantId,
        c.serviceUrl,
        c.channelId,
        c.teamId,
        c.botId,
        c.botName,
        now,
        now,
        c.name ?? null,
        c.teamName ?? null,
        c.userAadObjectId ?? null,
      );
  }

  async getConversation(id: string): Promise<Conversation | null> {
    const row = this.db.stmt(`SELECT ${conversationColumns()} FROM conversations WHERE id = ?`).get(id) as ConversationRow | undefined;
    return row ? toConversation(row) : null;
  }

  async personalConversationOf(tenantId: string, userAadObjectId: string): Promise<Conversation | null> {
    const row = this.db
      .stmt(
        `SELECT ${conversationColumns()} FROM conversations
        WHERE user_aad_object_id = ? AND lower(tenant_id) = lower(?) AND type = 'personal' AND active = 1 ORDER BY updated_at DESC LIMIT 1`,
      )
      .get(userAadObjectId, tenantId) as ConversationRow | undefined;
    return row ? toConversation(row) : null;
  }

  async listConversations(tenantId: string | null, limit: number): Promise<NamedConversation[]> {
    const rows = this.db
      .stmt(
        `SELECT ${conversationColumns()}, name, team_name FROM conversations
        WHERE active = 1 AND type IN ('channel', 'groupChat') AND (@tenant IS NULL OR lower(tenant_id) = lower(@tenant))
        ORDER BY updated_at DESC, id LIMIT @limit`,
      )
      .all({ tenant: tenantId, limit: checkLimit(limit) }) as NamedConversationRow[];
    return rows.map(toNamedConversation);
  }

  async renameConversation(id: string, name: string): Promise<void> {
    this.db.stmt('UPDATE conversations SET name = ? WHERE id = ?').run(name, id);
  }

  async renameTeam(teamId: string, teamName: string): Promise<void> {
    this.db.stmt('UPDATE conversations SET team_name = ? WHERE team_id = ?').run(teamName, teamId);
  }

  async deactivateConversation(id: string, reason: string, now: number): Promise<void> {
    this.db.transaction(() => deactivate(this.db, id, reason, now));
  }

  async deactivateTeam(teamId: string, reason: string, now: number): Promise<number> {
    return this.db.transaction(() => {
      const ids = (this.db.stmt('SELECT id FROM conversations WHERE team_id = ? AND active = 1').all(teamId) as Array<{ id: string }>).map(
        (r) => r.id,
      );
      for (const id of ids) deactivate(this.db, id, reason, now);
      return ids.length;
    });
  }

  async pauseConversation(id: string, until: number): Promise<void> {
    this.db.stmt('UPDATE conversations SET paused_until = MAX(COALESCE(paused_until, 0), ?) WHERE id = ?').run(until, id);
  }

  async addSubscription(conversationId: string, filters: Filters, createdBy: string | null, now: number) {
    const canonical = canonicalFilters(filters);
    const key = filtersKey(canonical);
    return this.db.transaction(() => {
      const inserted = this.db
        .stmt(
          `
        INSERT INTO subscriptions (conversation_id, filters, filters_key, created_by, created_at) VALUES (?, ?, ?, ?, ?)
        ON CONFLICT (conversation_id, filters_key) WHERE removed_at IS NULL DO NOTHING`,
        )
        .run(conversationId, JSON.stringify(canonical), key, createdBy, now);
      const row = this.db
        .stmt(`SELECT * FROM (${SUBSCRIPTION_SELECT} AND s.conversation_id = ?) WHERE filters = ?`)
        .get(conversationId, JSON.stringify(canonical)) as SubscriptionRow;
      return { created: inserted.changes > 0, subscription: toSubscription(row) };
    });
  }

  async listSubscriptions(conversationId: string): Promise<Subscription[]> {
    const rows = this.db.stmt(`${SUBSCRIPTION_SELECT} AND s.conversation_id = ? ORDER BY s.id`).all(conversationId) as SubscriptionRow[];
    return rows.map(toSubscription);
  }

  async removeSubscriptions(conversationId: string, ids: number[], reason: string, now: number): Promise<Subscription[]> {
    return this.db.transaction(() => {
      const current = this.db
        .stmt(`${SUBSCRIPTION_SELECT} AND s.conversation_id = ? ORDER BY s.id`)
        .all(conversationId) as SubscriptionRow[];
      const removed = current.filter((row) => ids.includes(row.id));
      const update = this.db.stmt('UPDATE subscriptions SET removed_at = ?, removed_reason = ? WHERE id = ? AND removed_at IS NULL');
      for (const row of removed) update.run(now, reason, row.id);
      return removed.map(toSubscription);
    });
  }

  async activeSubscriptions(): Promise<Subscription[]> {
    const rows = this.db.stmt(`${SUBSCRIPTION_SELECT} AND c.active = 1 ORDER BY s.id`).all() as SubscriptionRow[];
    return rows.map(toSubscription);
  }

  async muteRoom(conversationId: string, roomId: string, until: number, mutedBy: string | null): Promise<void> {
    this.db
      .stmt(
        `INSERT INTO room_mutes (conversation_id, room_id, until, muted_by) VALUES (?, ?, ?, ?)
      ON CONFLICT (conversation_id, room_id) DO UPDATE SET until = excluded.until, muted_by = excluded.muted_by`,
      )
      .run(conversationId, roomId, until, mutedBy);
  }

  async mutedRooms(now: number): Promise<MutedRoom[]> {
    const rows = this.db.stmt(`SELECT ${MUTE_COLUMNS} FROM room_mutes WHERE until > ?`).all(now) as MuteRow[];
    return rows.map(toMutedRoom);
  }

  async mutedRoomsOf(conversationId: string, now: number): Promise<MutedRoom[]> {
    const rows = this.db
      .stmt(`SELECT ${MUTE_COLUMNS} FROM room_mutes WHERE conversation_id = ? AND until > ? ORDER BY until, room_id`)
      .all(conversationId, now) as MuteRow[];
    return rows.map(toMutedRoom);
  }

  async unmuteRoom(conversationId: string, roomId: string, now: number): Promise<boolean> {
    const deleted = this.db
      .stmt('DELETE FROM room_mutes WHERE conversation_id = ? AND room_id = ? AND until > ?')
      .run(conversationId, roomId, now);
    return deleted.changes > 0;
  }
}

/** Deactivates a conversation and removes its subscriptions with the reason (inside the caller's transaction). */
export function deactivate(db: SqliteDb, id: string, reason: string, now: number): void {
  db.stmt('UPDATE conversations SET active = 0, removed_reason = ?, updated_at = ? WHERE id = ?').run(reason, now, id);
  db.stmt('UPDATE subscriptions SET removed_at = ?, removed_reason = ? WHERE conversation_id = ? AND removed_at IS NULL').run(
    now,
    reason,
    id,
  );
}
