/** Threads per klink room and channel in SQLite. */
import type { DeliveredRecord } from '../deliveries';
import { type ThreadRow, threadColumns, toThread } from '../rows';
import type { RoomThread, ThreadStore } from '../threads';
import type { SqliteDb } from './database';

type ThreadStart = Extract<NonNullable<DeliveredRecord['thread']>, { kind: 'start' }>;
type ThreadAdd = Extract<NonNullable<DeliveredRecord['thread']>, { kind: 'add' }>;

/** A new thread root for the room (replacing an older thread of the same room). */
export function startThread(db: SqliteDb, t: ThreadStart, now: number): void {
  db.stmt(
    `
    INSERT INTO room_threads (conversation_id, room_id, root_activity_id, root_event_id, started_at, last_posted_at, message_count,
      latest_event_id, root_updated_at, root_stale) VALUES (@c, @r, @a, @e, @now, @now, 1, @e, @now, 0)
    ON CONFLICT (conversation_id, room_id) DO UPDATE SET root_activity_id = @a, root_event_id = @e, started_at = @now,
      last_posted_at = @now, message_count = 1, latest_event_id = @e, root_updated_at = @now, root_stale = 0`,
  ).run({ c: t.conversationId, r: t.roomId, a: t.rootActivityId, e: t.eventId, now });
}

/** One more message replied in the room's thread: the root card is now out of date. */
export function addToThread(db: SqliteDb, t: ThreadAdd, now: number): void {
  db.stmt(
    `UPDATE room_threads SET message_count = message_count + 1, last_posted_at = ?, root_stale = 1,
    latest_event_id = MAX(latest_event_id, ?) WHERE conversation_id = ? AND room_id = ?`,
  ).run(now, t.eventId, t.conversationId, t.roomId);
}

export class SqliteThreads implements ThreadStore {
  constructor(private readonly db: SqliteDb) {}

  async getRoomThread(conversationId: string, roomId: string): Promise<RoomThread | null> {
    const row = this.db
      .stmt(`SELECT ${threadColumns()} FROM room_threads WHERE conversation_id = ? AND room_id = ?`)
      .get(conversationId, roomId) as ThreadRow | undefined;
    return row ? toThread(row) : null;
  }

  async staleRoomThreads(conversationId: string, updatedBefore: number): Promise<RoomThread[]> {
    const rows = this.db
      .stmt(
        `SELECT ${threadColumns()} FROM room_threads WHERE conversation_id = ? AND root_stale = 1 AND root_updated_at <= ?
      ORDER BY root_updated_at`,
      )
      .all(conversationId, updatedBefore) as ThreadRow[];
    return rows.map(toThread);
  }

  async deferRootUpdate(conversationId: string, roomId: string, now: number): Promise<void> {
    this.db.stmt('UPDATE room_threads SET root_updated_at = ? WHERE conversation_id = ? AND room_id = ?').run(now, conversationId, roomId);
  }

  async markRootUpdated(conversationId: string, roomId: string, now: number): Promise<void> {
    this.db
      .stmt('UPDATE room_threads SET root_stale = 0, root_updated_at = ? WHERE conversation_id = ? AND room_id = ?')
      .run(now, conversationId, roomId);
  }
}
