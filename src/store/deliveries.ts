/** The delivery queue: one row per (event, Teams conversation), walked to delivered or dead. */
import type { Conversation } from './conversations';
import type { StoredEvent } from './events';
import type { TeamsRequestRecord } from './requests';

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

/** A due delivery with what is needed to send it. */
export interface DueDelivery {
  delivery: Delivery;
  event: StoredEvent;
  conversation: Conversation;
}

/** A conversation with deliveries due now. */
export interface DueConversation {
  conversation: Conversation;
  due: number;
}

export interface DispatchTarget {
  conversationId: string;
  subscriptionIds: number[];
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

export interface DeliveryQueue {
  /** Message events not yet turned into deliveries, oldest first. */
  undispatchedEvents(limit: number): Promise<StoredEvent[]>;
  /** Creates one delivery per conversation (unique per event) and marks the event dispatched, atomically. */
  dispatchEvent(eventId: number, targets: DispatchTarget[], now: number): Promise<void>;

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
}
