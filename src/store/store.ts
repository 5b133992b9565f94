/**
 * The one storage interface. SQLite is the embedded default; every method is async so a
 * PostgreSQL implementation can sit behind the same contract.
 */
import type { KlinkContact } from '../klink/events';
import type { Filters } from '../subscriptions/filters';

export type ConversationType = 'channel' | 'groupChat' | 'personal';

/** A Teams conversation the bot is installed in or was spoken to in. */
export interface Conversation {
  /** For channels the channel id (without `;messageid=`), else the conversation id. */
  id: string;
  type: ConversationType;
  tenantId: string;
  serviceUrl: string;
  /** Bot Framework channel id, `msteams`. */
  channelId: string;
  teamId: string | null;
  botId: string;
  botName: string;
  active: boolean;
  removedReason: string | null;
  /** Teams answered 429: no request before this time (epoch ms). */
  pausedUntil: number | null;
}

export interface Subscription {
  id: number;
  conversationId: string;
  /** The Entra tenant of the conversation. */
  tenantId: string;
  /** 1-based position among the conversation's active subscriptions, as users see it. */
  number: number;
  filters: Filters;
  createdBy: string | null;
  createdAt: number;
}

export type EventKindStored = 'message' | 'contact';

export interface NewEvent {
  connectionId: string;
  eventType: string;
  dataId: string;
  kind: EventKindStored;
  /** The raw JSON body as received; message text is removed once delivery no longer needs it. */
  payload: string;
  receivedAt: number;
  /** The klink room of a message event (threads and digests group by it). */
  roomId?: string;
  /** For contact events: the contact to upsert in the same transaction, and which fields the event carried. */
  contact?: KlinkContact & { present: { name: boolean; tags: boolean } };
}

export interface StoredEvent {
  id: number;
  connectionId: string;
  eventType: string;
  dataId: string;
  payload: string;
  receivedAt: number;
  roomId: string | null;
}

export type DeliveryState = 'pending' | 'delivered' | 'dead';

export interface Delivery {
  id: number;
  eventId: number;
  conversationId: string;
  state: DeliveryState;
  attempts: number;
  nextAttemptAt: number;
  lastError: string | null;
  activityId: string | null;
  /** Subscriptions of the conversation that matched (for "Unsubscribe" on the card). */
  subscriptionIds: number[];
  /** How many times the card was made smaller after Teams answered 413. */
  shrink: number;
  /** How it reached Teams: a new post, a reply in the room's thread, or inside a digest. */
  via: DeliveryVia | null;
  deliveredAt: number | null;
}

export type DeliveryVia = 'post' | 'reply' | 'digest';

/** The Teams thread of one klink room in one channel. */
export interface RoomThread {
  conversationId: string;
  roomId: string;
  rootActivityId: string;
  rootEventId: number;
  startedAt: number;
  lastPostedAt: number;
  messageCount: number;
  latestEventId: number;
  rootUpdatedAt: number;
  /** Messages were added since the root card was last brought up to date. */
  rootStale: boolean;
}

/** A conversation with deliveries due now. */
export interface DueConversation {
  conversation: Conversation;
  due: number;
}

export interface TeamsRequestRecord {
  conversationId: string;
  tenantId: string;
  at: number;
}

export interface DeliveredRecord {
  deliveryId: number;
  activityId: string | null;
  via: 'post' | 'reply';
  request: TeamsRequestRecord;
  thread:
    | { kind: 'start'; conversationId: string; roomId: string; rootActivityId: string; eventId: number }
    | { kind: 'add'; conversationId: string; roomId: string; eventId: number }
    | null;
}

/** A due delivery with what is needed to send it. */
export interface DueDelivery {
  delivery: Delivery;
  event: StoredEvent;
  conversation: Conversation;
}

/** A tenant whose admin completed admin consent. */
export interface TenantConsent {
  tenantId: string;
  grantedBy: string | null;
  scopes: string[];
  grantedAt: number;
}

/** A further klink connection (workspace webhook) and the tenant its events belong to. */
export interface KlinkConnection {
  id: string;
  tenantId: string;
  name: string;
  /** The signing secret, encrypted with DATA_ENCRYPTION_KEY (see src/auth/secret-box.ts). */
  secretEncrypted: string;
  createdAt: number;
}

export interface Store {
  /** Stores an event once per (event type, data id); a contact event also updates the contact. */
  recordEvent(event: NewEvent): Promise<{ eventId: number; duplicate: boolean }>;
  getContact(id: string): Promise<KlinkContact | null>;

  upsertConversation(conversation: Omit<Conversation, 'active' | 'removedReason' | 'pausedUntil'>, now: number): Promise<void>;
  getConversation(id: string): Promise<Conversation | null>;
  /** The bot left the conversation: deactivates it and its subscriptions, with the reason. */
  deactivateConversation(id: string, reason: string, now: number): Promise<void>;
  /** The app was removed from a team: deactivates every channel of it; returns how many. */
  deactivateTeam(teamId: string, reason: string, now: number): Promise<number>;

  /** Adds a subscription unless the same filters exist already (then returns the existing one). */
  addSubscription(conversationId: string, filters: Filters, createdBy: string | null, now: number): Promise<{ created: boolean; subscription: Subscription }>;
  listSubscriptions(conversationId: string): Promise<Subscription[]>;
  /** Removes subscriptions by id, recording the reason; returns the removed ones. */
  removeSubscriptions(conversationId: string, ids: number[], reason: string, now: number): Promise<Subscription[]>;
  /** Active subscriptions of active conversations. */
  activeSubscriptions(): Promise<Subscription[]>;

  /** Message events not yet turned into deliveries, oldest first. */
  undispatchedEvents(limit: number): Promise<StoredEvent[]>;
  /** Creates one delivery per conversation (unique per event) and marks the event dispatched, atomically. */
  dispatchEvent(eventId: number, targets: Array<{ conversationId: string; subscriptionIds: number[] }>, now: number): Promise<void>;

  dueDeliveries(now: number, limit: number): Promise<DueDelivery[]>;
  /**
   * Not paused conversations with deliveries due at `now`, longest waiting first, leaving out
   * `skip` (conversations the caller is already serving or knows to be waiting).
   */
  dueConversations(now: number, limit: number, skip?: readonly string[]): Promise<DueConversation[]>;
  /** Pending deliveries of one conversation in the order their events arrived, due or not. */
  pendingDeliveriesFor(conversationId: string, limit: number): Promise<DueDelivery[]>;
  /** Whether this event was delivered (or is being delivered) to this conversation. */
  hasDelivery(eventId: number, conversationId: string): Promise<boolean>;
  /**
   * The earliest time after `after` at which a pending delivery may become due (its retry time or
   * the end of its conversation's pause), or null when there is none. Work already due at `after`
   * is not reported: the caller saw it when it looked at `after`.
   */
  nextDueAt(after: number): Promise<number | null>;
  countPending(conversationId?: string): Promise<number>;
  markDelivered(deliveryId: number, activityId: string | null, via: DeliveryVia, now: number): Promise<void>;
  /** A card reached Teams: the request, the delivery and the room's thread are recorded in one transaction. */
  recordDelivered(input: DeliveredRecord, now: number): Promise<void>;
  /** Several deliveries reached Teams inside one digest card (with the request that carried it, if given), in one transaction. */
  markDigested(deliveryIds: number[], activityId: string | null, now: number, request?: TeamsRequestRecord): Promise<void>;
  markRetry(deliveryId: number, error: string, nextAttemptAt: number, now: number): Promise<void>;
  /** Teams answered 413: try again at once with a smaller card. */
  markShrink(deliveryId: number, error: string, now: number): Promise<void>;
  markDead(deliveryId: number, error: string, now: number): Promise<void>;
  listDeliveries(filter: { state?: DeliveryState; conversationId?: string }, limit: number): Promise<Delivery[]>;
  /** Puts dead deliveries back in the queue (`ids` null: all of them); returns how many. */
  requeueDead(ids: number[] | null, now: number): Promise<number>;

  /** No request to the conversation before `until` (Retry-After). */
  pauseConversation(id: string, until: number): Promise<void>;

  /** Every request sent to Teams since `since`, oldest first (seeds pacing after a restart). */
  teamsRequestsSince(since: number): Promise<TeamsRequestRecord[]>;
  recordTeamsRequest(record: TeamsRequestRecord): Promise<void>;
  pruneTeamsRequests(before: number): Promise<void>;

  getRoomThread(conversationId: string, roomId: string): Promise<RoomThread | null>;
  /** Threads of a conversation whose root card is out of date and was last updated before `updatedBefore`. */
  staleRoomThreads(conversationId: string, updatedBefore: number): Promise<RoomThread[]>;
  /** Active conversations that have such threads. */
  conversationsWithStaleRoots(updatedBefore: number, limit: number, now: number): Promise<Conversation[]>;
  markRootUpdated(conversationId: string, roomId: string, now: number): Promise<void>;
  /** The root card stays out of date, but is looked at again only after the update interval. */
  deferRootUpdate(conversationId: string, roomId: string, now: number): Promise<void>;

  muteRoom(conversationId: string, roomId: string, until: number, mutedBy: string | null): Promise<void>;
  /** Rooms muted at `now`, as `conversationId roomId` pairs. */
  mutedRooms(now: number): Promise<Array<{ conversationId: string; roomId: string; until: number }>>;

  /** Removes message text from events whose deliveries are all finished and that are older than `before`. */
  purgeMessageText(before: number, now: number): Promise<number>;
  getEvent(id: number): Promise<StoredEvent | null>;

  recordConsent(consent: TenantConsent): Promise<void>;
  /** The active consent of a tenant, or null. */
  getConsent(tenantId: string): Promise<TenantConsent | null>;
  listConsents(): Promise<TenantConsent[]>;
  /** Withdraws a tenant's consent and deactivates its conversations; returns how many were deactivated. */
  revokeTenant(tenantId: string, reason: string, now: number): Promise<number>;

  addConnection(connection: KlinkConnection): Promise<void>;
  /** A connection; removed ones only with `includeRemoved` (their events already taken still need a tenant). */
  getConnection(id: string, options?: { includeRemoved?: boolean }): Promise<KlinkConnection | null>;
  listConnections(): Promise<KlinkConnection[]>;
  removeConnection(id: string, now: number): Promise<boolean>;

  /** Store reachable (readiness). */
  ping(): Promise<void>;
  close(): Promise<void>;
}
