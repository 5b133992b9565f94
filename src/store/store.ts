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
}

export interface Subscription {
  id: number;
  conversationId: string;
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
  /** For contact events: the contact to upsert in the same transaction. */
  contact?: KlinkContact;
}

export interface StoredEvent {
  id: number;
  connectionId: string;
  eventType: string;
  dataId: string;
  payload: string;
  receivedAt: number;
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
}

/** A due delivery with what is needed to send it. */
export interface DueDelivery {
  delivery: Delivery;
  event: StoredEvent;
  conversation: Conversation;
}

export interface Store {
  /** Stores an event once per (event type, data id); a contact event also updates the contact. */
  recordEvent(event: NewEvent): Promise<{ eventId: number; duplicate: boolean }>;
  getContact(id: string): Promise<KlinkContact | null>;

  upsertConversation(conversation: Omit<Conversation, 'active' | 'removedReason'>, now: number): Promise<void>;
  getConversation(id: string): Promise<Conversation | null>;
  /** The bot left the conversation: deactivates it and its subscriptions, with the reason. */
  deactivateConversation(id: string, reason: string, now: number): Promise<void>;

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
  dispatchEvent(eventId: number, conversationIds: string[], now: number): Promise<void>;

  dueDeliveries(now: number, limit: number): Promise<DueDelivery[]>;
  /** The earliest time a pending delivery becomes due, or null when none is pending. */
  nextDueAt(): Promise<number | null>;
  markDelivered(deliveryId: number, activityId: string | null, now: number): Promise<void>;
  markRetry(deliveryId: number, error: string, nextAttemptAt: number, now: number): Promise<void>;
  markDead(deliveryId: number, error: string, now: number): Promise<void>;
  listDeliveries(filter: { state?: DeliveryState; conversationId?: string }, limit: number): Promise<Delivery[]>;

  /** Store reachable (readiness). */
  ping(): Promise<void>;
  close(): Promise<void>;
}
