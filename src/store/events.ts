/** Events and contacts: what klink sent, stored once, and the newest known version of each contact. */
import type { KlinkContact } from '../klink/events';

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
  /** The klink contact of a message event: its newest known version is read with the event. */
  contactId?: string;
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

export interface EventStore {
  /**
   * Stores an event once per (connection, event type, data id), durably before it resolves; a
   * contact event also updates the contact in the same transaction.
   */
  recordEvent(event: NewEvent): Promise<{ eventId: number; duplicate: boolean }>;
  getEvent(id: number): Promise<StoredEvent | null>;
  /** The events with these klink ids (`data.id`), of any connection and type, oldest first: tracing a message. */
  findEvents(dataIds: readonly string[]): Promise<StoredEvent[]>;
  getContact(id: string): Promise<KlinkContact | null>;
  /** Removes message text from events whose deliveries are all finished and that are older than `before`. */
  purgeMessageText(before: number, now: number): Promise<number>;
}
