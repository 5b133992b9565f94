/** Threads per klink room and channel in PostgreSQL. */
import { type ThreadRow, threadColumns, toThread } from '../rows';
import type { RoomThread, ThreadStore } from '../threads';
import type { PgDb } from './db';

export class PgThreads implements ThreadStore {
  constructor(private readonly db: PgDb) {}

  async getRoomThread(conversationId: string, roomId: string): Promise<RoomThread | null> {
    const row = await this.db.row<ThreadRow>(`SELECT ${threadColumns()} FROM room_threads WHERE conversation_id = $1 AND room_id = $2`, [
      conversationId,
      roomId,
    ]);
    return row ? toThread(row) : null;
  }

  async staleRoomThreads(conversationId: string, updatedBefore: number): Promise<RoomThread[]> {
    const rows = await this.db.rows<ThreadRow>(
      `SELECT ${threadColumns()} FROM room_threads WHERE conversation_id = $1 AND root_stale AND root_updated_at <= $2
      ORDER BY root_updated_at`,
      [conversationId, updatedBefore],
    );
    return rows.map(toThread);
  }

  async deferRootUpdate(conversationId: string, roomId: string, now: number): Promise<void> {
    await this.db.run('UPDATE room_threads SET root_updated_at = $1 WHERE conversation_id = $2 AND room_id = $3', [
      now,
      conversationId,
      roomId,
    ]);
  }

  async markRootUpdated(conversationId: string, roomId: string, now: number): Promise<void> {
    await this.db.run('UPDATE room_threads SET root_stale = FALSE, root_updated_at = $1 WHERE conversation_id = $2 AND room_id = $3', [
      now,
      conversationId,
      roomId,
    ]);
  }
}
