/**
 * One conversation's deliveries in PostgreSQL, as the klink tab shows them: its history newest
 * first, its counts, and re-queueing its dead deliveries only (never another conversation's).
 */
import type { Delivery, DeliveryState, DeliveryWithEvent } from '../deliveries';
import { checkLimit } from '../limit';
import { type DeliveryRow, HISTORY_COLUMNS, type HistoryRow, deliveryColumns, toDelivery, toHistory } from '../rows';
import type { PgDb } from './db';

export async function conversationDeliveries(
  db: PgDb,
  conversationId: string,
  state: DeliveryState | null,
  limit: number,
): Promise<DeliveryWithEvent[]> {
  const rows = await db.rows<HistoryRow>(
    `SELECT ${HISTORY_COLUMNS} FROM deliveries d JOIN events e ON e.id = d.event_id LEFT JOIN contacts k ON k.id = e.contact_id
    WHERE d.conversation_id = $1 AND ($2::text IS NULL OR d.state = $2) ORDER BY d.id DESC LIMIT $3`,
    [conversationId, state, checkLimit(limit)],
  );
  return rows.map(toHistory);
}

export async function conversationDelivery(db: PgDb, conversationId: string, deliveryId: number): Promise<Delivery | null> {
  if (!Number.isSafeInteger(deliveryId)) return null;
  const row = await db.row<DeliveryRow>(`SELECT ${deliveryColumns()} FROM deliveries WHERE id = $1 AND conversation_id = $2`, [
    deliveryId,
    conversationId,
  ]);
  return row ? toDelivery(row) : null;
}

export async function deliveryCounts(db: PgDb, conversationId: string): Promise<{ pending: number; dead: number }> {
  const row = await db.row<{ pending: number; dead: number }>(
    `SELECT count(*) FILTER (WHERE state = 'pending')::int AS pending, count(*) FILTER (WHERE state = 'dead')::int AS dead
    FROM deliveries WHERE conversation_id = $1 AND state IN ('pending', 'dead')`,
    [conversationId],
  );
  return { pending: row?.pending ?? 0, dead: row?.dead ?? 0 };
}

/** Re-queues this conversation's dead deliveries (`ids` null: all of them) and tells the workers; returns how many. */
export async function requeueDeadOf(db: PgDb, channel: string, conversationId: string, ids: number[] | null, now: number): Promise<number> {
  return db.transaction(async (tx) => {
    const changed = await tx.run(
      `UPDATE deliveries SET state = 'pending', attempts = 0, shrink = 0, next_attempt_at = $1, updated_at = $1
      WHERE state = 'dead' AND conversation_id = $2 AND ($3::bigint[] IS NULL OR id = ANY($3::bigint[]))`,
      [now, conversationId, ids],
    );
    if (changed > 0) await tx.run('SELECT pg_notify($1, $2)', [channel, 'requeued']);
    return changed;
  });
}
