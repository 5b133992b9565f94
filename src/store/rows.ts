/**
 * Rows as both stores return them, mapped to the store's types. Both keep JSON as text; SQLite
 * gives 0/1 for booleans where PostgreSQL gives booleans: the mappers take either.
 */
import type { KlinkContact } from '../klink/events';
import { filtersFromJson } from '../subscriptions/filters';
import type { Conversation, ConversationType, MutedRoom, NamedConversation, Subscription } from './conversations';
import type { Delivery, DeliveryState, DeliveryVia, DeliveryWithEvent, DueDelivery, ListedDelivery } from './deliveries';
import type { StoredEvent } from './events';
import type { CardReply, ReplyOutcome } from './replies';
import type { KlinkConnection, TenantConsent } from './tenants';
import type { RoomThread } from './threads';

type Flag = number | boolean;

/**
 * Queries name their columns instead of `*`: a statement prepared by a running instance keeps
 * working when a newer version adds a column (PostgreSQL refuses a cached plan whose result
 * changed), and a row never carries more than its mapper reads.
 */
function columns<Row>(names: ReadonlyArray<keyof Row & string>, alias?: string): string {
  return names.map((name) => (alias === undefined ? name : `${alias}.${name}`)).join(', ');
}

export interface ConversationRow {
  id: string;
  type: ConversationType;
  tenant_id: string;
  service_url: string;
  channel_id: string;
  team_id: string | null;
  bot_id: string;
  bot_name: string;
  active: Flag;
  removed_reason: string | null;
  paused_until: number | null;
}
export interface SubscriptionRow {
  id: number;
  conversation_id: string;
  tenant_id: string;
  filters: string;
  created_by: string | null;
  created_at: number;
  number: number;
}
export const conversationColumns = (alias?: string): string =>
  columns<ConversationRow>(
    ['id', 'type', 'tenant_id', 'service_url', 'channel_id', 'team_id', 'bot_id', 'bot_name', 'active', 'removed_reason', 'paused_until'],
    alias,
  );
/** Active subscriptions with their number in the conversation (1, 2, … as `@klink subscriptions` lists them); both stores' SQL. */
export const SUBSCRIPTION_SELECT = `
  SELECT s.id, s.conversation_id, c.tenant_id, s.filters, s.created_by, s.created_at,
         ROW_NUMBER() OVER (PARTITION BY s.conversation_id ORDER BY s.id) AS number
  FROM subscriptions s JOIN conversations c ON c.id = s.conversation_id
  WHERE s.removed_at IS NULL`;
export interface EventRow {
  id: number;
  connection_id: string;
  event_type: string;
  data_id: string;
  payload: string;
  received_at: number;
  room_id: string | null;
}
export interface DeliveryRow {
  id: number;
  event_id: number;
  conversation_id: string;
  state: DeliveryState;
  attempts: number;
  next_attempt_at: number;
  last_error: string | null;
  activity_id: string | null;
  subscription_ids: string;
  shrink: number;
  via: DeliveryVia | null;
  delivered_at: number | null;
}
export const deliveryColumns = (alias?: string): string =>
  columns<DeliveryRow>(
    [
      'id',
      'event_id',
      'conversation_id',
      'state',
      'attempts',
      'next_attempt_at',
      'last_error',
      'activity_id',
      'subscription_ids',
      'shrink',
      'via',
      'delivered_at',
    ],
    alias,
  );
export interface ThreadRow {
  conversation_id: string;
  room_id: string;
  root_activity_id: string;
  root_event_id: number;
  started_at: number;
  last_posted_at: number;
  message_count: number;
  latest_event_id: number;
  root_updated_at: number;
  root_stale: Flag;
}
export const threadColumns = (): string =>
  columns<ThreadRow>([
    'conversation_id',
    'room_id',
    'root_activity_id',
    'root_event_id',
    'started_at',
    'last_posted_at',
    'message_count',
    'latest_event_id',
    'root_updated_at',
    'root_stale',
  ]);
/** The contact joined to an event (`LEFT JOIN contacts k`): null columns when there is none. */
export interface ContactColumns {
  k_id: string | null;
  k_name: string | null;
  k_tags: string | null;
  k_updated_at: string | null;
}

export function toJoinedContact(row: ContactColumns): KlinkContact | null {
  return row.k_id === null
    ? null
    : { id: row.k_id, name: row.k_name ?? '', tags: JSON.parse(row.k_tags ?? '[]') as string[], updatedAt: row.k_updated_at };
}

/** The contact columns of `LEFT JOIN contacts k ON k.id = e.contact_id`. */
export const CONTACT_COLUMNS = 'k.id AS k_id, k.name AS k_name, k.tags AS k_tags, k.contact_updated_at AS k_updated_at';

/** The thread joined to a delivery (`LEFT JOIN room_threads t`): null columns when there is none. */
export interface ThreadColumns {
  t_room_id: string | null;
  t_root_activity_id: string | null;
  t_root_event_id: number | null;
  t_started_at: number | null;
  t_last_posted_at: number | null;
  t_message_count: number | null;
  t_latest_event_id: number | null;
  t_root_updated_at: number | null;
  t_root_stale: Flag | null;
}

/** The thread columns of `LEFT JOIN room_threads t ON t.conversation_id = d.conversation_id AND t.room_id = e.room_id`. */
export const THREAD_COLUMNS = `t.room_id AS t_room_id, t.root_activity_id AS t_root_activity_id, t.root_event_id AS t_root_event_id,
  t.started_at AS t_started_at, t.last_posted_at AS t_last_posted_at, t.message_count AS t_message_count,
  t.latest_event_id AS t_latest_event_id, t.root_updated_at AS t_root_updated_at, t.root_stale AS t_root_stale`;

export function toJoinedThread(row: ThreadColumns, conversationId: string): RoomThread | null {
  if (row.t_room_id === null) return null;
  return toThread({
    conversation_id: conversationId,
    room_id: row.t_room_id,
    root_activity_id: row.t_root_activity_id ?? '',
    root_event_id: row.t_root_event_id ?? 0,
    started_at: row.t_started_at ?? 0,
    last_posted_at: row.t_last_posted_at ?? 0,
    message_count: row.t_message_count ?? 0,
    latest_event_id: row.t_latest_event_id ?? 0,
    root_updated_at: row.t_root_updated_at ?? 0,
    root_stale: row.t_root_stale ?? 0,
  });
}

/** The columns of pendingDeliveriesFor: delivery, event, conversation, contact and thread. */
export const DUE_COLUMNS = `${deliveryColumns('d')}, d.id AS d_id,
  e.id AS e_id, e.connection_id, e.event_type, e.data_id, e.payload, e.received_at, e.room_id,
  c.id AS c_id, c.type, c.tenant_id, c.service_url, c.channel_id, c.team_id, c.bot_id, c.bot_name, c.active,
  c.removed_reason, c.paused_until, ${CONTACT_COLUMNS}, ${THREAD_COLUMNS}`;

export type DueRow = DeliveryRow &
  EventRow &
  ConversationRow &
  ContactColumns &
  ThreadColumns & { d_id: number; e_id: number; c_id: string };

export function toDue(row: DueRow): DueDelivery {
  return {
    delivery: toDelivery({ ...row, id: row.d_id }),
    event: toEvent({ ...row, id: row.e_id }),
    conversation: toConversation({ ...row, id: row.c_id }),
    contact: toJoinedContact(row),
    thread: toJoinedThread(row, row.c_id),
  };
}

export interface ClaimColumns {
  claimed_by: string | null;
  claimed_until: number | null;
}
/** A conversation row with the names Teams gave (`SELECT ${conversationColumns()}, name, team_name`). */
export type NamedConversationRow = ConversationRow & { name: string | null; team_name: string | null };

export function toNamedConversation(row: NamedConversationRow): NamedConversation {
  return { ...toConversation(row), name: row.name, teamName: row.team_name };
}

export interface MuteRow {
  conversation_id: string;
  room_id: string;
  until: number;
  muted_by: string | null;
}
export const MUTE_COLUMNS = columns<MuteRow>(['conversation_id', 'room_id', 'until', 'muted_by']);

export function toMutedRoom(row: MuteRow): MutedRoom {
  return { conversationId: row.conversation_id, roomId: row.room_id, until: Number(row.until), mutedBy: row.muted_by };
}

/** The columns of conversationDeliveries: delivery, event (without its kind), contact. */
export const HISTORY_COLUMNS = `${deliveryColumns('d')}, d.id AS d_id,
  e.id AS e_id, e.connection_id, e.event_type, e.data_id, e.payload, e.received_at, e.room_id, ${CONTACT_COLUMNS}`;

export type HistoryRow = DeliveryRow & EventRow & ContactColumns & { d_id: number; e_id: number };

export function toHistory(row: HistoryRow): DeliveryWithEvent {
  return {
    delivery: toDelivery({ ...row, id: row.d_id }),
    event: toEvent({ ...row, id: row.e_id }),
    contact: toJoinedContact(row),
  };
}

export interface ConsentRow {
  tenant_id: string;
  granted_by: string | null;
  scopes: string;
  granted_at: number;
}
export const CONSENT_COLUMNS = columns<ConsentRow>(['tenant_id', 'granted_by', 'scopes', 'granted_at']);
export interface ConnectionRow {
  id: string;
  tenant_id: string;
  name: string;
  secret_encrypted: string;
  created_at: number;
  api_token_encrypted: string | null;
  reply: string | null;
}
export const CONNECTION_COLUMNS = columns<ConnectionRow>([
  'id',
  'tenant_id',
  'name',
  'secret_encrypted',
  'created_at',
  'api_token_encrypted',
  'reply',
]);

export interface ReplyRow {
  id: number | string;
  action_key: string;
  conversation_id: string;
  event_id: number | string;
  connection_id: string;
  contact_id: string;
  room_id: string;
  user_id: string | null;
  user_name: string | null;
  text: string | null;
  created_at: number | string;
  outcome: ReplyOutcome;
  klink_message_id: string | null;
  error_code: string | null;
  error: string | null;
  finished_at: number | string | null;
}
export const REPLY_COLUMNS = columns<ReplyRow>([
  'id',
  'action_key',
  'conversation_id',
  'event_id',
  'connection_id',
  'contact_id',
  'room_id',
  'user_id',
  'user_name',
  'text',
  'created_at',
  'outcome',
  'klink_message_id',
  'error_code',
  'error',
  'finished_at',
]);

function json<T>(text: string): T {
  return JSON.parse(text) as T;
}

export function toConversation(row: ConversationRow): Conversation {
  return {
    id: row.id,
    type: row.type,
    tenantId: row.tenant_id,
    serviceUrl: row.service_url,
    channelId: row.channel_id,
    teamId: row.team_id,
    botId: row.bot_id,
    botName: row.bot_name,
    active: Boolean(row.active),
    removedReason: row.removed_reason,
    pausedUntil: row.paused_until,
  };
}

export function toSubscription(row: SubscriptionRow): Subscription {
  return {
    id: row.id,
    conversationId: row.conversation_id,
    tenantId: row.tenant_id,
    number: Number(row.number),
    filters: filtersFromJson(row.filters),
    createdBy: row.created_by,
    createdAt: row.created_at,
  };
}

export function toEvent(row: EventRow): StoredEvent {
  return {
    id: row.id,
    connectionId: row.connection_id,
    eventType: row.event_type,
    dataId: row.data_id,
    payload: row.payload,
    receivedAt: row.received_at,
    roomId: row.room_id,
  };
}

export function toDelivery(row: DeliveryRow): Delivery {
  return {
    id: row.id,
    eventId: row.event_id,
    conversationId: row.conversation_id,
    state: row.state,
    attempts: row.attempts,
    nextAttemptAt: row.next_attempt_at,
    lastError: row.last_error,
    activityId: row.activity_id,
    subscriptionIds: json(row.subscription_ids),
    shrink: row.shrink,
    via: row.via,
    deliveredAt: row.delivered_at,
  };
}

/** A delivery with the claim on its conversation (pending ones only; finished ones need none). */
export function toListed(row: DeliveryRow & ClaimColumns): ListedDelivery {
  const delivery = toDelivery(row);
  const claim =
    delivery.state === 'pending' && row.claimed_by !== null && row.claimed_until !== null
      ? { holder: row.claimed_by, until: row.claimed_until }
      : null;
  return { ...delivery, claim };
}

export function toThread(row: ThreadRow): RoomThread {
  return {
    conversationId: row.conversation_id,
    roomId: row.room_id,
    rootActivityId: row.root_activity_id,
    rootEventId: row.root_event_id,
    startedAt: row.started_at,
    lastPostedAt: row.last_posted_at,
    messageCount: row.message_count,
    latestEventId: row.latest_event_id,
    rootUpdatedAt: row.root_updated_at,
    rootStale: Boolean(row.root_stale),
  };
}

export function toConsent(row: ConsentRow): TenantConsent {
  return { tenantId: row.tenant_id, grantedBy: row.granted_by, scopes: json(row.scopes), grantedAt: row.granted_at };
}

export function toConnection(row: ConnectionRow): KlinkConnection {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    name: row.name,
    secretEncrypted: row.secret_encrypted,
    createdAt: Number(row.created_at),
    apiTokenEncrypted: row.api_token_encrypted,
    reply: row.reply === 'on' || row.reply === 'off' ? row.reply : null,
  };
}

export function toReply(row: ReplyRow): CardReply {
  return {
    id: Number(row.id),
    actionKey: row.action_key,
    conversationId: row.conversation_id,
    eventId: Number(row.event_id),
    connectionId: row.connection_id,
    contactId: row.contact_id,
    roomId: row.room_id,
    userId: row.user_id,
    userName: row.user_name,
    text: row.text,
    createdAt: Number(row.created_at),
    outcome: row.outcome,
    klinkMessageId: row.klink_message_id,
    errorCode: row.error_code,
    error: row.error,
    finishedAt: row.finished_at === null ? null : Number(row.finished_at),
  };
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
