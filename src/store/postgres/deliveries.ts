/**
 * The delivery queue in PostgreSQL. Workers on any number of instances claim conversations with
 * `FOR UPDATE SKIP LOCKED`: two workers looking at once take different conversations.
 */
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
import { checkLimit } from '../limit';
import type { PgDb } from './db';
import { Batcher } from './batcher';
import * as ofConversation from './conversation-deliveries';

export class PgDeliveries implements DeliveryQueue {
  private readonly pendingReads = new Batcher<{ conversationId: string; limit: number }, DueDelivery[]>((reads) => this.readPending(reads));
  private readonly records = new Batcher<{ input: DeliveredRecord; now: number }, void>((batch) => this.recordAll(batch));

  constructor(
    private readonly db: PgDb,
    private readonly channel: string,
  ) {}

  async undispatchedEvents(limit: number): Promise<UndispatchedEvent[]> {
    const rows = await this.db.rows<EventRow & ContactColumns>(
      `
      SELECT e.id, e.connection_id, e.event_type, e.data_id, e.payload, e.received_at, e.room_id, ${CONTACT_COLUMNS}
      FROM events e LEFT JOIN contacts k ON k.id = e.contact_id
      WHERE e.dispatched_at IS NULL AND e.kind = 'message' ORDER BY e.id LIMIT $1`,
      [checkLimit(limit)],
    );
    return rows.map((row) => ({ event: toEvent(row), contact: toJoinedContact(row) }));
  }

  async dispatchEvents(events: DispatchedEvent[], now: number): Promise<void> {
    if (events.length === 0) return;
    const targets = events.flatMap((e) => e.targets.map((t) => ({ eventId: e.eventId, ...t })));
    await this.db.transaction(async (tx) => {
      if (targets.length > 0) {
        // In the order given: delivery ids follow the events' order.
        await tx.run(
          `
          INSERT INTO deliveries (event_id, conversation_id, state, attempts, next_attempt_at, created_at, updated_at, subscription_ids)
          SELECT event_id, conversation_id, 'pending', 0, $4, $4, $4, subscription_ids
          FROM unnest($1::bigint[], $2::text[], $3::text[]) WITH ORDINALITY AS t(event_id, conversation_id, subscription_ids, ord)
          ORDER BY ord
          ON CONFLICT (event_id, conversation_id) DO NOTHING`,
          [targets.map((t) => t.eventId), targets.map((t) => t.conversationId), targets.map((t) => JSON.stringify(t.subscriptionIds)), now],
        );
        await tx.run('SELECT pg_notify($1, $2)', [this.channel, 'deliveries']);
      }
      await tx.run('UPDATE events SET dispatched_at = $1 WHERE id = ANY($2::bigint[])', [now, events.map((e) => e.eventId)]);
    });
  }

  async claimConversations(request: ClaimRequest): Promise<ClaimedConversation[]> {
    const { holder, now, leaseMs, limit, skip, staleRootsBefore } = request;
    // Due deliveries first (longest waiting first), then out-of-date thread roots.
    const rows = await this.db.rows<ConversationRow & { rank: number; oldest: number; newest: number | null }>(
      `
      WITH candidates AS (
        SELECT conversation_id, MIN(rank) AS rank, MIN(oldest) AS oldest, MAX(newest) AS newest FROM (
          SELECT conversation_id, 0 AS rank, MIN(next_attempt_at) AS oldest, MAX(id) AS newest FROM deliveries
          WHERE state = 'pending' AND next_attempt_at <= $2 GROUP BY conversation_id
          UNION ALL
          SELECT conversation_id, 1 AS rank, MIN(root_updated_at) AS oldest, NULL::BIGINT AS newest FROM room_threads
          WHERE root_stale AND root_updated_at <= $5 GROUP BY conversation_id
        ) q GROUP BY conversation_id
      ), picked AS (
        SELECT c.id, q.rank, q.oldest, q.newest FROM candidates q JOIN conversations c ON c.id = q.conversation_id
        WHERE (c.paused_until IS NULL OR c.paused_until <= $2)
          AND (c.claimed_by IS NULL OR c.claimed_by = $1 OR c.claimed_until <= $2)
          AND (q.rank = 0 OR c.active)
          AND NOT (c.id = ANY($6::text[]))
        ORDER BY q.rank, q.oldest
        LIMIT $4
        FOR UPDATE OF c SKIP LOCKED
      )
      UPDATE conversations c SET claimed_by = $1, claimed_until = $2::bigint + $3::bigint
      FROM picked WHERE c.id = picked.id
      RETURNING ${conversationColumns('c')}, picked.rank, picked.oldest, picked.newest`,
      [holder, now, leaseMs, checkLimit(limit), staleRootsBefore, skip],
    );
    rows.sort((a, b) => a.rank - b.rank || a.oldest - b.oldest);
    return rows.map((row) => ({ conversation: toConversation(row), newestDue: row.newest }));
  }

  async renewClaims(holder: string, conversationIds: readonly string[], now: number, leaseMs: number): Promise<string[]> {
    if (conversationIds.length === 0) return [];
    const rows = await this.db.rows<{ id: string }>(
      `UPDATE conversations SET claimed_until = $2
      WHERE claimed_by = $1 AND id = ANY($3::text[]) RETURNING id`,
      [holder, now + leaseMs, conversationIds],
    );
    return rows.map((r) => r.id);
  }

  async releaseClaims(holder: string, conversationIds: readonly string[]): Promise<void> {
    if (conversationIds.length === 0) return;
    await this.db.run('UPDATE conversations SET claimed_by = NULL, claimed_until = NULL WHERE claimed_by = $1 AND id = ANY($2::text[])', [
      holder,
      conversationIds,
    ]);
  }

  async pendingDeliveriesFor(conversationId: string, limit: number): Promise<DueDelivery[]> {
    return this.pendingReads.add({ conversationId, limit: checkLimit(limit) });
  }

  /**
   * Several conversations' queues in one query: each conversation's first `limit` pending
   * deliveries, each read on the conversation's index (not every pending row, then numbered).
   */
  private async readPending(reads: Array<{ conversationId: string; limit: number }>): Promise<DueDelivery[][]> {
    const rows = await this.db.rows<DueRow>(
      `
      SELECT ${DUE_COLUMNS}
      FROM unnest($1::text[]) AS q(conversation_id)
        CROSS JOIN LATERAL (SELECT p.id FROM deliveries p WHERE p.state = 'pending' AND p.conversation_id = q.conversation_id
          ORDER BY p.id LIMIT $2) first
        JOIN deliveries d ON d.id = first.id JOIN events e ON e.id = d.event_id JOIN conversations c ON c.id = d.conversation_id
        LEFT JOIN contacts k ON k.id = e.contact_id
        LEFT JOIN room_threads t ON t.conversation_id = d.conversation_id AND t.room_id = e.room_id
      ORDER BY d.id`,
      [[...new Set(reads.map((r) => r.conversationId))], Math.max(...reads.map((r) => r.limit))],
    );
    const byConversation = new Map<string, DueDelivery[]>();
    for (const row of rows) {
      const due = toDue(row);
      const list = byConversation.get(due.delivery.conversationId) ?? [];
      list.push(due);
      byConversation.set(due.delivery.conversationId, list);
    }
    return reads.map((r) => (byConversation.get(r.conversationId) ?? []).slice(0, r.limit));
  }

  async hasDelivery(eventId: number, conversationId: string): Promise<boolean> {
    return (
      (await this.db.row('SELECT 1 FROM deliveries WHERE event_id = $1 AND conversation_id = $2', [eventId, conversationId])) !== undefined
    );
  }

  async getDelivery(eventId: number, conversationId: string): Promise<Delivery | null> {
    const row = await this.db.row<DeliveryRow>(`SELECT ${deliveryColumns()} FROM deliveries WHERE event_id = $1 AND conversation_id = $2`, [
      eventId,
      conversationId,
    ]);
    return row ? toDelivery(row) : null;
  }

  async nextDueAt(after: number): Promise<number | null> {
    const row = await this.db.row<{ t: number | null }>(
      `
      SELECT LEAST(
        (SELECT MIN(next_attempt_at) FROM deliveries WHERE state = 'pending' AND next_attempt_at > $1),
        (SELECT MIN(c.paused_until) FROM conversations c WHERE c.paused_until > $1
          AND EXISTS (SELECT 1 FROM deliveries d WHERE d.conversation_id = c.id AND d.state = 'pending'))) AS t`,
      [after],
    );
    return row?.t ?? null;
  }

  async countPending(conversationId?: string): Promise<number> {
    const row = await this.db.row<{ n: number }>(
      `SELECT COUNT(*) AS n FROM deliveries WHERE state = 'pending' AND ($1::text IS NULL OR conversation_id = $1)`,
      [conversationId ?? null],
    );
    return row?.n ?? 0;
  }

  /** Cards that reached Teams in the same moment are recorded together (see recordAll). */
  async recordDelivered(input: DeliveredRecord, now: number): Promise<void> {
    await this.records.add({ input, now });
  }

  /**
   * One statement, one transaction, for several cards (each of another conversation: a
   * conversation's turn records one card before it sends the next): the slots answered, the
   * deliveries delivered, their threads started or added to. Only deliveries still pending are
   * recorded, and only their threads change: writing the same record again (a batch retried after
   * its commit was not confirmed) changes nothing.
   */
  private async recordAll(batch: Array<{ input: DeliveredRecord; now: number }>): Promise<void[]> {
    const column = <T>(pick: (r: { input: DeliveredRecord; now: number }) => T) => batch.map(pick);
    const thread = <T>(pick: (t: NonNullable<DeliveredRecord['thread']>) => T) =>
      column((r) => (r.input.thread ? pick(r.input.thread) : null));
    await this.db.run(
      `
      WITH input AS (
        SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::text[], $5::text[], $6::bigint[], $7::text[], $8::text[], $9::text[], $10::text[], $11::bigint[])
          AS i(slot, answered_at, delivery_id, activity_id, via, now, thread_kind, conversation_id, room_id, root_activity_id, event_id)
      ), answered AS (
        UPDATE teams_slots s SET answered_at = i.answered_at FROM input i WHERE s.id = i.slot AND s.answered_at IS NULL
      ), delivered AS (
        UPDATE deliveries d SET state = 'delivered', attempts = d.attempts + 1, activity_id = i.activity_id, via = i.via, last_error = NULL,
          delivered_at = i.now, updated_at = i.now FROM input i WHERE d.id = i.delivery_id AND d.state = 'pending'
        RETURNING d.id
      ), recorded AS (
        SELECT i.* FROM input i JOIN delivered x ON x.id = i.delivery_id
      ), started AS (
        INSERT INTO room_threads (conversation_id, room_id, root_activity_id, root_event_id, started_at, last_posted_at, message_count,
          latest_event_id, root_updated_at, root_stale)
        SELECT conversation_id, room_id, root_activity_id, event_id, now, now, 1, event_id, now, FALSE FROM recorded WHERE thread_kind = 'start'
        ON CONFLICT (conversation_id, room_id) DO UPDATE SET root_activity_id = excluded.root_activity_id, root_event_id = excluded.root_event_id,
          started_at = excluded.started_at, last_posted_at = excluded.last_posted_at, message_count = 1, latest_event_id = excluded.latest_event_id,
          root_updated_at = excluded.root_updated_at, root_stale = FALSE
      )
      UPDATE room_threads t SET message_count = t.message_count + 1, last_posted_at = i.now, root_stale = TRUE,
        latest_event_id = GREATEST(t.latest_event_id, i.event_id)
      FROM recorded i WHERE i.thread_kind = 'add' AND t.conversation_id = i.conversation_id AND t.room_id = i.room_id`,
      [
        column((r) => r.input.request.slot),
        column((r) => r.input.request.answeredAt),
        column((r) => r.input.deliveryId),
        column((r) => r.input.activityId),
        column((r) => r.input.via),
        column((r) => r.now),
        thread((t) => t.kind),
        thread((t) => t.conversationId),
        thread((t) => t.roomId),
        thread((t) => (t.kind === 'start' ? t.rootActivityId : null)),
        thread((t) => t.eventId),
      ],
    );
    return batch.map(() => undefined);
  }

  async markDigested(deliveryIds: number[], activityId: string | null, now: number, request: AnsweredSlot): Promise<void> {
    await this.db.run(
      `
      WITH answered AS (UPDATE teams_slots SET answered_at = $1 WHERE id = $2 AND answered_at IS NULL)
      UPDATE deliveries SET state = 'delivered', attempts = attempts + 1, activity_id = $3, via = 'digest',
        last_error = NULL, delivered_at = $4, updated_at = $4 WHERE id = ANY($5::bigint[]) AND state = 'pending'`,
      [request.answeredAt, request.slot, activityId, now, deliveryIds],
    );
  }

  async markShrink(deliveryId: number, error: string, now: number): Promise<void> {
    await this.db.run(
      'UPDATE deliveries SET attempts = attempts + 1, shrink = shrink + 1, last_error = $1, next_attempt_at = $2, updated_at = $2 WHERE id = $3',
      [error, now, deliveryId],
    );
  }

  async markRetry(deliveryId: number, error: string, nextAttemptAt: number, now: number): Promise<void> {
    await this.db.run(
      'UPDATE deliveries SET attempts = attempts + 1, last_error = $1, next_attempt_at = $2, updated_at = $3 WHERE id = $4',
      [error, nextAttemptAt, now, deliveryId],
    );
  }

  async markDead(deliveryId: number, error: string, now: number): Promise<void> {
    await this.db.run(`UPDATE deliveries SET state = 'dead', attempts = attempts + 1, last_error = $1, updated_at = $2 WHERE id = $3`, [
      error,
      now,
      deliveryId,
    ]);
  }

  async listDeliveries(filter: DeliveryFilter, limit: number): Promise<ListedDelivery[]> {
    const rows = await this.db.rows<DeliveryRow & ClaimColumns>(
      `
      SELECT ${deliveryColumns('d')}, c.claimed_by, c.claimed_until FROM deliveries d LEFT JOIN conversations c ON c.id = d.conversation_id
      WHERE ($1::text IS NULL OR d.state = $1) AND ($2::text IS NULL OR d.conversation_id = $2)
        AND ($4::bigint[] IS NULL OR d.event_id = ANY($4::bigint[]))
      ORDER BY d.id LIMIT $3`,
      [filter.state ?? null, filter.conversationId ?? null, checkLimit(limit), filter.eventIds ?? null],
    );
    return rows.map(toListed);
  }

  async requeueDead(ids: number[] | null, now: number): Promise<number> {
    return this.db.transaction(async (tx) => {
      const changed = await tx.run(
        `UPDATE deliveries SET state = 'pending', attempts = 0, shrink = 0, next_attempt_at = $1, updated_at = $1
        WHERE state = 'dead' AND ($2::bigint[] IS NULL OR id = ANY($2::bigint[]))`,
        [now, ids],
      );
      if (changed > 0) await tx.run('SELECT pg_notify($1, $2)', [this.channel, 'requeued']);
      return changed;
    });
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
    return ofConversation.requeueDeadOf(this.db, this.channel, conversationId, ids, now);
  }
}
