/**
 * Events and contacts in SQLite. Webhooks are committed on their own connection with
 * `synchronous = FULL` (each commit is on disk before the 200), grouped so webhooks arriving
 * together share one commit.
 */
import type { KlinkContact } from '../../klink/events';
import type { EventStore, NewEvent, StoredEvent } from '../events';
import { type EventRow, isOlder, toEvent, withoutText } from '../rows';
import type { SqliteDb } from './database';

type Recorded = { eventId: number; duplicate: boolean };

export class SqliteEvents implements EventStore {
  private pending: Array<{ event: NewEvent; resolve: (r: Recorded) => void; reject: (e: unknown) => void }> = [];

  constructor(
    private readonly db: SqliteDb,
    private readonly ingest: SqliteDb,
    private readonly signal: () => void,
  ) {}

  /** Webhooks arriving together are committed together: one durable commit for the group. */
  recordEvent(event: NewEvent): Promise<Recorded> {
    return new Promise((resolve, reject) => {
      this.pending.push({ event, resolve, reject });
      if (this.pending.length === 1) setImmediate(() => this.commitPending());
    });
  }

  /** Commits what is waiting (also on close, so nothing taken is left behind). */
  commitPending(): void {
    const batch = this.pending;
    if (batch.length === 0) return;
    this.pending = [];
    try {
      const results = this.ingest.transaction(() => batch.map(({ event }) => this.insert(event)));
      batch.forEach((item, i) => item.resolve(results[i]));
      if (results.some((r, i) => !r.duplicate && batch[i].event.kind === 'message')) this.signal();
    } catch (err) {
      for (const item of batch) item.reject(err);
    }
  }

  private insert(event: NewEvent): Recorded {
    const inserted = this.ingest
      .stmt(
        `
      INSERT INTO events (connection_id, event_type, data_id, kind, payload, received_at, dispatched_at, room_id, contact_id)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (connection_id, event_type, data_id) DO NOTHING`,
      )
      .run(
        event.connectionId,
        event.eventType,
        event.dataId,
        event.kind,
        event.payload,
        event.receivedAt,
        event.kind === 'contact' ? event.receivedAt : null,
        event.roomId ?? null,
        event.contactId ?? null,
      );
    if (inserted.changes === 0) {
      const existing = this.ingest
        .stmt('SELECT id FROM events WHERE connection_id = ? AND event_type = ? AND data_id = ?')
        .get(event.connectionId, event.eventType, event.dataId) as { id: number };
      return { eventId: existing.id, duplicate: true };
    }
    if (event.contact) this.upsertContact(event.contact, event.receivedAt);
    return { eventId: Number(inserted.lastInsertRowid), duplicate: false };
  }

  /**
   * Keeps the newest version of a contact and never erases a field the event did not carry. A
   * version fetched from klink's API has no time of its own: a webhook always replaces it.
   */
  private upsertContact(contact: NonNullable<NewEvent['contact']>, now: number): void {
    const existing = this.ingest.stmt('SELECT name, tags, contact_updated_at FROM contacts WHERE id = ?').get(contact.id) as
      { name: string; tags: string; contact_updated_at: string | null } | undefined;
    if (existing && isOlder(contact.updatedAt, existing.contact_updated_at)) return;
    const name = contact.present.name || !existing ? contact.name : existing.name;
    const tags = contact.present.tags || !existing ? JSON.stringify(contact.tags) : existing.tags;
    this.ingest
      .stmt(
        `
      INSERT INTO contacts (id, name, tags, contact_updated_at, stored_at) VALUES (?, ?, ?, ?, ?)
      ON CONFLICT (id) DO UPDATE SET name = excluded.name, tags = excluded.tags,
        contact_updated_at = COALESCE(excluded.contact_updated_at, contacts.contact_updated_at), stored_at = excluded.stored_at,
        source = 'webhook', fetched_at = NULL`,
      )
      .run(contact.id, name, tags, contact.updatedAt, now);
  }

  async getContact(id: string): Promise<KlinkContact | null> {
    const row = this.db.stmt('SELECT id, name, tags, contact_updated_at FROM contacts WHERE id = ?').get(id) as
      { id: string; name: string; tags: string; contact_updated_at: string | null } | undefined;
    if (!row) return null;
    return { id: row.id, name: row.name, tags: JSON.parse(row.tags) as string[], updatedAt: row.contact_updated_at };
  }

  async getEvent(id: number): Promise<StoredEvent | null> {
    const row = this.db
      .stmt('SELECT id, connection_id, event_type, data_id, payload, received_at, room_id FROM events WHERE id = ?')
      .get(id) as EventRow | undefined;
    return row ? toEvent(row) : null;
  }

  async findEvents(dataIds: readonly string[]): Promise<StoredEvent[]> {
    const rows = this.db
      .stmt(
        `SELECT id, connection_id, event_type, data_id, payload, received_at, room_id FROM events
      WHERE data_id IN (SELECT value FROM json_each(?)) ORDER BY id`,
      )
      .all(JSON.stringify(dataIds)) as EventRow[];
    return rows.map(toEvent);
  }

  async purgeMessageText(before: number, now: number): Promise<number> {
    const rows = this.db
      .stmt(
        `
      SELECT e.id, e.payload FROM events e WHERE e.kind = 'message' AND e.purged_at IS NULL AND e.received_at < ? AND e.dispatched_at IS NOT NULL
        AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.event_id = e.id AND d.state = 'pending')
      LIMIT 1000`,
      )
      .all(before) as Array<{ id: number; payload: string }>;
    const update = this.db.stmt('UPDATE events SET payload = ?, purged_at = ? WHERE id = ?');
    this.db.transaction(() => {
      for (const row of rows) update.run(withoutText(row.payload), now, row.id);
    });
    return rows.length;
  }
}
