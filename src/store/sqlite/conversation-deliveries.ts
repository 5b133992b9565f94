/**
 * One conversation's deliveries in SQLite, as the klink tab shows them: its history newest first,
 * its counts, and re-queueing its dead deliveries only (never another conversation's).
 */
import type { Delivery, DeliveryState, DeliveryWithEvent } from '../deliveries';
import { type DeliveryRow, HISTORY_COLUMNS, type HistoryRow, deliveryColumns, toDelivery, toHistory } from '../rows';
import { type SqliteDb, limitClause } from './database';

export function conversationDeliveries(
  db: SqliteDb,
  conversationId: string,
  state: DeliveryState | null,
  limit: number,
): DeliveryWithEvent[] {
  const rows = db
    .stmt(
      `SELECT ${HISTORY_COLUMNS} FROM deliveries d JOIN events e ON e.id = d.event_id LEFT JOIN contacts k ON k.id = e.contact_id
      WHERE d.conversation_id = @conversationId AND (@state IS NULL OR d.state = @state) ORDER BY d.id DESC ${limitClause(limit)}`,
    )
    .all({ conversationId, state }) as HistoryRow[];
  return rows.map(toHistory);
}

export function conversationDelivery(db: SqliteDb, conversationId: string, deliveryId: number): Delivery | null {
  const row = db
    .stmt(`SELECT ${deliveryColumns()} FROM deliveries WHERE id = ? AND conversation_id = ?`)
    .get(deliveryId, conversationId) as DeliveryRow | undefined;
  return row ? toDelivery(row) : null;
}

export function deliveryCounts(db: SqliteDb, conversationId: string): { pending: number; dead: number } {
  const row = db
    .stmt(
      `SELECT COALESCE(SUM(state = 'pending'), 0) AS pending, COALESCE(SUM(state = 'dead'), 0) AS dead
      FROM deliveries WHERE conversation_id = ? AND state IN ('pending', 'dead')`,
    )
    .get(conversationId) as { pending: number; dead: number };
  return { pending: row.pending, dead: row.dead };
}

/** Re-queues this conversation's dead deliveries (`ids` null: all of them); returns how many. */
export function requeueDeadOf(db: SqliteDb, conversationId: string, ids: number[] | null, now: number): number {
  return db.transaction(() => {
    const update = db.stmt(`UPDATE deliveries SET state = 'pending', attempts = 0, shrink = 0, next_attempt_at = @now, updated_at = @now
      WHERE state = 'dead' AND conversation_id = @conversationId AND (@id IS NULL OR id = @id)`);
    if (ids === null) return update.run({ now, conversationId, id: null }).changes;
    let count = 0;
    for (const id of ids) count += update.run({ now, conversationId, id }).changes;
    return count;
  });
}
