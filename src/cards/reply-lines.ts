/**
 * The lines a message card shows under the message for the replies sent from it: "Replied by
 * <name> at <time>: <text>", or why a reply was not sent, or that it may have been sent. Times are
 * written as every card writes them (reader's zone); the newest few are shown, older ones counted.
 */
import type { CardText } from './card-text';
import { renderCardText } from './card-text';

export interface ReplyView {
  userName: string | null;
  createdAt: number;
  /** Null once removed after the retention period. */
  text: string | null;
  outcome: 'sending' | 'sent' | 'failed' | 'unknown';
  error: string | null;
}

export interface ReplyLine {
  text: string;
  color: 'Good' | 'Attention' | 'Warning';
}

/** Replies shown on a card at most; earlier ones are counted in one line. */
export const SHOWN_REPLIES = 3;
/** Characters of a reply's text shown on the card (the whole text went to the customer). */
const SHOWN_TEXT = 1_000;

export function replyLines(replies: readonly ReplyView[]): ReplyLine[] {
  const shown = replies.slice(-SHOWN_REPLIES);
  const earlier = replies.length - shown.length;
  const lines = shown.map(replyLine);
  if (earlier > 0) lines.unshift({ text: `${earlier} earlier ${earlier === 1 ? 'reply' : 'replies'} from this card`, color: 'Good' });
  return lines;
}

function replyLine(reply: ReplyView): ReplyLine {
  const who = reply.userName?.trim() || 'someone';
  const quoted = reply.text === null ? ' (its text is no longer kept)' : `: ${reply.text}`;
  let text: CardText;
  let color: ReplyLine['color'];
  if (reply.outcome === 'sent') {
    text = [`Replied by ${who} at `, { time: reply.createdAt }, quoted];
    color = 'Good';
  } else if (reply.outcome === 'failed') {
    text = [`Reply by ${who} at `, { time: reply.createdAt }, ` was not sent: ${reply.error ?? 'klink refused it'}.`];
    color = 'Attention';
  } else {
    text = [
      `Reply by ${who} at `,
      { time: reply.createdAt },
      ` may have been sent — klink did not confirm it${reply.error ? ` (${reply.error})` : ''}. Check the conversation in klink before replying again`,
      quoted,
    ];
    color = 'Warning';
  }
  return { text: renderCardText(text, SHOWN_TEXT), color };
}
