/**
 * The delivery queue: one row per (event, Teams conversation), walked to delivered or dead.
 * Several delivery workers may share one queue: a worker serves a conversation only while it
 * holds that conversation's claim (a lease it renews), so no two send to one conversation at once
 * and its messages keep their order; a worker that dies loses its claims when they expire.
 */
import type { KlinkContact } from '../klink/events';
import type { Conversation } from './conversations';
import type { StoredEvent } from './events';
import type { RoomThread } from './threads';

export type DeliveryState = 'pending' | 'delivered' | 'dead';
export type DeliveryVia = 'post' | 'reply' | 'digest';

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

/** A delivery as operators see it: with the worker whose claim covers its conversation, if any. */
export interface ListedDelivery extends Delivery {
  claim: { holder: string; until: number } | null;
}

/** A pending delivery with what is needed to send it, read in one go. */
export interface DueDelivery {
  delivery: Delivery;
  event: StoredEvent;
  conversation: Conversation;
  /** The newest known version of the message's contact, if any. */
  contact: KlinkContact | null;
  /** The Teams thread of the message's klink room in this conversation, if any. */
  thread: RoomThread | null;
}

/** A message event waiting to be matched, with its contact as known now. */
export interface UndispatchedEvent {
  event: StoredEvent;
  contact: KlinkContact | null;
}

export interface DispatchTarget {
  conversationId: string;
  subscriptionIds: number[];
}

export interface DispatchedEvent {
  eventId: number;
  targets: DispatchTarget[];
}

/** The request that carried a card to Teams: its budget slot and when Teams answered. */
export interface AnsweredSlot {
  slot: number;
  answeredAt: number;
}

export interface DeliveredRecord {
  deliveryId: number;
  activityId: string | null;
  via: 'post' | 'reply';
  request: AnsweredSlot;
  thread:
    | { kind: 'start'; conversationId: string; roomId: string; rootActivityId: string; eventId: number }
    | { kind: 'add'; conversationId: string; roomId: string; eventId: number }
    | null;
}

export interface ClaimRequest {
  /** The worker taking the claims (unique per worker). */
  holder: string;
  now: number;
  /** A claim lasts this long unless renewed. */
  leaseMs: number;
  limit: number;
  /** Conversations the caller already serves or knows to be waiting. */
  skip: readonly string[];
  /** Also claim conversations with a thread root card last updated before this time and out of date. */
  staleRootsBefore: number;
}

/** A conversation a worker claimed, and the newest due delivery that made it due (null: only a thread root to update). */
export interface ClaimedConversation {
  conversation: Conversation;
  newestDue: number | null;
}

/** A delivery with its event and the event's contact as known now (what a conversation's history shows). */
export interface DeliveryWithEvent {
  delivery: Delivery;
  event: StoredEvent;
  contact: KlinkContact | null;
}

export interface DeliveryFilter {
  state?: DeliveryState;
  conversationId?: string;
  eventIds?: readonly number[];
}

export interface DeliveryQueue {
  /** Message events not yet turned into deliveries, oldest first, with their contacts. */
  undispatchedEvents(limit: number): Promise<UndispatchedEvent[]>;
  /**
   * Creates one delivery per (event, conversation) and marks the events dispatched, in one
   * transaction, in the order given; other workers are told there is new work.
   */
  dispatchEvents(events: DispatchedEvent[], now: number): Promise<void>;

  /**
   * Claims conversations that are not paused and not claimed by another worker, and that have
   * deliveries due at `now` (longest waiting first) or an out-of-date thread root.
   */
  claimConversations(request: ClaimRequest): Promise<ClaimedConversation[]>;
  /** Extends `holder`'s claims on these conversations; returns the ones it still holds. */
  renewClaims(holder: string, conversationIds: readonly string[], now: number, leaseMs: number): Promise<string[]>;
  /** Gives claims up (shutdown), so other workers take the conversations over at once. */
  releaseClaims(holder: string, conversationIds: readonly string[]): Promise<void>;

  /** Pending deliveries of one conversation in the order their events were dispatched, due or not. */
  pendingDeliveriesFor(conversationId: string, limit: number): Promise<DueDelivery[]>;
  /** Whether this event was delivered (or is being delivered) to this conversation. */
  hasDelivery(eventId: number, conversationId: string): Promise<boolean>;
  /** The delivery of this event to this conversation, if any (one indexed lookup). */
  getDelivery(eventId: number, conversationId: string): Promise<Delivery | null>;
  /**
   * The earliest time after `after` at which a pending delivery may become due (its retry time or
   * the end of its conversation's pause), or null when there is none. Work already due at `after`
   * is not reported: the caller saw it when it looked at `after`.
   */
  nextDueAt(after: number): Promise<number | null>;
  countPending(conversationId?: string): Promise<number>;

  /**
   * A card reached Teams: its budget slot, the delivery and the room's thread, in one transaction.
   * One call per conversation at a time (its claim holder records a card before it sends the
   * next): records of different conversations may be written together.
   */
  recordDelivered(input: DeliveredRecord, now: number): Promise<void>;
  /** Several deliveries reached Teams inside one digest card, with the slot that carried it, in one transaction. */
  markDigested(deliveryIds: number[], activityId: string | null, now: number, request: AnsweredSlot): Promise<void>;
  markRetry(deliveryId: number, error: string, nextAttemptAt: number, now: number): Promise<void>;
  /** Teams answered 413: try again at once with a smaller card. */
  markShrink(deliveryId: number, error: string, now: number): Promise<void>;
  markDead(deliveryId: number, error: string, now: number): Promise<void>;

  listDeliveries(filter: DeliveryFilter, limit: number): Promise<ListedDelivery[]>;
  /** Puts dead deliveries back in the queue (`ids` null: all of them); returns how many. Workers are told. */
  requeueDead(ids: number[] | null, now: number): Promise<number>;

  /** One conversation's newest deliveries first (of one state, or all), with their events and contacts. */
  conversationDeliveries(conversationId: string, state: DeliveryState | null, limit: number): Promise<DeliveryWithEvent[]>;
  /** A delivery of this conversation by id; null when there is none (or it belongs to another conversation). */
  conversationDelivery(conversationId: string, deliveryId: number): Promise<Delivery | null>;
  /** How many deliveries of the conversation are pending and dead. */
  deliveryCounts(conversationId: string): Promise<{ pending: number; dead: number }>;
  /** Like requeueDead, limited to one conversation's dead deliveries (`ids` null: all of them). Workers are told. */
  requeueDeadOf(conversationId: string, ids: number[] | null, now: number): Promise<number>;
}
