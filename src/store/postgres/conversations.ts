/** Conversations, subscriptions, pauses and room mutes in PostgreSQL. */
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
import type { PgDb, PgTx } from './db';

export class PgConversations implements ConversationStore {
  constructor(private readonly db: PgDb) {}

  async upsertConversation(c: NewConversation, now: number): Promise<void> {
    await this.db.run(
      `
      INSERT INTO conversations (id, type, tenant_id, service_url, channel_id, team_id, bot_id, bot_name, active, removed_reason,
        created_at, updated_at, name, team_name, user_aad_object_id)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, TRUE, NULL, $9, $9, $10, $11, $12)
      ON CONFLICT (id) DO UPDATE SET type = excluded.type, tenant_id = excluded.tenant_id,
        service_url = excluded.service_url, channel_id = excluded.channel_id,
        team_id = COALESCE(excluded.team_id, conversations.team_id), bot_id = excluded.bot_id,
        bot_name = excluded.bot_name, active = TRUE, removed_reason = NULL, updated_at = excluded.updated_at,
        name = COALESCE(excluded.name, conversations.name), team_name = COALESCE(excluded.team_name, conversations.team_name),
        user_aad_object_id = COALESCE(excluded.user_aad_object_id, conversations.user_aad_object_id)`,
      [
        c.id,
        c.type,
        c.tenantId,
        c.serviceUrl,
        c.channelId,
        c.teamId,
        c.botId,
        c.botName,
        now,
        c.name ?? null,
        c.teamName ?? null,
        c.userAadObjectId ?? null,
      ],
    );
  }

  async getConversation(id: string): Promise<Conversation | null> {
    const row = await this.db.row<ConversationRow>(`SELECT ${conversationColumns()} FROM conversations WHERE id = $1`, [id]);
    return row ? toConversation(row) : null;
  }

  async personalConversationOf(tenantId: string, userAadObjectId: string): Promise<Conversation | null> {
    const row = await this.db.row<ConversationRow>(
      `SELECT ${conversationColumns()} FROM conversations
      WHERE user_aad_object_id = $1 AND lower(tenant_id) = lower($2) AND type = 'personal' AND active ORDER BY updated_at DESC LIMIT 1`,
      [userAadObjectId, tenantId],
    );
    return row ? toConversation(row) : null;
  }

  async listConversations(tenantId: string | null, limit: number): Promise<NamedConversation[]> {
    const rows = await this.db.rows<NamedConversationRow>(
      `SELECT ${conversationColumns()}, name, team_name FROM conversations
      WHERE active AND type IN ('channel', 'groupChat') AND ($1::text IS NULL OR lower(tenant_id) = lower($1))
      ORDER BY updated_at DESC, id LIMIT $2`,
      [tenantId, checkLimit(limit)],
    );
    return rows.map(toNamedConversation);
  }

  async renameConversation(id: string, name: string): Promise<void> {
    await this.db.run('UPDATE conversations SET name = $2 WHERE id = $1', [id, name]);
  }

  async renameTeam(teamId: string, teamName: string): Promise<void> {
    await this.db.run('UPDATE conversations SET team_name = $2 WHERE team_id = $1', [teamId, teamName]);
  }

  async deactivateConversation(id: string, reason: string, now: number): Promise<void> {
    await this.db.transaction((tx) => deactivate(tx, [id], reason, now));
  }

  async deactivateTeam(teamId: string, reason: string, now: number): Promise<number> {
    return this.db.transaction(async (tx) => {
      const ids = (await tx.rows<{ id: string }>('SELECT id FROM conversations WHERE team_id = $1 AND active FOR UPDATE', [teamId])).map(
        (r) => r.id,
      );
      await deactivate(tx, ids, reason, now);
      return ids.length;
    });
  }

  async pauseConversation(id: string, until: number): Promise<void> {
    await this.db.run('UPDATE conversations SET paused_until = GREATEST(COALESCE(paused_until, 0), $2) WHERE id = $1', [id, until]);
  }

  async addSubscription(conversationId: string, filters: Filters, createdBy: string | null, now: number) {
    const canonical = JSON.stringify(canonicalFilters(filters));
    const key = filtersKey(canonicalFilters(filters));
    return this.db.transaction(async (tx) => {
      const created = await tx.run(
        `
        INSERT INTO subscriptions (conversation_id, filters, filters_key, created_by, created_at) VALUES ($1, $2, $3, $4, $5)
        ON CONFLICT (conversation_id, filters_key) WHERE removed_at IS NULL DO NOTHING`,
        [conversationId, canonical, key, createdBy, now],
      );
      const [row] = await tx.rows<SubscriptionRow>(
        `SELECT * FROM (${SUBSCRIPTION_SELECT} AND s.conversation_id = $1) n WHERE filters = $2`,
        [conversationId, canonical],
      );
      return { created: created > 0, subscription: toSubscription(row) };
    });
  }

  async listSubscriptions(conversationId: string): Promise<Subscription[]> {
    return (await this.db.rows<SubscriptionRow>(`${SUBSCRIPTION_SELECT} AND s.conversation_id = $1 ORDER BY s.id`, [conversationId])).map(
      toSubscription,
    );
  }

  async removeSubscriptions(conversationId: string, ids: number[], reason: string, now: number): Promise<Subscription[]> {
    return this.db.transaction(async (tx) => {
      const current = await tx.rows<SubscriptionRow>(`${SUBSCRIPTION_SELECT} AND s.conversation_id = $1 ORDER BY s.id`, [conversationId]);
      const removed = current.filter((row) => ids.includes(row.id));
      if (removed.length > 0) {
        await tx.run('UPDATE subscriptions SET removed_at = $1, removed_reason = $2 WHERE id = ANY($3::bigint[]) AND removed_at IS NULL', [
          now,
          reason,
          removed.map((r) => r.id),
        ]);
      }
      return removed.map(toSubscription);
    });
  }

  async activeSubscriptions(): Promise<Subscription[]> {
    return (await this.db.rows<SubscriptionRow>(`${SUBSCRIPTION_SELECT} AND c.active ORDER BY s.id`)).map(toSubscription);
  }

  async muteRoom(conversationId: string, roomId: string, until: number, mutedBy: string | null): Promise<void> {
    await this.db.run(
      `INSERT INTO room_mutes (conversation_id, room_id, until, muted_by) VALUES ($1, $2, $3, $4)
      ON CONFLICT (conversation_id, room_id) DO UPDATE SET until = excluded.until, muted_by = excluded.muted_by`,
      [conversationId, roomId, until, mutedBy],
    );
  }

  async mutedRooms(now: number): Promise<MutedRoom[]> {
    return (await this.db.rows<MuteRow>(`SELECT ${MUTE_COLUMNS} FROM room_mutes WHERE until > $1`, [now])).map(toMutedRoom);
  }

  async mutedRoomsOf(conversationId: string, now: number): Promise<MutedRoom[]> {
    const rows = await this.db.rows<MuteRow>(
      `SELECT ${MUTE_COLUMNS} FROM room_mutes WHERE conversation_id = $1 AND until > $2 ORDER BY until, room_id`,
      [conversationId, now],
    );
    return rows.map(toMutedRoom);
  }

  async unmuteRoom(conversationId: string, roomId: string, now: number): Promise<boolean> {
    return (
      (await this.db.run('DELETE FROM room_mutes WHERE conversation_id = $1 AND room_id = $2 AND until > $3', [
        conversationId,
        roomId,
        now,
      ])) > 0
    );
  }
}

/** Deactivates conversations and removes their subscriptions with the reason (inside the caller's transaction). */
export async function deactivate(tx: PgTx, ids: string[], reason: string, now: number): Promise<void> {
  if (ids.length === 0) return;
  await tx.run('UPDATE conversations SET active = FALSE, removed_reason = $1, updated_at = $2 WHERE id = ANY($3::text[])', [
    reason,
    now,
    ids,
  ]);
  await tx.run(
    'UPDATE subscriptions SET removed_at = $1, removed_reason = $2 WHERE conversation_id = ANY($3::text[]) AND removed_at IS NULL',
    [now, reason, ids],
  );
}
