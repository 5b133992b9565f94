/** Contacts learned from klink's API, in SQLite (see ../contacts.ts). */
import type { KlinkContact } from '../../klink/events';
import type { ContactKnowledge, ContactStore, FetchedContact } from '../contacts';
import { type ContactRow, knowledgeOf, toContact } from '../contact-rows';
import type { SqliteDb } from './database';

export class SqliteContacts implements ContactStore {
  constructor(private readonly db: SqliteDb) {}

  async knowledge(ids: readonly string[]): Promise<Map<string, ContactKnowledge>> {
    const list = JSON.stringify([...new Set(ids)]);
    const contacts = this.db
      .stmt(`SELECT id, name, tags, contact_updated_at, source, fetched_at FROM contacts WHERE id IN (SELECT value FROM json_each(?))`)
      .all(list) as ContactRow[];
    const misses = this.db
      .stmt('SELECT id, checked_at FROM contact_misses WHERE id IN (SELECT value FROM json_each(?))')
      .all(list) as Array<{ id: string; checked_at: number }>;
    return knowledgeOf(contacts, misses);
  }

  async recordFetched(contact: FetchedContact, fetchedAt: number): Promise<KlinkContact> {
    return this.db.transaction(() => {
      this.db
        .stmt(
          `
        INSERT INTO contacts (id, name, tags, contact_updated_at, stored_at, source, fetched_at) VALUES (?, ?, ?, NULL, ?, 'api', ?)
        ON CONFLICT (id) DO UPDATE SET name = excluded.name, tags = excluded.tags, stored_at = excluded.stored_at,
          fetched_at = excluded.fetched_at
        WHERE contacts.source = 'api' AND contacts.fetched_at <= excluded.fetched_at`,
        )
        .run(contact.id, contact.name, JSON.stringify(contact.tags), fetchedAt, fetchedAt);
      this.db.stmt('DELETE FROM contact_misses WHERE id = ? AND checked_at <= ?').run(contact.id, fetchedAt);
      const row = this.db
        .stmt('SELECT id, name, tags, contact_updated_at, source, fetched_at FROM contacts WHERE id = ?')
        .get(contact.id) as ContactRow;
      return toContact(row);
    });
  }

  async recordNotFound(id: string, checkedAt: number): Promise<void> {
    this.db
      .stmt(
        `INSERT INTO contact_misses (id, checked_at) VALUES (?, ?)
      ON CONFLICT (id) DO UPDATE SET checked_at = MAX(contact_misses.checked_at, excluded.checked_at)`,
      )
      .run(id, checkedAt);
  }
}
