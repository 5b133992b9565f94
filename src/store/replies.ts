/**
 * Replies sent to klink customers from a Teams card: who replied, when, through which klink
 * connection, to which contact and room, for which posted message, and how it ended. The card's
 * action key is unique per conversation and claimed before klink is called, so a second click
 * or a retried invoke finds the first reply instead of sending again. The reply text is kept only
 * to draw "Replied by …" on the card again, and removed with the message texts after the
 * retention period.
 */

/** `sending`: claimed, klink not answered yet (or the process stopped meanwhile: it may have been sent). */
export type ReplyOutcome = 'sending' | 'sent' | 'failed' | 'unknown';

export interface NewCardReply {
  /** The card action's key (minted when the card was drawn): one reply per key and conversation. */
  actionKey: string;
  conversationId: string;
  eventId: number;
  connectionId: string;
  contactId: string;
  roomId: string;
  /** The Teams user's Entra object id (or Bot Framework id when Teams gave none) and name. */
  userId: string | null;
  userName: string | null;
  text: string;
  createdAt: number;
}

export interface CardReply extends Omit<NewCardReply, 'text'> {
  id: number;
  /** Null once removed after the retention period. */
  text: string | null;
  outcome: ReplyOutcome;
  klinkMessageId: string | null;
  /** A stable code (KlinkApiErrorCode) and the reason shown on the card; null unless it failed. */
  errorCode: string | null;
  error: string | null;
  finishedAt: number | null;
}

export interface ReplyResult {
  outcome: Exclude<ReplyOutcome, 'sending'>;
  klinkMessageId: string | null;
  errorCode: string | null;
  error: string | null;
}

export interface ReplyStore {
  /** Records the reply as `sending`, or returns the reply already recorded for this key and conversation. */
  claimReply(reply: NewCardReply): Promise<{ claimed: boolean; reply: CardReply }>;
  /** Records how the reply ended. */
  finishReply(id: number, result: ReplyResult, now: number): Promise<void>;
  /** The replies made from this conversation's card of this event, oldest first. */
  listReplies(conversationId: string, eventId: number): Promise<CardReply[]>;
  /** Removes the text of replies made before `before`; returns how many. */
  purgeReplyText(before: number): Promise<number>;
}
