/**
 * Events and contacts in PostgreSQL. Webhooks arriving together are committed in one
 * transaction (one multi-row insert): the 200 goes out once that commit is durable. At most a
 * few commits are under way at once; webhooks arriving meanwhile wait for the next, so when the
 * disk is slow the groups grow instead of the commits queueing up.
 */
import type { KlinkContact } from '../../klink/events';
import type { EventStore, NewEvent, StoredEvent } from '../events';
import { type EventRow, toEvent, withoutText } from '../rows';
import type { PgDb, Queryable } from './db';

type Recorded = { eventId: number; duplicate: boolean };
type Waiting = { event: NewEvent; resolve: (r: Recorded) => void; reject: (e: unknown) => void };

/** Webhook commits under way at once. */
const CONCURRENT_COMMITS = 2;

export class PgEvents implements EventStore {
  private pending: Waiting[] = [];
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly db: PgDb,
    private readonly channel: string,
  ) {}

  recordEvent(event: NewEvent): Promise<Recorded> {
    return new Promise((resolve, reject) => {
      this.pending.push({ event, resolve, reject });
      if (this.pending.length === 1 && this.inFlight.size < CONCURRENT_COMMITS) setImmediate(() => void this.commitPending());
    });
  }

  /** Commits what is waiting together; resolves when it is done (also on close). */
  commitPending(): Promise<void> {
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return Promise.all(this.inFlight).then(() => undefined);
    const events = batch.map((w) => w.event);
    // Without contact events the batch is one statement, one round trip; contacts are updated in
    // the same transaction as their events.
    const commit = (
      events.some((e) => e.contact) ? this.db.transaction((tx) => this.insert(tx, events)) : this.insert(this.db, events)
    ).then(
      (results) => batch.forEach((w, i) => w.resolve(results[i])),
      (err: unknown) => batch.forEach((w) => w.reject(err)),
    );
    this.inFlight.add(commit);
    return commit.finally(() => {
      this.inFlight.delete(commit);
      // What arrived while the commits were under way goes in the next one.
      if (this.pending.length > 0 && this.inFlight.size < CONCURRENT_COMMITS) void this.commitPending();
    });
  }

  /**
   * Inserts the events (duplicates within the batch or already stored are skipped) and tells
   * every instance of new messages (NOTIFY, sent on commit), in one statement.
   */
  private async insert(db: Queryable, events: NewEvent[]): Promise<Recorded[]> {
    const column = <T>(pick: (e: NewEvent) => T) => events.map(pick);
    const inserted = await db.rows<{ id: number; connection_id: string; event_type: string; data_id: string }>(
      `
      WITH ins AS (
        INSERT INTO events (connection_id, event_type, data_id, kind, payload, received_at, dispatched_at, room_id, contact_id)
        SELECT connection_id, event_type, data_id, kind, payload, received_at, dispatched_at, room_id, contact_id
        FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[], $7::bigint[], $8::text[], $10::text[], $9::int[])
          AS i(connection_id, event_type, data_id, kind, payload, received_at, dispatched_at, room_id, contact_id, ord)
        ORDER BY ord
        ON CONFLICT (connection_id, event_type, data_id) DO NOTHING
        RETURNING id, connection_id, event_type, data_id, kind
      ), notified AS (
        SELECT pg_notify($11, 'events') FROM (SELECT 1 FROM ins WHERE kind = 'message' LIMIT 1) m
      )
      SELECT id, connection_id, event_type, data_id, (SELECT count(*) FROM notified) AS notified FROM ins`,
      [
        column((e) => e.connectionId),
        column((e) => e.eventType),
        column((e) => e.dataId),
        column((e) => e.kind),
        column((e) => e.payload),
        column((e) => e.receivedAt),
        column((e) => (e.kind === 'contact' ? e.receivedAt : null)),
        column((e) => e.roomId ?? null),
        events.map((_, i) => i),
        column((e) => e.contactId ?? null),
        this.channel,
      ],
    );
    const key = (connectionId: string, eventType: string, dataId: string) => `${connectionId}\n${eventType}\n${dataId}`;
    const stored = new Map(inserted.map((r) => [key(r.connection_id, r.event_type, r.data_id), r.id]));
    const results: Recorded[] = [];
    const seen = new Set<string>();
    const duplicates: number[] = [];
    for (const [i, event] of events.entries()) {
      const k = key(event.connectionId, event.eventType, event.dataId);
      const id = stored.get(k);
      if (id !== undefined && !seen.has(k)) {
        seen.add(k);
        results.push({ eventId: id, duplicate: false });
        if (event.contact) await upsertContact(db, event.contact, event.receivedAt);
      } else {
        results.push({ eventId: id ?? 0, duplicate: true });
        if (id === undefined) duplicates.push(i);
      }
    }
    if (duplicates.length > 0) {
      // Stored by an earlier batch (committed: the insert waited for it): read its id.
      const existing = await db.rows<{ id: number; connection_id: string; event_type: string; data_id: string }>(
        `
        SELECT e.id, e.connection_id, e.event_type, e.data_id FROM events e
        JOIN unnest($1::text[], $2::text[], $3::text[]) AS k(connection_id, event_type, data_id)
          ON e.connection_id = k.connection_id AND e.event_type = k.event_type AND e.data_id = k.data_id`,
        [
          duplicates.map((i) => events[i].connectionId),
          duplicates.map((i) => events[i].eventType),
          duplicates.map((i) => events[i].dataId),
        ],
      );
      const ids = new Map(existing.map((r) => [key(r.connection_id, r.event_type, r.data_id), r.id]));
      for (const i of duplicates) results[i].eventId = ids.get(key(events[i].connectionId, events[i].eventType, events[i].dataId)) ?? 0;
    }
    return results;
  }

  async getContact(id: string): Promise<KlinkContact | null> {
    const row = await this.db.row<{ id: string; name: string; tags: string; contact_updated_at: string | null }>(
      'SELECT id, name, tags, contact_updated_at FROM contacts WHERE id = $1',
      [id],
    );
    if (!row) return null;
    return { id: row.id, name: row.name, tags: JSON.parse(row.tags) as string[], updatedAt: row.contact_updated_at };
  }

  async getEvent(id: number): Promise<StoredEvent | null> {
    const row = await this.db.row<EventRow>(
      'SELECT id, connection_id, event_type, data_id, payload, received_at, room_id FROM events WHERE id = $1',
      [id],
    );
    return row ? toEvent(row) : null;
  }

  async findEvents(dataIds: readonly string[]): Promise<StoredEvent[]> {
    const rows = await this.db.rows<EventRow>(
      `SELECT id, connection_id, event_type, data_id, payload, received_at, room_id FROM events
      WHERE data_id = ANY($1::text[]) ORDER BY id`,
      [dataIds],
    );
    return rows.map(toEvent);
  }

  async purgeMessageText(before: number, now: number): Promise<number> {
    return this.db.transaction(async (tx) => {
      const rows = await tx.rows<{ id: number; payload: string }>(
        `
        SELECT e.id, e.payload FROM events e WHERE e.kind = 'message' AND e.purged_at IS NULL AND e.received_at < $1 AND e.dispatched_at IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.event_id = e.id AND d.state = 'pending')
        LIMIT 1000 FOR UPDATE SKIP LOCKED`,
        [before],
      );
      if (rows.length === 0) return 0;
      await tx.run(
        `UPDATE events e SET payload = u.payload, purged_at = $3 FROM unnest($1::bigint[], $2::text[]) AS u(id, payload) WHERE e.id = u.id`,
        [rows.map((r) => r.id), rows.map((r) => withoutText(r.payload)), now],
      );
      return rows.length;
    });
  }
}

/**
 * Keeps the newest version of a contact (times compared as instants, whatever their precision
 * or offset; an update whose time, or the stored time, cannot be read applies — as in SQLite)
 * and never erases a field the event did not carry. A version fetched from klink's API has no time
 * of its own, so a webhook always replaces it. The instant (`contact_updated_ms`) always
 * belongs to the stored time: null while that time is unreadable.
 */
async function upsertContact(tx: Queryable, contact: NonNullable<NewEvent['contact']>, now: number): Promise<void> {
  const ms = contact.updatedAt === null ? null : Date.parse(contact.updatedAt);
  await tx.run(
    `
    INSERT INTO contacts (id, name, tags, contact_updated_at, contact_updated_ms, stored_at) VALUES ($1, $2, $3, $4, $5, $6)
    ON CONFLICT (id) DO UPDATE SET
      name = CASE WHEN $7 THEN excluded.name ELSE contacts.name END,
      tags = CASE WHEN $8 THEN excluded.tags ELSE contacts.tags END,
      contact_updated_at = COALESCE(excluded.contact_updated_at, contacts.contact_updated_at),
      contact_updated_ms = CASE WHEN excluded.contact_updated_at IS NULL THEN contacts.contact_updated_ms ELSE excluded.contact_updated_ms END,
      stored_at = excluded.stored_at,
      source = 'webhook',
      fetched_at = NULL
    WHERE excluded.contact_updated_ms IS NULL OR contacts.contact_updated_ms IS NULL
      OR excluded.contact_updated_ms >= contacts.contact_updated_ms`,
    [
      contact.id,
      contact.name,
      JSON.stringify(contact.tags),
      contact.updatedAt,
      ms !== null && Number.isFinite(ms) ? ms : null,
      now,
      contact.present.name,
      contact.present.tags,
    ],
  );
}
