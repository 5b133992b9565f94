/**
 * Whether a message card gets the Reply action, and what it needs: only cards of a customer's
 * message with a known contact, and only while replies are on for the message's klink connection
 * (src/klink/reply-policy.ts). Each drawing of a card gets a fresh action key, so a reply is sent
 * once per card action however often Send is clicked or Teams retries it.
 */
import { randomBytes } from 'node:crypto';
import { replyLimit } from '../cards/reply-limit';
import { type ReplyView, type ReplyLine, replyLines } from '../cards/reply-lines';
import type { KlinkMessage } from '../klink/events';
import type { ReplyPolicy } from '../klink/reply-policy';
import type { ReplyStore, StoredEvent } from '../store/store';

export interface ReplyAction {
  eventId: number;
  actionKey: string;
  maxLength: number;
  draft?: string;
}

/** A new key for a card's reply action: unguessable, short. */
export function newReplyKey(): string {
  return randomBytes(12).toString('base64url');
}

/** The Reply action for this message's card, or undefined when the card gets none. */
export async function replyAction(event: StoredEvent, message: KlinkMessage, policy: ReplyPolicy): Promise<ReplyAction | undefined> {
  if (message.direction !== 'inbound' || message.contactId === '') return undefined;
  if (!(await policy.repliesOn(event.connectionId))) return undefined;
  return { eventId: event.id, actionKey: newReplyKey(), maxLength: replyLimit(message.room.channelType) };
}

/** The lines for the replies sent from this conversation's card of the event. */
export async function cardReplies(replies: Pick<ReplyStore, 'listReplies'>, conversationId: string, eventId: number): Promise<ReplyLine[]> {
  const listed: ReplyView[] = await replies.listReplies(conversationId, eventId);
  return replyLines(listed);
}
