/** The delivery queue in SQLite. */
import type { StoredEvent } from '../events';
import type {
  DeliveredRecord, Delivery, DeliveryQueue, DeliveryState, DeliveryVia, DispatchTarget, DueConversation, DueDelivery,
} from '../deliveries';
import type { TeamsRequestRecord } from '../requests';
import { type ConversationRow, type DeliveryRow, type EventRow, toConversation, toDelivery, toEvent } from '../rows';
import { type SqliteDb, limitClause } from './database';
import { addToThread, startThread } from './threads';

const INSERT_REQUEST = 'INSERT INTO teams_requests (conversation_id, tenant_id, at) VALUES (?, ?, ?)';
const MARK_DELIVERED = `UPDATE deliveries SET state = 'delivered', attempts = attempts + 1, activity_id = ?, via = ?, last_error = NULL,
  delivered_at = ?, updated_at = ? WHERE id = ?`;

export class SqliteDeliveries implements DeliveryQueue {
  constructor(private readonly db: SqliteDb) {}

  async undispatchedEvents(limit: number): Promise<StoredEvent[]> {
    const rows = this.db.stmt(`
      SELECT id, connection_id, event_type, data_id, payload, received_at, room_id FROM events
      WHERE dispatched_at IS NULL AND kind = 'message' ORDER BY id ${limitClause(limit)}`).all() as EventRow[];
    return rows.map(toEvent);
  }

  async dispatchEvent(eventId: number, targets: DispatchTarget[], now: number): Promise<void> {
    this.db.transaction(() => {
      const insert = this.db.stmt(`
        INSERT INTO deliveries (event_id, conversation_id, state, attempts, next_attempt_at, created_at, updated_at, subscription_ids)
        VALUES (?, ?, 'pending', 0, ?, ?, ?, ?) ON CONFLICT (event_id, conversation_id) DO NOTHING`);
      for (const t of targets) insert.run(eventId, t.conversationId, now, now, now, JSON.stringify(t.subscriptionIds));
      this.db.stmt('UPDATE events SET dispatched_at = ? WHERE id = ?').run(now, eventId);
    });
  }

  async dueDeliveries(now: number, limit: number): Promise<DueDelivery[]> {
    return this.selectDue('d.next_attempt_at <= @now', { now }, limit);
  }

  async pendingDeliveriesFor(conversationId: string, limit: number): Promise<DueDelivery[]> {
    return this.selectDue('d.conversation_id = @conversationId', { conversationId }, limit, 'd.id');
  }

  async hasDelivery(eventId: number, conversationId: string): Promise<boolean> {
    return this.db.stmt('SELECT 1 FROM deliveries WHERE event_id = ? AND conversation_id = ?').get(eventId, conversationId) !== undefined;
  }

  private selectDue(where: string, params: Record<string, unknown>, limit: number, orderBy = 'd.next_attempt_at, d.id'): DueDelivery[] {
    const rows = this.db.stmt(`
      SELECT d.*, d.id AS d_id,
             e.id AS e_id, e.connection_id, e.event_type, e.data_id, e.payload, e.received_at, e.room_id,
             c.id AS c_id, c.type, c.tenant_id, c.service_url, c.channel_id, c.team_id, c.bot_id, c.bot_name, c.active,
             c.removed_reason, c.paused_until
      FROM deliveries d JOIN events e ON e.id = d.event_id JOIN conversations c ON c.id = d.conversation_id
      WHERE d.state = 'pending' AND ${where} ORDER BY ${orderBy} ${limitClause(limit)}`)
      .all(params) as Array<DeliveryRow & EventRow & ConversationRow & { d_id: number; e_id: number; c_id: string }>;
    return rows.map((row) => ({
      delivery: toDelivery({ ...row, id: row.d_id }),
      event: toEvent({ ...row, id: row.e_id }),
      conversation: toConversation({ ...row, id: row.c_id }),
    }));
  }

  async dueConversations(now: number, limit: number, skip: readonly string[] = []): Promise<DueConversation[]> {
    const rows = this.db.stmt(`
      SELECT c.*, q.due FROM (
        SELECT conversation_id, COUNT(*) AS due, MIN(next_attempt_at) AS oldest FROM deliveries
        WHERE state = 'pending' AND next_attempt_at <= @now GROUP BY conversation_id
      ) q JOIN conversations c ON c.id = q.conversation_id
      WHERE (c.paused_until IS NULL OR c.paused_until <= @now)
        ${skip.length === 0 ? '' : 'AND q.conversation_id NOT IN (SELECT value FROM json_each(@skip))'}
      ORDER BY q.oldest ${limitClause(limit)}`)
      .all(skip.length === 0 ? { now } : { now, skip: JSON.stringify(skip) }) as Array<ConversationRow & { due: number }>;
    return rows.map((row) => ({ conversation: toConversation(row), due: row.due }));
  }

  async nextDueAt(after: number): Promise<number | null> {
    // Both halves use an index or a small table; a delivery in a paused conversation may wake
    // the caller early (at its own time), never late.
    const row = this.db.stmt(`
      SELECT MIN(t) AS t FROM (
        SELECT MIN(next_attempt_at) AS t FROM deliveries WHERE state = 'pending' AND next_attempt_at > @after
        UNION ALL
        SELECT MIN(c.paused_until) AS t FROM conversations c WHERE c.paused_until > @after
          AND EXISTS (SELECT 1 FROM deliveries d WHERE d.conversation_id = c.id AND d.state = 'pending'))`).get({ after }) as { t: number | null };
    return row.t;
  }

  async countPending(conversationId?: string): Promise<number> {
    const row = this.db.stmt(`SELECT COUNT(*) AS n FROM deliveries WHERE state = 'pending' AND (@c IS NULL OR conversation_id = @c)`)
      .get({ c: conversationId ?? null }) as { n: number };
    return row.n;
  }

  async markDelivered(deliveryId: number, activityId: string | null, via: DeliveryVia, now: number): Promise<void> {
    this.db.stmt(MARK_DELIVERED).run(activityId, via, now, now, deliveryId);
  }

  async recordDelivered(input: DeliveredRecord, now: number): Promise<void> {
    this.db.transaction(() => {
      const { request, thread } = input;
      this.db.stmt(INSERT_REQUEST).run(request.conversationId, request.tenantId, request.at);
      this.db.stmt(MARK_DELIVERED).run(input.activityId, input.via, now, now, input.deliveryId);
      if (thread?.kind === 'start') startThread(this.db, thread, now);
      else if (thread?.kind === 'add') addToThread(this.db, thread, now);
    });
  }

  async markDigested(deliveryIds: number[], activityId: string | null, now: number, request?: TeamsRequestRecord): Promise<void> {
    this.db.transaction(() => {
      if (request) this.db.stmt(INSERT_REQUEST).run(request.conversationId, request.tenantId, request.at);
      const update = this.db.stmt(`UPDATE deliveries SET state = 'delivered', attempts = attempts + 1, activity_id = ?, via = 'digest',
        last_error = NULL, delivered_at = ?, updated_at = ? WHERE id = ? AND state = 'pending'`);
      for (const id of deliveryIds) update.run(activityId, now, now, id);
    });
  }

  async markShrink(deliveryId: number, error: string, now: number): Promise<void> {
    this.db.stmt('UPDATE deliveries SET attempts = attempts + 1, shrink = shrink + 1, last_error = ?, next_attempt_at = ?, updated_at = ? WHERE id = ?')
      .run(error, now, now, deliveryId);
  }

  async markRetry(deliveryId: number, error: string, nextAttemptAt: number, now: number): Promise<void> {
    this.db.stmt('UPDATE deliveries SET attempts = attempts + 1, last_error = ?, next_attempt_at = ?, updated_at = ? WHERE id = ?')
      .run(error, nextAttemptAt, now, deliveryId);
  }

  async markDead(deliveryId: number, error: string, now: number): Promise<void> {
    this.db.stmt(`UPDATE deliveries SET state = 'dead', attempts = attempts + 1, last_error = ?, updated_at = ? WHERE id = ?`)
      .run(error, now, deliveryId);
  }

  async listDeliveries(filter: { state?: DeliveryState; conversationId?: string }, limit: number): Promise<Delivery[]> {
    const rows = this.db.stmt(`
      SELECT * FROM deliveries WHERE (@state IS NULL OR state = @state) AND (@conversationId IS NULL OR conversation_id = @conversationId)
      ORDER BY id ${limitClause(limit)}`)
      .all({ state: filter.state ?? null, conversationId: filter.conversationId ?? null }) as DeliveryRow[];
    return rows.map(toDelivery);
  }

  async requeueDead(ids: number[] | null, now: number): Promise<number> {
    return this.db.transaction(() => {
      const update = this.db.stmt(`UPDATE deliveries SET state = 'pending', attempts = 0, shrink = 0, next_attempt_at = @now, updated_at = @now
        WHERE state = 'dead' AND (@id IS NULL OR id = @id)`);
      if (ids === null) return update.run({ now, id: null }).changes;
      let changed = 0;
      for (const id of ids) changed += update.run({ now, id }).changes;
      return changed;
    });
  }
}

export { INSERT_REQUEST };
