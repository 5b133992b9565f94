/** Replies from cards in SQLite (see src/store/replies.ts). */
import type { CardReply, NewCardReply, ReplyResult, ReplyStore } from '../replies';
import { REPLY_COLUMNS, type ReplyRow, toReply } from '../rows';
import type { SqliteDb } from './database';

export class SqliteReplies implements ReplyStore {
  constructor(private readonly db: SqliteDb) {}

  async claimReply(r: NewCardReply): Promise<{ claimed: boolean; reply: CardReply }> {
    return this.db.transaction(() => {
      const inserted = this.db
        .stmt(
          `INSERT INTO card_replies (action_key, conversation_id, event_id, connection_id, contact_id, room_id, user_id, user_name,
            text, created_at, outcome) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'sending')
          ON CONFLICT (conversation_id, action_key) DO NOTHING`,
        )
        .run(r.actionKey, r.conversationId, r.eventId, r.connectionId, r.contactId, r.roomId, r.userId, r.userName, r.text, r.createdAt);
      const row = this.db
        .stmt(`SELECT ${REPLY_COLUMNS} FROM card_replies WHERE conversation_id = ? AND action_key = ?`)
        .get(r.conversationId, r.actionKey) as ReplyRow;
      return { claimed: inserted.changes > 0, reply: toReply(row) };
    });
  }

  async finishReply(id: number, result: ReplyResult, now: number): Promise<void> {
    this.db
      .stmt('UPDATE card_replies SET outcome = ?, klink_message_id = ?, error_code = ?, error = ?, finished_at = ? WHERE id = ?')
      .run(result.outcome, result.klinkMessageId, result.errorCode, result.error, now, id);
  }

  async listReplies(conversationId: string, eventId: number): Promise<CardReply[]> {
    return (
      this.db
        .stmt(`SELECT ${REPLY_COLUMNS} FROM card_replies WHERE conversation_id = ? AND event_id = ? ORDER BY id`)
        .all(conversationId, eventId) as ReplyRow[]
    ).map(toReply);
  }

  async purgeReplyText(before: number): Promise<number> {
    return this.db.stmt('UPDATE card_replies SET text = NULL WHERE text IS NOT NULL AND created_at < ?').run(before).changes;
  }
}
