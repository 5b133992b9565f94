/**
 * Building Bot Framework activities that carry an Adaptive Card (botbuilder's wire types only: the
 * delivery thread does not load botbuilder).
 */
import type { Activity } from 'botbuilder';
import type { AdaptiveCardJson } from '../cards/render';

export const ADAPTIVE_CARD_CONTENT_TYPE = 'application/vnd.microsoft.card.adaptive';

/** A message activity with one Adaptive Card; `summary` is what notifications show. */
export function cardActivity(card: AdaptiveCardJson, summary: string): Partial<Activity> {
  return {
    type: 'message',
    summary,
    attachments: [{ contentType: ADAPTIVE_CARD_CONTENT_TYPE, content: card }],
  };
}

/** Teams channel conversation ids of a thread end in `;messageid=<root id>`: the channel id is before it. */
export function baseConversationId(conversationId: string): string {
  const at = conversationId.indexOf(';messageid=');
  return at === -1 ? conversationId : conversationId.slice(0, at);
}

/** The root activity id of a thread conversation id, or null. */
export function threadRootId(conversationId: string): string | null {
  const at = conversationId.indexOf(';messageid=');
  return at === -1 ? null : conversationId.slice(at + ';messageid='.length) || null;
}
