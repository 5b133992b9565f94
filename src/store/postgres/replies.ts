/** Replies from cards in PostgreSQL (see src/store/replies.ts). */
import type { CardReply, NewCardReply, ReplyResult, ReplyStore } from '../replies';
import { REPLY_COLUMNS, type ReplyRow, toReply } from '../rows';
import type { PgDb } from './db';

export class PgReplies implements ReplyStore {
  constructor(private readonly db: PgDb) {}

  async claimReply(r: NewCardReply): Promise<{ claimed: boolean; reply: CardReply }> {
    const inserted = await this.db.row<ReplyRow>(
      `INSERT INTO card_replies (action_key, conversation_id, event_id, connection_id, contact_id, room_id, user_id, user_name,
        text, created_at, outcome) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'sending')
      ON CONFLICT (conversation_id, action_key) DO NOTHING RETURNING ${REPLY_COLUMNS}`,
      [r.actionKey, r.conversationId, r.eventId, r.connectionId, r.contactId, r.roomId, r.userId, r.userName, r.text, r.createdAt],
    );
    if (inserted) return { claimed: true, reply: toReply(inserted) };
    // The key was claimed before (committed: the unique index waited for that transaction).
    const existing = await this.db.row<ReplyRow>(
      `SELECT ${REPLY_COLUMNS} FROM card_replies WHERE conversation_id = $1 AND action_key = $2`,
      [r.conversationId, r.actionKey],
    );
    if (!existing) throw new Error('a card reply claimed by another writer could not be read back');
    return { claimed: false, reply: toReply(existing) };
  }

  async finishReply(id: number, result: ReplyResult, now: number): Promise<void> {
    await this.db.run(
      'UPDATE card_replies SET outcome = $1, klink_message_id = $2, error_code = $3, error = $4, finished_at = $5 WHERE id = $6',
      [result.outcome, result.klinkMessageId, result.errorCode, result.error, now, id],
    );
  }

  async listReplies(conversationId: string, eventId: number): Promise<CardReply[]> {
    return (
      await this.db.rows<ReplyRow>(`SELECT ${REPLY_COLUMNS} FROM card_replies WHERE conversation_id = $1 AND event_id = $2 ORDER BY id`, [
        conversationId,
        eventId,
      ])
    ).map(toReply);
  }

  async purgeReplyText(before: number): Promise<number> {
    return this.db.run('UPDATE card_replies SET text = NULL WHERE text IS NOT NULL AND created_at < $1', [before]);
  }
}
