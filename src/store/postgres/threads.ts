/** Threads per klink room and channel in PostgreSQL. */
import type { DeliveredRecord } from '../deliveries';
import { type ThreadRow, toThread } from '../rows';
import type { RoomThread, ThreadStore } from '../threads';
import type { PgDb, PgTx } from './db';

type ThreadStart = Extract<NonNullable<DeliveredRecord['thread']>, { kind: 'start' }>;
type ThreadAdd = Extract<NonNullable<DeliveredRecord['thread']>, { kind: 'add' }>;

/** A new thread root for the room (replacing an older thread of the same room). */
export async function startThread(tx: PgTx, t: ThreadStart, now: number): Promise<void> {
  await tx.run(`
    INSERT INTO room_threads (conversation_id, room_id, root_activity_id, root_event_id, started_at, last_posted_at, message_count,
      latest_event_id, root_updated_at, root_stale) VALUES ($1, $2, $3, $4, $5, $5, 1, $4, $5, FALSE)
    ON CONFLICT (conversation_id, room_id) DO UPDATE SET root_activity_id = $3, root_event_id = $4, started_at = $5,
      last_posted_at = $5, message_count = 1, latest_event_id = $4, root_updated_at = $5, root_stale = FALSE`,
  [t.conversationId, t.roomId, t.rootActivityId, t.eventId, now]);
}

/** One more message replied in the room's thread: the root card is now out of date. */
export async function addToThread(tx: PgTx, t: ThreadAdd, now: number): Promise<void> {
  await tx.run(`UPDATE room_threads SET message_count = message_count + 1, last_posted_at = $1, root_stale = TRUE,
    latest_event_id = GREATEST(latest_event_id, $2) WHERE conversation_id = $3 AND room_id = $4`, [now, t.eventId, t.conversationId, t.roomId]);
}

export class PgThreads implements ThreadStore {
  constructor(private readonly db: PgDb) {}

  async getRoomThread(conversationId: string, roomId: string): Promise<RoomThread | null> {
    const row = await this.db.row<ThreadRow>('SELECT * FROM room_threads WHERE conversation_id = $1 AND room_id = $2', [conversationId, roomId]);
    return row ? toThread(row) : null;
  }

  async staleRoomThreads(conversationId: string, updatedBefore: number): Promise<RoomThread[]> {
    const rows = await this.db.rows<ThreadRow>(`SELECT * FROM room_threads WHERE conversation_id = $1 AND root_stale AND root_updated_at <= $2
      ORDER BY root_updated_at`, [conversationId, updatedBefore]);
    return rows.map(toThread);
  }

  async deferRootUpdate(conversationId: string, roomId: string, now: number): Promise<void> {
    await this.db.run('UPDATE room_threads SET root_updated_at = $1 WHERE conversation_id = $2 AND room_id = $3', [now, conversationId, roomId]);
  }

  async markRootUpdated(conversationId: string, roomId: string, now: number): Promise<void> {
    await this.db.run('UPDATE room_threads SET root_stale = FALSE, root_updated_at = $1 WHERE conversation_id = $2 AND room_id = $3',
      [now, conversationId, roomId]);
  }
}
