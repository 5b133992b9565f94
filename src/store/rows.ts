/**
 * Rows as both stores return them, mapped to the store's types. Both keep JSON as text; SQLite
 * gives 0/1 for booleans where PostgreSQL gives booleans: the mappers take either.
 */
import { filtersFromJson } from '../subscriptions/filters';
import type { Conversation, ConversationType, Subscription } from './conversations';
import type { Delivery, DeliveryState, DeliveryVia, ListedDelivery } from './deliveries';
import type { StoredEvent } from './events';
import type { KlinkConnection, TenantConsent } from './tenants';
import type { RoomThread } from './threads';

type Flag = number | boolean;

export interface ConversationRow {
  id: string; type: ConversationType; tenant_id: string; service_url: string; channel_id: string;
  team_id: string | null; bot_id: string; bot_name: string; active: Flag; removed_reason: string | null;
  paused_until: number | null;
}
export interface SubscriptionRow {
  id: number; conversation_id: string; tenant_id: string; filters: string; created_by: string | null; created_at: number; number: number;
}
export interface EventRow {
  id: number; connection_id: string; event_type: string; data_id: string; payload: string; received_at: number; room_id: string | null;
}
export interface DeliveryRow {
  id: number; event_id: number; conversation_id: string; state: DeliveryState; attempts: number;
  next_attempt_at: number; last_error: string | null; activity_id: string | null; subscription_ids: string;
  shrink: number; via: DeliveryVia | null; delivered_at: number | null;
}
export interface ThreadRow {
  conversation_id: string; room_id: string; root_activity_id: string; root_event_id: number; started_at: number;
  last_posted_at: number; message_count: number; latest_event_id: number; root_updated_at: number; root_stale: Flag;
}
export interface ClaimColumns { claimed_by: string | null; claimed_until: number | null }
export interface ConsentRow { tenant_id: string; granted_by: string | null; scopes: string; granted_at: number }
export interface ConnectionRow { id: string; tenant_id: string; name: string; secret_encrypted: string; created_at: number }

function json<T>(text: string): T {
  return JSON.parse(text) as T;
}

export function toConversation(row: ConversationRow): Conversation {
  return {
    id: row.id, type: row.type, tenantId: row.tenant_id, serviceUrl: row.service_url, channelId: row.channel_id,
    teamId: row.team_id, botId: row.bot_id, botName: row.bot_name, active: Boolean(row.active), removedReason: row.removed_reason,
    pausedUntil: row.paused_until,
  };
}

export function toSubscription(row: SubscriptionRow): Subscription {
  return {
    id: row.id, conversationId: row.conversation_id, tenantId: row.tenant_id, number: Number(row.number),
    filters: filtersFromJson(row.filters),
    createdBy: row.created_by, createdAt: row.created_at,
  };
}

export function toEvent(row: EventRow): StoredEvent {
  return {
    id: row.id, connectionId: row.connection_id, eventType: row.event_type, dataId: row.data_id,
    payload: row.payload, receivedAt: row.received_at, roomId: row.room_id,
  };
}

export function toDelivery(row: DeliveryRow): Delivery {
  return {
    id: row.id, eventId: row.event_id, conversationId: row.conversation_id, state: row.state, attempts: row.attempts,
    nextAttemptAt: row.next_attempt_at, lastError: row.last_error, activityId: row.activity_id,
    subscriptionIds: json(row.subscription_ids), shrink: row.shrink, via: row.via, deliveredAt: row.delivered_at,
  };
}

/** A delivery with the claim on its conversation (pending ones only; finished ones need none). */
export function toListed(row: DeliveryRow & ClaimColumns): ListedDelivery {
  const delivery = toDelivery(row);
  const claim = delivery.state === 'pending' && row.claimed_by !== null && row.claimed_until !== null
    ? { holder: row.claimed_by, until: row.claimed_until } : null;
  return { ...delivery, claim };
}

export function toThread(row: ThreadRow): RoomThread {
  return {
    conversationId: row.conversation_id, roomId: row.room_id, rootActivityId: row.root_activity_id, rootEventId: row.root_event_id,
    startedAt: row.started_at, lastPostedAt: row.last_posted_at, messageCount: row.message_count, latestEventId: row.latest_event_id,
    rootUpdatedAt: row.root_updated_at, rootStale: Boolean(row.root_stale),
  };
}

export function toConsent(row: ConsentRow): TenantConsent {
  return { tenantId: row.tenant_id, grantedBy: row.granted_by, scopes: json(row.scopes), grantedAt: row.granted_at };
}

export function toConnection(row: ConnectionRow): KlinkConnection {
  return { id: row.id, tenantId: row.tenant_id, name: row.name, secretEncrypted: row.secret_encrypted, createdAt: row.created_at };
}

/** The payload with the message text (and the room's copy of it) removed; ids and room facts stay. */
export function withoutText(payload: string): string {
  const body = JSON.parse(payload) as { data?: { message?: unknown; room?: { lastMessage?: unknown } } };
  if (body.data && typeof body.data === 'object') {
    body.data.message = '';
    if (body.data.room && typeof body.data.room === 'object') body.data.room.lastMessage = '';
  }
  return JSON.stringify(body);
}

/** Keeps the newer contact version: klink does not promise ordering; times are compared as instants. */
export function isOlder(updatedAt: string | null, than: string | null): boolean {
  return updatedAt !== null && than !== null && Date.parse(updatedAt) < Date.parse(than);
}
