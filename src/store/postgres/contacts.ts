/** Contacts learned from klink's API, in PostgreSQL (see ../contacts.ts). */
import type { KlinkContact } from '../../klink/events';
import type { ContactKnowledge, ContactStore, FetchedContact } from '../contacts';
import { type ContactRow, knowledgeOf, toContact } from '../contact-rows';
import type { PgDb } from './db';

export class PgContacts implements ContactStore {
  constructor(private readonly db: PgDb) {}

  async knowledge(ids: readonly string[]): Promise<Map<string, ContactKnowledge>> {
    const list = [...new Set(ids)];
    const contacts = await this.db.rows<ContactRow>(
      'SELECT id, name, tags, contact_updated_at, source, fetched_at FROM contacts WHERE id = ANY($1::text[])',
      [list],
    );
    const misses = await this.db.rows<{ id: string; checked_at: string }>(
      'SELECT id, checked_at FROM contact_misses WHERE id = ANY($1::text[])',
      [list],
    );
    return knowledgeOf(contacts, misses);
  }

  async recordFetched(contact: FetchedContact, fetchedAt: number): Promise<KlinkContact> {
    return this.db.transaction(async (tx) => {
      await tx.run(
        `
        INSERT INTO contacts (id, name, tags, contact_updated_at, contact_updated_ms, stored_at, source, fetched_at)
        VALUES ($1, $2, $3, NULL, NULL, $4, 'api', $4)
        ON CONFLICT (id) DO UPDATE SET name = excluded.name, tags = excluded.tags, stored_at = excluded.stored_at,
          fetched_at = excluded.fetched_at
        WHERE contacts.source = 'api' AND contacts.fetched_at <= excluded.fetched_at`,
        [contact.id, contact.name, JSON.stringify(contact.tags), fetchedAt],
      );
      await tx.run('DELETE FROM contact_misses WHERE id = $1 AND checked_at <= $2', [contact.id, fetchedAt]);
      const [row] = await tx.rows<ContactRow>('SELECT id, name, tags, contact_updated_at, source, fetched_at FROM contacts WHERE id = $1', [
        contact.id,
      ]);
      return toContact(row);
    });
  }

  async recordNotFound(id: string, checkedAt: number): Promise<void> {
    await this.db.run(
      `INSERT INTO contact_misses (id, checked_at) VALUES ($1, $2)
      ON CONFLICT (id) DO UPDATE SET checked_at = GREATEST(contact_misses.checked_at, excluded.checked_at)`,
      [id, checkedAt],
    );
  }
}
