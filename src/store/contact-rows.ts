/** Contact rows as both stores read them, and what they tell about asking klink's API. */
import type { KlinkContact } from '../klink/events';
import type { ContactKnowledge } from './contacts';

export interface ContactRow {
  id: string;
  name: string;
  tags: string;
  contact_updated_at: string | null;
  source: string;
  /** PostgreSQL returns BIGINT as a string. */
  fetched_at: number | string | null;
}

export function toContact(row: ContactRow): KlinkContact {
  return { id: row.id, name: row.name, tags: JSON.parse(row.tags) as string[], updatedAt: row.contact_updated_at };
}

/** A webhook version wins; a 404 newer than the last API answer says "not found"; otherwise the API answer. */
export function knowledgeOf(
  contacts: readonly ContactRow[],
  misses: ReadonlyArray<{ id: string; checked_at: number | string }>,
): Map<string, ContactKnowledge> {
  const known = new Map<string, ContactKnowledge>();
  const missed = new Map(misses.map((m) => [m.id, Number(m.checked_at)]));
  for (const row of contacts) {
    const contact = toContact(row);
    const checkedAt = missed.get(row.id);
    const fetchedAt = Number(row.fetched_at ?? 0);
    if (row.source !== 'api') known.set(row.id, { source: 'webhook', contact });
    else if (checkedAt !== undefined && checkedAt >= fetchedAt) known.set(row.id, { source: 'not-found', contact, checkedAt });
    else known.set(row.id, { source: 'api', contact, fetchedAt });
  }
  for (const [id, checkedAt] of missed) {
    if (!known.has(id)) known.set(id, { source: 'not-found', contact: null, checkedAt });
  }
  return known;
}
