/**
 * Contacts learned from klink's API (`GET /contacts/{id}`) for messages whose contact no
 * `contact.*` webhook has told of: stored as the contact's version (the one matching and cards
 * read), marked as fetched and when, so every instance and later message use it. A webhook always
 * wins: an API answer never replaces a version a webhook stored, whenever it was fetched.
 */
import type { KlinkContact } from '../klink/events';

/** What the store knows of a contact, to decide whether klink's API should be asked. */
export type ContactKnowledge =
  | { source: 'webhook'; contact: KlinkContact }
  | { source: 'api'; contact: KlinkContact; fetchedAt: number }
  /** klink's API answered 404 at `checkedAt`; `contact` is an older API version, if any. */
  | { source: 'not-found'; contact: KlinkContact | null; checkedAt: number };

/** A contact as klink's API told it: name (empty when unknown) and tag names. */
export interface FetchedContact {
  id: string;
  name: string;
  tags: string[];
}

export interface ContactStore {
  /** What is known of each of these contacts; ids the store knows nothing of are absent. */
  knowledge(ids: readonly string[]): Promise<Map<string, ContactKnowledge>>;
  /**
   * Stores klink's API answer as the contact's version unless a webhook version exists or an API
   * answer fetched later is stored; returns the version stored now (whichever won).
   */
  recordFetched(contact: FetchedContact, fetchedAt: number): Promise<KlinkContact>;
  /** klink's API has no such contact (404) at `checkedAt`: not asked again for a while. */
  recordNotFound(id: string, checkedAt: number): Promise<void>;
}
