/** The delivery queue in SQLite: claims are plain columns, taken in one write transaction. */
import type {
  AnsweredSlot,
  ClaimRequest,
  ClaimedConversation,
  DeliveredRecord,
  Delivery,
  DeliveryFilter,
  DeliveryQueue,
  DeliveryState,
  DeliveryWithEvent,
  DispatchedEvent,
  DueDelivery,
  ListedDelivery,
  UndispatchedEvent,
} from '../deliveries';
import {
  CONTACT_COLUMNS,
  type ClaimColumns,
  type ContactColumns,
  type ConversationRow,
  DUE_COLUMNS,
  type DeliveryRow,
  type DueRow,
  type EventRow,
  conversationColumns,
  deliveryColumns,
  toConversation,
  toDelivery,
  toDue,
  toEvent,
  toJoinedContact,
  toListed,
} from '../rows';
import { ANSWER_SLOT } from './budget';
import { type SqliteDb, limitClause } from './database';
import { addToThread, startThread } from './threads';
import * as ofConversation from './conversation-deliveries';

const MARK_DELIVERED = `UPDATE deliveries SET state = 'delivered', attempts = attempts + 1, activity_id = ?, via = ?, last_error = NULL,
  delivered_at = ?, updated_at = ? WHERE id = ? AND state = 'pending'`;

export class SqliteDeliveries implements DeliveryQueue {
  constructor(
    private readonly db: SqliteDb,
    private readonly signal: () => void,
  ) {}

  async undispatchedEvents(limit: number): Promise<UndispatchedEvent[]> {
    const rows = this.db
      .stmt(
        `
      SELECT e.id, e.connection_id, e.event_type, e.data_id, e.payload, e.received_at, e.room_id, ${CONTACT_COLUMNS}
      FROM events e LEFT JOIN contacts k ON k.id = e.contact_id
      WHERE e.dispatched_at IS NULL AND e.kind = 'message' ORDER BY e.id ${limitClause(limit)}`,
      )
      .all() as Array<EventRow & ContactColumns>;
    return rows.map((row) => ({ event: toEvent(row), contact: toJoinedContact(row) }));
  }

  async dispatchEvents(events: DispatchedEvent[], now: number): Promise<void> {
    if (events.length === 0) return;
    this.db.transaction(() => {
      const insert = this.db.stmt(`
        INSERT INTO deliveries (event_id, conversation_id, state, attempts, next_attempt_at, created_at, updated_at, subscription_ids)
        VALUES (?, ?, 'pending', 0, ?, ?, ?, ?) ON CONFLICT (event_id, conversation_id) DO NOTHING`);
      const mark = this.db.stmt('UPDATE events SET dispatched_at = ? WHERE id = ?');
      for (const { eventId, targets } of events) {
        for (const t of targets) insert.run(eventId, t.conversationId, now, now, now, JSON.stringify(t.subscriptionIds));
        mark.run(now, eventId);
      }
    });
    if (events.some((e) => e.targets.length > 0)) this.signal();
  }

  async claimConversations(request: ClaimRequest): Promise<ClaimedConversation[]> {
    const { holder, now, leaseMs, limit, skip, staleRootsBefore } = request;
    return this.db.transaction(() => {
      // Due deliveries first (longest waiting first), then out-of-date thread roots.
      const rows = this.db
        .stmt(
          `
        SELECT ${conversationColumns('c')}, MIN(q.rank) AS rank, MIN(q.oldest) AS oldest, MAX(q.newest) AS newest FROM (
          SELECT conversation_id, 0 AS rank, MIN(next_attempt_at) AS oldest, MAX(id) AS newest FROM deliveries
          WHERE state = 'pending' AND next_attempt_at <= @now GROUP BY conversation_id
          UNION ALL
          SELECT conversation_id, 1 AS rank, MIN(root_updated_at) AS oldest, NULL AS newest FROM room_threads
          WHERE root_stale = 1 AND root_updated_at <= @staleRootsBefore GROUP BY conversation_id
        ) q JOIN conversations c ON c.id = q.conversation_id
        WHERE (c.paused_until IS NULL OR c.paused_until <= @now)
          AND (c.claimed_by IS NULL OR c.claimed_by = @holder OR c.claimed_until <= @now)
          AND (q.rank = 0 OR c.active = 1)
          AND c.id NOT IN (SELECT value FROM json_each(@skip))
        GROUP BY c.id ORDER BY rank, oldest ${limitClause(limit)}`,
        )
        .all({ now, holder, staleRootsBefore, skip: JSON.stringify(skip) }) as Array<ConversationRow & { newest: number | null }>;
      const claim = this.db.stmt('UPDATE conversations SET claimed_by = ?, claimed_until = ? WHERE id = ?');
      for (const row of rows) claim.run(holder, now + leaseMs, row.id);
      return rows.map((row) => ({ conversation: toConversation(row), newestDue: row.newest }));
    });
  }

  async renewClaims(holder: string, conversationIds: readonly string[], now: number, leaseMs: number): Promise<string[]> {
    if (conversationIds.length === 0) return [];
    const rows = this.db
      .stmt(
        `UPDATE conversations SET claimed_until = @until
      WHERE claimed_by = @holder AND id IN (SELECT value FROM json_each(@ids)) RETURNING id`,
      )
      .all({ holder, until: now + leaseMs, ids: JSON.stringify(conversationIds) }) as Array<{ id: string }>;
    return rows.map((r) => r.id);
  }

  async releaseClaims(holder: string, conversationIds: readonly string[]): Promise<void> {
    if (conversationIds.length === 0) return;
    this.db
      .stmt(
        `UPDATE conversations SET claimed_by = NULL, claimed_until = NULL
      WHERE claimed_by = @holder AND id IN (SELECT value FROM json_each(@ids))`,
      )
      .run({ holder, ids: JSON.stringify(conversationIds) });
  }

  async pendingDeliveriesFor(conversationId: string, limit: number): Promise<DueDelivery[]> {
    const rows = this.db
      .stmt(
        `
      SELECT ${DUE_COLUMNS}
      FROM deliveries d JOIN events e ON e.id = d.event_id JOIN conversations c ON c.id = d.conversation_id
        LEFT JOIN contacts k ON k.id = e.contact_id
        LEFT JOIN room_threads t ON t.conversation_id = d.conversation_id AND t.room_id = e.room_id
      WHERE d.state = 'pending' AND d.conversation_id = ? ORDER BY d.id ${limitClause(limit)}`,
      )
      .all(conversationId) as DueRow[];
    return rows.map(toDue);
  }

  async hasDelivery(eventId: number, conversationId: string): Promise<boolean> {
    return this.db.stmt('SELECT 1 FROM deliveries WHERE event_id = ? AND conversation_id = ?').get(eventId, conversationId) !== undefined;
  }

  async getDelivery(eventId: number, conversationId: string): Promise<Delivery | null> {
    const row = this.db
      .stmt(`SELECT ${deliveryColumns()} FROM deliveries WHERE event_id = ? AND conversation_id = ?`)
      .get(eventId, conversationId) as DeliveryRow | undefined;
    return row ? toDelivery(row) : null;
  }

  async nextDueAt(after: number): Promise<number | null> {
    // Both halves use an index or a small table; a delivery in a paused conversation may wake
    // the caller early (at its own time), never late.
    const row = this.db
      .stmt(
        `
      SELECT MIN(t) AS t FROM (
        SELECT MIN(next_attempt_at) AS t FROM deliveries WHERE state = 'pending' AND next_attempt_at > @after
        UNION ALL
        SELECT MIN(c.paused_until) AS t FROM conversations c WHERE c.paused_until > @after
          AND EXISTS (SELECT 1 FROM deliveries d WHERE d.conversation_id = c.id AND d.state = 'pending'))`,
      )
      .get({ after }) as { t: number | null };
    return row.t;
  }

  async countPending(conversationId?: string): Promise<number> {
    const row = this.db
      .stmt(`SELECT COUNT(*) AS n FROM deliveries WHERE state = 'pending' AND (@c IS NULL OR conversation_id = @c)`)
      .get({ c: conversationId ?? null }) as { n: number };
    return row.n;
  }

  async recordDelivered(input: DeliveredRecord, now: number): Promise<void> {
    this.db.transaction(() => {
      const { request, thread } = input;
      this.db.stmt(ANSWER_SLOT).run(request.answeredAt, request.slot);
      // Recorded once: a second record of the same card (a retried write) changes nothing.
      if (this.db.stmt(MARK_DELIVERED).run(input.activityId, input.via, now, now, input.deliveryId).changes === 0) return;
      if (thread?.kind === 'start') startThread(this.db, thread, now);
      else if (thread?.kind === 'add') addToThread(this.db, thread, now);
    });
  }

  async markDigested(deliveryIds: number[], activityId: string | null, now: number, request: AnsweredSlot): Promise<void> {
    this.db.transaction(() => {
      this.db.stmt(ANSWER_SLOT).run(request.answeredAt, request.slot);
      const update = this.db.stmt(`UPDATE deliveries SET state = 'delivered', attempts = attempts + 1, activity_id = ?, via = 'digest',
        last_error = NULL, delivered_at = ?, updated_at = ? WHERE id = ? AND state = 'pending'`);
      for (const id of deliveryIds) update.run(activityId, now, now, id);
    });
  }

  async markShrink(deliveryId: number, error: string, now: number): Promise<void> {
    this.db
      .stmt(
        'UPDATE deliveries SET attempts = attempts + 1, shrink = shrink + 1, last_error = ?, next_attempt_at = ?, updated_at = ? WHERE id = ?',
      )
      .run(error, now, now, deliveryId);
  }

  async markRetry(deliveryId: number, error: string, nextAttemptAt: number, now: number): Promise<void> {
    this.db
      .stmt('UPDATE deliveries SET attempts = attempts + 1, last_error = ?, next_attempt_at = ?, updated_at = ? WHERE id = ?')
      .run(error, nextAttemptAt, now, deliveryId);
  }

  async markDead(deliveryId: number, error: string, now: number): Promise<void> {
    this.db
      .stmt(`UPDATE deliveries SET state = 'dead', attempts = attempts + 1, last_error = ?, updated_at = ? WHERE id = ?`)
      .run(error, now, deliveryId);
  }

  async listDeliveries(filter: DeliveryFilter, limit: number): Promise<ListedDelivery[]> {
    const rows = this.db
      .stmt(
        `
      SELECT ${deliveryColumns('d')}, c.claimed_by, c.claimed_until FROM deliveries d LEFT JOIN conversations c ON c.id = d.conversation_id
      WHERE (@state IS NULL OR d.state = @state) AND (@conversationId IS NULL OR d.conversation_id = @conversationId)
        AND (@eventIds IS NULL OR d.event_id IN (SELECT value FROM json_each(@eventIds)))
      ORDER BY d.id ${limitClause(limit)}`,
      )
      .all({
        state: filter.state ?? null,
        conversationId: filter.conversationId ?? null,
        eventIds: filter.eventIds ? JSON.stringify(filter.eventIds) : null,
      }) as Array<DeliveryRow & ClaimColumns>;
    return rows.map(toListed);
  }

  async requeueDead(ids: number[] | null, now: number): Promise<number> {
    const changed = this.db.transaction(() => {
      const update = this.db
        .stmt(`UPDATE deliveries SET state = 'pending', attempts = 0, shrink = 0, next_attempt_at = @now, updated_at = @now
        WHERE state = 'dead' AND (@id IS NULL OR id = @id)`);
      if (ids === null) return update.run({ now, id: null }).changes;
      let count = 0;
      for (const id of ids) count += update.run({ now, id }).changes;
      return count;
    });
    if (changed > 0) this.signal();
    return changed;
  }

  async conversationDeliveries(conversationId: string, state: DeliveryState | null, limit: number): Promise<DeliveryWithEvent[]> {
    return ofConversation.conversationDeliveries(this.db, conversationId, state, limit);
  }

  async conversationDelivery(conversationId: string, deliveryId: number): Promise<Delivery | null> {
    return ofConversation.conversationDelivery(this.db, conversationId, deliveryId);
  }

  async deliveryCounts(conversationId: string): Promise<{ pending: number; dead: number }> {
    return ofConversation.deliveryCounts(this.db, conversationId);
  }

  async requeueDeadOf(conversationId: string, ids: number[] | null, now: number): Promise<number> {
    const changed = ofConversation.requeueDeadOf(this.db, conversationId, ids, now);
    if (changed > 0) this.signal();
    return changed;
  }
}
