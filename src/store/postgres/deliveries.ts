/**
 * The delivery queue in PostgreSQL. Workers on any number of instances claim conversations with
 * `FOR UPDATE SKIP LOCKED`: two workers looking at once take different conversations.
 */
import type { Conversation } from '../conversations';
import type {
  AnsweredSlot, ClaimRequest, DeliveredRecord, DeliveryFilter, DeliveryQueue, DispatchedEvent, DueDelivery, ListedDelivery,
} from '../deliveries';
import type { StoredEvent } from '../events';
import { type ClaimColumns, type ConversationRow, type DeliveryRow, type EventRow, toConversation, toDelivery, toEvent, toListed } from '../rows';
import { ANSWER_SLOT } from './budget';
import { checkLimit } from '../limit';
import type { PgDb } from './db';
import { addToThread, startThread } from './threads';

export class PgDeliveries implements DeliveryQueue {
  constructor(private readonly db: PgDb, private readonly channel: string) {}

  async undispatchedEvents(limit: number): Promise<StoredEvent[]> {
    const rows = await this.db.rows<EventRow>(`
      SELECT id, connection_id, event_type, data_id, payload, received_at, room_id FROM events
      WHERE dispatched_at IS NULL AND kind = 'message' ORDER BY id LIMIT $1`, [checkLimit(limit)]);
    return rows.map(toEvent);
  }

  async dispatchEvents(events: DispatchedEvent[], now: number): Promise<void> {
    if (events.length === 0) return;
    const targets = events.flatMap((e) => e.targets.map((t) => ({ eventId: e.eventId, ...t })));
    await this.db.transaction(async (tx) => {
      if (targets.length > 0) {
        // In the order given: delivery ids follow the events' order.
        await tx.run(`
          INSERT INTO deliveries (event_id, conversation_id, state, attempts, next_attempt_at, created_at, updated_at, subscription_ids)
          SELECT event_id, conversation_id, 'pending', 0, $4, $4, $4, subscription_ids
          FROM unnest($1::bigint[], $2::text[], $3::text[]) WITH ORDINALITY AS t(event_id, conversation_id, subscription_ids, ord)
          ORDER BY ord
          ON CONFLICT (event_id, conversation_id) DO NOTHING`,
        [targets.map((t) => t.eventId), targets.map((t) => t.conversationId), targets.map((t) => JSON.stringify(t.subscriptionIds)), now]);
        await tx.run('SELECT pg_notify($1, $2)', [this.channel, 'deliveries']);
      }
      await tx.run('UPDATE events SET dispatched_at = $1 WHERE id = ANY($2::bigint[])', [now, events.map((e) => e.eventId)]);
    });
  }

  async claimConversations(request: ClaimRequest): Promise<Conversation[]> {
    const { holder, now, leaseMs, limit, skip, staleRootsBefore } = request;
    // Due deliveries first (longest waiting first), then out-of-date thread roots.
    const rows = await this.db.rows<ConversationRow & { rank: number; oldest: number }>(`
      WITH candidates AS (
        SELECT conversation_id, MIN(rank) AS rank, MIN(oldest) AS oldest FROM (
          SELECT conversation_id, 0 AS rank, MIN(next_attempt_at) AS oldest FROM deliveries
          WHERE state = 'pending' AND next_attempt_at <= $2 GROUP BY conversation_id
          UNION ALL
          SELECT conversation_id, 1 AS rank, MIN(root_updated_at) AS oldest FROM room_threads
          WHERE root_stale AND root_updated_at <= $5 GROUP BY conversation_id
        ) q GROUP BY conversation_id
      ), picked AS (
        SELECT c.id, q.rank, q.oldest FROM candidates q JOIN conversations c ON c.id = q.conversation_id
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
      RETURNING c.*, picked.rank, picked.oldest`,
    [holder, now, leaseMs, checkLimit(limit), staleRootsBefore, skip]);
    rows.sort((a, b) => a.rank - b.rank || a.oldest - b.oldest);
    return rows.map(toConversation);
  }

  async renewClaims(holder: string, conversationIds: readonly string[], now: number, leaseMs: number): Promise<string[]> {
    if (conversationIds.length === 0) return [];
    const rows = await this.db.rows<{ id: string }>(`UPDATE conversations SET claimed_until = $2
      WHERE claimed_by = $1 AND id = ANY($3::text[]) RETURNING id`, [holder, now + leaseMs, conversationIds]);
    return rows.map((r) => r.id);
  }

  async releaseClaims(holder: string, conversationIds: readonly string[]): Promise<void> {
    if (conversationIds.length === 0) return;
    await this.db.run('UPDATE conversations SET claimed_by = NULL, claimed_until = NULL WHERE claimed_by = $1 AND id = ANY($2::text[])',
      [holder, conversationIds]);
  }

  async pendingDeliveriesFor(conversationId: string, limit: number): Promise<DueDelivery[]> {
    const rows = await this.db.rows<DeliveryRow & EventRow & ConversationRow & { d_id: number; e_id: number; c_id: string }>(`
      SELECT d.*, d.id AS d_id,
             e.id AS e_id, e.connection_id, e.event_type, e.data_id, e.payload, e.received_at, e.room_id,
             c.id AS c_id, c.type, c.tenant_id, c.service_url, c.channel_id, c.team_id, c.bot_id, c.bot_name, c.active,
             c.removed_reason, c.paused_until
      FROM deliveries d JOIN events e ON e.id = d.event_id JOIN conversations c ON c.id = d.conversation_id
      WHERE d.state = 'pending' AND d.conversation_id = $1 ORDER BY d.id LIMIT $2`, [conversationId, checkLimit(limit)]);
    return rows.map((row) => ({
      delivery: toDelivery({ ...row, id: row.d_id }),
      event: toEvent({ ...row, id: row.e_id }),
      conversation: toConversation({ ...row, id: row.c_id }),
    }));
  }

  async hasDelivery(eventId: number, conversationId: string): Promise<boolean> {
    return (await this.db.row('SELECT 1 FROM deliveries WHERE event_id = $1 AND conversation_id = $2', [eventId, conversationId])) !== undefined;
  }

  async nextDueAt(after: number): Promise<number | null> {
    const row = await this.db.row<{ t: number | null }>(`
      SELECT LEAST(
        (SELECT MIN(next_attempt_at) FROM deliveries WHERE state = 'pending' AND next_attempt_at > $1),
        (SELECT MIN(c.paused_until) FROM conversations c WHERE c.paused_until > $1
          AND EXISTS (SELECT 1 FROM deliveries d WHERE d.conversation_id = c.id AND d.state = 'pending'))) AS t`, [after]);
    return row?.t ?? null;
  }

  async countPending(conversationId?: string): Promise<number> {
    const row = await this.db.row<{ n: number }>(`SELECT COUNT(*) AS n FROM deliveries WHERE state = 'pending' AND ($1::text IS NULL OR conversation_id = $1)`,
      [conversationId ?? null]);
    return row?.n ?? 0;
  }

  async recordDelivered(input: DeliveredRecord, now: number): Promise<void> {
    await this.db.transaction(async (tx) => {
      const { request, thread } = input;
      await tx.run(ANSWER_SLOT, [request.answeredAt, request.slot]);
      await tx.run(`UPDATE deliveries SET state = 'delivered', attempts = attempts + 1, activity_id = $1, via = $2, last_error = NULL,
        delivered_at = $3, updated_at = $3 WHERE id = $4`, [input.activityId, input.via, now, input.deliveryId]);
      if (thread?.kind === 'start') await startThread(tx, thread, now);
      else if (thread?.kind === 'add') await addToThread(tx, thread, now);
    });
  }

  async markDigested(deliveryIds: number[], activityId: string | null, now: number, request: AnsweredSlot): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx.run(ANSWER_SLOT, [request.answeredAt, request.slot]);
      await tx.run(`UPDATE deliveries SET state = 'delivered', attempts = attempts + 1, activity_id = $1, via = 'digest',
        last_error = NULL, delivered_at = $2, updated_at = $2 WHERE id = ANY($3::bigint[]) AND state = 'pending'`, [activityId, now, deliveryIds]);
    });
  }

  async markShrink(deliveryId: number, error: string, now: number): Promise<void> {
    await this.db.run('UPDATE deliveries SET attempts = attempts + 1, shrink = shrink + 1, last_error = $1, next_attempt_at = $2, updated_at = $2 WHERE id = $3',
      [error, now, deliveryId]);
  }

  async markRetry(deliveryId: number, error: string, nextAttemptAt: number, now: number): Promise<void> {
    await this.db.run('UPDATE deliveries SET attempts = attempts + 1, last_error = $1, next_attempt_at = $2, updated_at = $3 WHERE id = $4',
      [error, nextAttemptAt, now, deliveryId]);
  }

  async markDead(deliveryId: number, error: string, now: number): Promise<void> {
    await this.db.run(`UPDATE deliveries SET state = 'dead', attempts = attempts + 1, last_error = $1, updated_at = $2 WHERE id = $3`,
      [error, now, deliveryId]);
  }

  async listDeliveries(filter: DeliveryFilter, limit: number): Promise<ListedDelivery[]> {
    const rows = await this.db.rows<DeliveryRow & ClaimColumns>(`
      SELECT d.*, c.claimed_by, c.claimed_until FROM deliveries d LEFT JOIN conversations c ON c.id = d.conversation_id
      WHERE ($1::text IS NULL OR d.state = $1) AND ($2::text IS NULL OR d.conversation_id = $2)
        AND ($4::bigint[] IS NULL OR d.event_id = ANY($4::bigint[]))
      ORDER BY d.id LIMIT $3`, [filter.state ?? null, filter.conversationId ?? null, checkLimit(limit), filter.eventIds ?? null]);
    return rows.map(toListed);
  }

  async requeueDead(ids: number[] | null, now: number): Promise<number> {
    return this.db.transaction(async (tx) => {
      const changed = await tx.run(`UPDATE deliveries SET state = 'pending', attempts = 0, shrink = 0, next_attempt_at = $1, updated_at = $1
        WHERE state = 'dead' AND ($2::bigint[] IS NULL OR id = ANY($2::bigint[]))`, [now, ids]);
      if (changed > 0) await tx.run('SELECT pg_notify($1, $2)', [this.channel, 'requeued']);
      return changed;
    });
  }
}
